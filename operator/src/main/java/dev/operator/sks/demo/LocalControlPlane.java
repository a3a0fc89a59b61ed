package dev.operator.sks.demo;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.demo.LocalProcessPlan.FlagNote;
import dev.operator.sks.demo.LocalProcessPlan.LocalMount;
import dev.operator.sks.demo.LocalProcessPlan.LocalProcess;
import dev.operator.sks.demo.LocalProcessPlan.Loopback;
import dev.operator.sks.demo.LocalProcessPlan.Role;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The demo's stand-in for the management cluster's kubelet: reads a cluster's rendered etcd StatefulSet and control
 * plane Deployments and the Secrets they mount from the management API server, writes those Secrets as files in a
 * temp directory, and runs etcd, kube-apiserver, kube-controller-manager and kube-scheduler as child processes on
 * loopback with the rendered flags ({@link LocalProcessPlan} says what differs and why). konnectivity-server is not
 * run. Once started, the processes run as they were rendered then: a later re-render (an upgrade, a re-issued
 * certificate) is not followed.
 */
public final class LocalControlPlane implements AutoCloseable {
    static final Duration RENDERED_TIMEOUT = Duration.ofMinutes(3);
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final int LOG_TAIL_LINES = 20;

    private record Running(Role role, Process process, Path log) {}

    private final Path directory;
    private final Path logs;
    private static final int MAX_RESTARTS = 5;
    private final List<Running> running = new ArrayList<>();
    private volatile Thread supervisor;

    private LocalControlPlane(Path directory) {
        this.directory = directory;
        this.logs = directory.resolve("logs");
    }

    /** Free loopback ports for every listener, and a new temp directory. */
    public static Loopback loopback() throws IOException {
        Path directory = Files.createTempDirectory(
                "sks-demo-tenant-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        int[] ports = freePorts(6);
        return new Loopback(directory, ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]);
    }

