package dev.operator.sks.testing;

import dev.operator.sks.demo.LocalControlPlane;
import dev.operator.sks.demo.LocalProcessPlan;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.TestBinaries;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.tenant.TenantClients;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real etcd and kube-apiserver started with the PKI the operator generated for one cluster (read from its
 * Secrets): proves the certificates, the client-CA bundle and the service-account keys work with the real
 * components, and lets tests authenticate with issued kubeconfigs.
 */
public final class TenantApiServer implements AutoCloseable {
    private final Path directory;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> logNames = new ArrayList<>();
    private final int apiserverPort;
    private final List<List<String>> commands = new ArrayList<>();
    private KubernetesClient management;
    private String namespace;
    private String cluster;
    private LocalControlPlane controllers;

    /**
     * kube-controller-manager flags for tests, replacing the rendered ones: the node lifecycle controller looks every
     * 2 s and finds a Node whose Lease went unrenewed for 40 s NotReady (Ready=Unknown), instead of 5 s and 40 s
     * (kept: the simulated kubelet renews every 10 s, and a busy machine may delay a renewal or two); leader election
     * is off, since one replica runs and a lost lease on a slow machine would stop every controller for a while.
     */
    public static final Map<String, String> TEST_CONTROLLER_MANAGER_FLAGS = Map.of(
            "node-monitor-period", "2s",
            "node-monitor-grace-period", "40s",
            "leader-elect", "false");

    private TenantApiServer(Path directory, int apiserverPort) {
        this.directory = directory;
        this.apiserverPort = apiserverPort;
    }

    /** Starts etcd and kube-apiserver for {@code cluster} with the certificates in its Secrets. */
    public static TenantApiServer start(KubernetesClient management, String namespace, String cluster)
            throws IOException, InterruptedException {
        return start(management, namespace, cluster, TlsTestSupport.freeLoopbackPort());
    }

    /**
     * As above, serving on {@code apiserverPort}: a test that must name the tenant's URL before the cluster's PKI
     * exists (an operator's server override) picks the port first.
     */
    public static TenantApiServer start(
            KubernetesClient management, String namespace, String cluster, int apiserverPort)
            throws IOException, InterruptedException {
        try {
            return startOnce(management, namespace, cluster, apiserverPort);
        } catch (ProcessExited first) {
            // Seen once in a full build: kube-apiserver gone right after parsing its flags, with nothing logged. A
            // second
            // start (new directory, new etcd ports) tells a passing accident of the machine from a broken PKI or flags,
            // which fail again and are reported with both logs.
            System.err.println("tenant API server start failed, starting it once more: " + first.getMessage());
            try {
                return startOnce(management, namespace, cluster, apiserverPort);
            } catch (ProcessExited second) {
                second.addSuppressed(first);
                throw second;
            }
        }
    }

    /** A process of the tenant's control plane exited while it was starting. */
    static final class ProcessExited extends AssertionError {
        ProcessExited(String message) {
            super(message);
        }
    }

