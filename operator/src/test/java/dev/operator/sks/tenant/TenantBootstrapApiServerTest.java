package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.addons.AddonInputs;
import dev.operator.sks.addons.AddonObjects;
import dev.operator.sks.addons.Calico;
import dev.operator.sks.api.Addon;
import dev.operator.sks.api.Cni;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.join.BootstrapToken;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.join.JoinToken;
import dev.operator.sks.join.JoinTokenStore;
import dev.operator.sks.join.JoinTokens;
import dev.operator.sks.join.KubeletServingRequestsTest;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.SecretLookup;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenant side of joining against a real tenant kube-apiserver that runs with the PKI the operator generated for a
 * cluster: the objects kubeadm join needs are applied idempotently, and a bootstrap token then has exactly the rights
 * a joining kubelet uses; a joined kubelet's serving-certificate requests are approved only when they name the
 * machine's own name and addresses.
 */
@SharedApiServer
class TenantBootstrapApiServerTest {
    private static final String CLUSTER = "join";
    private static final VersionCatalog CATALOG = VersionCatalog.loadDefault();
    private static final String SERVING_NODE = "pool-abc12";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static SKSCluster cluster;
    static TenantApiServer tenant;
    static TenantClients tenants;
    static String caPem;

    @BeforeAll
    static void clusterWithTenantApiServer() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
        namespace = ApiServerSupport.newNamespace(client, "tenant");
        client.resource(ApiServerSupport.load(client, SKSCluster.class, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
        """.formatted(CLUSTER)))
                .inNamespace(namespace)
                .create();
        cluster = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c != null
                                && c.getStatus() != null
                                && c.getStatus().endpoint != null
                                && Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));
        tenant = TenantApiServer.start(client, namespace, CLUSTER);
        // The admin kubeconfig names the in-cluster Service; this test runs outside, so it reaches the tenant locally.
        tenants = new TenantClients(client, (key, server) -> tenant.url());
        caPem = JoinMaterial.clusterCaCertificate(dev.operator.sks.support.SecretLookup.live(client), cluster)
                .orElseThrow();
        // The API server makes its system namespaces (kube-public, kube-system) shortly after it starts serving.
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(admin.namespaces().list().getItems())
                        .extracting(n -> n.getMetadata().getName())
                        .contains("kube-public", "kube-system"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (tenants != null) {
            tenants.close();
        }
        if (tenant != null) {
            tenant.close();
        }
        operator.close();
        client.close();
    }

    @Test
    void theCachedAdminClientReachesTheTenant() {
        TenantProbe probe = tenants.probe(cluster);
        assertThat(probe.reachable()).as(probe.message()).isTrue();
        assertThat(tenants.client(cluster)).containsSame(tenants.client(cluster).orElseThrow());
    }

    @Test
    void applyingTheJoinObjectsTwiceChangesNothing() {
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        List<HasMetadata> objects = TenantBootstrapObjects.render(inputs(Clock.systemUTC()));
        TenantBootstrap.apply(admin, objects);
        Map<String, String> first = resourceVersions(admin, objects);
        TenantBootstrap.apply(admin, objects);
        assertThat(resourceVersions(admin, objects)).isEqualTo(first);
        assertThat(first).hasSize(objects.size()).doesNotContainValue(null);

        TenantBootstrap.Outcome outcome =
                new TenantBootstrap(client, tenants, CATALOG, Clock.systemUTC()).ensure(cluster);
        assertThat(outcome.state()).as(outcome.message()).isEqualTo(TenantBootstrap.State.APPLIED);
        assertThat(resourceVersions(admin, objects)).isEqualTo(first);
    }

    @Test
    void anUnchangedClusterIsNotAppliedAgainUntilForgottenOrTheIntervalPasses() {
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        MutableClock clock = new MutableClock(Instant.now());
        TenantBootstrap bootstrap = new TenantBootstrap(client, tenants, CATALOG, clock);
        assertThat(bootstrap.ensure(cluster).applied()).isTrue();
        admin.rbac().clusterRoleBindings().withName("kubeadm:get-nodes").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> admin.rbac()
                                .clusterRoleBindings()
                                .withName("kubeadm:get-nodes")
                                .get()
                        == null);

        assertThat(bootstrap.ensure(cluster).applied()).isTrue();
        assertThat(admin.rbac()
                        .clusterRoleBindings()
                        .withName("kubeadm:get-nodes")
                        .get())
                .as("nothing changed: the tenant was not called")
                .isNull();

        clock.advance(TenantBootstrap.REAPPLY_INTERVAL);
        assertThat(bootstrap.ensure(cluster).applied()).isTrue();
        assertThat(admin.rbac()
                        .clusterRoleBindings()
                        .withName("kubeadm:get-nodes")
                        .get())
                .as("repaired by the periodic apply")
                .isNotNull();

        admin.rbac().clusterRoleBindings().withName("kubeadm:get-nodes").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> admin.rbac()
                                .clusterRoleBindings()
                                .withName("kubeadm:get-nodes")
                                .get()
                        == null);
        bootstrap.forget(namespace, CLUSTER);
        assertThat(bootstrap.ensure(cluster).applied()).isTrue();
        assertThat(admin.rbac()
                        .clusterRoleBindings()
                        .withName("kubeadm:get-nodes")
                        .get())
                .isNotNull();
    }

    @Test
    void everyAddonIsAcceptedByTheTenantAndAnAddonDroppedFromTheSpecIsRemoved() {
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        SKSCluster withAddons = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .get();
        withAddons.getSpec().addons = List.of(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER);
        // On Exoscale's machines, whose cloud controller runs in the tenant (the simulated one is the operator).
        TenantBootstrap bootstrap =
                new TenantBootstrap(client, tenants, SecretLookup.live(client), CATALOG, Clock.systemUTC(), "exoscale");
        TenantBootstrap.Outcome outcome = bootstrap.ensure(withAddons);
        assertThat(outcome.state()).as(outcome.message()).isEqualTo(TenantBootstrap.State.APPLIED);
        List<HasMetadata> all = AddonObjects.render(addonInputs(withAddons, "exoscale"));
        assertThat(all)
                .extracting(o -> o.getKind() + " " + o.getMetadata().getName())
                .contains(
                        "APIService v1beta1.metrics.k8s.io",
                        "Deployment exoscale-cloud-controller-manager",
                        "DaemonSet kube-proxy",
                        "Service kube-dns");
        assertThat(resourceVersions(admin, all)).doesNotContainValue(null);
        assertThat(admin.services()
                        .inNamespace("kube-system")
                        .withName("kube-dns")
                        .get()
                        .getSpec()
                        .getClusterIP())
                .isEqualTo("10.96.0.10");

        withAddons.getSpec().addons = List.of(Addon.CLOUD_CONTROLLER);
        outcome = bootstrap.ensure(withAddons);
        assertThat(outcome.state()).as(outcome.message()).isEqualTo(TenantBootstrap.State.APPLIED);
        List<HasMetadata> metricsServer = AddonObjects.removed(addonInputs(withAddons, "exoscale"));
        assertThat(metricsServer).hasSizeGreaterThan(5);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(resourceVersions(admin, metricsServer).values())
                                .containsOnlyNulls());
        assertThat(admin.apps()
                        .deployments()
                        .inNamespace("kube-system")
                        .withName("exoscale-cloud-controller-manager")
                        .get())
                .as("the addon still asked for stays")
                .isNotNull();

        // A metrics-server the user installs by hand under the same names is theirs: never deleted.
        admin.serviceAccounts()
                .inNamespace("kube-system")
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("metrics-server")
                        .endMetadata()
                        .build())
                .create();
        bootstrap.forget(namespace, CLUSTER);
        assertThat(bootstrap.ensure(withAddons).applied()).isTrue();
        assertThat(admin.serviceAccounts()
                        .inNamespace("kube-system")
                        .withName("metrics-server")
                        .get())
                .isNotNull();
        admin.serviceAccounts()
                .inNamespace("kube-system")
                .withName("metrics-server")
                .delete();
    }

    @Test
    void calicoIsInstalledByTheBootstrapAndServesItsPolicyKindsAndTheClustersPool() {
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        SKSCluster calico = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .get();
        assertThat(calico.getSpec().cni).as("the schema's default").isEqualTo(Cni.CALICO);
        assertThat(calico.getSpec().addons)
                .as("created without addons: the schema's default set")
                .containsExactly(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER);
        TenantBootstrap bootstrap = new TenantBootstrap(client, tenants, CATALOG, Clock.systemUTC());
        TenantBootstrap.Outcome outcome = bootstrap.ensure(calico);
        assertThat(outcome.state()).as(outcome.message()).isEqualTo(TenantBootstrap.State.APPLIED);
        assertThat(admin.apps()
                        .deployments()
                        .inNamespace("kube-system")
                        .withName("metrics-server")
                        .get())
                .as("metrics-server is installed by default")
                .isNotNull();

        List<HasMetadata> objects = Calico.objects(addonInputs(calico));
        Map<String, String> installed = specVersions(admin, objects);
        assertThat(installed).hasSize(objects.size()).doesNotContainValue(null);
        GenericKubernetesResource pool = admin.genericKubernetesResources("crd.projectcalico.org/v1", "IPPool")
                .withName("default-ipv4-ippool")
                .get();
        assertThat(pool.<String>get("spec", "cidr")).isEqualTo("192.168.0.0/16");
        assertThat(pool.<String>get("spec", "vxlanMode")).isEqualTo("Always");
        assertThat(pool.<Boolean>get("spec", "natOutgoing")).isTrue();

        // Users write Calico policy through the installed CRDs.
        GenericKubernetesResource global = admin.resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("crd.projectcalico.org/v1")
                        .withKind("GlobalNetworkPolicy")
                        .withNewMetadata()
                        .withName("default.deny-egress-to-metadata")
                        .endMetadata()
                        .withAdditionalProperties(Map.of(
                                "spec",
                                Map.of(
                                        "selector",
                                        "all()",
                                        "types",
                                        List.of("Egress"),
                                        "egress",
                                        List.of(Map.of(
                                                "action",
                                                "Deny",
                                                "destination",
                                                Map.of("nets", List.of("169.254.169.254/32")))))))
                        .build())
                .create();
        assertThat(global.getMetadata().getUid()).isNotBlank();
        GenericKubernetesResource namespaced = admin.resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("crd.projectcalico.org/v1")
                        .withKind("NetworkPolicy")
                        .withNewMetadata()
                        .withName("default.allow-dns")
                        .withNamespace("default")
                        .endMetadata()
                        .withAdditionalProperties(Map.of(
                                "spec",
                                Map.of(
                                        "selector",
                                        "all()",
                                        "types",
                                        List.of("Egress"),
                                        "egress",
                                        List.of(Map.of(
                                                "action", "Allow",
                                                "protocol", "UDP",
                                                "destination", Map.of("ports", List.of(53)))))))
                        .build())
                .create();
        assertThat(namespaced.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(admin.genericKubernetesResources("crd.projectcalico.org/v1", "NetworkPolicy")
                        .inNamespace("default")
                        .withName("default.allow-dns")
                        .get())
                .isNotNull();

        // Applied again, nothing changes; and cni: none removes nothing, the network of running pods least of all.
        bootstrap.forget(namespace, CLUSTER);
        assertThat(bootstrap.ensure(calico).applied()).isTrue();
        assertThat(specVersions(admin, objects)).isEqualTo(installed);
        SKSCluster none = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .get();
        none.getSpec().cni = Cni.NONE;
        bootstrap.forget(namespace, CLUSTER);
        assertThat(bootstrap.ensure(none).applied()).isTrue();
        assertThat(specVersions(admin, objects)).isEqualTo(installed);
        assertThat(admin.genericKubernetesResources("crd.projectcalico.org/v1", "GlobalNetworkPolicy")
                        .withName("default.deny-egress-to-metadata")
                        .get())
                .isNotNull();
    }

    @Test
    void theCorefileIsCreatedOnceAndAUsersEditSurvivesEveryLaterApply() {
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        MutableClock clock = new MutableClock(Instant.now());
        TenantBootstrap bootstrap = new TenantBootstrap(client, tenants, CATALOG, clock);
        assertThat(bootstrap.ensure(cluster).applied()).isTrue();
        ConfigMap created = admin.configMaps()
                .inNamespace("kube-system")
                .withName("coredns")
                .get();
        assertThat(created.getData().get("Corefile")).contains("kubernetes cluster.local");
        Deployment coredns = admin.apps()
                .deployments()
                .inNamespace("kube-system")
                .withName("coredns")
                .get();

        String edited = created.getData().get("Corefile") + "example.org:53 {\n    forward . 10.0.0.53\n}\n";
        ApiServerSupport.edit(admin.configMaps().inNamespace("kube-system").withName("coredns"), c -> {
            c.getData().put("Corefile", edited);
            return c;
        });

        for (int apply = 0; apply < 3; apply++) { // each way a later apply comes: forgotten, or after the interval
            if (apply % 2 == 0) {
                bootstrap.forget(namespace, CLUSTER);
            } else {
                clock.advance(TenantBootstrap.REAPPLY_INTERVAL);
            }
            TenantBootstrap.Outcome outcome = bootstrap.ensure(cluster);
            assertThat(outcome.state()).as(outcome.message()).isEqualTo(TenantBootstrap.State.APPLIED);
            assertThat(admin.configMaps()
                            .inNamespace("kube-system")
                            .withName("coredns")
                            .get()
                            .getData()
                            .get("Corefile"))
                    .isEqualTo(edited);
            Deployment now = admin.apps()
                    .deployments()
                    .inNamespace("kube-system")
                    .withName("coredns")
                    .get();
            assertThat(now.getMetadata().getGeneration())
                    .as("the edit does not roll CoreDNS; its reload plugin reads the file")
                    .isEqualTo(coredns.getMetadata().getGeneration());
            assertThat(now.getSpec().getTemplate()).isEqualTo(coredns.getSpec().getTemplate());
        }

        // Deleted, it is the operator's to create again: a cluster without a Corefile has no DNS.
        admin.configMaps().inNamespace("kube-system").withName("coredns").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> admin.configMaps()
                                .inNamespace("kube-system")
                                .withName("coredns")
                                .get()
                        == null);
        bootstrap.forget(namespace, CLUSTER);
        assertThat(bootstrap.ensure(cluster).applied()).isTrue();
        assertThat(admin.configMaps()
                        .inNamespace("kube-system")
                        .withName("coredns")
                        .get()
                        .getData()
                        .get("Corefile"))
                .isEqualTo(created.getData().get("Corefile"));
    }

    private static AddonInputs addonInputs(SKSCluster cluster) {
        return addonInputs(cluster, "simulated");
    }

    private static AddonInputs addonInputs(SKSCluster cluster, String provider) {
        return AddonInputs.of(
                ClusterModel.from(cluster, CATALOG),
                CATALOG.resolve(JoinMaterial.kubernetesVersion(cluster).orElseThrow())
                        .orElseThrow(),
                cluster.getStatus().endpoint,
                provider);
    }

    @Test
    void aClusterWithoutEndpointWaitsWithoutCallingTheTenant() {
        SKSCluster withoutEndpoint = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .get();
        withoutEndpoint.getStatus().endpoint = null;
        TenantBootstrap.Outcome outcome =
                new TenantBootstrap(client, tenants, CATALOG, Clock.systemUTC()).ensure(withoutEndpoint);
        assertThat(outcome.state()).isEqualTo(TenantBootstrap.State.WAITING);
        assertThat(outcome.reason()).isEqualTo("WaitingForEndpoint");
    }

    @Test
    void theBootstrapSignersSignaturesSurviveAReapply() {
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        List<HasMetadata> objects = TenantBootstrapObjects.render(inputs(Clock.systemUTC()));
        TenantBootstrap.apply(admin, objects);
        // What the tenant's bootstrapsigner controller does (there is no controller-manager here): add a signature.
        ApiServerSupport.edit(admin.configMaps().inNamespace("kube-public").withName("cluster-info"), cm -> {
            cm.getData().put("jws-kubeconfig-abcdef", "header..signature");
            return cm;
        });
        TenantBootstrap.apply(admin, objects);
        ConfigMap clusterInfo = admin.configMaps()
                .inNamespace("kube-public")
                .withName("cluster-info")
                .get();
        assertThat(clusterInfo.getData())
                .containsEntry("jws-kubeconfig-abcdef", "header..signature")
                .containsKey("kubeconfig");
    }

    @Test
    void aBootstrapTokenReadsWhatJoinNeedsAndPostsACertificateRequestButReadsNoSecrets() throws Exception {
        TenantBootstrap.Outcome outcome =
                new TenantBootstrap(client, tenants, CATALOG, Clock.systemUTC()).ensure(cluster);
        assertThat(outcome.applied()).as(outcome.message()).isTrue();
        BootstrapToken token = new JoinTokenStore(client).ensure(cluster, Clock.systemUTC());

        try (KubernetesClient bootstrap = tenantClient(token.value())) {
            assertThat(bootstrap
                            .configMaps()
                            .inNamespace("kube-public")
                            .withName("cluster-info")
                            .get()
                            .getData())
                    .containsKey("kubeconfig");
            assertThat(bootstrap
                            .configMaps()
                            .inNamespace("kube-system")
                            .withName("kubeadm-config")
                            .get())
                    .isNotNull();
            assertThat(bootstrap
                            .configMaps()
                            .inNamespace("kube-system")
                            .withName("kubelet-config")
                            .get())
                    .isNotNull();
            // Allowed to look for its Node (none yet): a 404 comes back as null, a 403 would throw.
            assertThat(bootstrap.nodes().withName("worker-1").get()).isNull();

            CertificateSigningRequest created = bootstrap
                    .certificates()
                    .v1()
                    .certificateSigningRequests()
                    .resource(nodeClientCsr("worker-1"))
                    .create();
            assertThat(created.getSpec().getUsername()).isEqualTo("system:bootstrap:" + token.id());
            assertThat(created.getSpec().getGroups())
                    .contains("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token");

            assertForbidden(() -> bootstrap.secrets().inNamespace("kube-system").list());
            assertForbidden(
                    () -> bootstrap.configMaps().inNamespace("kube-system").list());
            assertForbidden(() -> bootstrap
                    .configMaps()
                    .inNamespace("kube-system")
                    .withName("extension-apiserver-" + "authentication")
                    .get());
        }
        // kubeadm's discovery reads cluster-info before it trusts anything, hence without credentials.
        try (KubernetesClient anonymous = tenantClient(null)) {
            assertThat(anonymous
                            .configMaps()
                            .inNamespace("kube-public")
                            .withName("cluster-info")
                            .get())
                    .isNotNull();
            assertForbidden(() -> anonymous
                    .configMaps()
                    .inNamespace("kube-system")
                    .withName("kubeadm-config")
                    .get());
        }
        try (KubernetesClient wrongSecret = tenantClient(token.id() + ".0000000000000000")) {
            KubernetesClientException refused = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> wrongSecret
                            .configMaps()
                            .inNamespace("kube-system")
                            .withName("kubeadm-config")
                            .get());
            assertThat(refused.getCode()).isEqualTo(401);
        }
    }

    @Test
    void afterARotationTheTenantAcceptsTheNewTokenAndStillThePreviousOne() {
        // Start from now: the tenant API server checks expirations against the real time.
        MutableClock clock = new MutableClock(Instant.now());
        JoinTokenStore store = new JoinTokenStore(client);
        BootstrapToken before = store.ensure(cluster, clock);
        clock.advance(Duration.ofHours(16));
        TenantBootstrap.Outcome outcome = new TenantBootstrap(client, tenants, store, CATALOG, clock).ensure(cluster);
        assertThat(outcome.applied()).as(outcome.message()).isTrue();
        JoinTokens tokens = store.read(namespace, CLUSTER).orElseThrow();
        assertThat(tokens.current().token()).isNotEqualTo(before);
        assertThat(tokens.previous().map(JoinToken::token)).contains(before);
        for (BootstrapToken token : List.of(tokens.current().token(), before)) {
            try (KubernetesClient bootstrap = tenantClient(token.value())) {
                assertThat(bootstrap
                                .configMaps()
                                .inNamespace("kube-system")
                                .withName("kubelet-config")
                                .get())
                        .as("token %s", token.id())
                        .isNotNull();
            }
        }
    }

    @Test
    void aTenantThatDoesNotAnswerIsReportedWithinSecondsNotThrown() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TenantClients silentTenants =
                        new TenantClients(client, (key, server) -> "https://127.0.0.1:" + silent.getLocalPort())) {
            long start = System.nanoTime();
            TenantBootstrap.Outcome outcome =
                    new TenantBootstrap(client, silentTenants, CATALOG, Clock.systemUTC()).ensure(cluster);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4500));
            assertThat(outcome.state()).isEqualTo(TenantBootstrap.State.UNREACHABLE);
            assertThat(outcome.reason()).isEqualTo("TenantUnreachable");
        }
    }

    private static TenantBootstrapInputs inputs(Clock clock) {
        JoinTokens tokens = new JoinTokenStore(client).ensureTokens(cluster, clock);
        return new TenantBootstrapInputs(
                CLUSTER,
                cluster.getStatus().endpoint,
                caPem,
                JoinMaterial.kubernetesVersion(cluster).orElseThrow(),
                new ClusterModel.Network("192.168.0.0/16", "10.96.0.0/12", "cluster.local"),
                tokens.validAt(clock.instant()));
    }

    private static Map<String, String> resourceVersions(KubernetesClient admin, List<HasMetadata> objects) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            HasMetadata current = admin.resource(object).get();
            versions.put(
                    object.getKind() + "/" + object.getMetadata().getName(),
                    current == null ? null : current.getMetadata().getResourceVersion());
        }
        return versions;
    }

    /**
     * What changes when an object's desired state does: its generation where it has one (the tenant's controllers write
     * workloads' status, which moves the resourceVersion), else its resourceVersion; null for an absent object.
     */
    private static Map<String, String> specVersions(KubernetesClient admin, List<HasMetadata> objects) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            HasMetadata current = admin.resource(object).get();
            versions.put(
                    object.getKind() + "/" + object.getMetadata().getName(),
                    current == null
                            ? null
                            : current.getMetadata().getGeneration() != null
                                    ? "generation " + current.getMetadata().getGeneration()
                                    : current.getMetadata().getResourceVersion());
        }
        return versions;
    }

    /** A client of the tenant trusting the cluster CA, authenticating with {@code bearerToken} (none when null). */
    private static KubernetesClient tenantClient(String bearerToken) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(tenant.url())
                .withCaCertData(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)))
                .withOauthToken(bearerToken)
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** What a kubelet posts with its bootstrap token for its first client certificate. */
    private static CertificateSigningRequest nodeClientCsr(String node) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(
                        new X500Name("O=system:nodes,CN=system:node:" + node), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(request.getEncoded())
                + "\n-----END CERTIFICATE REQUEST-----\n";
        return new CertificateSigningRequestBuilder()
                .withNewMetadata()
                .withGenerateName("node-csr-")
                .endMetadata()
                .withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
                .withUsages("digital signature", "key encipherment", "client auth")
                .endSpec()
                .build();
    }

    @Test
    void onlyAMachinesOwnNamesAreApprovedAndAForeignSubjectIsDenied() throws Exception {
        String own;
        String foreignAddress;
        String foreignSubject;
        try (KubernetesClient kubelet = tenant.clientAs("system:node:" + SERVING_NODE, "system:nodes")) {
            own = post(
                    kubelet,
                    "CN=system:node:" + SERVING_NODE + ",O=system:nodes",
                    List.of(SERVING_NODE),
                    List.of("10.0.0.7"));
            foreignAddress = post(
                    kubelet,
                    "CN=system:node:" + SERVING_NODE + ",O=system:nodes",
                    List.of(SERVING_NODE),
                    List.of("10.0.0.99"));
            foreignSubject =
                    post(kubelet, "CN=system:node:pool-other,O=system:nodes", List.of(SERVING_NODE), List.of());
        }
        KubernetesClient admin = tenants.client(cluster).orElseThrow();
        try (KubeletServingApprover approver = new KubeletServingApprover(tenants)) {
            approver.track(namespace + "/pool", ClusterKey.of(cluster), Map.of(SERVING_NODE, List.of("10.0.0.7")));
            // Rounds as the schedule runs them: a freshly started API server refuses approvals for a moment.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        approver.decidePending();
                        assertThat(conditions(admin, own)).singleElement().satisfies(c -> {
                            assertThat(c.getType()).isEqualTo("Approved");
                            assertThat(c.getReason()).isEqualTo("NodeServingCertificate");
                        });
                        assertThat(conditions(admin, foreignSubject))
                                .singleElement()
                                .satisfies(c -> {
                                    assertThat(c.getType()).isEqualTo("Denied");
                                    assertThat(c.getReason()).isEqualTo("SubjectNotTheNode");
                                });
                    });
            assertThat(conditions(admin, foreignAddress)).as("pending").isEmpty();
        }
    }

    private static String post(KubernetesClient kubelet, String subject, List<String> dnsNames, List<String> ips)
            throws Exception {
        return kubelet.certificates()
                .v1()
                .certificateSigningRequests()
                .resource(KubeletServingRequestsTest.servingRequest(subject, dnsNames, ips))
                .create()
                .getMetadata()
                .getName();
    }

    private static List<CertificateSigningRequestCondition> conditions(KubernetesClient admin, String name) {
        CertificateSigningRequest csr = admin.certificates()
                .v1()
                .certificateSigningRequests()
                .withName(name)
                .get();
        return csr.getStatus() == null || csr.getStatus().getConditions() == null
                ? List.of()
                : csr.getStatus().getConditions();
    }

    private static void assertForbidden(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class, call);
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.getCode()).isEqualTo(403);
    }
}
