package dev.operator.sks.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.RepoPaths;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's kill -9: the packaged operator jar, in its own JVM as a user runs it, is killed with SIGKILL at random
 * moments of a rollout (clusters with a Nodepool and a KubeconfigRequest each) and started again each time. Nothing
 * it had in memory survives, so what it wrote before each kill is all the next one has. At the end every cluster
 * converges, no CA or service-account key changed since first seen, nothing is duplicated or orphaned
 * ({@link Fleet#check}), and no kubeconfig was issued twice for one request generation: the serial number a request's
 * status names for a generation and the kubeconfig Secret's data never change once seen (polled between kills), and
 * no request has more than one {@code KubeconfigIssued} Event, which an issuing process writes right after the
 * Secret and the status, so a second issue by a later process shows there even between two polls.
 *
 * <p>CI: 15 clusters, 10 kills. {@code -Dbenchmark=true}: 50 clusters, 100 kills. {@code -Dfaults.seed=N} replays
 * the kill moments (printed).
 */
@SharedApiServer
class OperatorKillNineIT {
    @KubeConfig
    static String kubeconfig;

    private static final boolean BENCHMARK = Boolean.getBoolean("benchmark");

    @Test
    void killedAtRandomMomentsTheOperatorLosesNothingAndIssuesNothingTwice() throws Exception {
        int clusters = BENCHMARK ? 50 : 15;
        int kills = BENCHMARK ? 100 : 10;
        long seed = Long.getLong("faults.seed", System.nanoTime());
        Random random = new Random(seed);
        Path jar = RepoPaths.root().resolve("operator/target/sks-operator.jar");
        assertThat(jar).as("run mvn package first").exists();
        Path kubeconfigFile = Files.createTempFile("kill-nine", ".kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
        Path log = Files.createTempFile("kill-nine", ".log");
        List<ClusterStandIn> kubelets = new ArrayList<>();
        Process process = null;
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            List<String> namespaces = new ArrayList<>();
            for (int i = 0; i < Fleet.namespacesFor(clusters); i++) {
                String namespace = ApiServerSupport.newNamespace(client, "kill");
                namespaces.add(namespace);
                kubelets.add(ClusterStandIn.watch(client, namespace));
            }
            ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx512m", "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("KUBECONFIG", kubeconfigFile.toString());
            builder.environment().put("SKS_HTTP_PORT", Integer.toString(freePort()));
            builder.environment().put("SKS_WATCH_NAMESPACES", String.join(",", namespaces));
            builder.environment().put("SKS_SIMULATED_INSTANCE_DELAY", "PT0S");
            builder.environment().put("SKS_IDLE_STARTER_DELETION", "PT0S");
            builder.environment().put("SKS_AUTOSCALER_GRPC_PORT", "-1");

            System.out.printf("kill -9: %d clusters, %d kills, seed %d, log %s%n", clusters, kills, seed, log);
            Fleet fleet = new Fleet(client, namespaces, clusters);
            long started = System.nanoTime();
            long startedBefore = startedLines(log);
            process = builder.start();
            fleet.create();
            List<Long> lives = new ArrayList<>();
            int afterStarted = 0;
            for (int kill = 0; kill < kills; kill++) {
                // Anywhere from JVM start-up to well into reconciling: up to 8 s after the process began, or, every
                // other kill, up to 8 s after it said it started, since on a loaded machine a JVM's start-up alone
                // can take longer than 8 s and kills counted from the process start would all land before any work.
                long life = 200 + random.nextInt(8_000);
                lives.add(life);
                if (kill % 2 == 1 && awaitStarted(fleet, log, startedBefore + 1)) {
                    afterStarted++;
                }
                sleepObserving(fleet, life);
                process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook runs
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                fleet.observe();
                // A process killed in its start-up said nothing: count what was said before this one began.
                startedBefore = startedLines(log);
                process = builder.start();
            }
            System.out.printf(
                    "kill -9: %d kills done %.0f s into the rollout (lives %d..%d ms, %d of them counted from the"
                            + " operator's 'started' line); %s pending%n",
                    kills,
                    (System.nanoTime() - started) / 1e9,
                    lives.stream().mapToLong(Long::longValue).min().orElse(0),
                    lives.stream().mapToLong(Long::longValue).max().orElse(0),
                    afterStarted,
                    fleet.pending());
            await().atMost(Duration.ofMinutes(BENCHMARK ? 15 : 6))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        fleet.observe();
                        return fleet.pending().isEmpty();
                    });
            double seconds = (System.nanoTime() - started) / 1e9;
            Fleet.Report report = fleet.check();
            // Two witnesses of each issue: the log line an issuing process writes right after the Secret (synchronous,
            // so it survives the kill that follows) and the KubeconfigIssued Event (queued, written by the process's
            // event thread, so a kill may lose it). The process running now lives on: every request it issued must
            // get its Event, which shows the Events are written and looked for where they are.
            String text = logText(log);
            Map<String, Integer> issuedLines = issuedLines(text);
            Map<String, Integer> issuedLast = issuedLines(text.substring(text.lastIndexOf(STARTING_LINE)));
            java.util.concurrent.atomic.AtomicReference<Map<String, Integer>> seenEvents =
                    new java.util.concurrent.atomic.AtomicReference<>(Map.of());
            long awaitingEvents = System.nanoTime();
            try {
                await("a KubeconfigIssued Event for each of " + issuedLast.keySet())
                        .atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> {
                            seenEvents.set(issuedEvents(client, namespaces));
                            return seenEvents.get().keySet().containsAll(issuedLast.keySet());
                        });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                Map<String, Integer> reasons = new TreeMap<>();
                for (String namespace : namespaces) {
                    client.v1()
                            .events()
                            .inNamespace(namespace)
                            .list()
                            .getItems()
                            .forEach(event -> reasons.merge(
                                    event.getInvolvedObject().getKind() + " " + event.getReason(), 1, Integer::sum));
                }
                System.out.printf(
                        "kill -9: KubeconfigIssued Events seen %s; every Event by kind and reason: %s%n",
                        seenEvents.get(), reasons);
                throw e;
            }
            Map<String, Integer> issuedEvents = seenEvents.get();
            System.out.printf(
                    "kill -9: %d clusters converged %.0f s after the first start, through %d kills%n",
                    clusters, seconds, kills);
            System.out.println("kill -9: " + report.summary());
            System.out.printf(
                    "kill -9: issues logged per request %s (%d of them by the process running at the end),"
                            + " KubeconfigIssued Events per request %s, all seen %.0f s after the fleet checks%n",
                    histogram(issuedLines),
                    issuedLast.size(),
                    histogram(issuedEvents),
                    (System.nanoTime() - awaitingEvents) / 1e9);
            assertThat(report.problems()).isEmpty();
            assertThat(report.keptSecrets()).isEqualTo(5 * clusters);
            assertThat(report.kubeconfigsIssued()).isEqualTo(clusters);
            assertThat(issuedLines)
                    .as("no request was issued a kubeconfig twice (the operator's log)")
                    .allSatisfy(
                            (request, count) -> assertThat(count).as(request).isLessThanOrEqualTo(1));
            assertThat(issuedEvents)
                    .as("no request was issued a kubeconfig twice (KubeconfigIssued Events)")
                    .allSatisfy(
                            (request, count) -> assertThat(count).as(request).isLessThanOrEqualTo(1));
        } finally {
            kubelets.forEach(ClusterStandIn::close);
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(kubeconfigFile);
        }
    }

    /** Sleeps {@code millis}, observing the fleet every second on the way, so first sights come early. */
    private static void sleepObserving(Fleet fleet, long millis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        long left;
        while ((left = (until - System.nanoTime()) / 1_000_000) > 0) {
            long step = Math.min(left, 1_000);
            long before = System.nanoTime();
            fleet.observe();
            long spent = (System.nanoTime() - before) / 1_000_000;
            if (spent < step) {
                Thread.sleep(step - spent);
            }
        }
    }

    /**
     * Waits (observing) until the shared log holds {@code starts} "sks-operator started" lines, that is until the
     * process started last said it runs; false when it did not within 2 minutes (the kill then lands in start-up).
     */
    private static boolean awaitStarted(Fleet fleet, Path log, long starts) throws Exception {
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < until) {
            if (startedLines(log) >= starts) {
                return true;
            }
            sleepObserving(fleet, 500);
        }
        return false;
    }

    /** How many times the processes so far said they started. */
    private static long startedLines(Path log) throws java.io.IOException {
        // Latin-1: any byte reads, so a torn last line of a killed process cannot fail the count.
        String text = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1);
        return text.split("sks-operator started in", -1).length - 1L;
    }

    /** What Main logs first, once per process: the log from its last occurrence on is the running process's. */
    private static final String STARTING_LINE = "sks-operator starting against";

    private static final java.util.regex.Pattern ISSUED_LINE =
            java.util.regex.Pattern.compile("KubeconfigRequest (\\S+/\\S+): issued a kubeconfig into Secret");

    private static String logText(Path log) throws java.io.IOException {
        return new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Per request (namespace/name), how many times a process logged that it issued it a kubeconfig. */
    private static Map<String, Integer> issuedLines(String text) {
        Map<String, Integer> counts = new TreeMap<>();
        java.util.regex.Matcher matcher = ISSUED_LINE.matcher(text);
        while (matcher.find()) {
            counts.merge(matcher.group(1), 1, Integer::sum);
        }
        return counts;
    }

    /** How many requests were counted once, twice, ... */
    private static Map<Integer, Long> histogram(Map<String, Integer> counts) {
        return new TreeMap<>(counts.values().stream()
                .collect(java.util.stream.Collectors.groupingBy(n -> n, java.util.stream.Collectors.counting())));
    }

    /** Per request (namespace/name), how many times a KubeconfigIssued Event said it was issued. */
    private static Map<String, Integer> issuedEvents(KubernetesClient client, List<String> namespaces) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String namespace : namespaces) {
            for (Event event :
                    client.v1().events().inNamespace(namespace).list().getItems()) {
                if ("KubeconfigIssued".equals(event.getReason())) {
                    // By name: the fleet's requests are never deleted and made again, and the log names no UID.
                    counts.merge(
                            namespace + "/" + event.getInvolvedObject().getName(),
                            event.getCount() == null ? 1 : event.getCount(),
                            Integer::sum);
                }
            }
        }
        return counts;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