    private static TenantApiServer startOnce(
            KubernetesClient management, String namespace, String cluster, int apiserverPort)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tenant-" + cluster);
        int etcdPort = TlsTestSupport.freeLoopbackPort();
        int peerPort = TlsTestSupport.freeLoopbackPort();
        TenantApiServer server = new TenantApiServer(dir, apiserverPort);
        server.management = management;
        server.namespace = namespace;
        server.cluster = cluster;
        try {
            server.writeFiles();
            String etcdUrl = "https://127.0.0.1:" + etcdPort;
            server.launch(
                    List.of(
                            TestBinaries.require("etcd").toString(),
                            "--data-dir=" + dir.resolve("etcd-data"),
                            "--listen-client-urls=" + etcdUrl,
                            "--advertise-client-urls=" + etcdUrl,
                            "--listen-peer-urls=http://127.0.0.1:" + peerPort,
                            "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
                            "--initial-cluster=default=http://127.0.0.1:" + peerPort,
                            "--client-cert-auth=true",
                            "--trusted-ca-file=" + dir.resolve("etcd-server/ca.crt"),
                            "--cert-file=" + dir.resolve("etcd-server/tls.crt"),
                            "--key-file=" + dir.resolve("etcd-server/tls.key")),
                    "etcd.log");
            server.launch(
                    List.of(
                            TestBinaries.require("kube-apiserver").toString(),
                            "--etcd-servers=" + etcdUrl,
                            "--etcd-cafile=" + dir.resolve("etcd-client/ca.crt"),
                            "--etcd-certfile=" + dir.resolve("etcd-client/tls.crt"),
                            "--etcd-keyfile=" + dir.resolve("etcd-client/tls.key"),
                            "--bind-address=127.0.0.1",
                            "--secure-port=" + apiserverPort,
                            "--insecure-port=0",
                            "--tls-cert-file=" + dir.resolve("apiserver/tls.crt"),
                            "--tls-private-key-file=" + dir.resolve("apiserver/tls.key"),
                            "--client-ca-file=" + dir.resolve("client-ca/ca.crt"),
                            "--service-account-key-file=" + dir.resolve("sa/tls.crt"),
                            "--service-account-signing-key-file=" + dir.resolve("sa/tls.key"),
                            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                            "--service-cluster-ip-range=10.96.0.0/12",
                            "--authorization-mode=Node,RBAC",
                            // As the rendered API server runs: node agents (kube-proxy) are privileged.
                            "--allow-privileged=true",
                            "--enable-bootstrap-token-auth=true",
                            "--enable-admission-plugins=NodeRestriction",
                            "--disable-admission-plugins=ServiceAccount",
                            "--cert-dir=" + dir.resolve("cert-dir")),
                    "kube-apiserver.log");
            server.awaitReady(Duration.ofSeconds(60));
            return server;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
    }

    /**
     * Also runs the cluster's kube-controller-manager and kube-scheduler (the v1.20.2 binaries next to
     * {@code kube-apiserver}, which {@code ../shared/envtest/install.sh} lays out) against this server, as the
     * operator rendered them: the flags of its Deployments, rewritten for loopback by the demo's
     * {@link LocalProcessPlan}, with their kubeconfigs from the cluster's Secrets, plus
     * {@link #TEST_CONTROLLER_MANAGER_FLAGS}. So the tenant schedules pods, runs its Deployments, DaemonSets,
     * garbage collector and disruption controller, and marks Nodes whose heartbeats stop NotReady. Needs the
     * operator to have rendered the cluster's control plane.
     */
    public TenantApiServer withControllers(KubernetesClient management, String namespace, String cluster)
            throws IOException, InterruptedException {
        Path binaries = TestBinaries.require("kube-apiserver").getParent();
        Path own = Files.createDirectories(directory.resolve("controllers"));
        int[] ports = {TlsTestSupport.freeLoopbackPort(), TlsTestSupport.freeLoopbackPort()};
        LocalProcessPlan.Loopback loopback =
                new LocalProcessPlan.Loopback(own, 0, 0, 0, apiserverPort, ports[0], ports[1]);
        controllers = LocalControlPlane.startControllers(
                management,
                namespace,
                cluster,
                loopback,
                binaries,
                Map.of(
                        LocalProcessPlan.Role.KUBE_SCHEDULER,
                        Map.of("leader-elect", "false"),
                        LocalProcessPlan.Role.KUBE_CONTROLLER_MANAGER,
                        TEST_CONTROLLER_MANAGER_FLAGS),
                System.err);
        return this;
    }

    /** Which of the controller processes exited, with their log tails; empty when all run. */
    public String controllersExited() {
        return controllers == null ? "" : controllers.exited();
    }

    /** Writes every file again from the cluster's Secrets now, as a kubelet refreshes mounted Secrets. */
    public void writeFiles() throws IOException {
        write(management, namespace, Names.etcdServerCertificate(cluster), directory, "etcd-server");
        write(management, namespace, Names.apiserverEtcdClient(cluster), directory, "etcd-client");
        write(management, namespace, Names.apiserverCertificate(cluster), directory, "apiserver");
        write(management, namespace, Names.serviceAccountKeys(cluster), directory, "sa");
        write(management, namespace, Names.clientCaBundle(cluster), directory, "client-ca");
        write(management, namespace, Names.clusterCa(cluster), directory, "cluster-ca");
    }

