package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.sharding.Shards;
import dev.operator.sks.support.SecretLookup;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The management side of join material against a real API server: the token Secret and user-data Secrets. */
@SharedApiServer
class JoinApiServerTest {
    private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
    private static final int RACERS = 8;

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    String namespace;

    @BeforeAll
    static void connect() {
        client = ApiServerSupport.client(kubeconfig);
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @BeforeEach
    void newNamespace() {
        namespace = ApiServerSupport.newNamespace(client, "join");
    }

    @Test
    void theTokenIsCreatedOnceOwnedByTheClusterAndReturnedUnchanged() {
        SKSCluster cluster = cluster("alpha");
        JoinTokenStore store = new JoinTokenStore(client);
        Clock clock = Clock.fixed(START, java.time.ZoneOffset.UTC);
        BootstrapToken first = store.ensure(cluster, clock);
        Secret secret = tokenSecret("alpha");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("SKSCluster");
            assertThat(owner.getUid()).isEqualTo(cluster.getMetadata().getUid());
            assertThat(owner.getController()).isTrue();
        });
        assertThat(secret.getStringData()).isNullOrEmpty();
        assertThat(decode(secret, "token-id")).isEqualTo(first.id());
        assertThat(decode(secret, "expiration")).isEqualTo("2025-03-02T10:00:00Z");
        for (int i = 0; i < 3; i++) {
            assertThat(store.ensure(cluster, clock)).isEqualTo(first);
        }
        assertThat(tokenSecret("alpha").getMetadata().getResourceVersion())
                .isEqualTo(secret.getMetadata().getResourceVersion());
    }

    @Test
    void racingReconcilesAgreeOnOneToken() throws Exception {
        SKSCluster cluster = cluster("beta");
        Clock clock = Clock.fixed(START, java.time.ZoneOffset.UTC);
        Set<BootstrapToken> seen = race(() -> new JoinTokenStore(client).ensure(cluster, clock));
        assertThat(seen).hasSize(1);
        assertThat(new JoinTokenStore(client)
                        .read(namespace, "beta")
                        .orElseThrow()
                        .current()
                        .token())
                .isEqualTo(seen.iterator().next());
    }

    @Test
    void theTokenRotatesOnceARotationIsDueAndKeepsThePreviousUntilItExpires() throws Exception {
        SKSCluster cluster = cluster("gamma");
        MutableClock clock = new MutableClock(START);
        JoinTokenStore store = new JoinTokenStore(client);
        BootstrapToken first = store.ensure(cluster, clock);

        clock.advance(Duration.ofHours(16).minusSeconds(1));
        assertThat(store.ensure(cluster, clock)).isEqualTo(first);

        clock.advance(Duration.ofSeconds(1));
        JoinTokens rotated = store.ensureTokens(cluster, clock);
        assertThat(rotated.current().token()).isNotEqualTo(first);
        assertThat(rotated.current().expiration()).isEqualTo(START.plus(Duration.ofHours(40)));
        assertThat(rotated.previous().map(JoinToken::token)).contains(first);
        assertThat(rotated.validAt(clock.instant()))
                .extracting(JoinToken::token)
                .containsExactly(rotated.current().token(), first);

        clock.advance(Duration.ofHours(1));
        assertThat(store.ensure(cluster, clock)).isEqualTo(rotated.current().token());

        // The next rotation, raced: one winner, and the token it replaced becomes the previous one.
        clock.advance(Duration.ofHours(16));
        Set<BootstrapToken> seen = race(() -> new JoinTokenStore(client).ensure(cluster, clock));
        assertThat(seen).hasSize(1).doesNotContain(rotated.current().token(), first);
        JoinTokens stored = store.read(namespace, "gamma").orElseThrow();
        assertThat(stored.current().token()).isEqualTo(seen.iterator().next());
        assertThat(stored.previous().map(JoinToken::token))
                .contains(rotated.current().token());
    }

    @Test
    void aTokenSecretEditedIntoNonsenseIsReplaced() {
        SKSCluster cluster = cluster("delta");
        Clock clock = Clock.fixed(START, java.time.ZoneOffset.UTC);
        JoinTokenStore store = new JoinTokenStore(client);
        BootstrapToken first = store.ensure(cluster, clock);
        Secret secret = tokenSecret("delta");
        secret.getData().put("token-secret", Base64.getEncoder().encodeToString("NOT A SECRET".getBytes()));
        client.resource(secret).update();
        BootstrapToken replaced = store.ensure(cluster, clock);
        assertThat(replaced).isNotEqualTo(first);
        assertThat(store.ensure(cluster, clock)).isEqualTo(replaced);
    }

    @Test
    void userDataWaitsForTheCaAndEndpointThenIsWrittenOnlyWhenItChanges() {
        SKSCluster cluster = cluster("epsilon");
        MutableClock clock = new MutableClock(START);
        JoinMaterial material = new JoinMaterial(client, clock);
        OwnerReference owner = ownerStandIn();
        List<NodepoolTaint> taints = List.of(new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE));
        String pool = "nodepool-workers-1234";

        JoinMaterial.Outcome noCa =
                material.ensureUserData(cluster, pool, "1234", Map.of("env", "demo"), taints, owner);
        assertThat(noCa)
                .isInstanceOfSatisfying(
                        JoinMaterial.Waiting.class, w -> assertThat(w.reason()).isEqualTo("WaitingForCertificates"));

        IssuedCertificate ca = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes");
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.clusterCa("epsilon"))
                        .withNamespace(namespace)
                        // The cluster CA reaches user-data only from a Secret the cluster controls.
                        .withOwnerReferences(Owners.controllerReference(cluster))
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .addToData("tls.crt", base64(ca.certificatePem()))
                        .addToData("tls.key", base64(ca.privateKeyPem()))
                        .build())
                .create();
        JoinMaterial.Outcome noEndpoint =
                material.ensureUserData(cluster, pool, "1234", Map.of("env", "demo"), taints, owner);
        assertThat(noEndpoint)
                .isInstanceOfSatisfying(
                        JoinMaterial.Waiting.class, w -> assertThat(w.reason()).isEqualTo("WaitingForEndpoint"));
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.userData(pool))
                        .get())
                .isNull();

        cluster.setStatus(new SKSClusterStatus());
        cluster.getStatus().endpoint = "https://203.0.113.10:443";
        cluster.getStatus().version = "1.33.4";
        cluster = client.resource(cluster).updateStatus();

        JoinMaterial.Outcome written =
                material.ensureUserData(cluster, pool, "1234", Map.of("env", "demo"), taints, owner);
        assertThat(written).isInstanceOfSatisfying(JoinMaterial.Ready.class, r -> {
            assertThat(r.secretName()).isEqualTo(Names.userData(pool));
            assertThat(r.changed()).isTrue();
        });
        Secret secret = client.secrets()
                .inNamespace(namespace)
                .withName(Names.userData(pool))
                .get();
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(owner.getUid()));
        String userData = decode(secret, Names.USER_DATA_KEY);
        BootstrapToken token = new JoinTokenStore(client)
                .read(namespace, "epsilon")
                .orElseThrow()
                .current()
                .token();
        Map<String, Object> join = UserDataRendererTest.joinConfiguration(userData);
        assertThat(join.toString())
                .contains(
                        token.value(),
                        "203.0.113.10:443",
                        "env=demo:NoSchedule",
                        "env=demo,sks.operator.dev/nodepool-id=1234");

        JoinMaterial.Outcome again =
                material.ensureUserData(cluster, pool, "1234", Map.of("env", "demo"), taints, owner);
        assertThat(again)
                .isInstanceOfSatisfying(
                        JoinMaterial.Ready.class, r -> assertThat(r.changed()).isFalse());
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.userData(pool))
                        .get()
                        .getMetadata()
                        .getResourceVersion())
                .isEqualTo(secret.getMetadata().getResourceVersion());

        clock.advance(Duration.ofHours(16));
        JoinMaterial.Outcome rotated =
                material.ensureUserData(cluster, pool, "1234", Map.of("env", "demo"), taints, owner);
        assertThat(rotated)
                .isInstanceOfSatisfying(
                        JoinMaterial.Ready.class, r -> assertThat(r.changed()).isTrue());
        String rotatedUserData = decode(
                client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.userData(pool))
                        .get(),
                Names.USER_DATA_KEY);
        assertThat(rotatedUserData).doesNotContain(token.value());
    }

    /** What an InstancePool checks before it boots a machine (issue 15's stuck Nodepool): see InstancePoolReport. */
    @Test
    void theUserDataNamesTheMachineRevisionItWasRenderedForAndMovesWithIt() {
        SKSCluster cluster = cluster("zeta");
        JoinMaterial material = new JoinMaterial(client, new MutableClock(START));
        OwnerReference owner = ownerStandIn();
        String pool = "nodepool-zeta-1234";
        IssuedCertificate ca = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes");
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.clusterCa("zeta"))
                        .withNamespace(namespace)
                        .withOwnerReferences(Owners.controllerReference(cluster))
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .addToData("tls.crt", base64(ca.certificatePem()))
                        .addToData("tls.key", base64(ca.privateKeyPem()))
                        .build())
                .create();
        cluster.setStatus(new SKSClusterStatus());
        cluster.getStatus().endpoint = "https://203.0.113.10:443";
        cluster.getStatus().version = "1.33.4";
        cluster = client.resource(cluster).updateStatus();

        assertThat(material.ensureUserData(cluster, pool, "1234", Map.of(), List.of(), owner, false, "rev-1"))
                .isInstanceOfSatisfying(
                        JoinMaterial.Ready.class, r -> assertThat(r.changed()).isTrue());
        Secret first = client.secrets()
                .inNamespace(namespace)
                .withName(Names.userData(pool))
                .get();
        assertThat(UserDataSecrets.revision(first)).contains("rev-1");

        assertThat(material.ensureUserData(cluster, pool, "1234", Map.of(), List.of(), owner, false, "rev-1"))
                .isInstanceOfSatisfying(
                        JoinMaterial.Ready.class, r -> assertThat(r.changed()).isFalse());
        // A new revision whose user-data reads the same (an instance type, a disk size) is still written: the pool
        // must see that the user-data is meant for its new spec.
        assertThat(material.ensureUserData(cluster, pool, "1234", Map.of(), List.of(), owner, false, "rev-2"))
                .isInstanceOfSatisfying(
                        JoinMaterial.Ready.class, r -> assertThat(r.changed()).isTrue());
        Secret second = client.secrets()
                .inNamespace(namespace)
                .withName(Names.userData(pool))
                .get();
        assertThat(UserDataSecrets.revision(second)).contains("rev-2");
        assertThat(second.getData()).isEqualTo(first.getData());
    }

    @Test
    void aSameNamedTokenSecretTheClusterDoesNotControlIsNeitherUsedNorReplaced() {
        SKSCluster cluster = cluster("zeta");
        Secret foreign = client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.bootstrapToken("zeta"))
                        .withNamespace(namespace)
                        .endMetadata()
                        .addToData("token-id", base64("abcdef"))
                        .addToData("token-secret", base64("0123456789abcdef"))
                        .addToData("expiration", base64("2999-01-01T00:00:00Z"))
                        .build())
                .create();
        JoinTokenStore store = new JoinTokenStore(client);
        Clock clock = Clock.fixed(START, java.time.ZoneOffset.UTC);
        assertThatThrownBy(() -> store.ensure(cluster, clock))
                .isInstanceOfSatisfying(
                        NameConflictException.class,
                        e -> assertThat(e.conflict().name()).isEqualTo(Names.bootstrapToken("zeta")))
                .hasMessageNotContaining("0123456789abcdef");
        assertThat(tokenSecret("zeta").getMetadata().getResourceVersion())
                .isEqualTo(foreign.getMetadata().getResourceVersion());
    }

    @Test
    void shardedATokenSecretWrittenBeforeShardingIsRelabelledInPlaceAndAForeignOneIsNot() {
        SKSCluster cluster = cluster("theta");
        Clock clock = Clock.fixed(START, java.time.ZoneOffset.UTC);
        BootstrapToken token = new JoinTokenStore(client).ensure(cluster, clock);
        Secret unsharded = tokenSecret("theta");
        assertThat(unsharded.getMetadata().getLabels()).doesNotContainKey(Labels.SHARD);

        Sharding sharding = new Sharding(3, Shards.of(namespace, 3));
        JoinTokenStore sharded = new JoinTokenStore(client, SecretLookup.live(client), sharding);
        assertThat(sharded.ensure(cluster, clock)).isEqualTo(token);
        Secret adopted = tokenSecret("theta");
        assertThat(adopted.getMetadata().getUid())
                .isEqualTo(unsharded.getMetadata().getUid());
        assertThat(adopted.getMetadata().getLabels())
                .containsEntry(Labels.SHARD, Integer.toString(Shards.of(namespace, 3)));
        assertThat(adopted.getData()).isEqualTo(unsharded.getData());

        // A same-named Secret the cluster does not control is a conflict: never relabelled into the shard's watch.
        SKSCluster other = cluster("iota");
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.bootstrapToken("iota"))
                        .withNamespace(namespace)
                        .endMetadata()
                        .addToData("token-id", base64("abcdef"))
                        .build())
                .create();
        assertThatThrownBy(() -> sharded.ensure(other, clock)).isInstanceOf(NameConflictException.class);
        assertThat(tokenSecret("iota").getMetadata().getLabels()).isNullOrEmpty();
    }

    @Test
    void aSameNamedUserDataSecretThePoolDoesNotControlIsNeverOverwritten() {
        SKSCluster cluster = readyCluster("eta");
        String pool = "nodepool-workers-5678";
        OwnerReference owner = ownerStandIn();
        // Once without owner, once owned by an earlier object of the same name (another UID): neither is the pool's.
        for (String earlierUid : java.util.Arrays.asList(null, "uid-of-an-earlier-pool")) {
            SecretBuilder builder = new SecretBuilder()
                    .withNewMetadata()
                    .withName(Names.userData(pool))
                    .withNamespace(namespace)
                    .endMetadata()
                    .addToData(Names.USER_DATA_KEY, base64("#cloud-config\n"));
            if (earlierUid != null) {
                builder.editMetadata()
                        .addToOwnerReferences(new OwnerReferenceBuilder()
                                .withApiVersion("v1")
                                .withKind("ConfigMap")
                                .withName(owner.getName())
                                .withUid(earlierUid)
                                .withController(true)
                                .build())
                        .endMetadata();
            }
            Secret foreign = client.resource(builder.build()).create();
            JoinMaterial.Outcome outcome = new JoinMaterial(client, Clock.fixed(START, java.time.ZoneOffset.UTC))
                    .ensureUserData(cluster, pool, "5678", Map.of(), List.of(), owner);
            assertThat(outcome).isInstanceOfSatisfying(JoinMaterial.Conflicting.class, c -> {
                assertThat(c.reason()).isEqualTo("NameConflict");
                assertThat(c.message())
                        .contains(Names.userData(pool), "ConfigMap " + owner.getName(), "left untouched");
            });
            Secret after = client.secrets()
                    .inNamespace(namespace)
                    .withName(Names.userData(pool))
                    .get();
            assertThat(after.getMetadata().getResourceVersion())
                    .isEqualTo(foreign.getMetadata().getResourceVersion());
            assertThat(after.getData()).isEqualTo(foreign.getData());
            client.resource(after).withGracePeriod(0).delete();
            org.awaitility.Awaitility.await()
                    .until(() -> client.secrets()
                                    .inNamespace(namespace)
                                    .withName(Names.userData(pool))
                                    .get()
                            == null);
        }
    }

    /** A cluster with a CA Secret, an endpoint and a version: all user-data needs. */
    private SKSCluster readyCluster(String name) {
        SKSCluster cluster = cluster(name);
        IssuedCertificate ca = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes");
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.clusterCa(name))
                        .withNamespace(namespace)
                        // The cluster CA reaches user-data only from a Secret the cluster controls.
                        .withOwnerReferences(Owners.controllerReference(cluster))
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .addToData("tls.crt", base64(ca.certificatePem()))
                        .addToData("tls.key", base64(ca.privateKeyPem()))
                        .build())
                .create();
        cluster.setStatus(new SKSClusterStatus());
        cluster.getStatus().endpoint = "https://203.0.113.10:443";
        cluster.getStatus().version = "1.33.4";
        return client.resource(cluster).updateStatus();
    }

    private Set<BootstrapToken> race(Callable<BootstrapToken> call) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<BootstrapToken>> results = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                results.add(executor.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<BootstrapToken> tokens = new ArrayList<>();
            for (Future<BootstrapToken> result : results) {
                tokens.add(result.get());
            }
            return tokens.stream().collect(Collectors.toSet());
        } finally {
            executor.shutdownNow();
        }
    }

    /** Any object of the namespace will do as owner here: the InstancePool's reconciler passes its own. */
    private OwnerReference ownerStandIn() {
        ConfigMap owner = client.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("pool-owner")
                        .withNamespace(namespace)
                        .endMetadata()
                        .build())
                .create();
        return new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .build();
    }

    private SKSCluster cluster(String name) {
        SKSCluster cluster = ApiServerSupport.load(client, SKSCluster.class, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33"}
        """.formatted(name));
        return client.resource(cluster).inNamespace(namespace).create();
    }

    private Secret tokenSecret(String cluster) {
        return client.secrets()
                .inNamespace(namespace)
                .withName(Names.bootstrapToken(cluster))
                .get();
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
