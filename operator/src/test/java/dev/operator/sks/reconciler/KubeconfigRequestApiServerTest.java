package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.operator.sks.api.Exposure;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigMetrics;
import dev.operator.sks.rendering.ApiserverUrls;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The KubeconfigRequest reconciler against a real API server, with the operator in-process on a clock the tests move
 * forward: issue, re-issue on change, renewal, expiry, revocation by a clients-CA rotation, deletion.
 */
@SharedApiServer
class KubeconfigRequestApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static final MutableClock CLOCK = new MutableClock();
    static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();
    static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
    String namespace;

    @BeforeAll
    static void startOperator() throws Exception {
        LOGS.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
        client = ApiServerSupport.client(kubeconfig);
        OperatorServices services = new OperatorServices(
                ApiServerSupport.testConfig(), VersionCatalog.loadDefault(), InstanceTypeCatalog.loadDefault(), CLOCK);
        operator = ApiServerSupport.startOperator(client, services, METRICS);
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    }

    @BeforeEach
    void namespace() {
        CLOCK.reset();
        namespace = ApiServerSupport.newNamespace(client, "kcr");
    }

    @Test
    void aKubeconfigIsIssuedOnceTheClusterIsReadyAndSaysWhoItIs() throws Exception {
        apply(cluster("alpha", "ClusterIP"));
        apply(request("alice", "alpha", "alice", List.of("dev", "ops"), 600L, null));
        Condition waiting = awaitCondition("alice", Conditions.READY, c -> "WaitingForCluster".equals(c.getReason()));
        assertThat(waiting.getStatus()).isEqualTo("False");
        assertThat(Conditions.find(request("alice").getStatus().conditions, Conditions.EXPIRED)
                        .orElseThrow()
                        .getReason())
                .isEqualTo("NotIssued");
        assertThat(secret("alice-kubeconfig")).isNull();
        double issuedBefore = METRICS.counter(KubeconfigMetrics.ISSUED).count();

        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            KubeconfigRequest ready = awaitReady("alice");
            SKSCluster cluster = client.resources(SKSCluster.class)
                    .inNamespace(namespace)
                    .withName("alpha")
                    .get();
            Secret secret = secret("alice-kubeconfig");
            assertThat(secret.getData()).containsOnlyKeys(Names.KUBECONFIG_REQUEST_KEY);
            assertThat(secret.getType()).isEqualTo("Opaque");
            assertThat(secret.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(owner -> {
                        assertThat(owner.getKind()).isEqualTo("KubeconfigRequest");
                        assertThat(owner.getName()).isEqualTo("alice");
                        assertThat(owner.getUid()).isEqualTo(ready.getMetadata().getUid());
                        assertThat(owner.getController()).isTrue();
                        assertThat(owner.getBlockOwnerDeletion()).isTrue();
                    });
            assertThat(secret.getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "alpha");

            String yaml = kubeconfigIn(secret);
            KubeconfigRenderer.Contents contents = KubeconfigRenderer.read(yaml).orElseThrow();
            assertThat(contents.server())
                    .isEqualTo(cluster.getStatus().endpoint)
                    .startsWith("https://");
            assertThat(contents.certificateAuthorityPem())
                    .isEqualTo(secretValue(Names.clusterCa("alpha"), Names.TLS_CERTIFICATE_KEY));
            assertThat(io.fabric8.kubernetes.client.Config.fromKubeconfig(yaml)
                            .getCurrentContext()
                            .getName())
                    .isEqualTo("alice@alpha");
            X509Certificate certificate = Pem.parseCertificate(contents.clientCertificatePem());
            assertThat(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253))
                    .isEqualTo("CN=alice,O=ops,O=dev");
            certificate.verify(Pem.parseCertificate(secretValue(Names.clientsCa("alpha"), Names.TLS_CERTIFICATE_KEY))
                    .getPublicKey());

            assertThat(ready.getStatus().secretName).isEqualTo("alice-kubeconfig");
            // kubectl describe tells the issue, naming who and until when, never what the Secret holds.
            io.fabric8.kubernetes.api.model.Event issued = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> client.v1().events().inNamespace(namespace).list().getItems().stream()
                                    .filter(e -> "KubeconfigIssued".equals(e.getReason())
                                            && "alice"
                                                    .equals(e.getInvolvedObject()
                                                            .getName()))
                                    .findFirst()
                                    .orElse(null),
                            e -> e != null);
            assertThat(issued.getType()).isEqualTo("Normal");
            assertThat(issued.getMessage())
                    .contains("alice")
                    .contains("alice-kubeconfig")
                    .contains(ready.getStatus().serialNumber)
                    .doesNotContain("BEGIN")
                    .doesNotContain("PRIVATE")
                    .doesNotContain(
                            secret.getData().get(Names.KUBECONFIG_REQUEST_KEY).substring(0, 40));
            assertThat(ready.getStatus().serialNumber)
                    .isEqualTo(certificate.getSerialNumber().toString(16));
            assertThat(ready.getStatus().expirationTime)
                    .isEqualTo(Conditions.timestamp(certificate.getNotAfter().toInstant()));
            assertThat(ready.getStatus().observedGeneration)
                    .isEqualTo(ready.getMetadata().getGeneration());
            for (String type : List.of(Conditions.READY, Conditions.EXPIRED)) {
                assertThat(Conditions.find(ready.getStatus().conditions, type)
                                .orElseThrow()
                                .getObservedGeneration())
                        .isEqualTo(ready.getMetadata().getGeneration());
            }
            assertThat(Conditions.find(ready.getStatus().conditions, Conditions.EXPIRED)
                            .orElseThrow()
                            .getStatus())
                    .isEqualTo("False");
            assertThat(METRICS.counter(KubeconfigMetrics.ISSUED).count()).isEqualTo(issuedBefore + 1);
            assertThat(METRICS.get(KubeconfigMetrics.EXPIRING_SOON).gauge().value())
                    .isGreaterThanOrEqualTo(1);

            // kubectl reads it as a user would.
            Path file = Files.createTempFile("alice", ".kubeconfig");
            try {
                Files.writeString(file, yaml);
                String view = kubectl(
                        "--kubeconfig",
                        file.toString(),
                        "config",
                        "view",
                        "-o",
                        "jsonpath={.current-context} {.clusters[0].cluster.server} {.users[0].name}");
                assertThat(view).isEqualTo("alice@alpha " + contents.server() + " alice");
            } finally {
                Files.delete(file);
            }

            // Nothing secret in the status or in anything logged.
            String key = KubeconfigRenderer.readCredentials(yaml).orElseThrow().privateKeyPem();
            String status =
                    client.getKubernetesSerialization().asJson(request("alice").getStatus());
            String logged = String.join(
                    "\n",
                    LOGS.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
            assertThat(logged).contains("issued a kubeconfig into Secret alice-kubeconfig");
            for (String line : key.lines().filter(l -> !l.startsWith("-----")).toList()) {
                assertThat(status).doesNotContain(line);
                assertThat(logged).doesNotContain(line);
            }
        }
    }

    @Test
    void changingUserGroupsOrTtlIssuesIntoTheSameSecretAndRenewBeforeAloneDoesNot() {
        readyCluster("alpha");
        apply(request("bob", "alpha", "bob", List.of("dev"), 3600L, null));
        KubeconfigRequest first = awaitReady("bob");
        String secretUid = secret("bob-kubeconfig").getMetadata().getUid();

        edit("bob", r -> r.getSpec().groups = List.of("dev", "auditors"));
        KubeconfigRequest regrouped = awaitRequest(
                "bob", r -> !first.getStatus().serialNumber.equals(r.getStatus().serialNumber) && isReady(r));
        assertThat(certificate("bob-kubeconfig").getSubjectX500Principal().getName(X500Principal.RFC2253))
                .isEqualTo("CN=bob,O=auditors,O=dev");
        assertThat(secret("bob-kubeconfig").getMetadata().getUid())
                .as("the same Secret, updated")
                .isEqualTo(secretUid);

        edit("bob", r -> r.getSpec().renewBeforeSeconds = 300L);
        KubeconfigRequest renewing = awaitRequest(
                "bob",
                r -> r.getStatus().observedGeneration.equals(r.getMetadata().getGeneration()) && isReady(r));
        assertThat(renewing.getStatus().serialNumber).isEqualTo(regrouped.getStatus().serialNumber);

        edit("bob", r -> r.getSpec().ttlSeconds = 7200L);
        KubeconfigRequest longer = awaitRequest(
                "bob", r -> !regrouped.getStatus().serialNumber.equals(r.getStatus().serialNumber) && isReady(r));
        X509Certificate certificate = certificate("bob-kubeconfig");
        assertThat(Duration.between(
                        certificate.getNotBefore().toInstant(),
                        certificate.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofSeconds(7200).plusMinutes(1));
        assertThat(longer.getStatus().serialNumber)
                .isEqualTo(certificate.getSerialNumber().toString(16));

        edit("bob", r -> r.getSpec().user = "robert");
        awaitRequest("bob", r -> !longer.getStatus().serialNumber.equals(r.getStatus().serialNumber) && isReady(r));
        assertThat(certificate("bob-kubeconfig").getSubjectX500Principal().getName(X500Principal.RFC2253))
                .isEqualTo("CN=robert,O=auditors,O=dev");
        assertThat(KubeconfigRenderer.read(kubeconfigIn(secret("bob-kubeconfig")))
                        .orElseThrow())
                .isNotNull();
        assertThat(secret("bob-kubeconfig").getMetadata().getUid()).isEqualTo(secretUid);
    }

    @Test
    void withoutRenewBeforeTheDataIsRemovedAtExpiryAndTheSecretStays() {
        readyCluster("alpha");
        apply(request("carol", "alpha", "carol", List.of(), 600L, null));
        KubeconfigRequest issued = awaitReady("carol");

        java.time.Instant notAfter = java.time.Instant.parse(issued.getStatus().expirationTime);
        CLOCK.advanceTo(notAfter.minusSeconds(5));
        poke("carol-kubeconfig");
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> secret("carol-kubeconfig").getData().containsKey(Names.KUBECONFIG_REQUEST_KEY));

        CLOCK.advanceTo(notAfter.plusSeconds(1));
        poke("carol-kubeconfig");
        KubeconfigRequest expired =
                awaitRequest("carol", r -> Conditions.isTrue(r.getStatus().conditions, Conditions.EXPIRED));
        Condition ready = Conditions.find(expired.getStatus().conditions, Conditions.READY)
                .orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("Expired");
        Secret secret = secret("carol-kubeconfig");
        assertThat(secret).as("the Secret stays").isNotNull();
        assertThat(secret.getData()).isNullOrEmpty();
        assertThat(secret.getMetadata().getAnnotations())
                .containsEntry(Labels.KUBECONFIG_WITHDRAWN_ANNOTATION, "Expired");
        assertThat(expired.getStatus().serialNumber).isEqualTo(issued.getStatus().serialNumber);
        assertThat(expired.getStatus().expirationTime).isEqualTo(issued.getStatus().expirationTime);

        // Expired stays expired: nothing is issued again until the request changes.
        poke("carol-kubeconfig");
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> secret("carol-kubeconfig").getData() == null
                        || secret("carol-kubeconfig").getData().isEmpty());
        edit("carol", r -> r.getSpec().ttlSeconds = 900L);
        KubeconfigRequest reissued = awaitReady("carol");
        assertThat(reissued.getStatus().serialNumber).isNotEqualTo(issued.getStatus().serialNumber);
        assertThat(Conditions.isTrue(reissued.getStatus().conditions, Conditions.EXPIRED))
                .isFalse();
    }

    @Test
    void withRenewBeforeANewCertificateIsWrittenIntoTheSameSecretBeforeExpiry() {
        readyCluster("alpha");
        apply(request("dave", "alpha", "dave", List.of("dev"), 600L, 120L));
        KubeconfigRequest first = awaitReady("dave");
        double issued = METRICS.counter(KubeconfigMetrics.ISSUED).count();

        java.time.Instant renewal =
                java.time.Instant.parse(first.getStatus().expirationTime).minusSeconds(120);
        CLOCK.advanceTo(renewal.minusSeconds(5));
        poke("dave-kubeconfig");
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() ->
                        first.getStatus().serialNumber.equals(request("dave").getStatus().serialNumber));

        CLOCK.advanceTo(renewal.plusSeconds(1));
        poke("dave-kubeconfig");
        KubeconfigRequest renewed =
                awaitRequest("dave", r -> !first.getStatus().serialNumber.equals(r.getStatus().serialNumber));
        assertThat(isReady(renewed)).isTrue();
        assertThat(certificate("dave-kubeconfig").getSerialNumber().toString(16))
                .isEqualTo(renewed.getStatus().serialNumber);
        assertThat(java.time.Instant.parse(renewed.getStatus().expirationTime))
                .isAfter(java.time.Instant.parse(first.getStatus().expirationTime));
        assertThat(METRICS.counter(KubeconfigMetrics.ISSUED).count()).isEqualTo(issued + 1);
    }

    @Test
    void theRequestOwnsItsSecretAndAnOldSecretNameIsCleanedUp() {
        readyCluster("alpha");
        apply(request("erin", "alpha", "erin", List.of(), 600L, null));
        KubeconfigRequest ready = awaitReady("erin");
        edit("erin", r -> r.getSpec().secretName = "erin-creds");
        awaitRequest("erin", r -> "erin-creds".equals(r.getStatus().secretName) && isReady(r));
        assertThat(secret("erin-creds").getData()).containsKey(Names.KUBECONFIG_REQUEST_KEY);
        await().atMost(Duration.ofSeconds(10)).until(() -> secret("erin-kubeconfig") == null);

        // Deletion: the Secret is owned by the request, so the garbage collector deletes it with the request (no
        // garbage collector runs here: the owner reference is what is checked).
        assertThat(secret("erin-creds").getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(ready.getMetadata().getUid()))
                .satisfies(o -> assertThat(o.getController()).isTrue());
        client.resource(ready).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> request("erin") == null);
        assertThat(ready.getMetadata().getFinalizers())
                .as("no finalizer holds the deletion")
                .isNullOrEmpty();
    }

    @Test
    void aSecretThatIsNotTheRequestsIsNeverOverwritten() {
        readyCluster("alpha");
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("taken")
                        .withNamespace(namespace)
                        .endMetadata()
                        .withData(Map.of(
                                "kubeconfig",
                                Base64.getEncoder().encodeToString("mine".getBytes(StandardCharsets.UTF_8))))
                        .build())
                .create();
        apply(request("frank", "alpha", "frank", List.of(), 600L, null)
                .replace("ttlSeconds: 600", "ttlSeconds: 600, secretName: taken"));
        Condition conflict = awaitCondition("frank", Conditions.READY, c -> NameConflict.REASON.equals(c.getReason()));
        assertThat(conflict.getMessage()).contains("taken");
        assertThat(kubeconfigIn(secret("taken"))).isEqualTo("mine");
    }

    @Test
    void withoutAnEndpointTheServerIsTheInClusterServiceAndTheKubeconfigFollowsTheEndpointWithoutANewKey() {
        // NodePort with no reachable node address: the cluster runs, but has no endpoint.
        apply(cluster("np", "NodePort"));
        try (ClusterStandIn standIn = ClusterStandIn.watch(client, namespace)) {
            awaitCluster("np", c -> Conditions.isTrue(c.getStatus().conditions, Conditions.READY));
            apply(request("gina", "np", "gina", List.of(), 600L, null));
            KubeconfigRequest internal = awaitReady("gina");
            SKSCluster cluster = client.resources(SKSCluster.class)
                    .inNamespace(namespace)
                    .withName("np")
                    .get();
            assertThat(cluster.getStatus().endpoint).isNull();
            String server = ApiserverUrls.inManagementCluster(cluster);
            assertThat(KubeconfigRenderer.read(kubeconfigIn(secret("gina-kubeconfig")))
                            .orElseThrow()
                            .server())
                    .isEqualTo(server);
            assertThat(Conditions.find(internal.getStatus().conditions, Conditions.READY)
                            .orElseThrow()
                            .getMessage())
                    .contains("has no endpoint yet")
                    .contains(server);

            // Exposed by a load balancer (the stand-in gives it an address), the cluster gets an endpoint.
            editCluster("np", c -> c.getSpec().controlPlane.exposure = Exposure.LOAD_BALANCER);
            String endpoint =
                    awaitCluster("np", c -> c.getStatus().endpoint != null).getStatus().endpoint;
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> endpoint.equals(KubeconfigRenderer.read(kubeconfigIn(secret("gina-kubeconfig")))
                            .orElseThrow()
                            .server()));
            KubeconfigRequest external = awaitRequest(
                    "gina",
                    r -> !Conditions.find(r.getStatus().conditions, Conditions.READY)
                            .orElseThrow()
                            .getMessage()
                            .contains("no endpoint"));
            assertThat(external.getStatus().serialNumber)
                    .as("same certificate")
                    .isEqualTo(internal.getStatus().serialNumber);
        }
    }

    @Test
    void rotatingTheClientsCaReissuesRenewingRequestsRevokesTheOthersAndLeavesTheClusterCaAlone() throws Exception {
        readyCluster("alpha");
        apply(request("renewing", "alpha", "hank", List.of("dev"), 3600L, 300L));
        apply(request("fixed", "alpha", "ivy", List.of("dev"), 3600L, null));
        KubeconfigRequest renewing = awaitReady("renewing");
        KubeconfigRequest fixed = awaitReady("fixed");
        String clusterCa = secretValue(Names.clusterCa("alpha"), Names.TLS_CERTIFICATE_KEY);
        String oldClientsCa = secretValue(Names.clientsCa("alpha"), Names.TLS_CERTIFICATE_KEY);
        String adminKubeconfig = secretValue(Names.adminKubeconfig("alpha"), Names.KUBECONFIG_KEY);
        String apiserverHash = podHash(Names.apiserverDeployment("alpha"));

        annotateCluster("alpha", "2025-03-01");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !secretValue(Names.clientsCa("alpha"), Names.TLS_CERTIFICATE_KEY)
                        .equals(oldClientsCa));
        String newClientsCa = secretValue(Names.clientsCa("alpha"), Names.TLS_CERTIFICATE_KEY);
        assertThat(secret(Names.clientsCa("alpha")).getMetadata().getAnnotations())
                .containsEntry(Labels.CLIENTS_CA_ROTATION_ANNOTATION, "2025-03-01");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(Pem.parseCertificates(
                                secretValue(Names.clientCaBundle("alpha"), Names.CLIENT_CA_BUNDLE_KEY)))
                        .containsExactly(Pem.parseCertificate(clusterCa), Pem.parseCertificate(newClientsCa)));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !podHash(Names.apiserverDeployment("alpha")).equals(apiserverHash));
        assertThat(secretValue(Names.clusterCa("alpha"), Names.TLS_CERTIFICATE_KEY))
                .isEqualTo(clusterCa);
        assertThat(secretValue(Names.adminKubeconfig("alpha"), Names.KUBECONFIG_KEY))
                .as("the operator's and components' kubeconfigs are signed by the cluster CA")
                .isEqualTo(adminKubeconfig);

        KubeconfigRequest reissued = awaitRequest(
                "renewing", r -> !renewing.getStatus().serialNumber.equals(r.getStatus().serialNumber) && isReady(r));
        certificate("renewing-kubeconfig")
                .verify(Pem.parseCertificate(newClientsCa).getPublicKey());
        assertThat(reissued.getStatus().serialNumber)
                .isEqualTo(certificate("renewing-kubeconfig").getSerialNumber().toString(16));
        KubeconfigRequest revoked = awaitRequest("fixed", r -> !isReady(r));
        Condition ready = Conditions.find(revoked.getStatus().conditions, Conditions.READY)
                .orElseThrow();
        assertThat(ready.getReason()).isEqualTo("ClientsCARotated");
        assertThat(Conditions.find(revoked.getStatus().conditions, Conditions.EXPIRED)
                        .orElseThrow()
                        .getStatus())
                .isEqualTo("False");
        assertThat(secret("fixed-kubeconfig").getData()).isNullOrEmpty();
        assertThat(revoked.getStatus().serialNumber).isEqualTo(fixed.getStatus().serialNumber);

        // One value rotates once: the next reconcile of the cluster (a spec change) keeps the new CA.
        editCluster("alpha", c -> c.getSpec().description = "reconcile me");
        awaitCluster(
                "alpha",
                c -> c.getStatus().observedGeneration != null
                        && c.getStatus()
                                .observedGeneration
                                .equals(c.getMetadata().getGeneration()));
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> secretValue(Names.clientsCa("alpha"), Names.TLS_CERTIFICATE_KEY)
                        .equals(newClientsCa));

        // Setting renewBeforeSeconds on the revoked request brings it a new kubeconfig under the new CA.
        edit("fixed", r -> r.getSpec().renewBeforeSeconds = 300L);
        awaitReady("fixed");
        certificate("fixed-kubeconfig")
                .verify(Pem.parseCertificate(newClientsCa).getPublicKey());
    }

    @Test
    void aLostClientsCaIsAnErrorWhileKubeconfigsItSignedExistNeverASilentRevocation() {
        readyCluster("alpha");
        apply(request("jane", "alpha", "jane", List.of(), 3600L, null));
        awaitReady("jane");
        client.secrets()
                .inNamespace(namespace)
                .withName(Names.clientsCa("alpha"))
                .delete();
        SKSCluster broken = awaitCluster(
                "alpha",
                c -> Conditions.find(c.getStatus().conditions, Conditions.CERTIFICATES_READY)
                        .map(x -> "CertificateAuthorityMissing".equals(x.getReason()))
                        .orElse(false));
        assertThat(Conditions.find(broken.getStatus().conditions, Conditions.CERTIFICATES_READY)
                        .orElseThrow()
                        .getMessage())
                .contains(Names.clientsCa("alpha"))
                .contains("restore it from a backup");
        assertThat(secret(Names.clientsCa("alpha"))).isNull();
        assertThat(secret("jane-kubeconfig").getData()).containsKey(Names.KUBECONFIG_REQUEST_KEY);
    }

    // --- helpers ---

    private void readyCluster(String name) {
        apply(cluster(name, "ClusterIP"));
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            awaitCluster(name, c -> Conditions.isTrue(c.getStatus().conditions, Conditions.READY));
        }
    }

    static String cluster(String name, String exposure) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: %s}}
        """.formatted(name, exposure);
    }

    static String request(String name, String cluster, String user, List<String> groups, Long ttl, Long renewBefore) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: KubeconfigRequest
        metadata: {name: %s}
        spec: {cluster: %s, user: %s, groups: [%s], ttlSeconds: %d%s}
        """.formatted(
                        name,
                        cluster,
                        user,
                        String.join(", ", groups),
                        ttl,
                        renewBefore == null ? "" : ", renewBeforeSeconds: " + renewBefore);
    }

    private void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private KubeconfigRequest request(String name) {
        return client.resources(KubeconfigRequest.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private void edit(String name, java.util.function.Consumer<KubeconfigRequest> change) {
        ApiServerSupport.edit(
                client.resources(KubeconfigRequest.class).inNamespace(namespace).withName(name), r -> {
                    change.accept(r);
                    return r;
                });
    }

    private void editCluster(String name, java.util.function.Consumer<SKSCluster> change) {
        ApiServerSupport.edit(
                client.resources(SKSCluster.class).inNamespace(namespace).withName(name), c -> {
                    change.accept(c);
                    return c;
                });
    }

    private void annotateCluster(String name, String value) {
        editCluster(name, c -> {
            Map<String, String> annotations = new java.util.HashMap<>(
                    c.getMetadata().getAnnotations() == null
                            ? Map.of()
                            : c.getMetadata().getAnnotations());
            annotations.put(Labels.ROTATE_CLIENTS_CA_ANNOTATION, value);
            c.getMetadata().setAnnotations(annotations);
        });
    }

    /** Any change to the request's Secret wakes its reconciler, as a scheduled reconcile would at the moved clock. */
    private void poke(String secret) {
        ApiServerSupport.edit(client.secrets().inNamespace(namespace).withName(secret), s -> {
            s.getMetadata().getAnnotations().put("test/poke", String.valueOf(System.nanoTime()));
            return s;
        });
    }

    private static boolean isReady(KubeconfigRequest request) {
        return request.getStatus() != null && Conditions.isTrue(request.getStatus().conditions, Conditions.READY);
    }

    private KubeconfigRequest awaitReady(String name) {
        return awaitRequest(
                name,
                r -> isReady(r)
                        && r.getStatus()
                                .observedGeneration
                                .equals(r.getMetadata().getGeneration()));
    }

    private KubeconfigRequest awaitRequest(String name, Predicate<KubeconfigRequest> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(() -> request(name), r -> r != null && r.getStatus() != null && condition.test(r));
    }

    private Condition awaitCondition(String name, String type, Predicate<Condition> condition) {
        KubeconfigRequest request = awaitRequest(
                name,
                r -> Conditions.find(r.getStatus().conditions, type)
                        .filter(condition)
                        .isPresent());
        return Conditions.find(request.getStatus().conditions, type).orElseThrow();
    }

    private SKSCluster awaitCluster(String name, Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        c -> c != null && c.getStatus() != null && condition.test(c));
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    private String secretValue(String name, String key) {
        return new String(Base64.getDecoder().decode(secret(name).getData().get(key)), StandardCharsets.UTF_8);
    }

    private static String kubeconfigIn(Secret secret) {
        return new String(
                Base64.getDecoder().decode(secret.getData().get(Names.KUBECONFIG_REQUEST_KEY)), StandardCharsets.UTF_8);
    }

    private X509Certificate certificate(String secretName) {
        return Pem.parseCertificate(KubeconfigRenderer.read(kubeconfigIn(secret(secretName)))
                .orElseThrow()
                .clientCertificatePem());
    }

    private String podHash(String deployment) {
        return client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(deployment)
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(Labels.CERTIFICATES_HASH_ANNOTATION);
    }

    static String kubectl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.trim();
    }
}