    /**
     * Restarts etcd with the files as they are now (its data kept), as a rolled etcd pod starts with the Secrets of
     * its new revision; the API server keeps running meanwhile, as it does during a roll.
     */
    public void restartEtcd() throws IOException, InterruptedException {
        restart(0);
    }

    /** Restarts kube-apiserver with the files as they are now, and waits until it serves. */
    public void restartApiserver() throws IOException, InterruptedException {
        restart(1);
        awaitReady(Duration.ofSeconds(60));
    }

    private void restart(int index) throws IOException, InterruptedException {
        Process process = processes.get(index);
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        processes.set(
                index,
                new ProcessBuilder(commands.get(index))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                directory.resolve(logNames.get(index)).toFile()))
                        .start());
    }

    /** The same kubeconfig, pointed at this server (its certificate has 127.0.0.1 among its SANs). */
    public String localKubeconfig(String kubeconfigYaml) {
        return kubeconfigYaml.replaceAll("server: \"?https://[^\\s\"]+\"?", "server: \"" + url() + "\"");
    }

    public String url() {
        return url(apiserverPort);
    }

    /**
     * Where an operator is to reach the tenant API server that will serve on {@code port}: the admin kubeconfig names
     * the in-cluster Service, and tests run outside.
     */
    public static TenantClients.ServerOverride servingOn(int port) {
        return (key, kubeconfigServer) -> url(port);
    }

    private static String url(int port) {
        return "https://127.0.0.1:" + port;
    }

    /**
     * A client of this server authenticated as {@code user} in {@code groups} by a client certificate from the cluster
     * CA, as a joined kubelet ({@code system:node:NAME} in {@code system:nodes}) or a component has one.
     */
    public KubernetesClient clientAs(String user, String... groups) throws IOException {
        IssuedCertificate ca = IssuedCertificate.fromPem(
                Files.readString(directory.resolve("cluster-ca/tls.crt")),
                Files.readString(directory.resolve("cluster-ca/tls.key")));
        IssuedCertificate identity = new BouncyCastlePki(Clock.systemUTC())
                .issue(
                        CertificateRequest.builder(user)
                                .organizations(groups)
                                .clientAuth()
                                .build(),
                        ca);
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withCaCertData(base64(ca.certificatePem()))
                .withClientCertData(base64(identity.certificatePem()))
                .withClientKeyData(base64(identity.privateKeyPem()))
                .withClientKeyAlgo("EC")
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }

    private void launch(List<String> command, String logName) throws IOException {
        commands.add(List.copyOf(command));
        processes.add(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve(logName).toFile())
                .start());
        logNames.add(logName);
    }

    /** /readyz needs a client certificate here (no anonymous access); being served at all proves TLS is up. */
    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(timeout);
        String ca = Files.readString(directory.resolve("apiserver/ca.crt"));
        while (Instant.now().isBefore(deadline)) {
            for (int i = 0; i < processes.size(); i++) {
                if (!processes.get(i).isAlive()) {
                    throw new ProcessExited("the tenant process logging to " + logNames.get(i) + " exited with code "
                            + processes.get(i).exitValue() + ": " + logs());
                }
            }
            try {
                var response =
                        TlsTestSupport.get(TlsTestSupport.sslContext(null, null, ca), URI.create(url() + "/readyz"));
                if (response.statusCode() == 200 || response.statusCode() == 401 || response.statusCode() == 403) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the tenant kube-apiserver did not come up: " + logs());
    }

    private String logs() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String log : List.of("etcd.log", "kube-apiserver.log")) {
            Path file = directory.resolve(log);
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                text.append("\n--- ")
                        .append(log)
                        .append(" ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        }
        return text.toString();
    }

    private static void write(KubernetesClient client, String namespace, String secretName, Path dir, String subdir)
            throws IOException {
        Secret secret =
                client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            throw new AssertionError("Secret " + secretName + " does not exist");
        }
        Path target = Files.createDirectories(dir.resolve(subdir));
        for (var entry : secret.getData().entrySet()) {
            Files.writeString(
                    target.resolve(entry.getKey()),
                    new String(Base64.getDecoder().decode(entry.getValue()), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        if (controllers != null) {
            controllers.close();
        }
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
