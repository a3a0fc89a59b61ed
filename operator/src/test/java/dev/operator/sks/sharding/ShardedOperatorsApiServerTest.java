package dev.operator.sks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Three shards and two standbys, each an operator in-process with a client and leader election of its own, against
 * the shared API server: clusters spread over many namespaces all converge, each written by exactly one replica (the
 * replicas' clients name them in the {@code managedFields} of what they create, update and patch), a cluster whose
 * shard label a user set wrongly is routed to its namespace's shard, and after a shard leader dies without releasing
 * its Lease, its standby takes over and converges a cluster created afterwards. Each leader's informers cache only its
 * own shard's objects (Secrets, StatefulSets, Deployments, Services, ConfigMaps): the operator stamps the shard label on
 * all it writes and every informer selects it server-side.
 *
 * <p>CI makes 30 clusters; {@code -Dbenchmark=true} makes 300. Both print the convergence and takeover times.
 */
@SharedApiServer
class ShardedOperatorsApiServerTest {
    static final int SHARDS = 3;
    static final int CLUSTERS = Boolean.getBoolean("benchmark") ? 300 : 30;
    static final int NAMESPACES = Boolean.getBoolean("benchmark") ? 30 : 6;
    static final Duration CONVERGED = Duration.ofMinutes(Boolean.getBoolean("benchmark") ? 30 : 12);

    @KubeConfig
    static String kubeconfig;

    static final List<Class<? extends HasMetadata>> OWNED_KINDS = List.of(
            io.fabric8.kubernetes.api.model.Secret.class,
            io.fabric8.kubernetes.api.model.apps.StatefulSet.class,
            io.fabric8.kubernetes.api.model.apps.Deployment.class,
            io.fabric8.kubernetes.api.model.Service.class,
            io.fabric8.kubernetes.api.model.ConfigMap.class);

    static final List<Replica> replicas = new ArrayList<>();
    static KubernetesClient admin;

    /** A replica: its operator, its own client, and a switch that cuts it off as a kill -9 would. */
    record Replica(String name, int shard, SksOperator operator, KubernetesClient client, AtomicBoolean dead) {
        void kill() {
            dead.set(true); // from now on every request fails: no renewal, no release of the Lease, no write
            client.close(); // and the watches it has open end, as a process's connections do when it is killed
        }

        void close() {
            try {
                operator.close();
            } catch (RuntimeException e) {
                // a killed replica's shutdown cannot reach the API server; it is only cleaned up here
            }
            client.close();
        }
    }

    @Test
    void shardsConvergeTheirOwnClustersAndAStandbyTakesOver() {
        admin = ApiServerSupport.client(kubeconfig);
        String leases = ApiServerSupport.newNamespace(admin, "shard-leases");
        Map<Integer, List<String>> namespaces = namespacesPerShard();

        for (int shard = 0; shard < SHARDS; shard++) {
            replicas.add(start("shard-" + shard + "-a", shard, leases));
        }
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> leaders(leases).size() == SHARDS);
        // The standbys of shards 0 and 1 join once their shards have leaders, so the first replica leads each.
        replicas.add(start("shard-0-b", 0, leases));
        replicas.add(start("shard-1-b", 1, leases));
        Map<Integer, String> leaders = leaders(leases);
        assertThat(leaders).containsEntry(0, "shard-0-a").containsEntry(1, "shard-1-a");

        long started = System.nanoTime();
        List<SKSCluster> clusters = new ArrayList<>();
        List<String> all = namespaces.values().stream().flatMap(List::stream).toList();
        for (int i = 0; i < CLUSTERS; i++) {
            clusters.add(create(all.get(i % all.size()), "c-" + i, null));
        }
        // A user's label naming the wrong shard is routing to correct, not an order.
        String mislabelledNamespace = all.get(0);
        String wrong = Integer.toString((Shards.of(mislabelledNamespace, SHARDS) + 1) % SHARDS);
        clusters.add(create(mislabelledNamespace, "mislabelled", wrong));

        await().atMost(CONVERGED)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> clusters.stream().allMatch(ShardedOperatorsApiServerTest::converged));
        double convergedSeconds = (System.nanoTime() - started) / 1e9;

        for (SKSCluster cluster : clusters) {
            String namespace = cluster.getMetadata().getNamespace();
            int shard = Shards.of(namespace, SHARDS);
            assertThat(writers(cluster))
                    .as(
                            "replicas that wrote %s/%s",
                            namespace, cluster.getMetadata().getName())
                    .containsExactly(fieldManager(shard, leaders.get(shard)));
        }
        assertThat(admin.resources(SKSCluster.class)
                        .inNamespace(mislabelledNamespace)
                        .withName("mislabelled")
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry(Labels.SHARD, Integer.toString(Shards.of(mislabelledNamespace, SHARDS)));

        Map<String, Map<String, Integer>> cachedPerReplica = new java.util.TreeMap<>();
        for (Replica replica : replicas) {
            if (!replica.name().equals(leaders.get(replica.shard()))) {
                continue;
            }
            Map<String, Integer> counts = new java.util.LinkedHashMap<>();
            for (Class<? extends HasMetadata> kind : OWNED_KINDS) {
                List<? extends HasMetadata> cached = replica.operator().cachedSecondaries(kind);
                assertThat(cached)
                        .as("%s cached by %s", HasMetadata.getKind(kind), replica.name())
                        .allSatisfy(o -> {
                            assertThat(Shards.of(o.getMetadata().getNamespace(), SHARDS))
                                    .isEqualTo(replica.shard());
                            assertThat(o.getMetadata().getLabels())
                                    .containsEntry(Labels.SHARD, Integer.toString(replica.shard()));
                        });
                counts.put(HasMetadata.getKind(kind), cached.size());
            }
            assertThat(counts.get("Secret"))
                    .as("Secrets cached by %s", replica.name())
                    .isPositive();
            assertThat(counts.get("StatefulSet"))
                    .as("StatefulSets cached by %s", replica.name())
                    .isPositive();
            cachedPerReplica.put(replica.name(), counts);
        }
        System.out.println("BENCHMARK sharding: objects cached per leader (by its informers): " + cachedPerReplica);

        // Shard 1's leader dies holding its Lease; its standby takes it once the Lease expires.
        Replica dying = replica("shard-1-a");
        long killed = System.nanoTime();
        dying.kill();
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> "shard-1-b".equals(leaders(leases).get(1)));
        double takeoverSeconds = (System.nanoTime() - killed) / 1e9;
        long createdAfter = System.nanoTime();
        SKSCluster late = create(namespaces.get(1).get(0), "after-takeover", null);
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> converged(late));
        double lateSeconds = (System.nanoTime() - createdAfter) / 1e9;
        assertThat(writers(late)).containsExactly(fieldManager(1, "shard-1-b"));
        // The other shards went on with their own leaders.
        assertThat(leaders(leases)).containsEntry(0, "shard-0-a").containsEntry(2, "shard-2-a");

        System.out.printf(
                "BENCHMARK sharding: %d clusters over %d namespaces (per shard %s), %d shards + 2 standbys in-process: "
                        + "all converged in %.1f s; shard 1's standby took over %.1f s after its leader was cut off (lease 15 s); "
                        + "a cluster created then converged in %.1f s%n",
                clusters.size(),
                all.size(),
                namespaces.values().stream().map(List::size).toList(),
                SHARDS,
                convergedSeconds,
                takeoverSeconds,
                lateSeconds);
    }

    @AfterAll
    static void stop() {
        replicas.forEach(Replica::close);
        if (admin != null) {
            admin.close();
        }
    }

    /**
     * {@link #NAMESPACES} namespaces, more if a shard has none yet (made before the operators start, so all watch
     * them: each is a dozen watches per replica, which the shared 2-core machine feels).
     */
    private static Map<Integer, List<String>> namespacesPerShard() {
        Map<Integer, List<String>> byShard = new HashMap<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            byShard.put(shard, new ArrayList<>());
        }
        int made = 0;
        while (made < NAMESPACES || byShard.values().stream().anyMatch(List::isEmpty)) {
            String namespace = ApiServerSupport.newNamespace(admin, "sharded");
            byShard.get(Shards.of(namespace, SHARDS)).add(namespace);
            made++;
        }
        return byShard;
    }

    private static Replica start(String name, int shard, String leaseNamespace) {
        AtomicBoolean dead = new AtomicBoolean();
        OperatorConfig config = OperatorConfig.parse(
                new String[] {
                    "--http-port=0",
                    "--simulated-instance-delay=PT0S",
                    "--idle-starter-deletion=PT0S",
                    "--shards=" + SHARDS,
                    "--shard-index=" + shard,
                    "--leader-election=true",
                    "--lease-namespace=" + leaseNamespace
                },
                Map.of("POD_NAME", name));
        Config clientConfig = ReplicaClients.named(Config.fromKubeconfig(kubeconfig), config.sharding(), name);
        // Five operators start their informers at once on a machine other tests share: give the lists time.
        clientConfig.setRequestTimeout(60_000);
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(clientConfig)
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("kill", new Interceptor() {
                    @Override
                    public void before(BasicBuilder request, HttpRequest httpRequest, RequestTags tags) {
                        if (dead.get()) {
                            throw new UncheckedIOException(new IOException(name + " is dead"));
                        }
                    }
                }))
                .build();
        SksOperator operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(config));
        return new Replica(name, shard, operator, client, dead);
    }

    private static Replica replica(String name) {
        return replicas.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** The holder of each shard's Lease. */
    private static Map<Integer, String> leaders(String namespace) {
        Map<Integer, String> leaders = new HashMap<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            Lease lease = admin.leases()
                    .inNamespace(namespace)
                    .withName(new Sharding(SHARDS, shard).leaseName())
                    .get();
            if (lease != null && lease.getSpec().getHolderIdentity() != null) {
                leaders.put(shard, lease.getSpec().getHolderIdentity());
            }
        }
        return leaders;
    }

    private static SKSCluster create(String namespace, String name, String shardLabel) {
        String labels = shardLabel == null ? "" : ", labels: {" + Labels.SHARD + ": \"" + shardLabel + "\"}";
        String yaml = """
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s%s}
                spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
                """.formatted(name, labels);
        return admin.resource(ApiServerSupport.load(admin, SKSCluster.class, yaml))
                .inNamespace(namespace)
                .create();
    }

    /** Its PKI Secrets, its etcd StatefulSet and its three Deployments exist. */
    private static boolean converged(SKSCluster cluster) {
        String namespace = cluster.getMetadata().getNamespace();
        String uid = cluster.getMetadata().getUid();
        long secrets = ownedBy(admin.secrets().inNamespace(namespace).list().getItems().stream(), uid);
        long statefulSets = ownedBy(admin.apps().statefulSets().inNamespace(namespace).list().getItems().stream(), uid);
        long deployments = ownedBy(admin.apps().deployments().inNamespace(namespace).list().getItems().stream(), uid);
        return secrets >= 12 && statefulSets >= 1 && deployments >= 3;
    }

    private static long ownedBy(Stream<? extends HasMetadata> objects, String uid) {
        return objects.filter(o -> owners(o).stream().anyMatch(r -> uid.equals(r.getUid())))
                .count();
    }

    private static List<OwnerReference> owners(HasMetadata object) {
        return object.getMetadata().getOwnerReferences() == null
                ? List.of()
                : object.getMetadata().getOwnerReferences();
    }

    /**
     * The replicas (by their clients' field managers) that wrote the cluster or anything it owns: the stamper's
     * routing patch is not a reconcile, and server-side applies carry the manager all replicas share.
     */
    private static Set<String> writers(SKSCluster cluster) {
        String namespace = cluster.getMetadata().getNamespace();
        String uid = cluster.getMetadata().getUid();
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(admin.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(cluster.getMetadata().getName())
                .get());
        Stream.of(
                        admin.secrets().inNamespace(namespace).list().getItems(),
                        admin.configMaps().inNamespace(namespace).list().getItems(),
                        admin.services().inNamespace(namespace).list().getItems(),
                        admin.apps()
                                .statefulSets()
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        admin.apps().deployments().inNamespace(namespace).list().getItems())
                .flatMap(List::stream)
                .filter(o -> owners(o).stream().anyMatch(r -> uid.equals(r.getUid())))
                .forEach(objects::add);
        return objects.stream()
                .flatMap(o -> o.getMetadata().getManagedFields() == null
                        ? Stream.<ManagedFieldsEntry>empty()
                        : o.getMetadata().getManagedFields().stream())
                .map(ManagedFieldsEntry::getManager)
                .filter(m -> m.startsWith(Labels.FIELD_MANAGER + "-shard-") && !m.equals(ShardStamper.FIELD_MANAGER))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String fieldManager(int shard, String replica) {
        return new Sharding(SHARDS, shard).fieldManager(replica);
    }
}
