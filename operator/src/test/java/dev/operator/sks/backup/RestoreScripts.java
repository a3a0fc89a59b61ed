package dev.operator.sks.backup;

import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.etcd.LocalEtcd;
import dev.operator.sks.pki.TestBinaries;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.ControlPlaneInputs;
import dev.operator.sks.rendering.EtcdRenderer;
import dev.operator.sks.rendering.EtcdRestoreRenderer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the restore init container's rendered script on this machine, for one local etcd member. */
final class RestoreScripts {
    record Run(int exitCode, String output) {}

    private RestoreScripts() {}

    /**
     * The script rendered for a starter cluster, made to run here: the volume's path for /var/lib/etcd, host tools
     * for busybox's, etcdctl 3.4 for etcdutl, and the local member's peer URL for the one the cluster's DNS knows.
     */
    static String local(LocalEtcd.Member member, Path volume) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("restored")
                .withNamespace("team-a")
                .withUid("uid")
                .withGeneration(1L)
                .build());
        SKSClusterSpec spec = new SKSClusterSpec();
        spec.zone = "ch-gva-2";
        spec.level = Level.STARTER;
        spec.version = "1.33";
        cluster.setSpec(spec);
        ControlPlaneInputs inputs = new ControlPlaneInputs(
                ClusterModel.from(cluster, VersionCatalog.loadDefault()),
                KubernetesVersion.of("1.33.4"),
                Optional.empty(),
                Map.of());
        StatefulSet etcd = EtcdRenderer.statefulSet(inputs);
        EtcdRestoreRenderer.addTo(etcd, inputs);
        String script = etcd.getSpec()
                .getTemplate()
                .getSpec()
                .getInitContainers()
                .get(1)
                .getCommand()
                .get(3);
        return script.replace("/var/lib/etcd", volume.toString())
                .replace("B=/restore-tools/busybox", "B=")
                .replace("etcdutl ", TestBinaries.require("etcdctl") + " ")
                .replace(
                        "$POD_NAME.restored-etcd-peer.team-a.svc:2380",
                        member.peerUrl().replace("https://", ""))
                .replace(EtcdRenderer.initialCluster(inputs), member.initialClusterEntry());
    }

    static Run run(String script, LocalEtcd.Member member, String url, String sha256) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
        builder.environment().keySet().removeIf(v -> v.startsWith("ETCD"));
        builder.environment().put("ETCDCTL_API", "3");
        builder.environment().put("POD_NAME", member.name);
        builder.environment().put("RESTORE_URL", url);
        builder.environment().put("RESTORE_SHA256", sha256);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the restore script did not finish: " + output);
        }
        return new Run(process.exitValue(), output);
    }
}