    /**
     * The directory of the binaries fabric8 kube-api-test runs the embedded API server with (the newest version under
     * {@code KUBE_API_TEST_DIR} or {@code ~/.kubeapitest}, {@code k8s/<version>}), where {@code etcd} and
     * {@code kube-apiserver} are.
     */
    public static Optional<Path> binaries() {
        String configured = System.getenv("KUBE_API_TEST_DIR");
        Path root = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".kubeapitest");
        Path k8s = root.resolve("k8s");
        if (!Files.isDirectory(k8s)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(k8s)) {
            return versions.filter(v -> Files.isExecutable(v.resolve(Role.ETCD.binary()))
                            && Files.isExecutable(v.resolve(Role.KUBE_APISERVER.binary())))
                    .max(Comparator.comparing(LocalControlPlane::versionKey));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Waits for the cluster's rendered control plane and the Secrets it mounts, then runs it, and waits until the API
     * server answers with the cluster's admin kubeconfig. Empty, with the failed process's log tail printed, when it
     * does not come up: the demo then carries on with its stand-in alone.
     */
    public static Optional<LocalControlPlane> start(
            KubernetesClient management,
            String namespace,
            String cluster,
            Loopback loopback,
            Path binaries,
            java.util.function.Supplier<String> clusterVersion,
            PrintStream out)
            throws InterruptedException {
        LocalControlPlane plane = new LocalControlPlane(loopback.directory());
        try {
            Files.createDirectories(plane.logs);
            Map<Role, PodSpec> pods = awaitRendered(management, namespace, cluster, binaries);
            Map<Role, LocalProcess> plans = new LinkedHashMap<>();
            Map<Role, String> versions = new LinkedHashMap<>();
            for (var entry : pods.entrySet()) {
                Role role = entry.getKey();
                Path binary = binaries.resolve(role.binary());
                String podName = role == Role.ETCD ? Names.etcdMember(cluster, 0) : role.binary();
                plans.put(
                        role, LocalProcessPlan.plan(role, entry.getValue(), podName, loopback, BinaryFlags.of(binary)));
                versions.put(role, BinaryFlags.version(binary));
            }
            SKSCluster owner = cluster(management, namespace, cluster);
            for (LocalProcess plan : plans.values()) {
                plane.writeMounts(management, namespace, owner, plan, loopback);
            }
            printPlan(out, plans, versions, binaries, clusterVersion.get(), loopback, plane.logs);
            plane.launch(binaries, plans.get(Role.ETCD));
            plane.launch(binaries, plans.get(Role.KUBE_APISERVER));
            plane.awaitApiserver(management, namespace, cluster, loopback);
            List<LocalProcess> restartable = new ArrayList<>();
            for (Role role : List.of(Role.KUBE_CONTROLLER_MANAGER, Role.KUBE_SCHEDULER)) {
                if (plans.containsKey(role)) {
                    plane.launch(binaries, plans.get(role));
                    restartable.add(plans.get(role));
                }
            }
            plane.supervise(binaries, restartable, out);
            out.println("sks-operator demo: the tenant API server answers at " + loopback.apiserverUrl());
            return Optional.of(plane);
        } catch (IOException | RuntimeException e) {
            // An IOException here is ours; anything else could quote a kubeconfig, so only its type is told.
            String why =
                    e instanceof IOException ? e.getMessage() : e.getClass().getSimpleName();
            out.println("sks-operator demo: the tenant's control plane did not come up (" + why
                    + "); carrying on with the stand-in alone" + plane.logTails());
            plane.close();
            return Optional.empty();
        } catch (InterruptedException stopped) {
            plane.close();
            throw stopped;
        }
    }

    /**
     * Runs only kube-controller-manager and kube-scheduler as rendered for {@code cluster}, against a tenant API server
     * already serving at {@link Loopback#apiserverUrl()} (a test's), with {@code overrides} (per role, flag to value)
     * replacing or adding flags. The kubeconfigs they mount are pointed at that URL; the processes are restarted when
     * they exit, as for the demo. Waits until the API server answers {@code /readyz} with the admin kubeconfig, since
     * kube-controller-manager 1.20 exits at start without the bootstrap RBAC.
     *
     * @throws IOException when the rendered Deployments or their Secrets do not come, a binary is missing, or the API
     *     server does not answer
     */
    public static LocalControlPlane startControllers(
            KubernetesClient management,
            String namespace,
            String cluster,
            Loopback loopback,
            Path binaries,
            Map<Role, Map<String, String>> overrides,
            PrintStream out)
            throws IOException, InterruptedException {
        LocalControlPlane plane = new LocalControlPlane(loopback.directory());
        try {
            Files.createDirectories(plane.logs);
            Map<Role, PodSpec> pods = awaitRendered(management, namespace, cluster, binaries);
            SKSCluster owner = cluster(management, namespace, cluster);
            List<LocalProcess> plans = new ArrayList<>();
            for (Role role : List.of(Role.KUBE_CONTROLLER_MANAGER, Role.KUBE_SCHEDULER)) {
                if (!pods.containsKey(role)) {
                    throw new IOException(role.binary() + " is not in " + binaries);
                }
                LocalProcess plan = LocalProcessPlan.plan(
                                role,
                                pods.get(role),
                                role.binary(),
                                loopback,
                                BinaryFlags.of(binaries.resolve(role.binary())))
                        .withFlags(overrides.getOrDefault(role, Map.of()), "asked for by the caller");
                plane.writeMounts(management, namespace, owner, plan, loopback);
                plans.add(plan);
            }
            plane.awaitApiserver(management, namespace, cluster, loopback);
            for (LocalProcess plan : plans) {
                plane.launch(binaries, plan);
            }
            plane.supervise(binaries, plans, out);
            return plane;
        } catch (IOException | RuntimeException | InterruptedException e) {
            plane.close();
            throw e;
        }
    }

    /** Which processes exited, with their log tails; empty when all run. */
    public synchronized String exited() {
        StringBuilder text = new StringBuilder();
        for (Running r : running) {
            if (!r.process().isAlive()) {
                text.append(describeExit(r));
            }
        }
        return text.toString();
    }

    private static Map<Role, PodSpec> awaitRendered(
            KubernetesClient management, String namespace, String cluster, Path binaries)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + RENDERED_TIMEOUT.toNanos();
        while (true) {
            Map<Role, PodSpec> pods = new LinkedHashMap<>();
            SKSCluster owner = cluster(management, namespace, cluster);
            StatefulSet etcd = owned(
                    owner,
                    management
                            .apps()
                            .statefulSets()
                            .inNamespace(namespace)
                            .withName(Names.etcdStatefulSet(cluster))
                            .get());
            Deployment apiserver = owned(owner, deployment(management, namespace, Names.apiserverDeployment(cluster)));
            Deployment controllerManager =
                    owned(owner, deployment(management, namespace, Names.controllerManagerDeployment(cluster)));
            Deployment scheduler = owned(owner, deployment(management, namespace, Names.schedulerDeployment(cluster)));
            if (etcd != null && apiserver != null && controllerManager != null && scheduler != null) {
                pods.put(Role.ETCD, etcd.getSpec().getTemplate().getSpec());
                pods.put(Role.KUBE_APISERVER, apiserver.getSpec().getTemplate().getSpec());
                // Where ../shared/envtest/install.sh laid them out next to kube-apiserver.
                if (Files.isExecutable(binaries.resolve(Role.KUBE_CONTROLLER_MANAGER.binary()))) {
                    pods.put(
                            Role.KUBE_CONTROLLER_MANAGER,
                            controllerManager.getSpec().getTemplate().getSpec());
                }
                if (Files.isExecutable(binaries.resolve(Role.KUBE_SCHEDULER.binary()))) {
                    pods.put(
                            Role.KUBE_SCHEDULER,
                            scheduler.getSpec().getTemplate().getSpec());
                }
                if (secretsExist(management, namespace, owner, pods)) {
                    return pods;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "the control plane of " + namespace + "/" + cluster + " (made by the cluster, with its"
                                + " Secrets) was not rendered within "
                                + RENDERED_TIMEOUT.toMinutes() + " min");
            }
            Thread.sleep(1000);
        }
    }

