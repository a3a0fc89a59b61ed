package dev.operator.sks.rendering;

import static dev.operator.sks.rendering.Fixtures.flag;
import static dev.operator.sks.rendering.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operator.sks.api.Exposure;
import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.OidcSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiserverRendererTest {

    @Test
    void replicasPerLevel() {
        assertThat(deployment(Fixtures.starter()).getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment(Fixtures.pro()).getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void podRunsTheApiServerAndKonnectivityFromTheCatalogOfTheRunningVersion() {
        PodSpec v132 = pod(ApiserverRenderer.deployment(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_32)));
        PodSpec v133 = pod(ApiserverRenderer.deployment(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_33)));

        assertThat(v132.getContainers())
                .extracting(Container::getName, Container::getImage)
                .containsExactly(
                        tuple("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.32.8"),
                        tuple("konnectivity-server", "registry.k8s.io/kas-network-proxy/proxy-server:v0.32.1"));
        assertThat(v133.getContainers())
                .extracting(Container::getName, Container::getImage)
                .containsExactly(
                        tuple("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.33.4"),
                        tuple("konnectivity-server", "registry.k8s.io/kas-network-proxy/proxy-server:v0.33.0"));
    }

    @ParameterizedTest
    @CsvSource({"1.31.12", "1.32.8", "1.33.4", "1.34.1"})
    void neverPassesCloudProviderToTheApiServer(String version) {
        // Not needed since 1.31, an unknown flag since 1.33.
        List<String> args = apiserver(ApiserverRenderer.deployment(
                        Fixtures.inputs(Fixtures.starter(), KubernetesVersion.of(version))))
                .getArgs();

        assertThat(args).noneMatch(a -> a.startsWith("--cloud-provider"));
        assertThat(args).noneMatch(a -> a.startsWith("--endpoint-reconciler-type"));
    }

    @Test
    void flagsWireEtcdTlsServiceAccountsAndAuthorization() {
        List<String> args = apiserver(deployment(Fixtures.starter())).getArgs();

        assertThat(single(args, "etcd-servers")).isEqualTo("https://demo-etcd-client.tenant-a.svc:2379");
        assertThat(single(args, "etcd-cafile")).isEqualTo("/etc/kubernetes/pki/etcd-client/ca.crt");
        assertThat(single(args, "etcd-certfile")).isEqualTo("/etc/kubernetes/pki/etcd-client/tls.crt");
        assertThat(single(args, "etcd-keyfile")).isEqualTo("/etc/kubernetes/pki/etcd-client/tls.key");
        assertThat(single(args, "secure-port")).isEqualTo("6443");
        assertThat(single(args, "tls-cert-file")).isEqualTo("/etc/kubernetes/pki/apiserver/tls.crt");
        assertThat(single(args, "tls-private-key-file")).isEqualTo("/etc/kubernetes/pki/apiserver/tls.key");
        assertThat(single(args, "client-ca-file")).isEqualTo("/etc/kubernetes/pki/client-ca/client-ca-bundle.crt");
        assertThat(single(args, "kubelet-client-certificate")).isEqualTo("/etc/kubernetes/pki/kubelet-client/tls.crt");
        assertThat(single(args, "kubelet-client-key")).isEqualTo("/etc/kubernetes/pki/kubelet-client/tls.key");
        assertThat(single(args, "kubelet-preferred-address-types")).isEqualTo("InternalIP,ExternalIP,Hostname");
        assertThat(single(args, "service-account-issuer")).isEqualTo("https://kubernetes.default.svc.cluster.local");
        assertThat(single(args, "service-account-key-file")).isEqualTo("/etc/kubernetes/pki/sa/tls.crt");
        assertThat(single(args, "service-account-signing-key-file")).isEqualTo("/etc/kubernetes/pki/sa/tls.key");
        assertThat(single(args, "service-cluster-ip-range")).isEqualTo("10.96.0.0/12");
        assertThat(single(args, "authorization-mode")).isEqualTo("Node,RBAC");
        assertThat(single(args, "enable-admission-plugins")).isEqualTo("NodeRestriction");
        assertThat(single(args, "allow-privileged")).isEqualTo("true");
        assertThat(single(args, "enable-bootstrap-token-auth")).isEqualTo("true");
        assertThat(single(args, "requestheader-client-ca-file")).isEqualTo("/etc/kubernetes/pki/front-proxy-ca/ca.crt");
        assertThat(single(args, "requestheader-allowed-names")).isEqualTo("front-proxy-client");
        assertThat(single(args, "requestheader-extra-headers-prefix")).isEqualTo("X-Remote-Extra-");
        assertThat(single(args, "requestheader-group-headers")).isEqualTo("X-Remote-Group");
        assertThat(single(args, "requestheader-username-headers")).isEqualTo("X-Remote-User");
        assertThat(single(args, "proxy-client-cert-file")).isEqualTo("/etc/kubernetes/pki/front-proxy-client/tls.crt");
        assertThat(single(args, "proxy-client-key-file")).isEqualTo("/etc/kubernetes/pki/front-proxy-client/tls.key");
        assertThat(single(args, "egress-selector-config-file"))
                .isEqualTo("/etc/kubernetes/config/egress-selector-configuration.yaml");
    }

    @Test
    void followsCustomNetworking() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.serviceCIDR = "172.20.0.0/16";
        cluster.getSpec().networking.dnsDomain = "tenant.example";

        List<String> args = apiserver(deployment(cluster)).getArgs();

        assertThat(single(args, "service-cluster-ip-range")).isEqualTo("172.20.0.0/16");
        assertThat(single(args, "service-account-issuer")).isEqualTo("https://kubernetes.default.svc.tenant.example");
    }

    @Test
    void secretsAreMountedWhereTheFlagsLook() {
        PodSpec pod = pod(deployment(Fixtures.starter()));

        assertThat(secretOf(pod, "serving-tls")).isEqualTo("demo-apiserver");
        assertThat(secretOf(pod, "etcd-client-tls")).isEqualTo("demo-apiserver-etcd-client");
        assertThat(secretOf(pod, "kubelet-client-tls")).isEqualTo("demo-apiserver-kubelet-client");
        assertThat(secretOf(pod, "front-proxy-client-tls")).isEqualTo("demo-front-proxy-client");
        assertThat(secretOf(pod, "service-account-keys")).isEqualTo("demo-sa");
        assertThat(secretOf(pod, "konnectivity-kubeconfig")).isEqualTo("demo-konnectivity-kubeconfig");
        assertThat(Fixtures.volume(pod.getVolumes(), "config").getConfigMap().getName())
                .isEqualTo("demo-control-plane-config");

        Volume clientCa = Fixtures.volume(pod.getVolumes(), "client-ca");
        assertThat(clientCa.getSecret().getSecretName()).isEqualTo("demo-client-ca-bundle");
        assertThat(clientCa.getSecret().getItems()).singleElement().satisfies(item -> {
            assertThat(item.getKey()).isEqualTo("ca.crt");
            assertThat(item.getPath()).isEqualTo("client-ca-bundle.crt");
        });
        // Only the front-proxy CA's trust bundle reaches the pod, never its key.
        Volume frontProxyCa = Fixtures.volume(pod.getVolumes(), "front-proxy-ca");
        assertThat(frontProxyCa.getSecret().getSecretName()).isEqualTo("demo-proxy");
        assertThat(frontProxyCa.getSecret().getItems()).singleElement().satisfies(item -> {
            assertThat(item.getKey()).isEqualTo("ca.crt");
            assertThat(item.getPath()).isEqualTo("ca.crt");
        });
    }

    @Test
    void everyFileAFlagNamesIsUnderAMountOfItsContainer() {
        for (PodSpec pod : List.of(
                pod(deployment(Fixtures.pro())),
                pod(ControllerManagerRenderer.deployment(Fixtures.inputs(Fixtures.pro()))),
                pod(SchedulerRenderer.deployment(Fixtures.inputs(Fixtures.pro()))),
                EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()))
                        .getSpec()
                        .getTemplate()
                        .getSpec())) {
            List<String> volumeNames =
                    pod.getVolumes().stream().map(Volume::getName).toList();
            for (Container container : pod.getContainers()) {
                container
                        .getVolumeMounts()
                        .forEach(mount -> assertThat(volumeNames.contains(mount.getName())
                                        || mount.getName().equals("data"))
                                .as(mount.getName())
                                .isTrue());
                for (String arg : container.getArgs()) {
                    String value = arg.substring(arg.indexOf('=') + 1);
                    if (value.startsWith("/")) {
                        assertThat(container.getVolumeMounts())
                                .as("%s in %s", arg, container.getName())
                                .anySatisfy(m -> assertThat(value).startsWith(m.getMountPath() + "/"));
                    }
                }
            }
        }
    }

    @Test
    void probesUseHttpsLivezAndReadyzOnTheSecurePort() {
        Container apiserver = apiserver(deployment(Fixtures.starter()));

        assertHttps(apiserver.getLivenessProbe(), "/livez");
        assertHttps(apiserver.getReadinessProbe(), "/readyz");
        assertHttps(apiserver.getStartupProbe(), "/livez");
        assertThat(apiserver.getResources().getRequests()).containsKeys("cpu", "memory");
    }

    @Test
    void oidcFlagsAreAbsentWithoutOidc() {
        assertThat(apiserver(deployment(Fixtures.starter())).getArgs()).noneMatch(a -> a.startsWith("--oidc-"));
    }

    @Test
    void oidcFlagsFollowTheSpecWithRequiredClaimsSorted() {
        SKSCluster cluster = Fixtures.starter();
        OidcSpec oidc = new OidcSpec();
        oidc.issuerURL = "https://login.example.com";
        oidc.clientID = "sks";
        oidc.usernameClaim = "email";
        oidc.usernamePrefix = "oidc:";
        oidc.groupsClaim = "groups";
        oidc.groupsPrefix = "oidc:";
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("tenant", "acme");
        claims.put("aud2", "kube");
        oidc.requiredClaims = claims;
        cluster.getSpec().oidc = oidc;

        List<String> args = apiserver(deployment(cluster)).getArgs();

        assertThat(single(args, "oidc-issuer-url")).isEqualTo("https://login.example.com");
        assertThat(single(args, "oidc-client-id")).isEqualTo("sks");
        assertThat(single(args, "oidc-username-claim")).isEqualTo("email");
        assertThat(single(args, "oidc-username-prefix")).isEqualTo("oidc:");
        assertThat(single(args, "oidc-groups-claim")).isEqualTo("groups");
        assertThat(single(args, "oidc-groups-prefix")).isEqualTo("oidc:");
        assertThat(flag(args, "oidc-required-claim")).containsExactly("aud2=kube", "tenant=acme");
    }

    @Test
    void optionalOidcFieldsAreLeftToTheirDefaults() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().oidc = new OidcSpec();
        cluster.getSpec().oidc.issuerURL = "https://login.example.com";
        cluster.getSpec().oidc.clientID = "sks";

        List<String> oidcArgs = apiserver(deployment(cluster)).getArgs().stream()
                .filter(a -> a.startsWith("--oidc-"))
                .toList();

        assertThat(oidcArgs).containsExactly("--oidc-client-id=sks", "--oidc-issuer-url=https://login.example.com");
    }

    @Test
    void konnectivityServerSharesTheSocketAndServesAgentsWithTheServingCertificate() {
        Deployment pro = deployment(Fixtures.pro());
        Container konnectivity = pod(pro).getContainers().get(1);
        List<String> args = konnectivity.getArgs();

        assertThat(single(args, "uds-name")).isEqualTo("/run/konnectivity/konnectivity-server.sock");
        assertThat(single(args, "cluster-cert")).isEqualTo("/etc/kubernetes/pki/apiserver/tls.crt");
        assertThat(single(args, "cluster-key")).isEqualTo("/etc/kubernetes/pki/apiserver/tls.key");
        assertThat(single(args, "mode")).isEqualTo("grpc");
        assertThat(single(args, "server-port")).isEqualTo("0");
        assertThat(single(args, "agent-port")).isEqualTo("8132");
        assertThat(single(args, "admin-port")).isEqualTo("8133");
        assertThat(single(args, "health-port")).isEqualTo("8134");
        assertThat(single(args, "agent-namespace")).isEqualTo("kube-system");
        assertThat(single(args, "agent-service-account")).isEqualTo("konnectivity-agent");
        assertThat(single(args, "kubeconfig")).isEqualTo("/etc/kubernetes/konnectivity/kubeconfig");
        assertThat(single(args, "authentication-audience")).isEqualTo("system:konnectivity-server");
        assertThat(single(args, "server-count")).isEqualTo("2");
        assertThat(konnectivity.getReadinessProbe()).isNull();
        assertThat(konnectivity.getLivenessProbe().getHttpGet().getPort().getIntVal())
                .isEqualTo(8134);

        Volume kubeconfig = Fixtures.volume(pod(pro).getVolumes(), "konnectivity-kubeconfig");
        assertThat(kubeconfig.getSecret().getItems())
                .singleElement()
                .satisfies(item -> assertThat(item.getKey()).isEqualTo("value"));
        assertThat(Fixtures.volume(pod(pro).getVolumes(), "konnectivity-uds").getEmptyDir())
                .isNotNull();
        assertThat(pod(pro).getContainers())
                .allSatisfy(c -> assertThat(c.getVolumeMounts())
                        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/run/konnectivity")));
        assertThat(single(konnectivityArgs(Fixtures.starter()), "server-count")).isEqualTo("1");
    }

    @Test
    void egressSelectorSendsClusterTrafficThroughTheKonnectivitySocket() throws Exception {
        ConfigMap config = ApiserverRenderer.configMap(Fixtures.inputs(Fixtures.starter()));
        JsonNode egress = new ObjectMapper(new YAMLFactory())
                .readTree(config.getData().get("egress-selector-configuration.yaml"));

        assertThat(config.getMetadata().getName()).isEqualTo("demo-control-plane-config");
        assertThat(egress.path("apiVersion").asText()).isEqualTo("apiserver.k8s.io/v1beta1");
        assertThat(egress.path("kind").asText()).isEqualTo("EgressSelectorConfiguration");
        JsonNode selection = egress.path("egressSelections").get(0);
        assertThat(selection.path("name").asText()).isEqualTo("cluster");
        assertThat(selection.path("connection").path("proxyProtocol").asText()).isEqualTo("GRPC");
        assertThat(selection
                        .path("connection")
                        .path("transport")
                        .path("uds")
                        .path("udsName")
                        .asText())
                .isEqualTo("/run/konnectivity/konnectivity-server.sock");
    }

    @Test
    void advertisesTheEndpointIpSoTenantPodsReachTheApiThroughIt() {
        SKSCluster loadBalancer = Fixtures.starter();
        SKSCluster nodePort = Fixtures.starter();
        Fixtures.controlPlane(nodePort).exposure = Exposure.NODE_PORT;

        assertThat(single(apiserver(deployment(loadBalancer)).getArgs(), "advertise-address"))
                .isEqualTo("203.0.113.10");
        assertThat(flag(apiserver(deployment(nodePort)).getArgs(), "advertise-address"))
                .isEmpty();
        assertThat(flag(
                        apiserver(ApiserverRenderer.deployment(new ControlPlaneInputs(
                                        Fixtures.model(loadBalancer), Fixtures.V1_33, Optional.empty(), Map.of())))
                                .getArgs(),
                        "advertise-address"))
                .isEmpty();
        assertThat(flag(
                        apiserver(ApiserverRenderer.deployment(new ControlPlaneInputs(
                                        Fixtures.model(loadBalancer),
                                        Fixtures.V1_33,
                                        Optional.of("lb.example.net"),
                                        Map.of())))
                                .getArgs(),
                        "advertise-address"))
                .isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"LOAD_BALANCER, LoadBalancer", "NODE_PORT, NodePort", "CLUSTER_IP, ClusterIP"})
    void exposureServiceHasTheTypeOfTheSpec(Exposure exposure, String type) {
        SKSCluster cluster = Fixtures.starter();
        Fixtures.controlPlane(cluster).exposure = exposure;

        Service service = ApiserverRenderer.service(Fixtures.inputs(cluster));

        assertThat(service.getMetadata().getName()).isEqualTo("demo-apiserver");
        assertThat(service.getSpec().getType()).isEqualTo(type);
        assertThat(service.getSpec().getPorts())
                .extracting(
                        ServicePort::getName,
                        ServicePort::getPort,
                        p -> p.getTargetPort().getIntVal())
                .containsExactly(
                        tuple("https", 443, 6443), tuple("konnectivity", 8132, 8132), tuple("apiserver", 6443, 6443));
        assertThat(service.getSpec().getSelector())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("sks.operator.dev/cluster", "demo", "app.kubernetes.io/component", "kube-apiserver"));
    }

    @Test
    void exposureDefaultsToLoadBalancer() {
        assertThat(ApiserverRenderer.service(Fixtures.inputs(Fixtures.starter()))
                        .getSpec()
                        .getType())
                .isEqualTo("LoadBalancer");
    }

    @Test
    void podsRollWhenAMountedCertificateChangesAndOnlyThen() {
        SKSCluster cluster = Fixtures.starter();
        Deployment before = ApiserverRenderer.deployment(
                Fixtures.inputs(cluster, Map.of("demo-apiserver", "a1", "demo-etcd-server", "e1")));
        Deployment apiserverReissued = ApiserverRenderer.deployment(
                Fixtures.inputs(cluster, Map.of("demo-apiserver", "a2", "demo-etcd-server", "e1")));
        Deployment etcdReissued = ApiserverRenderer.deployment(
                Fixtures.inputs(cluster, Map.of("demo-apiserver", "a1", "demo-etcd-server", "e2")));

        String hash =
                before.getSpec().getTemplate().getMetadata().getAnnotations().get("sks.operator.dev/certificates-hash");
        assertThat(hash).isNotBlank();
        assertThat(apiserverReissued.getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainEntry("sks.operator.dev/certificates-hash", hash);
        assertThat(etcdReissued).isEqualTo(before);
    }

    @Test
    void proSpreadsPodsAndHasABudgetStarterNeither() {
        PodSpec pro = pod(deployment(Fixtures.pro()));

        assertThat(pro.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .isNotEmpty();
        assertThat(pro.getTopologySpreadConstraints()).hasSize(2);
        assertThat(pod(deployment(Fixtures.starter())).getAffinity()).isNull();
        assertThat(ApiserverRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.starter())))
                .isEmpty();
        assertThat(ApiserverRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.pro())))
                .hasValueSatisfying(pdb -> {
                    assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
                    assertThat(pdb.getMetadata().getName()).isEqualTo("demo-apiserver");
                    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
                    assertThat(pdb.getSpec().getSelector().getMatchLabels())
                            .containsEntry("app.kubernetes.io/component", "kube-apiserver");
                });
    }

    @Test
    void rollsOutANewPodBeforeRemovingAnOldOne() {
        Deployment starter = deployment(Fixtures.starter());

        assertThat(starter.getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxUnavailable()
                        .getIntVal())
                .isZero();
        assertThat(starter.getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxSurge()
                        .getIntVal())
                .isEqualTo(1);
    }

    private static List<String> konnectivityArgs(SKSCluster cluster) {
        return pod(deployment(cluster)).getContainers().get(1).getArgs();
    }

    private static void assertHttps(Probe probe, String path) {
        assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(6443);
    }

    private static String secretOf(PodSpec pod, String volume) {
        return Fixtures.volume(pod.getVolumes(), volume).getSecret().getSecretName();
    }

    static Deployment deployment(SKSCluster cluster) {
        return ApiserverRenderer.deployment(Fixtures.inputs(cluster));
    }

    static PodSpec pod(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec();
    }

    static Container apiserver(Deployment deployment) {
        return pod(deployment).getContainers().get(0);
    }
}
