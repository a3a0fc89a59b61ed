package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterKeyRotation;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rotates the cluster, etcd and front-proxy CAs and the service-account key of one cluster through every phase, with
 * the control plane run as real processes (etcd 3.4 and kube-apiserver started from the cluster's Secrets, as
 * {@link TenantApiServer} does). There is no kubelet to roll pods: at each phase the test writes the Secrets' files
 * again and restarts etcd first (the API server still running with its files of before, as during a roll), then the
 * API server, and only then marks the workloads rolled out, which lets the operator take its next step.
 */
@SharedApiServer
class KeyRotationTenantApiServerTest {
    @KubeConfig
    static String kubeconfig;

    /**
     * Real time (the real processes check certificates against it, and the Event budget refills with it), moved on by
     * hand to let a year pass for the old service-account key.
     */
    static final AheadClock CLOCK = new AheadClock();

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static int checks;

    @BeforeAll
    static void startOperator() {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(
                client,
                new OperatorServices(
                        ApiServerSupport.testConfig(),
                        VersionCatalog.loadDefault(),
                        InstanceTypeCatalog.loadDefault(),
                        CLOCK));
        namespace = ApiServerSupport.newNamespace(client, "rotate");
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
    }

    @Test
    void everyKeyRotatesPhaseByPhaseAndNoStepBreaksEtcdClientsOrTokens() throws Exception {
        apply(KubeconfigRequestApiServerTest.cluster("rot", "ClusterIP"));
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            await().atMost(Duration.ofSeconds(90))
                    .until(
                            () -> cluster("rot"),
                            c -> c != null
                                    && c.getStatus() != null
                                    && Conditions.isTrue(c.getStatus().conditions, Conditions.READY));
        }
        apply(KubeconfigRequestApiServerTest.request("erin", "rot", "erin", List.of("viewers"), 3600L, 600L));
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> request("erin"),
                        r -> r != null
                                && r.getStatus() != null
                                && Conditions.isTrue(r.getStatus().conditions, Conditions.READY));
        String clusterCaBefore = secretValue(Names.clusterCa("rot"), Names.TLS_CERTIFICATE_KEY);
        String etcdCaBefore = secretValue(Names.etcdCa("rot"), Names.TLS_CERTIFICATE_KEY);
        String serviceAccountKeyBefore = secretValue(Names.serviceAccountKeys("rot"), Names.TLS_CERTIFICATE_KEY);
        // Steady state: every CA Secret carries its trust bundle, which is itself.
        assertThat(secretValue(Names.clusterCa("rot"), Names.CA_CERTIFICATE_KEY))
                .isEqualTo(clusterCaBefore);

        try (TenantApiServer tenant = TenantApiServer.start(client, namespace, "rot")) {
            String token;
            try (KubernetesClient admin = tenantClient(tenant, adminKubeconfig())) {
                // The API server makes the default namespace just after it starts serving.
                await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> admin.namespaces().withName("default").get() != null);
                admin.serviceAccounts()
                        .inNamespace("default")
                        .resource(new ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName("robot")
                                .endMetadata()
                                .build())
                        .create();
                token = admin.serviceAccounts()
                        .inNamespace("default")
                        .withName("robot")
                        .tokenRequest(new TokenRequestBuilder()
                                .withNewSpec()
                                .withExpirationSeconds(3600L)
                                .endSpec()
                                .build())
                        .getStatus()
                        .getToken();
            }
            annotate(Map.of(
                    Labels.ROTATE_CLUSTER_CA_ANNOTATION, "r1",
                    Labels.ROTATE_ETCD_CA_ANNOTATION, "r1",
                    Labels.ROTATE_FRONT_PROXY_CA_ANNOTATION, "r1",
                    Labels.ROTATE_SERVICE_ACCOUNT_KEY_ANNOTATION, "r1"));

            // Phase 1: the new CAs are trusted next to the old ones, which still sign.
            String admin = adminKubeconfig();
            awaitPhases("TrustingNew", "TrustingNew", false);
            assertThat(certificates(secretValue(Names.clusterCa("rot"), Names.CA_CERTIFICATE_KEY)))
                    .hasSize(2)
                    .first()
                    .isEqualTo(Pem.parseCertificate(clusterCaBefore));
            assertThat(certificates(secretValue(Names.apiserverEtcdClient("rot"), Names.CA_CERTIFICATE_KEY)))
                    .hasSize(2);
            assertThat(certificates(secretValue(Names.etcdServerCertificate("rot"), Names.CA_CERTIFICATE_KEY)))
                    .hasSize(2);
            assertThat(certificates(secretValue(Names.clientCaBundle("rot"), Names.CA_CERTIFICATE_KEY)))
                    .hasSize(3);
            assertThat(certificates(secretValue(Names.frontProxyCa("rot"), Names.CA_CERTIFICATE_KEY)))
                    .hasSize(2);
            assertThat(KeyRingBlocks.count(secretValue(Names.serviceAccountKeys("rot"), Names.TLS_CERTIFICATE_KEY)))
                    .isEqualTo(2);
            // Leaves are not re-issued yet: the etcd server certificate is still the old CA's.
            assertThat(Pem.parseCertificate(secretValue(Names.etcdServerCertificate("rot"), Names.TLS_CERTIFICATE_KEY))
                            .getIssuerX500Principal())
                    .isEqualTo(Pem.parseCertificate(etcdCaBefore).getSubjectX500Principal());
            rollAndCheck(tenant, admin, token);

            // Phase 2: the new CAs sign; leaves and kubeconfigs are issued again under them.
            admin = adminKubeconfig();
            awaitPhases("SigningWithNew", "SigningWithNew", false);
            String clusterCaNew = secretValue(Names.clusterCa("rot"), Names.TLS_CERTIFICATE_KEY);
            assertThat(clusterCaNew).isNotEqualTo(clusterCaBefore);
            Pem.parseCertificate(secretValue(Names.apiserverCertificate("rot"), Names.TLS_CERTIFICATE_KEY))
                    .verify(Pem.parseCertificate(clusterCaNew).getPublicKey());
            Pem.parseCertificate(secretValue(Names.etcdServerCertificate("rot"), Names.TLS_CERTIFICATE_KEY))
                    .verify(Pem.parseCertificate(secretValue(Names.etcdCa("rot"), Names.TLS_CERTIFICATE_KEY))
                            .getPublicKey());
            assertThat(secretValue(Names.serviceAccountKeys("rot"), Names.TLS_CERTIFICATE_KEY))
                    .endsWith(serviceAccountKeyBefore);
            rollAndCheck(tenant, admin, token);

            // Phase 3: the old CAs are no longer trusted; the old service-account key stays trusted for its tokens.
            admin = adminKubeconfig();
            awaitPhases("RemovingOld", "SigningWithNew", false);
            assertThat(certificates(secretValue(Names.clusterCa("rot"), Names.CA_CERTIFICATE_KEY)))
                    .hasSize(1);
            assertThat(secretValue(Names.clusterCa("rot"), Names.CA_CERTIFICATE_KEY))
                    .isEqualTo(clusterCaNew);
            assertThat(certificates(secretValue(Names.clientCaBundle("rot"), Names.CA_CERTIFICATE_KEY)))
                    .hasSize(2);
            rollAndCheck(tenant, admin, token);

            // Done for the CAs once rolled out; the service-account key waits for its old tokens to expire.
            awaitPhases(null, "SigningWithNew", true);
            SKSClusterKeyRotation serviceAccount =
                    rotation(cluster("rot"), "service-account-key").orElseThrow();
            assertThat(Instant.parse(serviceAccount.previousKeyTrustedUntil))
                    .isAfter(CLOCK.instant().plus(Duration.ofDays(364)));
            // The renewing request's kubeconfig carries the new cluster CA alone at the end, and it works.
            assertThat(KubeconfigRenderer.read(issued("erin")).orElseThrow().certificateAuthorityPem())
                    .isEqualTo(clusterCaNew);
            checkKubeconfigVerifiesServer(tenant, issued("erin"));
            assertThat(Pem.parseCertificates(KubeconfigRenderer.read(adminKubeconfig())
                            .orElseThrow()
                            .certificateAuthorityPem()))
                    .containsExactly(Pem.parseCertificate(clusterCaNew));
        }
        // Events are written off the reconcile threads within a budget per object (25, then one per 20 s, the rest
        // dropped); this cluster's rolls spend it, so only the first step's Event is required: status tells the rest.
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(reasons()).contains("KeyRotationStarted"));
        System.out.println("[figures] CA rotation against real etcd and kube-apiserver: 3 phases, each with an etcd "
                + "and an API server restart; " + checks + " checks passed");

        // A year on, no token the old service-account key signed can be valid: it is dropped.
        String serviceAccountKeyNew =
                KeyRingBlocks.first(secretValue(Names.serviceAccountKeys("rot"), Names.TLS_CERTIFICATE_KEY));
        CLOCK.ahead = Duration.ofDays(366);
        annotate(Map.of(Labels.KEEP_ANNOTATION, "true")); // any reconcile: the clock moved without an event
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            markRolledOut();
            return secretValue(Names.serviceAccountKeys("rot"), Names.TLS_CERTIFICATE_KEY)
                    .equals(serviceAccountKeyNew);
        });
        awaitPhases(null, null, true);
    }

    /**
     * The checks at one step: etcd restarted with the new files while the API server runs with the old ones, then
     * the API server restarted; after each, the API server still reaches etcd, a client certificate issued before the
     * step is still accepted, the kubeconfigs as issued now verify the server, and a token signed before the
     * rotation is still accepted.
     */
    private static void rollAndCheck(TenantApiServer tenant, String issuedBefore, String token) throws Exception {
        tenant.writeFiles();
        tenant.restartEtcd();
        await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .untilAsserted(() -> writeThrough(tenant, issuedBefore));
        checks++;
        tenant.restartApiserver();
        writeThrough(tenant, issuedBefore);
        checks++;
        awaitKubeconfigCarries(secretValue(Names.clusterCa("rot"), Names.CA_CERTIFICATE_KEY));
        writeThrough(tenant, adminKubeconfig());
        checks++;
        checkKubeconfigVerifiesServer(tenant, issued("erin"));
        checks++;
        checkTokenAccepted(tenant, token);
        checks++;
        markRolledOut();
    }

    /** A write through the API server into etcd and read back, as the admin kubeconfig given. */
    private static void writeThrough(TenantApiServer tenant, String kubeconfig) {
        try (KubernetesClient admin = tenantClient(tenant, kubeconfig)) {
            String name = "check-" + checks + "-" + System.nanoTime();
            admin.configMaps()
                    .inNamespace("default")
                    .resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .addToData("step", String.valueOf(checks))
                            .build())
                    .create();
            assertThat(admin.configMaps().inNamespace("default").withName(name).get())
                    .isNotNull();
        }
    }

    /** erin has no RBAC: 403 says the TLS handshake verified the server and her certificate was accepted. */
    private static void checkKubeconfigVerifiesServer(TenantApiServer tenant, String kubeconfig) {
        try (KubernetesClient erin = tenantClient(tenant, kubeconfig)) {
            KubernetesClientException refused = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> erin.pods().inNamespace("default").list());
            assertThat(refused.getCode()).isEqualTo(403);
        }
    }

    /** A token the old key signed: 403 (authenticated, no RBAC), never 401. */
    private static void checkTokenAccepted(TenantApiServer tenant, String token) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(tenant.url())
                .withCaCertData(base64(secretValue(Names.clusterCa("rot"), Names.CA_CERTIFICATE_KEY)))
                .withOauthToken(token)
                .withRequestRetryBackoffLimit(0)
                .build();
        try (KubernetesClient robot =
                new KubernetesClientBuilder().withConfig(config).build()) {
            KubernetesClientException refused = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> robot.pods().inNamespace("default").list());
            assertThat(refused.getCode()).isEqualTo(403);
        }
    }

    private static void awaitKubeconfigCarries(String bundle) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> KubeconfigRenderer.read(issued("erin"))
                        .map(c -> c.certificateAuthorityPem().equals(bundle))
                        .orElse(false));
    }

    /**
     * Waits (marking the workloads rolled out meanwhile: a re-issue may roll them again) until the CAs' rotations and
     * the service-account key's are in the phases given (null: none in progress).
     */
    private static void awaitPhases(String caPhase, String serviceAccountPhase, boolean rolling) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            if (rolling) {
                markRolledOut();
            }
            SKSCluster cluster = cluster("rot");
            for (String ca : List.of("cluster-ca", "etcd-ca", "front-proxy-ca")) {
                if (!phaseIs(cluster, ca, caPhase)) {
                    return false;
                }
            }
            return phaseIs(cluster, "service-account-key", serviceAccountPhase);
        });
    }

    private static boolean phaseIs(SKSCluster cluster, String key, String phase) {
        Optional<SKSClusterKeyRotation> rotation = rotation(cluster, key);
        if (phase == null) {
            return rotation.isEmpty();
        }
        return rotation.map(r -> phase.equals(r.phase)).orElse(false);
    }

    private static Optional<SKSClusterKeyRotation> rotation(SKSCluster cluster, String key) {
        if (cluster.getStatus() == null
                || cluster.getStatus().certificates == null
                || cluster.getStatus().certificates.rotations == null) {
            return Optional.empty();
        }
        return cluster.getStatus().certificates.rotations.stream()
                .filter(r -> key.equals(r.key))
                .findFirst();
    }

    /**
     * What the kubelets and controllers report once every pod of the current template runs: rolled out. A workload
     * the operator changed meanwhile (409) is read again.
     */
    private static void markRolledOut() {
        for (Deployment listed :
                client.apps().deployments().inNamespace(namespace).list().getItems()) {
            for (int attempt = 0; attempt < 5; attempt++) {
                Deployment deployment = client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(listed.getMetadata().getName())
                        .get();
                int replicas = deployment.getSpec().getReplicas() == null
                        ? 1
                        : deployment.getSpec().getReplicas();
                deployment.setStatus(new DeploymentStatusBuilder()
                        .withObservedGeneration(deployment.getMetadata().getGeneration())
                        .withReplicas(replicas)
                        .withUpdatedReplicas(replicas)
                        .withReadyReplicas(replicas)
                        .withAvailableReplicas(replicas)
                        .build());
                if (updated(deployment)) {
                    break;
                }
            }
        }
        for (StatefulSet listed :
                client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
            for (int attempt = 0; attempt < 5; attempt++) {
                StatefulSet statefulSet = client.apps()
                        .statefulSets()
                        .inNamespace(namespace)
                        .withName(listed.getMetadata().getName())
                        .get();
                int replicas = statefulSet.getSpec().getReplicas() == null
                        ? 1
                        : statefulSet.getSpec().getReplicas();
                statefulSet.setStatus(new StatefulSetStatusBuilder()
                        .withObservedGeneration(statefulSet.getMetadata().getGeneration())
                        .withReplicas(replicas)
                        .withReadyReplicas(replicas)
                        .withCurrentReplicas(replicas)
                        .withUpdatedReplicas(replicas)
                        .build());
                if (updated(statefulSet)) {
                    break;
                }
            }
        }
    }

    private static boolean updated(HasMetadata workload) {
        try {
            client.resource(workload).updateStatus();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    private static List<java.security.cert.X509Certificate> certificates(String pem) {
        return Pem.parseCertificates(pem);
    }

    private static List<String> reasons() {
        List<String> reasons = new ArrayList<>();
        client.v1().events().inNamespace(namespace).list().getItems().forEach(e -> reasons.add(e.getReason()));
        return reasons;
    }

    private static String adminKubeconfig() {
        return secretValue(Names.adminKubeconfig("rot"), Names.KUBECONFIG_KEY);
    }

    private static String issued(String request) {
        return secretValue(Names.kubeconfigSecret(request), Names.KUBECONFIG_REQUEST_KEY);
    }

    private static KubernetesClient tenantClient(TenantApiServer tenant, String kubeconfig) {
        Config config = Config.fromKubeconfig(tenant.localKubeconfig(kubeconfig));
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static SKSCluster cluster(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static KubeconfigRequest request(String name) {
        return client.resources(KubeconfigRequest.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static void annotate(Map<String, String> values) {
        ApiServerSupport.edit(
                client.resources(SKSCluster.class).inNamespace(namespace).withName("rot"), c -> {
                    Map<String, String> annotations = new HashMap<>(
                            c.getMetadata().getAnnotations() == null
                                    ? Map.of()
                                    : c.getMetadata().getAnnotations());
                    annotations.putAll(values);
                    c.getMetadata().setAnnotations(annotations);
                    return c;
                });
    }

    private static String secretValue(String name, String key) {
        return new String(
                Base64.getDecoder()
                        .decode(client.secrets()
                                .inNamespace(namespace)
                                .withName(name)
                                .get()
                                .getData()
                                .get(key)),
                StandardCharsets.UTF_8);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static final class AheadClock extends java.time.Clock {
        volatile Duration ahead = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** PEM blocks of a public-key bundle. */
    static final class KeyRingBlocks {
        static int count(String pem) {
            return pem.split("-----BEGIN PUBLIC KEY-----", -1).length - 1;
        }

        static String first(String pem) {
            int end = pem.indexOf("-----END PUBLIC KEY-----") + "-----END PUBLIC KEY-----".length();
            return pem.substring(0, end) + "\n";
        }
    }
}
