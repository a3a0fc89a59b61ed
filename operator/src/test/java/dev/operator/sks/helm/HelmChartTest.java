package dev.operator.sks.helm;

import static dev.operator.sks.testing.HelmCharts.FULLNAME;
import static dev.operator.sks.testing.HelmCharts.NAMESPACE;
import static dev.operator.sks.testing.HelmCharts.RELEASE;
import static dev.operator.sks.testing.HelmCharts.clusterRules;
import static dev.operator.sks.testing.HelmCharts.find;
import static dev.operator.sks.testing.HelmCharts.ofType;
import static dev.operator.sks.testing.HelmCharts.one;
import static dev.operator.sks.testing.HelmCharts.render;
import static dev.operator.sks.testing.HelmCharts.roleRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.naming.Names;
import dev.operator.sks.testing.HelmCharts;
import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * helm/sks-operator with real Helm (helm-java): it lints clean, and what it renders with default and non-default
 * values is what a platform team expects: a locked-down Deployment configured the way {@link OperatorConfig}
 * reads it, least-privilege RBAC, metrics, and a schema that refuses bad values.
 */
class HelmChartTest {
    private static final Set<String> CRUD = Set.of("get", "list", "watch", "create", "update", "patch", "delete");
    private static final Set<String> READ = Set.of("get", "list", "watch");
    /** Kinds the operator creates, then only server-side applies: never a plain update. */
    private static final Set<String> APPLIED = Set.of("get", "list", "watch", "create", "patch", "delete");

    /** Every rule on namespaced resources, exactly: a new one is a deliberate change of this list and of _rbac.tpl. */
    private static final Set<Rule> NAMESPACED_RULES = Set.of(
            new Rule(
                    "sks.operator.dev",
                    Set.of("sksclusters", "nodepools", "kubeconfigrequests", "instancepools"),
                    CRUD),
            new Rule(
                    "sks.operator.dev",
                    Set.of(
                            "sksclusters/status",
                            "nodepools/status",
                            "kubeconfigrequests/status",
                            "instancepools/status"),
                    Set.of("patch")),
            new Rule(
                    "sks.operator.dev",
                    Set.of(
                            "sksclusters/finalizers",
                            "nodepools/finalizers",
                            "kubeconfigrequests/finalizers",
                            "instancepools/finalizers"),
                    Set.of("update")),
            new Rule("", Set.of("secrets", "configmaps", "services"), CRUD),
            new Rule("", Set.of("events"), Set.of("create", "patch")),
            new Rule("", Set.of("persistentvolumeclaims"), Set.of("list", "delete")),
            new Rule("apps", Set.of("statefulsets", "deployments"), APPLIED),
            new Rule("policy", Set.of("poddisruptionbudgets"), APPLIED));

    private static final Set<Rule> KUBEVIRT_RULES = Set.of(
            new Rule("pool.kubevirt.io", Set.of("virtualmachinepools"), CRUD),
            new Rule("kubevirt.io", Set.of("virtualmachines"), CRUD),
            new Rule("kubevirt.io", Set.of("virtualmachineinstances"), READ),
            // The KubeVirt cloud controllers' accounts, Roles and tokens.
            new Rule("", Set.of("serviceaccounts"), Set.of("get", "create", "delete")),
            new Rule("", Set.of("serviceaccounts/token"), Set.of("create")),
            new Rule(
                    "rbac.authorization.k8s.io",
                    Set.of("roles", "rolebindings"),
                    Set.of("get", "create", "update", "delete")));
    private static final Set<Rule> LEASE_RULES = Set.of(
            new Rule("coordination.k8s.io", Set.of("leases"), Set.of("get", "create", "update")),
            // The cluster-autoscaler CA Secret (autoscaler.enabled, the default).
            new Rule("", Set.of("secrets"), Set.of("get", "create")));

    private static final String NON_DEFAULT_VALUES = """
      replicaCount: 2
      image:
        repository: registry.example.com/platform/sks-operator
        tag: 1.2.3
        pullPolicy: Always
      operator:
        provider: kubevirt
        watchNamespaces: [a, b]
        zones: [ch-gva-2, de-fra-1]
        httpPort: 9090
        simulatedInstanceDelay: PT1S
        simulatedLoadBalancerAddresses: 203.0.113.0/28
        kubevirtInfraServer: https://mgmt.example.com:6443
      metrics:
        service:
          port: 9191
        serviceMonitor:
          enabled: true
      extraEnv:
        - name: EXTRA
          value: "yes"
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
        - key: dedicated
          operator: Equal
          value: platform
          effect: NoSchedule
      """;

