package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.sizing.LoadObservations;
import dev.operator.sks.sizing.LoadSample;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pro cluster whose tenant's load (recorded figures, injected in place of its API server's /metrics) stays over its
 * size's limit is resized once the load lasted the cool-down, on a clock the test moves: status, Event and the
 * rendered API server and etcd follow. A starter cluster under the same load is never observed nor resized.
 */
@SharedApiServer
class ControlPlaneSizingApiServerTest {
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
    private static final AtomicInteger POKES = new AtomicInteger();
    private static final RecordedLoad LOAD = new RecordedLoad();

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;

    @BeforeAll
    static void start() {
        client = ApiServerSupport.client(kubeconfig);
        namespace = ApiServerSupport.newNamespace(client, "sizing");
        operator = ApiServerSupport.startOperator(
                client,
                new OperatorServices(
                        ApiServerSupport.testConfig(),
                        VersionCatalog.loadDefault(),
                        InstanceTypeCatalog.loadDefault(),
                        CLOCK),
                LOAD);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        client.close();
    }

    @Test
    void aProClusterOverItsSizeIsResizedAfterTheCoolDownAndAStarterNeverIs() {
        create(cluster("busy", "pro"));
        create(cluster("small", "starter"));
        SKSCluster busy = awaitCluster(
                "busy", c -> c.getStatus().controlPlane != null && c.getStatus().controlPlane.size != null);
        assertThat(busy.getStatus().controlPlane.size).isEqualTo(ControlPlaneSize.S);
        assertThat(busy.getStatus().controlPlane.lastResize).isNull();
        await().atMost(Duration.ofSeconds(60)).until(() -> apiserver("busy") != null);
        assertThat(apiserver("busy").getSpec().getReplicas()).isEqualTo(2);

        // From now on both tenants hold 80 Nodes, over S's limit of 50, observed every 30 s.
        Instant loadStarts = CLOCK.instant();
        LOAD.nodesFrom("busy", loadStarts, 80);
        LOAD.nodesFrom("small", loadStarts, 80);

        // Two minutes in: not sustained long enough.
        CLOCK.advance(Duration.ofMinutes(2));
        pokeAndAwaitObservation("busy");
        poke("small");

        // Six minutes in: five minutes over the limit, the size grows one step.
        CLOCK.advance(Duration.ofMinutes(4));
        Instant resizedAt = CLOCK.instant();
        pokeAndAwaitObservation("busy");
        busy = awaitCluster("busy", c -> c.getStatus().controlPlane.size == ControlPlaneSize.M);
        // Resized at six minutes, not at two: the two-minute decision held still.
        assertThat(Instant.parse(busy.getStatus().controlPlane.lastResize)).isEqualTo(resizedAt);
        assertThat(busy.getStatus().controlPlane.reason)
                .isEqualTo("from S to M: 80 Nodes over the S limit of 50 for 5 minutes");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> apiserver("busy").getSpec().getReplicas() == 3);
        Container apiserverContainer = apiserver("busy").getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("kube-apiserver"))
                .findFirst()
                .orElseThrow();
        assertThat(apiserverContainer.getResources().getRequests().get("cpu").toString())
                .isEqualTo("500m");
        assertThat(apiserverContainer.getResources().getRequests().get("memory").toString())
                .isEqualTo("1Gi");
        StatefulSet etcd = client.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withName(Names.etcdStatefulSet("busy"))
                .get();
        assertThat(etcd.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getRequests()
                        .get("memory")
                        .toString())
                .isEqualTo("512Mi");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !events("busy", "ControlPlaneResized").isEmpty());
        assertThat(events("busy", "ControlPlaneResized"))
                .singleElement()
                .satisfies(e -> assertThat(e.getMessage())
                        .startsWith("from S to M: 80 Nodes over the S limit of 50 for 5 minutes"));

        // A while later, the load the same: M holds it, nothing changes.
        CLOCK.advance(Duration.ofMinutes(10));
        pokeAndAwaitObservation("busy");
        assertThat(cluster("busy").getStatus().controlPlane.size).isEqualTo(ControlPlaneSize.M);

        // Pinned in the spec: taken at once, whatever the load.
        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("busy")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"controlPlane\":{\"size\":\"XL\"}}}");
        busy = awaitCluster("busy", c -> c.getStatus().controlPlane.size == ControlPlaneSize.XL);
        assertThat(busy.getStatus().controlPlane.reason).isEqualTo("from M to XL: pinned by spec.controlPlane.size");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> apiserver("busy").getSpec().getReplicas() == 4);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> events("busy", "ControlPlaneResized").size() == 2);

        // The starter cluster was reconciled all along under the same load, and never observed nor sized.
        poke("small");
        SKSCluster small = awaitCluster("small", c -> c.getStatus().observedGeneration != null);
        assertThat(small.getStatus().controlPlane).isNull();
        assertThat(LOAD.asked()).doesNotContain("small");
        assertThat(apiserver("small").getSpec().getReplicas()).isEqualTo(1);
        assertThat(events("small", "ControlPlaneResized")).isEmpty();
    }

    /** Recorded load: per cluster, a sample every 30 s from a start to the clock's now. */
    static final class RecordedLoad implements LoadObservations {
        private record Load(Instant from, long nodes) {}

        private final Map<String, Load> loads = new ConcurrentHashMap<>();
        private final Set<String> asked = ConcurrentHashMap.newKeySet();
        private final List<Instant> busyAskedAt = new CopyOnWriteArrayList<>();

        void nodesFrom(String cluster, Instant from, long nodes) {
            loads.put(cluster, new Load(from, nodes));
        }

        Set<String> asked() {
            return asked;
        }

        @Override
        public List<LoadSample> samples(SKSCluster cluster, int apiserverReplicas) {
            String name = cluster.getMetadata().getName();
            asked.add(name);
            Instant now = CLOCK.instant();
            if (name.equals("busy")) {
                busyAskedAt.add(now);
            }
            Load load = loads.get(name);
            List<LoadSample> samples = new ArrayList<>();
            if (load != null) {
                for (Instant at = load.from(); !at.isAfter(now); at = at.plusSeconds(30)) {
                    samples.add(LoadSample.of(at, load.nodes(), 1000, 5, 2));
                }
            }
            return samples;
        }

        @Override
        public Duration interval() {
            return Duration.ofSeconds(30);
        }

        @Override
        public void forget(SKSCluster cluster) {}
    }

    /** Time moved: a change wakes the reconcile, which is seen asking for the load at the moved clock. */
    private static void pokeAndAwaitObservation(String name) {
        Instant now = CLOCK.instant();
        poke(name);
        await().atMost(Duration.ofSeconds(60)).until(() -> LOAD.busyAskedAt.contains(now));
    }

    private static void poke(String name) {
        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"test.sks.operator.dev/poke\":\"" + POKES.incrementAndGet()
                                + "\"}}}");
    }

    private static String cluster(String name, String level) {
        return """
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s}
                spec: {zone: ch-gva-2, version: "1.33", level: %s, cni: none}
                """.formatted(name, level);
    }

    private static void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static Deployment apiserver(String cluster) {
        return client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(Names.apiserverDeployment(cluster))
                .get();
    }

    private static List<Event> events(String cluster, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> cluster.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .toList();
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
