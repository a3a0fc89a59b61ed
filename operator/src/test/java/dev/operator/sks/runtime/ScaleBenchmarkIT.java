package dev.operator.sks.runtime;

import static dev.operator.sks.testing.OperatorProcesses.binariesWithServiceRange;
import static dev.operator.sks.testing.OperatorProcesses.cpuTicks;
import static dev.operator.sks.testing.OperatorProcesses.freePort;
import static dev.operator.sks.testing.OperatorProcesses.heapUsedKiB;
import static dev.operator.sks.testing.OperatorProcesses.javaBinary;
import static dev.operator.sks.testing.OperatorProcesses.jcmd;
import static dev.operator.sks.testing.OperatorProcesses.rssKiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.pki.TestBinaries;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (opt-in, {@code -Dbenchmark=true}): N starter SKSClusters ({@code -Dclusters=}, default 100;
 * {@code cni: none}, ClusterIP exposure) applied at once to an API server of its own, with the packaged jar in a JVM
 * of its own as a user runs it. Waits until every cluster has all its objects (their creates counted in the audit log,
 * then checked with a list of each kind), then prints the time to converge, the operator's heap after a full GC
 * ({@code jcmd}), its RSS, the threads it started, its CPU and that of the API server, etcd and this JVM while
 * converging, its CPU over 60 idle seconds after, its reconciliations while idle, and the API requests it made by verb
 * and resource, counted from the API server's audit log by user agent (the operator's client is the only fabric8 client with the default user agent; this
 * benchmark's own client and kubectl are not counted). With {@code -Dbaseline=true} (default) it then creates the same
 * objects once more with one sequential {@code kubectl create}, the floor the operator is compared with.
 *
 * <pre>
 * mvn -B -o -DskipTests package
 * mvn -B -o -pl operator failsafe:integration-test failsafe:verify -Dit.test=ScaleBenchmarkIT -Dbenchmark=true -Dclusters=100
 * </pre>
 *
 * The operator's JVM gets the options the chart gives it ({@code javaToolOptions} in the chart's values), or
 * {@code -Doperator.jvmArgs="-Xmx512m ..."} instead (an empty value: none); another jar (to compare with an older
 * build) in {@code -Doperator.jar=}.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ScaleBenchmarkIT {
    private static final int CLUSTERS = Integer.getInteger("clusters", 100);
    private static final Duration IDLE = Duration.ofSeconds(Long.getLong("idleSeconds", 60));
    /** Header lines and classes of the heap histogram printed. */
    private static final int HISTOGRAM_LINES = 3 + 25;

    private static final Duration CONVERGE_LIMIT = Duration.ofMinutes(Long.getLong("convergeMinutes", 30));
    private static final String USER_AGENT = "sks-scale-benchmark";
    /** fabric8's default user agent: the operator's client is the only one that keeps it. */
    private static final String OPERATOR_AGENT = "fabric8-kubernetes-client/";

    private static final String THREADS_STARTED = "jvm_threads_started_threads_total";
    private static final String RECONCILIATIONS = "operator_sdk_reconciliations_started_total";
    /**
     * What one starter cluster ({@code cni: none}, ClusterIP) owns in the management cluster today, by kind: 12 PKI
     * Secrets and 4 kubeconfig Secrets; the CA bundle and etcd scripts ConfigMaps; the API server, etcd client and
     * etcd peer Services; etcd; API server, controller-manager and scheduler (no budgets on a starter).
     */
    private static final Map<Class<? extends HasMetadata>, Integer> OWNED =
            Map.of(Secret.class, 16, ConfigMap.class, 2, Service.class, 3, StatefulSet.class, 1, Deployment.class, 3);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void clustersAppliedAtOnceConverge() throws Exception {
        Path jar = Path.of(System.getProperty(
                "operator.jar",
                RepoPaths.root().resolve("operator/target/sks-operator.jar").toString()));
        assertThat(jar).as("run mvn package first").exists();
        Path dir = Files.createTempDirectory("scale-benchmark");
        Path policy = dir.resolve("audit-policy.yaml");
        // One line per request: metadata only, the response's stage (a watch's when it starts).
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
        Path log = dir.resolve("operator.log");
        Process process = null;
        try (KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config).build()) {
            ApiServerSupport.installCrds(client);
            String namespace = ApiServerSupport.newNamespace(client, "scale");
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(javaBinary()));
            String jvmArgs =
                    System.getProperty("operator.jvmArgs", chartJavaOptions()).trim();
            if (!jvmArgs.isEmpty()) {
                command.addAll(List.of(jvmArgs.split("\\s+")));
            }
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("KUBECONFIG", kubeconfigFile.toString());
            builder.environment().put("SKS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("SKS_AUTOSCALER_GRPC_PORT", "-1");
            process = builder.start();
            long pid = process.pid();
            String base = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> status(base + "/readyz") == 200);

            long auditAtStart = Files.size(audit);
            CreatedObjects counted = new CreatedObjects(audit, auditAtStart, namespace);
            long cpuAtStart = cpuTicks(pid);
            double threadsAtStart = counter(body(base + "/metrics"), THREADS_STARTED);
            Map<String, Long> othersAtStart = othersCpuTicks();
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            for (int i = 0; i < CLUSTERS; i++) {
                String yaml = cluster("scale-" + i);
                pool.submit(() -> client.resource((HasMetadata)
                                client.getKubernetesSerialization().unmarshal(yaml))
                        .inNamespace(namespace)
                        .create());
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.MINUTES)).isTrue();
            double applied = (System.nanoTime() - start) / 1e9;
            await().atMost(CONVERGE_LIMIT)
                    .pollInterval(Duration.ofMillis(250))
                    .conditionEvaluationListener(condition -> {
                        if (condition.getElapsedTimeInMS() % 30_000 < 250) {
                            System.out.println("scale benchmark: waiting, " + counted);
                        }
                    })
                    .until(counted::all);
            double converged = (System.nanoTime() - start) / 1e9;
            long cpuConverging = cpuTicks(pid) - cpuAtStart;
            double threadsConverging = counter(body(base + "/metrics"), THREADS_STARTED) - threadsAtStart;
            Map<String, Long> othersConverging = othersCpuTicks();
            othersConverging.replaceAll((name, ticks) -> ticks - othersAtStart.getOrDefault(name, 0L));
            long auditAtConverged = Files.size(audit);
            System.out.println("scale benchmark: converged, " + counted);
            // What the audit log told is what the API server holds: every object there, none twice.
            for (Class<? extends HasMetadata> kind : OWNED.keySet()) {
                assertThat(client.resources(kind)
                                .inNamespace(namespace)
                                .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                                .list()
                                .getItems())
                        .as(kind.getSimpleName())
                        .hasSize(CLUSTERS * OWNED.get(kind));
            }

            // Idle: nothing is left to do. Whatever CPU and requests it spends now is waste.
            long idleCpuStart = cpuTicks(pid);
            double reconcilesBefore = counter(body(base + "/metrics"), RECONCILIATIONS);
            Thread.sleep(IDLE.toMillis());
            long idleCpu = cpuTicks(pid) - idleCpuStart;
            double idleReconciles = counter(body(base + "/metrics"), RECONCILIATIONS) - reconcilesBefore;
            long auditAtIdleEnd = Files.size(audit);

            String heapInfo = jcmd(pid, "GC.run") + jcmd(pid, "GC.heap_info");
            // What the heap holds, for the next round of trimming: the largest classes after that full GC.
            String histogram = jcmd(pid, "GC.class_histogram")
                    .lines()
                    .limit(HISTOGRAM_LINES)
                    .collect(Collectors.joining("\n    ", "    ", "\n"));
            long heapKiB = heapUsedKiB(heapInfo);
            long rssKiB = rssKiB(pid);

            Map<String, Integer> converging = operatorRequests(audit, auditAtStart, auditAtConverged);
            Map<String, Integer> idle = operatorRequests(audit, auditAtConverged, auditAtIdleEnd);
            int ownedPerCluster =
                    OWNED.values().stream().mapToInt(Integer::intValue).sum();
            int convergingTotal = total(converging);
            StringBuilder out = new StringBuilder();
            out.append("BENCHMARK scale: %d SKSClusters applied at once (in %.1f s)%n".formatted(CLUSTERS, applied));
            out.append(
                    "  converged (every cluster has its %d objects): %.1f s%n".formatted(ownedPerCluster, converged));
            out.append("  operator CPU while converging: %.1f s%n".formatted(cpuConverging / 100.0));
            out.append("  operator threads started while converging: %.0f%n".formatted(threadsConverging));
            out.append("  the others' CPU while converging, on the same cores: %s%n"
                    .formatted(othersConverging.entrySet().stream()
                            .map(e -> "%s %.1f s".formatted(e.getKey(), e.getValue() / 100.0))
                            .collect(Collectors.joining(", "))));
            out.append("  operator heap after full GC: %.1f MiB (%.0f KiB per cluster)%n"
                    .formatted(heapKiB / 1024.0, (double) heapKiB / CLUSTERS));
            out.append("  operator RSS: %.1f MiB%n".formatted(rssKiB / 1024.0));
            out.append("  largest classes on the heap after that GC:%n".formatted())
                    .append(histogram);
            out.append("  operator CPU over %d idle seconds: %.2f s; reconciliations then: %.0f%n"
                    .formatted(IDLE.toSeconds(), idleCpu / 100.0, idleReconciles));
            out.append("  operator API requests while converging: %d (%.1f per cluster; %d objects owned each)%n"
                    .formatted(convergingTotal, (double) convergingTotal / CLUSTERS, ownedPerCluster));
            out.append("    by verb: %s%n".formatted(byVerb(converging)));
            out.append("    by verb and resource: %s%n".formatted(converging));
            out.append("  operator API requests while idle: %d, %s%n".formatted(total(idle), idle));
            System.out.print(out);
            if (Boolean.parseBoolean(System.getProperty("baseline", "true"))) {
                String baseline = "  one sequential kubectl create of the same %d objects: %.1f s%n"
                        .formatted(CLUSTERS * ownedPerCluster, kubectlBaseline(client, namespace, kubeconfigFile, dir));
                System.out.print(baseline);
                out.append(baseline);
            }
            Files.writeString(RepoPaths.root().resolve("operator/target/scale-benchmark-" + CLUSTERS + ".txt"), out);
        } finally {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            server.stop();
            System.out.println("scale benchmark: operator log and audit log in " + dir);
        }
    }

    static String cluster(String name) {
        return """
            apiVersion: sks.operator.dev/v1alpha1
            kind: SKSCluster
            metadata: {name: %s}
            spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
            """.formatted(name);
    }

    /**
     * The operator's objects in the benchmark's namespace, counted as the audit log tells their creates (201) and
     * deletes, read on from where it was. Counting there, rather than with informers of this JVM, keeps the benchmark
     * from adding a second watcher of every Secret and a deserializer of each to the CPU the operator is measured on:
     * that was 38 CPU-s of 455 at 1,000 clusters.
     */
    private final class CreatedObjects {
        private final Path audit;
        private final String namespace;
        private final Map<String, Integer> byResource = new TreeMap<>();
        private long offset;

        CreatedObjects(Path audit, long offset, String namespace) {
            this.audit = audit;
            this.offset = offset;
            this.namespace = namespace;
            OWNED.keySet().forEach(kind -> byResource.put(HasMetadata.getPlural(kind), 0));
        }

        boolean all() throws IOException {
            readOn();
            return OWNED.entrySet().stream()
                    .allMatch(e -> byResource.get(HasMetadata.getPlural(e.getKey())) >= CLUSTERS * e.getValue());
        }

        private void readOn() throws IOException {
            AuditRead read = operatorEvents(audit, offset, Files.size(audit));
            offset = read.end();
            for (JsonNode event : read.events()) {
                JsonNode ref = event.path("objectRef");
                String resource = ref.path("resource").asText();
                if (!byResource.containsKey(resource)
                        || ref.hasNonNull("subresource")
                        || !namespace.equals(ref.path("namespace").asText())
                        || !"ResponseComplete".equals(event.path("stage").asText())) {
                    continue;
                }
                int code = event.path("responseStatus").path("code").asInt();
                switch (event.path("verb").asText()) {
                    case "create" -> byResource.merge(resource, code == 201 ? 1 : 0, Integer::sum);
                    case "delete" -> byResource.merge(resource, code == 200 || code == 202 ? -1 : 0, Integer::sum);
                    default -> {}
                }
            }
        }

        @Override
        public String toString() {
            return OWNED.entrySet().stream()
                    .map(e -> e.getKey().getSimpleName() + " " + byResource.get(HasMetadata.getPlural(e.getKey())) + "/"
                            + CLUSTERS * e.getValue())
                    .collect(Collectors.joining(", "));
        }
    }

    /**
     * The operator's requests between two offsets of the audit log, by "verb resource[/subresource]". A request counts
     * once: at ResponseComplete, or at ResponseStarted for a watch (which completes only when it ends).
     */
    private Map<String, Integer> operatorRequests(Path audit, long from, long to) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (JsonNode event : operatorEvents(audit, from, to).events()) {
            String verb = event.path("verb").asText();
            String stage = event.path("stage").asText();
            boolean once = "watch".equals(verb) ? "ResponseStarted".equals(stage) : "ResponseComplete".equals(stage);
            if (!once) {
                continue;
            }
            JsonNode ref = event.path("objectRef");
            String resource =
                    ref.path("resource").asText(event.path("requestURI").asText());
            if (ref.hasNonNull("subresource")) {
                resource += "/" + ref.path("subresource").asText();
            }
            counts.merge(verb + " " + resource, 1, Integer::sum);
        }
        return counts;
    }

    /** The operator's audit events in the whole lines between two offsets, and the offset after the last of them. */
    private record AuditRead(List<JsonNode> events, long end) {}

    private AuditRead operatorEvents(Path audit, long from, long to) throws IOException {
        if (to <= from) {
            return new AuditRead(List.of(), from);
        }
        byte[] bytes = new byte[(int) (to - from)];
        try (RandomAccessFile file = new RandomAccessFile(audit.toFile(), "r")) {
            file.seek(from);
            file.readFully(bytes);
        }
        // Only whole lines: the last may still be being written.
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        List<JsonNode> events = new ArrayList<>();
        for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
            if (line.contains(OPERATOR_AGENT)) {
                JsonNode event = json.readTree(line);
                if (event.path("userAgent").asText().startsWith(OPERATOR_AGENT)) {
                    events.add(event);
                }
            }
        }
        return new AuditRead(events, from + end);
    }

    private static Map<String, Integer> byVerb(Map<String, Integer> requests) {
        Map<String, Integer> verbs = new TreeMap<>();
        requests.forEach((key, count) -> verbs.merge(key.substring(0, key.indexOf(' ')), count, Integer::sum));
        return verbs;
    }

    private static int total(Map<String, Integer> requests) {
        return requests.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The same objects, stripped of what the server sets, made again by one kubectl create in a fresh namespace. */
    private static double kubectlBaseline(KubernetesClient client, String namespace, Path kubeconfig, Path dir)
            throws Exception {
        KubernetesListBuilder list = new KubernetesListBuilder();
        for (Class<? extends HasMetadata> kind : OWNED.keySet()) {
            for (HasMetadata object : client.resources(kind)
                    .inNamespace(namespace)
                    .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                    .list()
                    .getItems()) {
                ObjectMeta was = object.getMetadata();
                object.setMetadata(new ObjectMetaBuilder()
                        .withName(was.getName())
                        .withLabels(was.getLabels())
                        .withAnnotations(was.getAnnotations())
                        .build());
                if (object instanceof Service service) {
                    if (!"None".equals(service.getSpec().getClusterIP())) {
                        service.getSpec().setClusterIP(null);
                        service.getSpec().setClusterIPs(null);
                    }
                    service.setStatus(null);
                } else if (object instanceof Deployment deployment) {
                    deployment.setStatus(null);
                } else if (object instanceof StatefulSet statefulSet) {
                    statefulSet.setStatus(null);
                }
                list.addToItems(object);
            }
        }
        Path objects = dir.resolve("baseline.yaml");
        Files.writeString(objects, client.getKubernetesSerialization().asYaml(list.build()));
        String target = ApiServerSupport.newNamespace(client, "baseline");
        Path kubectl = TestBinaries.require("kubectl");
        long start = System.nanoTime();
        Process create = new ProcessBuilder(
                        kubectl.toString(),
                        "--kubeconfig",
                        kubeconfig.toString(),
                        "create",
                        "-n",
                        target,
                        "-f",
                        objects.toString(),
                        "-o",
                        "name")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("baseline.out").toFile())
                .start();
        assertThat(create.waitFor(30, TimeUnit.MINUTES)).isTrue();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(create.exitValue())
                .as(Files.readString(dir.resolve("baseline.out")))
                .isZero();
        return seconds;
    }

    /**
     * CPU ticks of what shares the machine with the operator: the API server and etcd this test started, and this
     * JVM (the applying client and the informers that count the objects).
     */
    private static Map<String, Long> othersCpuTicks() throws IOException {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (String name : List.of("kube-apiserver", "etcd")) {
            long sum = 0;
            for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
                if (child.info()
                        .command()
                        .map(c -> Path.of(c).getFileName().toString().equals(name))
                        .orElse(false)) {
                    sum += cpuTicks(child.pid());
                }
            }
            ticks.put(name, sum);
        }
        ticks.put("this benchmark's JVM", cpuTicks(ProcessHandle.current().pid()));
        return ticks;
    }

    /**
     * The sum of a counter's series in a Prometheus text exposition: {@link #THREADS_STARTED} (Micrometer's JVM thread
     * metrics) or {@link #RECONCILIATIONS} (JOSDK's, all controllers).
     */
    private static double counter(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private int status(String url) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String body(String url) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The JVM options the chart runs the operator with, so the benchmark measures what is deployed. */
    static String chartJavaOptions() throws IOException {
        Matcher options = Pattern.compile("(?m)^\\s*javaToolOptions:\\s*\"([^\"]*)\"")
                .matcher(Files.readString(RepoPaths.root().resolve("helm/sks-operator/values.yaml")));
        if (!options.find()) {
            throw new IllegalStateException("the chart's values.yaml sets no javaToolOptions");
        }
        return options.group(1);
    }
}
