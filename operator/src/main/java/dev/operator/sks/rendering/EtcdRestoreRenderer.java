package dev.operator.sks.rendering;

import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The init step of a cluster made from a backup: each etcd member, when its data directory is empty, downloads the
 * snapshot, checks its SHA-256 and restores it into its own data directory with its own name and the cluster's whole
 * membership, so all members start from the same data; a member that has data skips it.
 *
 * <p>The snapshot comes from a presigned URL of that one object, in a Secret the cluster owns ({@link
 * Names#etcdRestore}), read into the environment: the store's credentials never leave the operator's namespace (a pod
 * could not mount them from there anyway, and a copy would open every cluster's backups to this namespace), and the
 * URL reads one object for a limited time. The etcd image is distroless, so a first init container copies a static
 * busybox into a shared volume for the shell, wget and sha256sum the step needs. The restore goes to a directory
 * beside the data directory and is moved into place at the end: a restore cut short never looks like data.
 */
public final class EtcdRestoreRenderer {
    public static final String TOOLS_IMAGE = "docker.io/library/busybox:1.36.1";
    static final String TOOLS_VOLUME = "restore-tools";
    static final String TOOLS_DIR = "/restore-tools";
    static final String URL_KEY = "url";
    static final String SHA256_KEY = "sha256";

    private EtcdRestoreRenderer() {}

    /** Adds the restore step to the etcd StatefulSet of {@code inputs} (rendered by {@link EtcdRenderer}). */
    public static void addTo(StatefulSet etcd, ControlPlaneInputs inputs) {
        PodSpec pod = etcd.getSpec().getTemplate().getSpec();
        List<Container> init = new ArrayList<>(pod.getInitContainers() == null ? List.of() : pod.getInitContainers());
        init.add(new ContainerBuilder()
                .withName("restore-tools")
                .withImage(TOOLS_IMAGE)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("cp", "/bin/busybox", TOOLS_DIR + "/busybox")
                .withSecurityContext(PodParts.containerSecurityContext())
                .withVolumeMounts(PodParts.writableMount(TOOLS_VOLUME, TOOLS_DIR))
                .build());
        init.add(new ContainerBuilder()
                .withName("restore")
                .withImage(inputs.image(ControlPlaneComponent.ETCD))
                .withImagePullPolicy("IfNotPresent")
                .withCommand(TOOLS_DIR + "/busybox", "sh", "-c", script(inputs))
                .withEnv(
                        podName(),
                        fromSecret("RESTORE_URL", Names.etcdRestore(inputs.name()), URL_KEY),
                        fromSecret("RESTORE_SHA256", Names.etcdRestore(inputs.name()), SHA256_KEY))
                .withSecurityContext(PodParts.containerSecurityContext())
                .withVolumeMounts(
                        PodParts.writableMount(Names.ETCD_DATA_VOLUME, EtcdRenderer.DATA_MOUNT),
                        PodParts.readOnlyMount(TOOLS_VOLUME, TOOLS_DIR))
                .build());
        pod.setInitContainers(init);
        pod.getVolumes()
                .add(new VolumeBuilder()
                        .withName(TOOLS_VOLUME)
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build());
    }

    /**
     * The shell step. etcd 3.5 moved offline restore to etcdutl (etcdctl's still works there, deprecated); 3.4 has
     * etcdctl only.
     */
    static String script(ControlPlaneInputs inputs) {
        String tool = EtcdRenderer.isEtcd34OrOlder(inputs.image(ControlPlaneComponent.ETCD))
                ? "ETCDCTL_API=3 etcdctl"
                : "etcdutl";
        String data = EtcdRenderer.DATA_DIR;
        String staging = EtcdRenderer.DATA_MOUNT + "/restoring";
        String snapshot = EtcdRenderer.DATA_MOUNT + "/restore.snapshot";
        String peerHost = "$POD_NAME." + Names.etcdPeerService(inputs.name()) + "." + inputs.namespace() + ".svc";
        return String.join(
                "\n",
                "set -eu",
                "B=" + TOOLS_DIR + "/busybox",
                "if [ -d " + data + "/member ]; then echo 'etcd data present: nothing to restore'; exit 0; fi",
                "$B rm -rf " + staging + " " + snapshot,
                "$B wget -q -O " + snapshot + " \"$RESTORE_URL\"",
                "echo \"$RESTORE_SHA256  " + snapshot + "\" | $B sha256sum -c -",
                tool + " snapshot restore " + snapshot + " --name \"$POD_NAME\" --data-dir " + staging
                        + " --initial-cluster " + EtcdRenderer.initialCluster(inputs)
                        + " --initial-advertise-peer-urls https://" + peerHost + ":" + EtcdRenderer.PEER_PORT
                        + " --initial-cluster-token " + inputs.name(),
                "$B rm -rf " + data,
                "$B mv " + staging + " " + data,
                "$B rm -f " + snapshot,
                "echo \"restored the snapshot into " + data + "\"");
    }

    private static EnvVar podName() {
        return new EnvVarBuilder()
                .withName("POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withApiVersion("v1")
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .build();
    }

    private static EnvVar fromSecret(String name, String secret, String key) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(secret)
                .withKey(key)
                .endSecretKeyRef()
                .endValueFrom()
                .build();
    }
}
