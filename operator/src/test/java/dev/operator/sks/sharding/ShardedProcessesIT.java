package dev.operator.sks.sharding;

import static dev.operator.sks.testing.OperatorProcesses.binariesWithServiceRange;
import static dev.operator.sks.testing.OperatorProcesses.freePort;
import static dev.operator.sks.testing.OperatorProcesses.heapAfterGcKiB;
import static dev.operator.sks.testing.OperatorProcesses.javaBinary;
import static dev.operator.sks.testing.OperatorProcesses.rssKiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 15's sharded run in separate processes (opt-in, {@code -Dbenchmark=true}): three shards and two standbys, each
 * the packaged jar in a JVM of its own, against one API server of its own (a /16 Service range), with
 * {@code -Dclusters=} starter clusters (default 300) spread over {@code -Dnamespaces=} namespaces (default 30). Once
 * about a third have converged, the leader of shard 1 is killed with SIGKILL (no Lease release, no shutdown hook); its
 * standby takes the Lease, and clusters created in shard 1's namespaces after the kill converge. At the end every
 * cluster has all its objects, and each object was written (its {@code managedFields}, by the replicas' client user
 * agents) only by replicas of its namespace's shard, by the one leader on shards that kept theirs. Prints the
 * convergence and takeover times, each replica's heap after a full GC and RSS, and each one's API requests (from the
 * API server's audit log, by user agent).
 *
 * <pre>
 * mvn -B -o -DskipTests package
 * mvn -B -o -pl operator failsafe:integration-test failsafe:verify -Dit.test=ShardedProcessesIT -Dbenchmark=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ShardedProcessesIT {
    private static final int SHARDS = 3;
    private static final int CLUSTERS = Integer.getInteger("clusters", 300);
    private static final int NAMESPACES = Integer.getInteger("namespaces", 30);
    private static final int LATE = Integer.getInteger("lateClusters", 10);
    private static final Duration CONVERGE_LIMIT = Duration.ofMinutes(Long.getLong("convergeMinutes", 15));
    private static final String HEAP = System.getProperty("replica.xmx", "-Xmx384m");
    private static final String USER_AGENT = "sks-sharded-processes-it";
    /** What one starter cluster owns (see ScaleBenchmarkIT). */
    private static final Map<Class<? extends HasMetadata>, Integer> OWNED =
            Map.of(Secret.class, 16, ConfigMap.class, 2, Service.class, 3, StatefulSet.class, 1, Deployment.class, 3);

    private final ObjectMapper json = new ObjectMapper();

    /** A replica: its process and its shard. */
    record Replica(String name, int shard, Process process) {}

    @Test
    void threeShardProcessesAndTwoStandbysConvergeAndSurviveAKillNine() throws Exception {
        Path jar = RepoPaths.root().resolve("operator/target/sks-operator.jar");
        assertThat(jar).as("run mvn package first").exists();
        Path dir = Files.createTempDirectory("sharded-processes");
        Path policy = dir.resolve("audit-policy.yaml");
        Files.writeString(policy, """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: [RequestReceived]
            rules:
            - level: Metadata
            """);
        Path audit = dir.resolve("audit.log");
        KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(binariesWithServiceRange(dir).toString())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withApiServerFlag("--audit-policy-file", policy.toString())
                .withApiServerFlag("--audit-log-path", audit.toString())
                .withApiServerFlag("--audit-log-maxsize", "0")
                .build());
        server.start();
        Path kubeconfigFile = dir.resolve("kubeconfig");
        Files.writeString(kubeconfigFile, server.getKubeConfigYaml());
        Config config = Config.fromKubeconfig(server.getKubeConfigYaml());
        config.setUserAgent(USER_AGENT);
        config.setRequestTimeout(60_000);
        Map<String, Replica> replicas = new LinkedHashMap<>();
        List<SharedIndexInformer<?>> informers = new ArrayList<>();
        try (KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config).build()) {
            ApiServerSupport.installCrds(client);
            String leases = ApiServerSupport.newNamespace(client, "leases");
            Map<Integer, List<String>> byShard = new HashMap<>();
            List<String> namespaces = new ArrayList<>();
            while (namespaces.size() < NAMESPACES || byShard.size() < SHARDS) {
                String namespace = ApiServerSupport.newNamespace(client, "sharded");
                namespaces.add(namespace);
                byShard.computeIfAbsent(Shards.of(namespace, SHARDS), s -> new ArrayList<>())
                        .add(namespace);
            }

            for (int shard = 0; shard < SHARDS; shard++) {
                start(replicas, "shard-" + shard + "-a", shard, leases, kubeconfigFile, jar, dir);
            }
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> leaders(client, leases).size() == SHARDS);
            // The standbys join once each shard has a leader, so the "a" replicas lead.
            start(replicas, "shard-0-b", 0, leases, kubeconfigFile, jar, dir);
            start(replicas, "shard-1-b", 1, leases, kubeconfigFile, jar, dir);
            assertThat(leaders(client, leases))
                    .containsEntry(0, "shard-0-a")
                    .containsEntry(1, "shard-1-a")
                    .containsEntry(2, "shard-2-a");

            Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> counted =
                    new LinkedHashMap<>();
            OWNED.keySet()
                    .forEach(kind -> counted.put(
                            kind,
                            client.resources(kind)
                                    .inAnyNamespace()
                                    .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                                    .inform()));
            informers.addAll(counted.values());

            long start = System.nanoTime();
            create(client, namespaces, "c", CLUSTERS);
            double applied = (System.nanoTime() - start) / 1e9;
            // Mid-run: about a third of the objects there, the rest still to make.
            await().atMost(CONVERGE_LIMIT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> secrets(counted) >= CLUSTERS * OWNED.get(Secret.class) / 3);
            Replica dying = replicas.get("shard-1-a");
            long killed = System.nanoTime();
            dying.process().destroyForcibly(); // SIGKILL: the Lease is not released
            assertThat(dying.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            double killedAt = (killed - start) / 1e9;
            create(client, byShard.get(1), "late", LATE);
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> "shard-1-b".equals(leaders(client, leases).get(1)));
            double takeover = (System.nanoTime() - killed) / 1e9;

            int total = CLUSTERS + LATE;
            await().atMost(CONVERGE_LIMIT)
                    .pollInterval(Duration.ofSeconds(1))
                    .conditionEvaluationListener(condition -> {
                        if (condition.getElapsedTimeInMS() % 30_000 < 1_000) {
                            System.out.println("sharded processes: waiting, " + counts(counted, total));
                        }
                    })
                    .until(() -> counted.entrySet().stream()
                            .allMatch(e -> e.getValue().getStore().list().size() >= total * OWNED.get(e.getKey())));
            double converged = (System.nanoTime() - start) / 1e9;

            // Who wrote what: only replicas of the object's shard; one leader on the shards that kept theirs; only
            // the standby on what shard 1 made after the kill.
            Map<String, Integer> objectsPerWriter = new TreeMap<>();
            List<String> wrong = new ArrayList<>();
            for (SharedIndexInformer<? extends HasMetadata> informer : counted.values()) {
                for (HasMetadata object : informer.getStore().list()) {
                    String namespace = object.getMetadata().getNamespace();
                    int shard = Shards.of(namespace, SHARDS);
                    Set<String> writers = writers(object);
                    writers.forEach(w -> objectsPerWriter.merge(w, 1, Integer::sum));
                    Set<String> allowed = new TreeSet<>();
                    if (shard == 1) {
                        String cluster = object.getMetadata().getLabels().get(Labels.CLUSTER);
                        if (cluster == null || !cluster.startsWith("late-")) {
                            allowed.add(fieldManager(1, "shard-1-a"));
                        }
                        allowed.add(fieldManager(1, "shard-1-b"));
                    } else {
                        allowed.add(fieldManager(shard, "shard-" + shard + "-a"));
                    }
                    if (writers.isEmpty() || !allowed.containsAll(writers)) {
                        wrong.add(object.getKind() + " " + namespace + "/"
                                + object.getMetadata().getName() + " written by " + writers);
                    }
                }
            }

            Map<String, String> resources = new TreeMap<>();
            for (Replica replica : replicas.values()) {
                if (replica.process().isAlive()) {
                    long pid = replica.process().pid();
                    resources.put(
                            replica.name(),
                            "heap after GC %.1f MiB, RSS %.1f MiB"
                                    .formatted(heapAfterGcKiB(pid) / 1024.0, rssKiB(pid) / 1024.0));
                } else {
                    resources.put(replica.name(), "killed");
                }
            }
            Map<String, Integer> requests = requestsPerReplica(audit);

            StringBuilder out = new StringBuilder();
            out.append("BENCHMARK sharded processes: %d starter clusters over %d namespaces (per shard %s), %d shard"
                            .formatted(CLUSTERS, namespaces.size(), sizes(byShard), SHARDS)
                    + " processes + 2 standbys (%s each), applied in %.1f s%n".formatted(HEAP, applied));
            out.append("  shard 1's leader killed -9 %.1f s in; its standby held the Lease %.1f s later (lease 15 s)%n"
                    .formatted(killedAt, takeover));
            out.append("  all %d clusters (%d made in shard 1 after the kill) converged %.1f s after the first create%n"
                    .formatted(total, LATE, converged));
            out.append("  per replica: %s%n".formatted(resources));
            out.append("  API requests per replica (audit log): %s%n".formatted(requests));
            out.append("  objects written per replica: %s%n".formatted(objectsPerWriter));
            System.out.print(out);
            Files.writeString(RepoPaths.root().resolve("operator/target/sharded-processes-" + CLUSTERS + ".txt"), out);
            assertThat(wrong)
                    .as("objects written by a replica not of their shard")
                    .isEmpty();
            assertThat(objectsPerWriter).containsKey(fieldManager(1, "shard-1-b"));
        } finally {
            informers.forEach(SharedIndexInformer::close);
            for (Replica replica : replicas.values()) {
                replica.process().destroy();
                if (!replica.process().waitFor(30, TimeUnit.SECONDS)) {
                    replica.process().destroyForcibly();
                }
            }
            server.stop();
            System.out.println("sharded processes: replica logs and audit log in " + dir);
        }
    }

    private static void start(
            Map<String, Replica> replicas,
            String name,
            int shard,
            String leaseNamespace,
            Path kubeconfig,
            Path jar,
            Path dir)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), HEAP, "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("POD_NAME", name);
        env.put("SKS_HTTP_PORT", Integer.toString(freePort()));
        env.put("SKS_AUTOSCALER_GRPC_PORT", "-1");
        env.put("SKS_SHARDS", Integer.toString(SHARDS));
        env.put("SKS_SHARD_INDEX", Integer.toString(shard));
        env.put("SKS_LEADER_ELECTION", "true");
        env.put("SKS_LEASE_NAMESPACE", leaseNamespace);
        env.put("SKS_SIMULATED_INSTANCE_DELAY", "PT0S");
        env.put("SKS_IDLE_STARTER_DELETION", "PT0S");
        replicas.put(name, new Replica(name, shard, builder.start()));
    }

    /** {@code count} starter clusters named {@code prefix-i}, round-robin over {@code namespaces}, 8 at a time. */
    private static void create(KubernetesClient client, List<String> namespaces, String prefix, int count)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < count; i++) {
            String namespace = namespaces.get(i % namespaces.size());
            String yaml = """
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s-%d}
                spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
                """.formatted(prefix, i);
            pool.submit(() -> client.resource(
                            (HasMetadata) client.getKubernetesSerialization().unmarshal(yaml))
                    .inNamespace(namespace)
                    .create());
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.MINUTES)).isTrue();
    }

    private static Map<Integer, String> leaders(KubernetesClient client, String namespace) {
        Map<Integer, String> leaders = new HashMap<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            Lease lease = client.leases()
                    .inNamespace(namespace)
                    .withName(new Sharding(SHARDS, shard).leaseName())
                    .get();
            if (lease != null && lease.getSpec().getHolderIdentity() != null) {
                leaders.put(shard, lease.getSpec().getHolderIdentity());
            }
        }
        return leaders;
    }

    /** The replicas (by their clients' field managers) in the object's managedFields; the stamper's is not a write. */
    private static Set<String> writers(HasMetadata object) {
        List<ManagedFieldsEntry> fields = object.getMetadata().getManagedFields();
        return fields == null
                ? Set.of()
                : fields.stream()
                        .map(ManagedFieldsEntry::getManager)
                        .filter(m ->
                                m.startsWith(Labels.FIELD_MANAGER + "-shard-") && !m.equals(ShardStamper.FIELD_MANAGER))
                        .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String fieldManager(int shard, String replica) {
        return new Sharding(SHARDS, shard).fieldManager(replica);
    }

    private static int secrets(Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> counted) {
        return counted.get(Secret.class).getStore().list().size();
    }

    private static String counts(
            Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> counted, int clusters) {
        return counted.entrySet().stream()
                .map(e -> e.getKey().getSimpleName() + " "
                        + e.getValue().getStore().list().size() + "/" + clusters * OWNED.get(e.getKey()))
                .collect(Collectors.joining(", "));
    }

    private static Map<Integer, Integer> sizes(Map<Integer, List<String>> byShard) {
        Map<Integer, Integer> sizes = new TreeMap<>();
        byShard.forEach((shard, namespaces) -> sizes.put(shard, namespaces.size()));
        return sizes;
    }

    /**
     * Requests per replica, by the user agent its client names it with: once per request, at ResponseComplete, or at
     * ResponseStarted for a watch.
     */
    private Map<String, Integer> requestsPerReplica(Path audit) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        String prefix = Labels.FIELD_MANAGER + "-shard-";
        try (BufferedReader reader = Files.newBufferedReader(audit)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.contains(prefix)) {
                    continue;
                }
                JsonNode event = json.readTree(line);
                String agent = event.path("userAgent").asText();
                String verb = event.path("verb").asText();
                String stage = event.path("stage").asText();
                boolean once =
                        "watch".equals(verb) ? "ResponseStarted".equals(stage) : "ResponseComplete".equals(stage);
                if (once && agent.startsWith(prefix)) {
                    counts.merge(agent.substring(prefix.length()), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
