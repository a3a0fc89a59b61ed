package dev.operator.sks.demo;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.backup.LocalS3;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.tenant.TenantClients;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar sks-operator.jar demo}: the whole flow with no cluster at hand. An embedded real API server
 * (fabric8 kube-api-test), the CRDs, the operator with the simulated provider, and the starter example applied,
 * with progress printed as it happens and a kubeconfig written so kubectl works from another terminal.
 */
public final class Demo {
    public static final String NAMESPACE = "demo";
    /** The cluster in {@code examples/starter-cluster.yaml}. */
    static final String CLUSTER = "demo";

    static final String ADMIN_KUBECONFIG = "sks-demo-admin.kubeconfig";
    static final List<String> CRDS = List.of("sksclusters", "nodepools", "kubeconfigrequests", "instancepools");
    private static final String EXAMPLE = "/examples/starter-cluster.yaml";

    private final PrintStream out;
    private final Path kubeconfigPath;

    public Demo(PrintStream out, Path kubeconfigPath) {
        this.out = out;
        this.kubeconfigPath = kubeconfigPath;
    }

    static final String BACKUP_BUCKET = "sks-backups";

    /**
     * S3Proxy on loopback with a filesystem bucket in a temp directory, and the operator's Secrets for it (the store's
     * key pair, and a random AES-256 key for the CA bundles) where the operator looks for them (POD_NAMESPACE, here
     * default).
     */
    private LocalS3 startObjectStore(KubernetesClient client) throws IOException {
        Path directory = Files.createTempDirectory("sks-demo-s3");
        java.security.SecureRandom random = new java.security.SecureRandom();
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        String secretKey = java.util.HexFormat.of().formatHex(secret);
        LocalS3 s3;
        try {
            s3 = LocalS3.start(directory, BACKUP_BUCKET, "sks-demo", secretKey);
        } catch (Exception e) {
            throw new IOException("cannot start the demo's object store (S3Proxy): " + e.getMessage(), e);
        }
        byte[] key = new byte[32];
        random.nextBytes(key);
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        for (var secretOf : Map.of(
                        "sks-backup-credentials",
                        Map.of(
                                "access-key-id", b64.encodeToString("sks-demo".getBytes(StandardCharsets.UTF_8)),
                                "secret-access-key", b64.encodeToString(secretKey.getBytes(StandardCharsets.UTF_8))),
                        "sks-backup-encryption",
                        Map.of("key", b64.encodeToString(key)))
                .entrySet()) {
            client.secrets()
                    .inNamespace("default")
                    .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                            .withNewMetadata()
                            .withName(secretOf.getKey())
                            .endMetadata()
                            .withData(secretOf.getValue())
                            .build())
                    .createOr(existing -> existing.update());
        }
        out.println("sks-operator demo: etcd backups go to S3Proxy at " + s3.endpoint() + " (bucket " + BACKUP_BUCKET
                + ", files under " + directory + "); back the demo cluster up with\n"
                + "  kubectl --kubeconfig " + kubeconfigPath + " -n " + NAMESPACE + " patch skc " + CLUSTER
                + " --type merge -p '{\"spec\":{\"backup\":{}}}'\n"
                + "  kubectl --kubeconfig " + kubeconfigPath + " -n " + NAMESPACE + " annotate skc " + CLUSTER
                + " sks.operator.dev/backup-now=1   # then: get skc " + CLUSTER + " -o jsonpath='{.status.backup}'");
        return s3;
    }

    /** Runs until {@code stop} counts down (Ctrl-C in the command line). */
    public void run(CountDownLatch stop) throws IOException, InterruptedException {
        long started = System.nanoTime();
        // The demo's own progress lines are the story; the frameworks' start-up chatter would bury them.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.javaoperatorsdk"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        out.println("sks-operator demo: starting an embedded Kubernetes API server (etcd + kube-apiserver)...");
        KubeAPIServer apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withUpdateKubeConfig(false)
                .build());
        apiServer.start();
        String kubeconfig = apiServer.getKubeConfigYaml();
        Files.writeString(kubeconfigPath, kubeconfig);
        Optional<Path> binaries = LocalControlPlane.binaries();
        LocalProcessPlan.Loopback loopback = LocalControlPlane.loopback();
        // The admin kubeconfig names the in-cluster Service (or the stand-in's 192.0.2.x address): the operator reaches
        // the local API server instead, as it would reach the pod in a management cluster.
        TenantClients.ServerOverride toLocalTenant = binaries.isEmpty()
                ? TenantClients.ServerOverride.NONE
                : (key, server) ->
                        key.equals(new TenantClients.ClusterKey(NAMESPACE, CLUSTER)) ? loopback.apiserverUrl() : server;
        Tenant tenant = new Tenant();
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            installCrds(client);
            // A demo left running for weeks keeps its cluster. Backups go to an S3 API server in this JVM.
            LocalS3 s3 = startObjectStore(client);
            OperatorConfig config = OperatorConfig.parse(
                    new String[] {
                        "--http-port=0",
                        "--idle-starter-deletion=PT0S",
                        "--backup-s3-endpoint=" + s3.endpoint(),
                        "--backup-s3-bucket=" + BACKUP_BUCKET
                    },
                    Map.of());
            // The operator reaches the local etcd process for backups, as it would reach member 0 in a cluster.
            TlsEtcdConnector etcd = new TlsEtcdConnector((namespace, cluster, url) ->
                    binaries.isPresent() && namespace.equals(NAMESPACE) && cluster.equals(CLUSTER)
                            ? "https://127.0.0.1:" + loopback.etcdClientPort()
                            : url);
            try (LocalS3 store = s3;
                    SksOperator operator = new SksOperator(
                            client,
                            OperatorServices.loadDefaults(config),
                            new SimpleMeterRegistry(),
                            toLocalTenant,
                            etcd);
                    ClusterStandIn kubelet = ClusterStandIn.watch(client, NAMESPACE);
                    ProgressPrinter progress = new ProgressPrinter(client, out)) {
                operator.start();
                applyExample(client);
                out.printf("""

            The operator is running. From another terminal:
              kubectl --kubeconfig %s get skc,np,kcr,ipool -n %s
              kubectl --kubeconfig %s get deploy,sts,svc,secrets -n %s

            What this demo cannot do: the embedded management API server runs no pods (there is no kubelet), so the
            demo stands in: it marks the operator's Deployments and StatefulSets available, gives the API server's
            LoadBalancer a documentation address (192.0.2.x) that routes nowhere, and (where the binaries are at hand)
            runs the tenant's etcd, kube-apiserver, kube-controller-manager and kube-scheduler itself as local processes
            with the flags and certificates the operator rendered. The simulated provider's instances are not real
            machines: they register Nodes, and no kubelet runs pods on them. Press Ctrl-C to stop.

            """, kubeconfigPath, NAMESPACE, kubeconfigPath, NAMESPACE);
                if (binaries.isPresent()) {
                    tenant.start(client, binaries.get(), loopback, started);
                } else {
                    out.println("sks-operator demo: no etcd and kube-apiserver binaries found under ~/.kubeapitest/k8s:"
                            + " the tenant is not run (only stood in for)");
                }
                stop.await();
            } finally {
                tenant.close();
            }
        } finally {
            out.println("sks-operator demo: stopping the API server");
            try {
                apiServer.stop();
            } catch (RuntimeException alreadyStopped) {
                // Ctrl-C reaches etcd and kube-apiserver too (same process group): they may be gone already.
            }
        }
    }

    /**
     * The demo cluster's control plane as local processes, and the view of its tenant; started in the background, so
     * the operator's progress keeps printing while the rendered control plane is awaited.
     */
    private final class Tenant implements AutoCloseable {
        private Thread starter;
        private volatile LocalControlPlane controlPlane;
        private volatile TenantView view;
        private volatile boolean closed;

        void start(KubernetesClient client, Path binaries, LocalProcessPlan.Loopback loopback, long started) {
            starter = new Thread(
                    () -> {
                        try {
                            Optional<LocalControlPlane> plane = LocalControlPlane.start(
                                    client, NAMESPACE, CLUSTER, loopback, binaries, () -> clusterVersion(client), out);
                            synchronized (this) {
                                if (closed) {
                                    plane.ifPresent(LocalControlPlane::close);
                                    return;
                                }
                                controlPlane = plane.orElse(null);
                                if (plane.isPresent()) {
                                    out.printf(
                                            "sks-operator demo: the tenant's control plane runs, %.1f s after the demo"
                                                    + " started%n",
                                            (System.nanoTime() - started) / 1e9);
                                    view = TenantView.start(
                                            client,
                                            NAMESPACE,
                                            adminKubeconfigPath(),
                                            loopback.apiserverUrl(),
                                            started,
                                            out);
                                }
                            }
                        } catch (InterruptedException stopped) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "sks-demo-control-plane");
            starter.setDaemon(true);
            starter.start();
        }

        private String clusterVersion(KubernetesClient client) {
            SKSCluster cluster = client.resources(SKSCluster.class)
                    .inNamespace(NAMESPACE)
                    .withName(CLUSTER)
                    .get();
            if (cluster == null) {
                return "version";
            }
            return cluster.getStatus() != null && cluster.getStatus().version != null
                    ? cluster.getStatus().version
                    : cluster.getSpec().version;
        }

        @Override
        public void close() throws InterruptedException {
            if (starter != null) {
                starter.interrupt();
                starter.join(15_000);
            }
            synchronized (this) {
                closed = true;
                if (view != null) {
                    view.close();
                }
                if (controlPlane != null) {
                    out.println("sks-operator demo: stopping the tenant's control plane");
                    controlPlane.close();
                }
            }
        }
    }

    /** Next to the management kubeconfig: {@code sks-demo-admin.kubeconfig}. */
    Path adminKubeconfigPath() {
        return kubeconfigPath.resolveSibling(ADMIN_KUBECONFIG);
    }

    private void installCrds(KubernetesClient client) throws IOException {
        for (String plural : CRDS) {
            String resource = "/META-INF/fabric8/" + plural + ".sks.operator.dev-v1.yml";
            try (InputStream in = Demo.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException(resource + " is missing from the jar");
                }
                CustomResourceDefinition crd = client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(in)
                        .item();
                client.resource(crd).createOr(NonDeletingOperation::update);
            }
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(plural + ".sks.operator.dev")
                    // A CRD seen just after its creation may have a status without conditions yet.
                    .waitUntilCondition(
                            crd -> crd.getStatus() != null
                                    && crd.getStatus().getConditions() != null
                                    && crd.getStatus().getConditions().stream()
                                            .anyMatch(c ->
                                                    "Established".equals(c.getType()) && "True".equals(c.getStatus())),
                            30,
                            java.util.concurrent.TimeUnit.SECONDS);
        }
        out.println("sks-operator demo: CRDs installed: " + String.join(", ", CRDS));
    }

    private void applyExample(KubernetesClient client) throws IOException {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NAMESPACE)
                        .endMetadata()
                        .build())
                .createOr(NonDeletingOperation::update);
        try (InputStream in = Demo.class.getResourceAsStream(EXAMPLE)) {
            if (in == null) {
                throw new IOException(EXAMPLE + " is missing from the jar");
            }
            for (HasMetadata resource : client.load(in).items()) {
                client.resource(resource).inNamespace(NAMESPACE).createOr(NonDeletingOperation::update);
                out.printf(
                        "sks-operator demo: applied %s %s/%s%n",
                        resource.getKind(), NAMESPACE, resource.getMetadata().getName());
            }
        }
    }

    /** Prints a line whenever a resource's state or conditions change. */
    private static final class ProgressPrinter implements AutoCloseable {
        private final List<Watch> watches = new ArrayList<>();
        private final Map<String, String> lastSeen = new java.util.concurrent.ConcurrentHashMap<>();
        private final PrintStream out;

        ProgressPrinter(KubernetesClient client, PrintStream out) {
            this.out = out;
            watches.add(client.resources(SKSCluster.class)
                    .inNamespace(NAMESPACE)
                    .watch(new Printing<>(r -> r.getStatus() == null
                            ? "accepted"
                            : r.getStatus().state + " version=" + r.getStatus().version + " endpoint="
                                    + r.getStatus().endpoint + " "
                                    + ProgressPrinter.conditions(r.getStatus().conditions))));
            watches.add(client.resources(Nodepool.class)
                    .inNamespace(NAMESPACE)
                    .watch(new Printing<>(r -> r.getStatus() == null
                            ? "accepted"
                            : r.getStatus().state + " size=" + r.getStatus().size + " ready=" + r.getStatus().readyNodes
                                    + " " + ProgressPrinter.conditions(r.getStatus().conditions))));
            watches.add(client.resources(KubeconfigRequest.class)
                    .inNamespace(NAMESPACE)
                    .watch(new Printing<>(r -> r.getStatus() == null
                            ? "accepted"
                            : "secret=" + r.getStatus().secretName + " expires=" + r.getStatus().expirationTime + " "
                                    + ProgressPrinter.conditions(r.getStatus().conditions))));
        }

        private static String conditions(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
            StringBuilder text = new StringBuilder();
            for (var c : conditions == null ? List.<io.fabric8.kubernetes.api.model.Condition>of() : conditions) {
                text.append(c.getType()).append('=').append(c.getStatus());
                if (!"True".equals(c.getStatus()) && c.getReason() != null) {
                    text.append('(').append(c.getReason()).append(')');
                }
                text.append(' ');
            }
            return text.toString().trim();
        }

        private final class Printing<T extends HasMetadata> implements io.fabric8.kubernetes.client.Watcher<T> {
            private final java.util.function.Function<T, String> describe;

            Printing(java.util.function.Function<T, String> describe) {
                this.describe = describe;
            }

            @Override
            public void eventReceived(Action action, T resource) {
                String key = resource.getKind() + "/" + resource.getMetadata().getName();
                String line = action == Action.DELETED ? "deleted" : describe.apply(resource);
                if (!line.equals(lastSeen.put(key, line))) {
                    out.printf("%s %-32s %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), key, line);
                }
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                // Closed with the demo.
            }
        }

        @Override
        public void close() {
            watches.forEach(Watch::close);
        }
    }
}
