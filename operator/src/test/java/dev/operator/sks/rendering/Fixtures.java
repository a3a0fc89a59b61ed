package dev.operator.sks.rendering;

import dev.operator.sks.api.ControlPlaneSpec;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A cluster as the reconciler would read it, and helpers to look into rendered pods. */
public final class Fixtures {
    static final String NAME = "demo";
    static final String NAMESPACE = "tenant-a";
    static final String UID = "3f0c1a52-9d3e-4a51-8f0e-2b6f4f7b1c11";
    static final VersionCatalog CATALOG = VersionCatalog.loadDefault();
    static final KubernetesVersion V1_32 = KubernetesVersion.of("1.32.8");
    public static final KubernetesVersion V1_33 = KubernetesVersion.of("1.33.4");
    static final KubernetesVersion V1_34 = KubernetesVersion.of("1.34.1");

    private Fixtures() {}

    public static SKSCluster cluster(Level level) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName(NAME)
                .withNamespace(NAMESPACE)
                .withUid(UID)
                .withGeneration(1L)
                .build());
        SKSClusterSpec spec = new SKSClusterSpec();
        spec.zone = "ch-gva-2";
        spec.level = level;
        spec.version = "1.33";
        cluster.setSpec(spec);
        return cluster;
    }

    static SKSCluster starter() {
        return cluster(Level.STARTER);
    }

    static SKSCluster pro() {
        return cluster(Level.PRO);
    }

    static ControlPlaneSpec controlPlane(SKSCluster cluster) {
        if (cluster.getSpec().controlPlane == null) {
            cluster.getSpec().controlPlane = new ControlPlaneSpec();
        }
        return cluster.getSpec().controlPlane;
    }

    static ControlPlaneInputs inputs(SKSCluster cluster) {
        return inputs(cluster, V1_33);
    }

    /** The cluster's model as the reconciler builds it, from the cluster as it is now. */
    public static ClusterModel model(SKSCluster cluster) {
        return ClusterModel.from(cluster, CATALOG);
    }

    static ControlPlaneInputs inputs(SKSCluster cluster, KubernetesVersion version) {
        return new ControlPlaneInputs(
                model(cluster),
                version,
                Optional.of("203.0.113.10"),
                Map.of("demo-apiserver", "a1", "demo-etcd-server", "e1"));
    }

    /** With these certificate Secret hashes and no endpoint yet. */
    static ControlPlaneInputs inputs(SKSCluster cluster, Map<String, String> certificateHashes) {
        return new ControlPlaneInputs(model(cluster), V1_33, Optional.empty(), certificateHashes);
    }

    /** Values of a flag in an argument list, in order ("--name=value" may repeat). */
    static List<String> flag(List<String> args, String name) {
        List<String> values = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--" + name + "=")) {
                values.add(arg.substring(name.length() + 3));
            }
        }
        return values;
    }

    static String single(List<String> args, String name) {
        List<String> values = flag(args, name);
        if (values.size() != 1) {
            throw new AssertionError("expected --" + name + " once in " + args + ", found " + values.size());
        }
        return values.get(0);
    }

    static Volume volume(List<Volume> volumes, String name) {
        return volumes.stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