    private static Deployment deployment(KubernetesClient management, String namespace, String name) {
        return management
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static boolean secretsExist(
            KubernetesClient management, String namespace, SKSCluster owner, Map<Role, PodSpec> pods) {
        return pods.values().stream()
                .flatMap(pod -> pod.getVolumes().stream())
                .filter(v -> v.getSecret() != null)
                .allMatch(
                        v -> secret(management, namespace, owner, v.getSecret().getSecretName()) != null);
    }

    /**
     * {@code object} when the cluster made it (its controller owner reference has the cluster's UID), else null: a
     * same-named object someone else made is never run or read, as the operator never uses one.
     */
    private static <T extends HasMetadata> T owned(SKSCluster owner, T object) {
        return owner != null && object != null && Owners.isControlledBy(object, owner) ? object : null;
    }

    private static Secret secret(KubernetesClient management, String namespace, SKSCluster owner, String name) {
        return owned(
                owner,
                management.secrets().inNamespace(namespace).withName(name).get());
    }

    private static SKSCluster cluster(KubernetesClient management, String namespace, String cluster) {
        return management
                .resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(cluster)
                .get();
    }

    private void writeMounts(
            KubernetesClient management, String namespace, SKSCluster owner, LocalProcess plan, Loopback loopback)
            throws IOException {
        for (LocalMount mount : plan.mounts()) {
            Files.createDirectories(mount.directory());
            if (mount.secret().isPresent()) {
                Secret secret =
                        secret(management, namespace, owner, mount.secret().get());
                if (secret == null || secret.getData() == null) {
                    throw new IOException("Secret " + mount.secret().get() + " is gone");
                }
                for (String key : secret.getData().keySet()) {
                    Optional<Path> file = mount.file(key);
                    if (file.isPresent()) {
                        String content = SecretData.find(secret, key).orElse("");
                        writePrivate(
                                file.get(),
                                LocalProcessPlan.isKubeconfigKey(key)
                                        ? LocalProcessPlan.pointKubeconfigAt(content, loopback.apiserverUrl())
                                        : content);
                    }
                }
            } else if (mount.configMap().isPresent()) {
                ConfigMap configMap = owned(
                        owner,
                        management
                                .configMaps()
                                .inNamespace(namespace)
                                .withName(mount.configMap().get())
                                .get());
                if (configMap != null && configMap.getData() != null) {
                    for (var entry : configMap.getData().entrySet()) {
                        Optional<Path> file = mount.file(entry.getKey());
                        if (file.isPresent()) {
                            writePrivate(file.get(), entry.getValue());
                        }
                    }
                }
            }
        }
    }

    /** Keys and kubeconfigs: readable by this user only, in a directory that is too. */
    private static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private synchronized void launch(Path binaries, LocalProcess plan) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve(plan.role().binary()).toString());
        command.addAll(plan.args());
        Path log = logs.resolve(plan.role().binary() + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        process.getOutputStream().close();
        // A restarted process replaces the one that exited.
        running.removeIf(r -> r.role() == plan.role());
        running.add(new Running(plan.role(), process, log));
    }