    static List<HasMetadata> defaults;
    static List<HasMetadata> nonDefaults;

    @BeforeAll
    static void renderOnce() {
        defaults = render("");
        nonDefaults = render(NON_DEFAULT_VALUES);
    }

    @Test
    void lintsStrictWithoutErrorsOrWarnings() {
        LintResult result = new Helm(RepoPaths.helmChart()).lint().strict().call();
        assertThat(result.isFailed())
                .as("helm lint --strict: %s", result.getMessages())
                .isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void chartMetadata() throws IOException {
        Map<String, Object> chart =
                new Yaml().load(Files.readString(RepoPaths.helmChart().resolve("Chart.yaml")));
        assertThat(chart)
                .containsEntry("apiVersion", "v2")
                .containsEntry("name", "sks-operator")
                .containsEntry("version", "0.1.0")
                .containsEntry("appVersion", "0.1.0")
                .containsEntry("kubeVersion", ">=1.20.0-0")
                .containsKey("description");
    }

    @Test
    void chartCrdsAreByteForByteTheRepositoryCrds() throws IOException {
        Path chartCrds = RepoPaths.helmChart().resolve("crds");
        assertThat(fileNames(chartCrds)).isEqualTo(fileNames(RepoPaths.crds())).isNotEmpty();
        for (String name : fileNames(RepoPaths.crds())) {
            assertThat(Files.mismatch(RepoPaths.crds().resolve(name), chartCrds.resolve(name)))
                    .as("helm/sks-operator/crds/%s differs from crds/%s: copy it over", name, name)
                    .isEqualTo(-1L);
        }
    }

    @Test
    void defaultsRenderTheOperatorAndItsAccessInTheReleaseNamespace() {
        assertThat(defaults.stream()
                        .map(o -> o.getKind() + "/" + o.getMetadata().getName()))
                .containsExactlyInAnyOrder(
                        "ServiceAccount/" + FULLNAME,
                        "ClusterRole/" + FULLNAME,
                        "ClusterRoleBinding/" + FULLNAME,
                        "Role/" + FULLNAME + "-leader-election",
                        "RoleBinding/" + FULLNAME + "-leader-election",
                        "Service/" + FULLNAME + "-metrics",
                        "Service/" + FULLNAME + "-autoscaler",
                        "Deployment/" + FULLNAME);
        for (HasMetadata o : defaults) {
            if (!(o instanceof ClusterRole) && !(o instanceof ClusterRoleBinding)) {
                assertThat(o.getMetadata().getNamespace())
                        .as(o.getKind() + " namespace")
                        .isEqualTo(NAMESPACE);
            }
            assertThat(o.getMetadata().getLabels())
                    .as(o.getKind() + " labels")
                    .containsEntry("app.kubernetes.io/name", "sks-operator")
                    .containsEntry("app.kubernetes.io/instance", RELEASE)
                    .containsEntry("app.kubernetes.io/version", "0.1.0")
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("helm.sh/chart", "sks-operator-0.1.0");
        }
    }

    @Test
    void deploymentRunsNonRootOnAReadOnlyRootFilesystem() {
        Deployment deployment = one(defaults, Deployment.class, FULLNAME);
        PodSecurityContext pod = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(pod.getRunAsUser()).isPositive();
        assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        Container container = operatorContainer(deployment);
        SecurityContext security = container.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        // The JVM still has a writable /tmp.
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/tmp");
            assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
            assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                    .anySatisfy(v -> {
                        assertThat(v.getName()).isEqualTo(m.getName());
                        assertThat(v.getEmptyDir()).isNotNull();
                    });
        });
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        // The image's entry point runs the operator.
        assertThat(container.getCommand()).isNullOrEmpty();
        assertThat(container.getArgs()).isNullOrEmpty();
        assertThat(container.getImage()).isEqualTo("sks-operator:0.1.0");
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(FULLNAME);
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "sks-operator", "app.kubernetes.io/instance", RELEASE));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void probesUseTheOperatorsHealthEndpointsOnItsHttpPort() {
        for (List<HasMetadata> rendered : List.of(defaults, nonDefaults)) {
            Container container = operatorContainer(one(rendered, Deployment.class, FULLNAME));
            int httpPort = Integer.parseInt(env(container).get("SKS_HTTP_PORT"));
            assertThat(container.getPorts().stream()
                            .filter(p -> !p.getName().equals("grpc-autoscaler"))
                            .toList())
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.getName()).isEqualTo("http");
                        assertThat(p.getContainerPort()).isEqualTo(httpPort);
                    });
            assertHttpGet(container.getLivenessProbe(), "/healthz");
            assertHttpGet(container.getReadinessProbe(), "/readyz");
            assertHttpGet(container.getStartupProbe(), "/healthz");
            assertThat(container.getStartupProbe().getFailureThreshold()
                            * container.getStartupProbe().getPeriodSeconds())
                    .as("seconds the operator has to start")
                    .isGreaterThanOrEqualTo(60);
        }
        assertThat(operatorContainer(one(nonDefaults, Deployment.class, FULLNAME))
                        .getPorts()
                        .get(0)
                        .getContainerPort())
                .isEqualTo(9090);
    }

    @Test
    void defaultEnvironmentIsOneTheOperatorAccepts() {
        Deployment deployment = one(defaults, Deployment.class, FULLNAME);
        Container container = operatorContainer(deployment);
        assertDownwardApi(container);
        Map<String, String> env = env(container);
        assertThat(env)
                .containsEntry("SKS_HTTP_PORT", "8080")
                .containsEntry("SKS_PROVIDER", "simulated")
                .containsEntry("SKS_ZONES", String.join(",", OperatorConfig.DEFAULT_ZONES))
                .containsEntry("SKS_WATCH_NAMESPACES", "")
                .containsEntry("SKS_LEADER_ELECTION", "false");
        assertEveryOperatorVariableIsKnown(env);

        OperatorConfig config = OperatorConfig.parse(new String[0], runtimeEnv(env));
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.watchesAllNamespaces()).isTrue();
        assertThat(config.leaderElection()).isFalse();
        assertThat(config.zones()).isEqualTo(OperatorConfig.DEFAULT_ZONES);
        // One replica and no leader: never two operators at once, not even during a rollout.
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @Test
    void nonDefaultValuesReachTheOperatorsEnvironment() {
        Deployment deployment = one(nonDefaults, Deployment.class, FULLNAME);
        Container container = operatorContainer(deployment);
        assertDownwardApi(container);
        Map<String, String> env = env(container);
        assertThat(env)
                .containsEntry("SKS_HTTP_PORT", "9090")
                .containsEntry("SKS_PROVIDER", "kubevirt")
                .containsEntry("SKS_ZONES", "ch-gva-2,de-fra-1")
                .containsEntry("SKS_WATCH_NAMESPACES", "a,b")
                .containsEntry("SKS_LEADER_ELECTION", "true")
                .containsEntry("SKS_SIMULATED_INSTANCE_DELAY", "PT1S")
                .containsEntry("SKS_SIMULATED_LOAD_BALANCER_ADDRESSES", "203.0.113.0/28")
                .containsEntry("SKS_KUBEVIRT_INFRA_SERVER", "https://mgmt.example.com:6443")
                .containsEntry("EXTRA", "yes");
        assertEveryOperatorVariableIsKnown(env);
        assertThat(container.getImage()).isEqualTo("registry.example.com/platform/sks-operator:1.2.3");
        assertThat(container.getImagePullPolicy()).isEqualTo("Always");
        assertThat(deployment.getSpec().getTemplate().getSpec().getNodeSelector())
                .isEqualTo(Map.of("kubernetes.io/os", "linux"));
        assertThat(deployment.getSpec().getTemplate().getSpec().getTolerations())
                .singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    }

    @Test
    void leaderElectionIsOnExactlyWhenMoreThanOneReplicaOrAskedFor() {
        Map<String, String> two = env(operatorContainer(one(render("replicaCount: 2"), Deployment.class, FULLNAME)));
        assertThat(two).containsEntry("SKS_LEADER_ELECTION", "true");
        OperatorConfig config = OperatorConfig.parse(new String[0], runtimeEnv(two));
        assertThat(config.leaderElection()).isTrue();
        assertThat(config.leaseNamespace())
                .as("the Lease goes where the leader-election Role is")
                .isEqualTo(NAMESPACE);
        assertThat(config.identity()).isEqualTo("sks-operator-pod-0");

        Deployment twoReplicas = one(render("replicaCount: 2"), Deployment.class, FULLNAME);
        assertThat(twoReplicas.getSpec().getReplicas()).isEqualTo(2);
        assertThat(twoReplicas.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");

        assertThat(env(operatorContainer(one(render("replicaCount: 1"), Deployment.class, FULLNAME))))
                .containsEntry("SKS_LEADER_ELECTION", "false");
        assertThat(env(operatorContainer(
                        one(render("operator: {leaderElection: {enabled: true}}"), Deployment.class, FULLNAME))))
                .containsEntry("SKS_LEADER_ELECTION", "true");
    }

    @Test
    void allNamespacesGetOneClusterRoleBoundToTheServiceAccount() {
        assertThat(rules(clusterRules(defaults))).isEqualTo(NAMESPACED_RULES);
        ClusterRoleBinding binding = one(defaults, ClusterRoleBinding.class, FULLNAME);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(FULLNAME);
        assertBoundToOperator(binding.getSubjects());
        assertThat(one(defaults, ServiceAccount.class, FULLNAME)).isNotNull();
        assertThat(ofType(defaults, Role.class))
                .extracting(r -> r.getMetadata().getName())
                .containsExactly(FULLNAME + "-leader-election");
    }

    @Test
    void watchedNamespacesGetARoleEachAndNothingClusterWide() {
        List<HasMetadata> rendered = render("operator: {watchNamespaces: [a, b]}");
        assertThat(ofType(rendered, ClusterRole.class)).isEmpty();
        assertThat(ofType(rendered, ClusterRoleBinding.class)).isEmpty();
        for (String namespace : List.of("a", "b")) {
            assertThat(rules(roleRules(rendered, FULLNAME, namespace))).isEqualTo(NAMESPACED_RULES);
            RoleBinding binding = ofType(rendered, RoleBinding.class).stream()
                    .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
                    .findFirst()
                    .orElseThrow();
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getRoleRef().getName()).isEqualTo(FULLNAME);
            assertBoundToOperator(binding.getSubjects());
        }
        assertThat(ofType(rendered, Role.class))
                .extracting(r ->
                        r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        "a/" + FULLNAME, "b/" + FULLNAME, NAMESPACE + "/" + FULLNAME + "-leader-election");
        OperatorConfig config = OperatorConfig.parse(
                new String[0], runtimeEnv(env(operatorContainer(one(rendered, Deployment.class, FULLNAME)))));
        assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void leaderElectionRoleCoversTheLeaseInTheReleaseNamespace() {
        for (List<HasMetadata> rendered : List.of(defaults, nonDefaults)) {
            List<PolicyRule> rules = roleRules(rendered, FULLNAME + "-leader-election", NAMESPACE);
            assertThat(rules(rules)).isEqualTo(LEASE_RULES);
            // JOSDK checks at start that one rule grants create, update and get on leases.
            assertThat(rules).anySatisfy(r -> assertThat(r.getVerbs()).contains("create", "update", "get"));
            RoleBinding binding = one(rendered, RoleBinding.class, FULLNAME + "-leader-election");
            assertThat(binding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
            assertBoundToOperator(binding.getSubjects());
        }
        assertThat(Names.LEADER_ELECTION_LEASE).isEqualTo("sks-operator-leader");
    }

    @Test
    void kubevirtRulesOnlyWithTheKubevirtProvider() {
        assertThat(rules(roleRules(nonDefaults, FULLNAME, "a"))).isEqualTo(union(NAMESPACED_RULES, KUBEVIRT_RULES));
        assertThat(rules(clusterRules(render("operator: {provider: kubevirt}"))))
                .isEqualTo(union(NAMESPACED_RULES, KUBEVIRT_RULES));
        assertThat(rules(clusterRules(render("operator: {provider: exoscale}"))))
                .isEqualTo(NAMESPACED_RULES);
    }

    @Test
    void noRuleGrantsWildcardsOrPrivilegeEscalation() {
        List<List<HasMetadata>> renders = List.of(defaults, nonDefaults, render("operator: {provider: kubevirt}"));
        for (List<HasMetadata> rendered : renders) {
            List<PolicyRule> all = new ArrayList<>();
            ofType(rendered, ClusterRole.class).forEach(r -> all.addAll(r.getRules()));
            ofType(rendered, Role.class).forEach(r -> all.addAll(r.getRules()));
            assertThat(all).isNotEmpty().allSatisfy(rule -> {
                assertThat(rule.getVerbs())
                        .isNotEmpty()
                        .doesNotContain("*", "escalate", "bind", "impersonate")
                        .allMatch(v -> CRUD.contains(v), "a known verb");
                assertThat(rule.getResources()).isNotEmpty().noneMatch(r -> r.contains("*"));
                assertThat(rule.getApiGroups()).isNotEmpty().doesNotContain("*");
                assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
                assertThat(rule.getResourceNames()).isNullOrEmpty();
            });
        }
        assertThat(ofType(defaults, ClusterRole.class))
                .singleElement()
                .satisfies(r -> assertThat(r.getAggregationRule()).isNull());
    }

    @Test
    void metricsServiceTargetsTheHttpPortWithAPortNamedHttpMetrics() {
        Service service = one(defaults, Service.class, FULLNAME + "-metrics");
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http-metrics");
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
        });
        Deployment deployment = one(defaults, Deployment.class, FULLNAME);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());

        ServicePort custom = one(nonDefaults, Service.class, FULLNAME + "-metrics")
                .getSpec()
                .getPorts()
                .get(0);
        assertThat(custom.getPort()).isEqualTo(9191);
        assertThat(custom.getTargetPort().getStrVal()).isEqualTo("http");

        assertThat(find(render("metrics: {service: {enabled: false}}"), Service.class, FULLNAME + "-metrics"))
                .isEmpty();
    }

    @Test
    void serviceMonitorNeedsTheMonitoringApiEvenWhenEnabled() {
        // helm-java renders with Helm's default capabilities, which lack monitoring.coreos.com/v1: an enabled
        // ServiceMonitor is left out rather than failing the install. HelmInstallApiServerTest covers a cluster
        // that serves the API.
        assertThat(kinds(nonDefaults)).doesNotContain("ServiceMonitor");
        assertThat(kinds(defaults)).doesNotContain("ServiceMonitor");
        assertThat(ofType(nonDefaults, GenericKubernetesResource.class)).isEmpty();
    }

    @Test
    void serviceAccountAndRbacCanBeBroughtByThePlatformTeam() {
        List<HasMetadata> rendered =
                render("serviceAccount: {create: false, name: platform-sa}\nrbac: {create: false}");
        assertThat(kinds(rendered)).containsExactlyInAnyOrder("Deployment", "Service", "Service");
        assertThat(one(rendered, Deployment.class, FULLNAME)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getServiceAccountName())
                .isEqualTo("platform-sa");

        List<HasMetadata> named = render("serviceAccount: {name: operator}");
        assertThat(one(named, ServiceAccount.class, "operator")).isNotNull();
        assertThat(one(named, ClusterRoleBinding.class, FULLNAME).getSubjects())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("operator"));
    }

    @Test
    void imageByDigest() {
        String digest = "sha256:" + "ab".repeat(32);
        Container container = operatorContainer(
                one(render("image: {tag: ignored, digest: \"" + digest + "\"}"), Deployment.class, FULLNAME));
        assertThat(container.getImage()).isEqualTo("sks-operator@" + digest);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "replicaCount: two",
                "replicaCount: -1",
                "replicaCount: 1.5",
                "replicaCuont: 2",
                "operator: {provider: aws}",
                "operator: {httpPort: 70000}",
                "operator: {httpPort: \"8080\"}",
                "operator: {zones: []}",
                "operator: {watchNamespaces: [Not_A_Namespace]}",
                "operator: {watchNamespaces: a}",
                "operator: {leaderElection: {enabled: \"yes\"}}",
                "operator: {simulatedInstanceDelay: 5s}",
                "operator: {simulatedLoadBalancerAddresses: 198.51.100.0}",
                "operator: {unknown: true}",
                "image: {pullPolicy: Sometimes}",
                "image: {digest: latest}",
                "metrics: {serviceMonitor: {enabled: \"true\"}}",
                "metrics: {serviceMonitor: {interval: often}}",
                "rbac: {create: yes please}",
                "nodeSelector: {disk: 1}",
            })
    void schemaRejectsBadValues(String values) {
        assertThatThrownBy(() -> HelmCharts.templateYaml(values))
                .as("values %s", values)
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @Test
    void notesTellWhatToApplyNextAndWhereToWatchIt() throws IOException {
        Path values = HelmCharts.writeValues(NON_DEFAULT_VALUES);
        String notes = new Helm(RepoPaths.helmChart())
                .install()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withValuesFile(values)
                .dryRun()
                .clientOnly()
                .call()
                .getOutput();
        Files.delete(values);
        assertThat(notes)
                .contains("NOTES:")
                .contains("It serves the namespaces: a, b.")
                .contains("Leader election is on (2 replicas")
                .contains("kubectl -n " + NAMESPACE + " rollout status deployment/" + FULLNAME)
                .contains("kind: SKSCluster", "kind: Nodepool", "kind: KubeconfigRequest", "zone: ch-gva-2")
                .contains("kubectl -n a get skc,np,kcr")
                .contains("WARNING: metrics.serviceMonitor.enabled is true but this cluster does not serve");
        String defaultNotes = new Helm(RepoPaths.helmChart())
                .install()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .dryRun()
                .clientOnly()
                .call()
                .getOutput();
        assertThat(defaultNotes)
                .contains("It serves every namespace.")
                .contains("kubectl -n default get skc,np,kcr")
                .doesNotContain("WARNING", "Leader election is on");
    }

    private static void assertHttpGet(Probe probe, String path) {
        assertThat(probe).as("probe on " + path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static void assertDownwardApi(Container container) {
        Map<String, String> fieldRefs = container.getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
                .collect(Collectors.toMap(
                        EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath()));
        assertThat(fieldRefs)
                .containsEntry("POD_NAMESPACE", "metadata.namespace")
                .containsEntry("POD_NAME", "metadata.name");
    }

    /** Every SKS_ variable the chart sets is one the operator reads (a typo would be silently ignored). */
    private static void assertEveryOperatorVariableIsKnown(Map<String, String> env) {
        String usage = OperatorConfig.usage();
        assertThat(env.keySet().stream().filter(k -> k.startsWith("SKS_")))
                .isNotEmpty()
                .allSatisfy(
                        k -> assertThat(usage).as("OperatorConfig knows " + k).contains(" " + k + " "));
    }

    private static void assertBoundToOperator(List<Subject> subjects) {
        assertThat(subjects).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(FULLNAME);
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
        });
    }

    private static Container operatorContainer(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("operator"))
                .findFirst()
                .orElseThrow();
    }

    /** Plain env values; downward-API ones are left out. */
    private static Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            if (var.getValueFrom() == null) {
                env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
            }
        }
        return env;
    }

    /** The environment the operator would see in the pod: the chart's values plus what the downward API fills in. */
    private static Map<String, String> runtimeEnv(Map<String, String> env) {
        Map<String, String> runtime = new LinkedHashMap<>(env);
        runtime.put("POD_NAMESPACE", NAMESPACE);
        runtime.put("POD_NAME", "sks-operator-pod-0");
        return runtime;
    }

    private static List<String> kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).toList();
    }

    private static Set<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** A rule with one API group, compared as sets. */
    record Rule(String apiGroup, Set<String> resources, Set<String> verbs) {}

    private static Set<Rule> rules(List<PolicyRule> rules) {
        Set<Rule> result = new java.util.HashSet<>();
        for (PolicyRule rule : rules) {
            assertThat(rule.getApiGroups())
                    .as("one API group per rule: %s", rule)
                    .hasSize(1);
            Rule r = new Rule(rule.getApiGroups().get(0), Set.copyOf(rule.getResources()), Set.copyOf(rule.getVerbs()));
            assertThat(result.add(r)).as("duplicate rule %s", r).isTrue();
        }
        return result;
    }

    private static Set<Rule> union(Set<Rule> a, Set<Rule> b) {
        return Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
    }
}
