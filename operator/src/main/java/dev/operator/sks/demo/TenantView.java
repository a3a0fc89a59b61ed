package dev.operator.sks.demo;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.naming.Names;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a user of the demo's tenant sees: writes {@code sks-demo-admin.kubeconfig} from the {@code demo-admin}
 * KubeconfigRequest (its server pointed at the local API server), then reads the tenant with it every two seconds and
 * prints a line whenever a Node (its Ready condition and taints), an addon's DaemonSet, Deployment or LoadBalancer
 * Service, or a pod's node and phase changes, and once the time from the demo's start to the first Ready Node.
 */
final class TenantView implements AutoCloseable {
    static final String ADMIN_REQUEST = "demo-admin";
    private static final Duration POLL = Duration.ofSeconds(2);

    private final KubernetesClient management;
    private final String namespace;
    private final Path adminKubeconfig;
    private final String server;
    private final long demoStartNanos;
    private final PrintStream out;
    private final Thread thread;
    private final Map<String, String> lastSeen = new HashMap<>();
    private KubernetesClient tenant;
    private boolean firstReadyNodeSeen;

    private TenantView(
            KubernetesClient management,
            String namespace,
            Path adminKubeconfig,
            String server,
            long demoStartNanos,
            PrintStream out) {
        this.management = management;
        this.namespace = namespace;
        this.adminKubeconfig = adminKubeconfig;
        this.server = server;
        this.demoStartNanos = demoStartNanos;
        this.out = out;
        this.thread = new Thread(this::run, "sks-demo-tenant-view");
        this.thread.setDaemon(true);
    }

    static TenantView start(
            KubernetesClient management,
            String namespace,
            Path adminKubeconfig,
            String server,
            long demoStartNanos,
            PrintStream out) {
        TenantView view = new TenantView(management, namespace, adminKubeconfig, server, demoStartNanos, out);
        view.thread.start();
        return view;
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (tenant == null) {
                        writeAdminKubeconfig();
                    } else {
                        look();
                    }
                } catch (RuntimeException | IOException e) {
                    // The tenant may be briefly unavailable, the request not issued yet: the next round tries again.
                    // Only the type is printed, lest a message quote a kubeconfig.
                    report(
                            "tenant",
                            "cannot read the tenant yet (" + e.getClass().getSimpleName() + ")");
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    /** Once the request is Ready: its Secret, the one it owns, with the server pointed at loopback. */
    private void writeAdminKubeconfig() throws IOException {
        KubeconfigRequest request = management
                .resources(KubeconfigRequest.class)
                .inNamespace(namespace)
                .withName(ADMIN_REQUEST)
                .get();
        if (request == null || request.getStatus() == null || request.getStatus().secretName == null) {
            return;
        }
        Secret secret = management
                .secrets()
                .inNamespace(namespace)
                .withName(request.getStatus().secretName)
                .get();
        boolean owned = secret != null
                && secret.getMetadata().getOwnerReferences() != null
                && secret.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> Boolean.TRUE.equals(r.getController())
                                && Objects.equals(
                                        r.getUid(), request.getMetadata().getUid()));
        if (!owned) {
            return;
        }
        Optional<String> kubeconfig = SecretData.find(secret, Names.KUBECONFIG_REQUEST_KEY);
        if (kubeconfig.isEmpty()) {
            return;
        }
        String local = LocalProcessPlan.pointKubeconfigAt(kubeconfig.get(), server);
        Files.deleteIfExists(adminKubeconfig);
        Files.createFile(
                adminKubeconfig, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(adminKubeconfig, local);
        Config config = Config.fromKubeconfig(local);
        config.setRequestRetryBackoffLimit(0);
        tenant = new KubernetesClientBuilder().withConfig(config).build();
        out.printf("""

                sks-operator demo: wrote %s (KubeconfigRequest %s, server %s). From another terminal:
                  kubectl --kubeconfig %s get nodes,pods -A

                """, adminKubeconfig, ADMIN_REQUEST, server, adminKubeconfig);
    }

    private void look() {
        List<Node> nodes = tenant.nodes().list().getItems();
        for (Node node : nodes) {
            report("tenant Node/" + node.getMetadata().getName(), "Ready=" + ready(node) + " taints=" + taints(node));
        }
        if (!firstReadyNodeSeen && nodes.stream().anyMatch(n -> "True".equals(ready(n)))) {
            firstReadyNodeSeen = true;
            out.printf(
                    "sks-operator demo: FIRST READY NODE in the tenant %.1f s after the demo started"
                            + " (read with %s)%n",
                    (System.nanoTime() - demoStartNanos) / 1e9, adminKubeconfig.getFileName());
        }
        for (DaemonSet ds : tenant.apps().daemonSets().inAnyNamespace().list().getItems()) {
            var s = ds.getStatus();
            report(
                    "tenant DaemonSet/" + key(ds),
                    s == null
                            ? ""
                            : "desired=" + s.getDesiredNumberScheduled() + " scheduled="
                                    + s.getCurrentNumberScheduled());
        }
        for (Deployment d : tenant.apps().deployments().inAnyNamespace().list().getItems()) {
            var s = d.getStatus();
            report(
                    "tenant Deployment/" + key(d),
                    "replicas=" + d.getSpec().getReplicas() + " available="
                            + (s == null || s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas()));
        }
        for (Service svc : tenant.services().inAnyNamespace().list().getItems()) {
            if ("LoadBalancer".equals(svc.getSpec().getType())) {
                var ingress = svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null
                        ? List.<io.fabric8.kubernetes.api.model.LoadBalancerIngress>of()
                        : svc.getStatus().getLoadBalancer().getIngress();
                report(
                        "tenant Service/" + key(svc),
                        "LoadBalancer ingress="
                                + ingress.stream()
                                        .map(i -> i.getIp() != null ? i.getIp() : i.getHostname())
                                        .collect(Collectors.joining(",")));
            }
        }
        for (Pod pod : tenant.pods().inAnyNamespace().list().getItems()) {
            report(
                    "tenant Pod/" + key(pod),
                    "node=" + Objects.requireNonNullElse(pod.getSpec().getNodeName(), "<unscheduled>") + " phase="
                            + (pod.getStatus() == null ? "" : pod.getStatus().getPhase()));
        }
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    static String ready(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return "Unknown";
        }
        return node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus)
                .findFirst()
                .orElse("Unknown");
    }

    private static String taints(Node node) {
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                ? List.of()
                : node.getSpec().getTaints();
        return taints.isEmpty()
                ? "none"
                : taints.stream().map(t -> t.getKey() + ":" + t.getEffect()).collect(Collectors.joining(","));
    }

    private void report(String key, String line) {
        if (!line.equals(lastSeen.put(key, line))) {
            out.printf("%s %-48s %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), key, line);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (tenant != null) {
            tenant.close();
        }
    }
}