    /**
     * Until GET /readyz answers 200 with the cluster's admin kubeconfig: only then has the API server made its
     * bootstrap RBAC, without which kube-controller-manager 1.20 exits at start (it cannot read
     * {@code extension-apiserver-authentication}).
     */
    private void awaitApiserver(KubernetesClient management, String namespace, String cluster, Loopback loopback)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String dead = exited();
            if (!dead.isEmpty()) {
                throw new IOException("a process exited while starting");
            }
            Secret admin = secret(
                    management, namespace, cluster(management, namespace, cluster), Names.adminKubeconfig(cluster));
            Optional<String> kubeconfig =
                    admin == null ? Optional.empty() : SecretData.find(admin, Names.KUBECONFIG_KEY);
            if (kubeconfig.isPresent()) {
                Config config = Config.fromKubeconfig(
                        LocalProcessPlan.pointKubeconfigAt(kubeconfig.get(), loopback.apiserverUrl()));
                config.setRequestRetryBackoffLimit(0);
                try (KubernetesClient tenant =
                        new KubernetesClientBuilder().withConfig(config).build()) {
                    if (ready(tenant)) {
                        return;
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new IOException("the tenant API server did not answer within " + READY_TIMEOUT.toSeconds() + " s");
    }

    private static boolean ready(KubernetesClient tenant) throws InterruptedException {
        String base = tenant.getMasterUrl().toString();
        HttpClient http = tenant.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(URI.create(base.endsWith("/") ? base + "readyz" : base + "/readyz"))
                .timeout(3, TimeUnit.SECONDS)
                .build();
        try {
            return http.sendAsync(request, String.class)
                            .get(5, TimeUnit.SECONDS)
                            .code()
                    == 200;
        } catch (ExecutionException | TimeoutException notYet) {
            return false;
        }
    }

    /**
     * As the kubelet restarts a container that exits: kube-controller-manager and kube-scheduler exit when the API
     * server is briefly unavailable (say, a leader-election renewal fails), and are started again, a few times.
     */
    private void supervise(Path binaries, List<LocalProcess> plans, PrintStream out) {
        Thread thread = new Thread(
                () -> {
                    Map<Role, Integer> restarts = new LinkedHashMap<>();
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            Thread.sleep(2000);
                            for (LocalProcess plan : plans) {
                                Running current = current(plan.role());
                                int count = restarts.getOrDefault(plan.role(), 0);
                                if (current != null && !current.process().isAlive() && count < MAX_RESTARTS) {
                                    restarts.put(plan.role(), count + 1);
                                    out.println(
                                            "sks-operator demo: " + plan.role().binary() + " exited with code "
                                                    + current.process().exitValue() + ", starting it again (log "
                                                    + current.log() + ")");
                                    launch(binaries, plan);
                                }
                            }
                        }
                    } catch (InterruptedException stopped) {
                        // The demo stops.
                    } catch (IOException e) {
                        out.println("sks-operator demo: cannot restart a control-plane process ("
                                + e.getClass().getSimpleName() + ")");
                    }
                },
                "sks-demo-supervisor");
        thread.setDaemon(true);
        supervisor = thread;
        thread.start();
    }

    private synchronized Running current(Role role) {
        Running last = null;
        for (Running r : running) {
            if (r.role() == role) {
                last = r;
            }
        }
        return last;
    }

