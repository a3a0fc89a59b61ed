package dev.operator.sks.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recorder against the mock server in CRUD mode: what it writes, aggregates, withholds and drops. */
@EnableKubernetesMockClient(crud = true)
class KubernetesEventRecorderTest {
    static KubernetesClient client;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @Test
    void writesAnEventAboutTheObjectAndCountsARepeatInsteadOfWritingAnother() {
        SKSCluster cluster = cluster("alpha", "uid-alpha");
        try (KubernetesEventRecorder recorder = new KubernetesEventRecorder(client, clock, "sks-operator", "pod-0")) {
            recorder.warning(cluster, "ZoneImmutable", "zone cannot change from ch-gva-2");
            await().atMost(Duration.ofSeconds(10)).until(() -> events("tenants").size() == 1);
            clock.advance(Duration.ofMinutes(1));
            recorder.warning(cluster, "ZoneImmutable", "zone cannot change from ch-gva-2");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> events("tenants").get(0).getCount() == 2);
        }
        Event event = events("tenants").get(0);
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getReason()).isEqualTo("ZoneImmutable");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("SKSCluster");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("alpha");
        assertThat(event.getInvolvedObject().getUid()).isEqualTo("uid-alpha");
        assertThat(event.getSource().getComponent()).isEqualTo("sks-operator");
        assertThat(event.getFirstTimestamp()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(event.getLastTimestamp()).isEqualTo("2026-03-01T10:01:00Z");
    }

    @Test
    void aMessageHoldingKeyMaterialIsWithheld() {
        try (KubernetesEventRecorder recorder = new KubernetesEventRecorder(client, clock, "sks-operator", "pod-0")) {
            recorder.normal(cluster("beta", "uid-beta"), "Issued", "-----BEGIN EC PRIVATE KEY-----\nMHc...");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !events("tenants-b").isEmpty());
        }
        assertThat(events("tenants-b").get(0).getMessage())
                .doesNotContain("PRIVATE")
                .contains("withheld");
    }

    @Test
    void anObjectThatRecordsWithoutEndIsCutOffSoEventsCannotLoopHot() {
        SKSCluster noisy = cluster("noisy", "uid-noisy");
        noisy.getMetadata().setNamespace("tenants-c");
        try (KubernetesEventRecorder recorder = new KubernetesEventRecorder(client, clock, "sks-operator", "pod-0")) {
            for (int i = 0; i < 200; i++) {
                recorder.normal(noisy, "Step", "step " + i);
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> events("tenants-c").size() >= KubernetesEventRecorder.BURST);
            assertThat(recorder.dropped()).isEqualTo(200 - KubernetesEventRecorder.BURST);

            clock.advance(KubernetesEventRecorder.REFILL);
            recorder.normal(noisy, "Step", "after a pause");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> events("tenants-c").size() == KubernetesEventRecorder.BURST + 1);
        }
    }

    @Test
    void eachObjectsEventsAreWrittenInOrderWhileManyObjectsShareTheWriters() {
        int objects = KubernetesEventRecorder.WRITERS * 10;
        try (KubernetesEventRecorder recorder = new KubernetesEventRecorder(client, clock, "sks-operator", "pod-0")) {
            for (int i = 0; i < objects; i++) {
                SKSCluster cluster = cluster("c" + i, "uid-many-" + i);
                cluster.getMetadata().setNamespace("tenants-d");
                // The repeat is a count patch only if the writer wrote the first one before it: one writer per object.
                recorder.normal(cluster, "Made", "made c" + i);
                recorder.normal(cluster, "Made", "made c" + i);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events("tenants-d").stream()
                                    .mapToInt(Event::getCount)
                                    .sum()
                            == 2 * objects);
        }
        assertThat(events("tenants-d"))
                .hasSize(objects)
                .allSatisfy(e -> assertThat(e.getCount()).isEqualTo(2));
    }

    private static List<Event> events(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems();
    }

    private static SKSCluster cluster(String name, String uid) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withUid(uid)
                .withNamespace(name.equals("beta") ? "tenants-b" : "tenants")
                .build());
        return cluster;
    }
}
