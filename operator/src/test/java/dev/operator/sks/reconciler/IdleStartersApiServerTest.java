package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idle starter clusters on a real API server, with the operator on a clock the test moves by weeks: warned a week
 * before, deleted when due, spared by a nodepool or the keep annotation; pro clusters never counted.
 */
@SharedApiServer
class IdleStartersApiServerTest {
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    private static final AtomicInteger POKES = new AtomicInteger();

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;

    @BeforeAll
    static void start() {
        client = ApiServerSupport.client(kubeconfig);
        namespace = ApiServerSupport.newNamespace(client, "idle");
        OperatorConfig config = OperatorConfig.parse(
                new String[] {"--http-port=0", "--simulated-instance-delay=PT0S", "--idle-starter-deletion=P30D"},
                Map.of());
        operator = ApiServerSupport.startOperator(
                client,
                new OperatorServices(config, VersionCatalog.loadDefault(), InstanceTypeCatalog.loadDefault(), CLOCK));
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        client.close();
    }

    @Test
    void anIdleStarterIsWarnedThenDeletedAndANodepoolTheKeepAnnotationOrProSpareIt() {
        create(cluster("idle", "starter", false));
        create(cluster("kept", "starter", true));
        create(cluster("pro", "pro", false));
        create(cluster("busy", "starter", false));
        create("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: Nodepool
                metadata: {name: busy-workers}
                spec: {cluster: busy, size: 0, instanceType: standard.medium}
                """);
        awaitCluster("idle", c -> c.getStatus().idleSince != null);
        Instant created = Instant.parse(cluster("idle").getMetadata().getCreationTimestamp());
        assertThat(Instant.parse(cluster("idle").getStatus().idleSince)).isEqualTo(created);
        awaitCluster("busy", c -> c.getStatus().observedGeneration != null);
        assertThat(cluster("busy").getStatus().idleSince).isNull();
        assertThat(cluster("pro").getStatus().idleSince).isNull();

        CLOCK.advanceTo(created.plus(Duration.ofDays(23))); // the warning starts a full week before day 30
        pokeAll();
        SKSCluster warned =
                awaitCluster("idle", c -> Conditions.isTrue(c.getStatus().conditions, Conditions.DELETION_SCHEDULED));
        Instant deleteAt = Instant.parse(warned.getStatus().scheduledDeletion);
        assertThat(deleteAt).isEqualTo(created.plus(Duration.ofDays(30)));
        assertThat(Conditions.find(warned.getStatus().conditions, Conditions.DELETION_SCHEDULED)
                        .orElseThrow()
                        .getMessage())
                .contains("add a nodepool", Labels.KEEP_ANNOTATION + "=true", deleteAt.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> events("idle", "DeletionScheduled") == 1);
        awaitCluster("kept", c -> c.getStatus().idleSince != null);
        assertThat(cluster("kept").getStatus().scheduledDeletion).isNull();

        CLOCK.advanceTo(deleteAt.plusSeconds(1));
        pokeAll();
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster("idle") == null);
        assertThat(cluster("kept")).isNotNull();
        assertThat(cluster("pro")).isNotNull();
        assertThat(cluster("busy")).isNotNull();
        assertThat(cluster("busy").getStatus().idleSince).isNull();

        // The last nodepool's deletion starts the count from then: a month later it is warned, not deleted at once.
        client.resources(dev.operator.sks.api.Nodepool.class)
                .inNamespace(namespace)
                .withName("busy-workers")
                .delete();
        Instant poolGone = CLOCK.instant();
        awaitCluster("busy", c -> c.getStatus().idleSince != null);
        assertThat(Instant.parse(cluster("busy").getStatus().idleSince)).isEqualTo(poolGone);
        CLOCK.advance(Duration.ofDays(45));
        poke("busy");
        SKSCluster busy = awaitCluster("busy", c -> c.getStatus().scheduledDeletion != null);
        assertThat(Instant.parse(busy.getStatus().scheduledDeletion))
                .isEqualTo(CLOCK.instant().plus(Duration.ofDays(7)));
        assertThat(cluster("busy").getMetadata().getDeletionTimestamp()).isNull();
    }

    private static long events(String cluster, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> cluster.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getCount)
                .count();
    }

    /**
     * Time moved: a change to each cluster wakes its reconcile, as the scheduled one would at the moved clock (a keep
     * annotation other than "true" keeps nothing, and wakes the cluster).
     */
    private static void pokeAll() {
        for (String name : new String[] {"idle", "pro", "busy"}) {
            poke(name);
        }
    }

    private static void poke(String name) {
        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"" + Labels.KEEP_ANNOTATION + "\":\"no-"
                                + POKES.incrementAndGet() + "\"}}}");
    }

    private static String cluster(String name, String level, boolean keep) {
        return """
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s%s}
                spec: {zone: ch-gva-2, version: "1.33", level: %s, cni: none}
                """.formatted(name, keep ? ", annotations: {sks.operator.dev/keep: \"true\"}" : "", level);
    }

    private static void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static SKSCluster cluster(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static SKSCluster awaitCluster(String name, Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> cluster(name), c -> c != null && c.getStatus() != null && condition.test(c));
    }
}