    private static void printPlan(
            PrintStream out,
            Map<Role, LocalProcess> plans,
            Map<Role, String> versions,
            Path binaries,
            String clusterVersion,
            Loopback loopback,
            Path logs) {
        StringBuilder text = new StringBuilder();
        text.append("\nsks-operator demo: running the tenant's control plane on loopback, from what the operator"
                + " rendered\n(standing in for the management cluster's kubelet):\n");
        for (LocalProcess plan : plans.values()) {
            String where = switch (plan.role()) {
                case ETCD -> "https://127.0.0.1:" + loopback.etcdClientPort();
                case KUBE_APISERVER -> loopback.apiserverUrl();
                case KUBE_CONTROLLER_MANAGER -> "https://127.0.0.1:" + loopback.controllerManagerPort();
                case KUBE_SCHEDULER -> "https://127.0.0.1:" + loopback.schedulerPort();
            };
            text.append(String.format("  %-24s %-28s %s%n", plan.role().binary(), where, versions.get(plan.role())));
        }
        text.append("  logs: ").append(logs).append('\n');
        text.append("  VERSION NOTE: these are the binaries in ")
                .append(binaries)
                .append(", not the cluster's ")
                .append(clusterVersion)
                .append(": the tenant says ")
                .append(versions.getOrDefault(Role.KUBE_APISERVER, "?"))
                .append(" when asked, and flags this version does not accept are dropped:\n");
        for (LocalProcess plan : plans.values()) {
            if (!plan.dropped().isEmpty()) {
                text.append("    ")
                        .append(plan.role().binary())
                        .append(" dropped: ")
                        .append(notes(plan.dropped()))
                        .append('\n');
            }
            if (!plan.added().isEmpty()) {
                text.append("    ")
                        .append(plan.role().binary())
                        .append(" added: ")
                        .append(notes(plan.added()))
                        .append('\n');
            }
        }
        text.append("  not run: konnectivity-server (so no egress selector; the API server reaches nothing on nodes),"
                + " and any second etcd member or replica");
        if (!plans.containsKey(Role.KUBE_CONTROLLER_MANAGER) || !plans.containsKey(Role.KUBE_SCHEDULER)) {
            text.append(", kube-controller-manager and kube-scheduler (not in ")
                    .append(binaries)
                    .append(')');
        }
        out.println(text);
    }

    private static String notes(List<FlagNote> notes) {
        Map<String, List<String>> byWhy = new LinkedHashMap<>();
        for (FlagNote note : notes) {
            byWhy.computeIfAbsent(note.why(), w -> new ArrayList<>()).add("--" + note.flag());
        }
        return byWhy.entrySet().stream()
                .map(e -> String.join(", ", e.getValue()) + " (" + e.getKey() + ")")
                .collect(Collectors.joining("; "));
    }

    private synchronized String logTails() {
        StringBuilder text = new StringBuilder();
        for (Running r : running) {
            text.append(describeExit(r));
        }
        return text.toString();
    }

    private static String describeExit(Running r) {
        String state = r.process().isAlive()
                ? "running"
                : "exited with code " + r.process().exitValue();
        StringBuilder text =
                new StringBuilder("\n--- " + r.role().binary() + " (" + state + "), " + r.log() + " ---\n");
        try {
            List<String> lines = Files.readAllLines(r.log());
            text.append(String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())));
        } catch (IOException e) {
            text.append("(no log)");
        }
        return text.toString();
    }

    /** Stops the processes (the API server before etcd) and removes the keys; the logs stay. */
    @Override
    public void close() {
        Thread watching = supervisor;
        if (watching != null) {
            watching.interrupt();
            try {
                watching.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Running> reversed;
        synchronized (this) {
            reversed = new ArrayList<>(running);
        }
        java.util.Collections.reverse(reversed);
        for (Running r : reversed) {
            r.process().destroy();
            try {
                if (!r.process().waitFor(10, TimeUnit.SECONDS)) {
                    r.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                r.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path child : files.filter(p -> !p.equals(logs)).toList()) {
                deleteTree(child);
            }
        } catch (IOException e) {
            // Left in the temp directory, readable by this user only.
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Distinct free ports: every socket stays open until all are chosen, since the system may hand out a port it just
     * got back (seen: etcd's metrics port was the API server's).
     */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** "1.9.0" would sort above "1.20.2" as text: compare the numbers. */
    private static String versionKey(Path versionDirectory) {
        StringBuilder key = new StringBuilder();
        for (String part :
                versionDirectory.getFileName().toString().split("-")[0].split("\\.")) {
            key.append(String.format(
                    "%06d", !part.isEmpty() && part.chars().allMatch(Character::isDigit) ? Integer.parseInt(part) : 0));
        }
        return key.toString();
    }
}
