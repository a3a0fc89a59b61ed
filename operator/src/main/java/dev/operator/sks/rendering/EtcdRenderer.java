package dev.operator.sks.rendering;

import dev.operator.sks.api.Level;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd: a StatefulSet with one member per pod, a headless Service giving members stable names for peer traffic, and
 * a client Service for the API servers. TLS everywhere, client certificates required on both ports.
 */
public final class EtcdRenderer {
    public static final int CLIENT_PORT = 2379;
    public static final int PEER_PORT = 2380;
    public static final int METRICS_PORT = 2381;
    public static final int STARTER_MEMBERS = 1;
    public static final int PRO_MEMBERS = 3;
    /** The most members any level runs: certificates name them all. */
    public static final int MAX_MEMBERS = PRO_MEMBERS;

    public static final String STORAGE_SIZE = "10Gi";

    /**
     * The largest backend quota: etcd's documented suggested maximum. Beyond it a defragmentation, a snapshot or a new
     * member's catch-up take long enough to hurt, and a control plane that needs more wants splitting, not a bigger db.
     */
    public static final long MAX_QUOTA_BACKEND_BYTES = 8L * 1024 * 1024 * 1024;

    /**
     * History etcd keeps when it compacts by itself. kube-apiserver already compacts every 5 minutes
     * ({@code --etcd-compaction-interval}), so etcd's own periodic compaction is a backstop for when no API server
     * runs its compactor; an hour (etcd then compacts hourly) never takes history the API servers still read, and
     * bounds what a stopped compactor lets pile up to an hour of writes.
     */
    public static final String AUTO_COMPACTION_RETENTION = "1h";

    static final String DATA_MOUNT = "/var/lib/etcd";
    /** A directory below the mount point, so etcd creates it itself with the 0700 mode it insists on. */
    static final String DATA_DIR = DATA_MOUNT + "/data";

    static final String SERVER_TLS_DIR = "/etc/etcd/pki/server";
    static final String PEER_TLS_DIR = "/etc/etcd/pki/peer";
    private static final String CONTAINER = "etcd";
    private static final String SERVER_TLS_VOLUME = "server-tls";
    private static final String PEER_TLS_VOLUME = "peer-tls";
    private static final Pattern IMAGE_TAG_VERSION = Pattern.compile(":v?(\\d+)\\.(\\d+)(?:\\.\\d+)?[^:/]*$");
    private static final ControlPlaneComponent COMPONENT = ControlPlaneComponent.ETCD;

    private EtcdRenderer() {}

    public static int members(Level level) {
        return level == Level.PRO ? PRO_MEMBERS : STARTER_MEMBERS;
    }

    /** The StatefulSet of a cluster made at its level's size: every member at once, forming the cluster together. */
    public static StatefulSet statefulSet(ControlPlaneInputs inputs) {
        return statefulSet(inputs, EtcdLayout.fresh(members(inputs.model().level())));
    }

    /**
     * The StatefulSet with the members, {@code --initial-cluster} and {@code --initial-cluster-state} of
     * {@code layout}. Its selector, serviceName, podManagementPolicy and volumeClaimTemplates are immutable on the
     * server, so none of them depends on anything that may change (level, version, layout). Parallel pod management
     * starts all members of a new cluster together (they wait for each other); when a growing cluster raises its
     * replicas by one, only that one pod starts.
     */
    public static StatefulSet statefulSet(ControlPlaneInputs inputs, EtcdLayout layout) {
        String name = inputs.name();
        Level level = inputs.model().level();
        List<SecretVolume> mountedSecrets = List.of(
                SecretVolume.of(SERVER_TLS_VOLUME, Names.etcdServerCertificate(name)),
                SecretVolume.of(PEER_TLS_VOLUME, Names.etcdPeerCertificate(name)));

        PodSpecBuilder pod = new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodParts.podSecurityContext())
                .withContainers(container(inputs, layout))
                .withVolumes(PodParts.volumes(mountedSecrets));
        if (level == Level.PRO) {
            pod.withAffinity(PodParts.preferSeparateNodes(inputs, COMPONENT))
                    .withTopologySpreadConstraints(PodParts.spread(inputs, COMPONENT));
        }

        StatefulSet statefulSet = new StatefulSetBuilder()
                .withMetadata(Owners.metadata(inputs.owner(), Names.etcdStatefulSet(name), COMPONENT))
                .editMetadata()
                .addToAnnotations(
                        Labels.KUBERNETES_VERSION_ANNOTATION,
                        inputs.versions().etcd().toString())
                .addToAnnotations(Labels.ETCD_VOTING_MEMBERS_ANNOTATION, Integer.toString(layout.votingMembers()))
                .endMetadata()
                .withNewSpec()
                .withReplicas(layout.replicas())
                .withServiceName(Names.etcdPeerService(name))
                .withPodManagementPolicy("Parallel")
                .withSelector(PodParts.selector(inputs, COMPONENT))
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Labels.forComponent(name, COMPONENT.label()))
                .addToAnnotations(
                        Labels.CERTIFICATES_HASH_ANNOTATION, PodParts.certificatesHash(inputs, mountedSecrets))
                .endMetadata()
                .endTemplate()
                .withVolumeClaimTemplates(dataClaimTemplate(inputs))
                .endSpec()
                .build();
        // Set on the built object, not copied through the enclosing builders (see Deployments).
        statefulSet.getSpec().getTemplate().setSpec(pod.build());
        return statefulSet;
    }

    /** Gives each member {@code <member>.<peer-service>} in DNS, ready or not, so members find each other at start. */
    public static Service peerService(ControlPlaneInputs inputs) {
        return new ServiceBuilder()
                .withMetadata(Owners.metadata(inputs.owner(), Names.etcdPeerService(inputs.name()), COMPONENT))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(PodParts.selector(inputs, COMPONENT).getMatchLabels())
                .withPorts(servicePort("client", CLIENT_PORT), servicePort("peer", PEER_PORT))
                .endSpec()
                .build();
    }

    /** What the API servers dial: ready members only. */
    public static Service clientService(ControlPlaneInputs inputs) {
        return new ServiceBuilder()
                .withMetadata(Owners.metadata(inputs.owner(), Names.etcdClientService(inputs.name()), COMPONENT))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(PodParts.selector(inputs, COMPONENT).getMatchLabels())
                .withPorts(servicePort("client", CLIENT_PORT))
                .endSpec()
                .build();
    }

    /** Pro only: voluntary disruptions (node drains) never take the cluster below quorum. */
    public static Optional<PodDisruptionBudget> podDisruptionBudget(ControlPlaneInputs inputs) {
        int members = members(inputs.model().level());
        if (members < PRO_MEMBERS) {
            return Optional.empty();
        }
        return Optional.of(PodDisruptionBudgets.minAvailable(
                inputs, Names.etcdStatefulSet(inputs.name()), COMPONENT, members / 2 + 1));
    }

    /** The client URL of the etcd cluster, as the API servers use it. */
    public static String clientUrl(ControlPlaneInputs inputs) {
        return "https://" + Names.etcdClientService(inputs.name()) + "." + inputs.namespace() + ".svc:" + CLIENT_PORT;
    }

    /**
     * The client URL of the first member, which votes from the cluster's start: what the operator asks while it grows
     * etcd, since the client Service may route to a learner, which refuses membership calls.
     */
    public static String firstMemberClientUrl(ControlPlaneInputs inputs) {
        return "https://" + memberHost(inputs, Names.etcdMember(inputs.name(), 0)) + ":" + CLIENT_PORT;
    }

    /** The client URL of member {@code ordinal} of a cluster, without its inputs: what backups dial. */
    public static String memberClientUrl(String namespace, String cluster, int ordinal) {
        return "https://" + Names.etcdMember(cluster, ordinal) + "." + Names.etcdPeerService(cluster) + "." + namespace
                + ".svc:" + CLIENT_PORT;
    }

    /** {@code --initial-cluster} of a cluster made at its level's size: every member with its peer URL. */
    public static String initialCluster(ControlPlaneInputs inputs) {
        return initialCluster(inputs, members(inputs.model().level()));
    }

    /** {@code --initial-cluster}: members 0 to {@code members}-1 with their peer URLs. */
    public static String initialCluster(ControlPlaneInputs inputs, int members) {
        List<String> entries = new ArrayList<>();
        for (int ordinal = 0; ordinal < members; ordinal++) {
            entries.add(Names.etcdMember(inputs.name(), ordinal) + "=" + peerUrl(inputs, ordinal));
        }
        return String.join(",", entries);
    }

    /** The peer URL a member advertises, and the one the operator registers when it adds the member to etcd. */
    public static String peerUrl(ControlPlaneInputs inputs, int ordinal) {
        return "https://" + memberHost(inputs, Names.etcdMember(inputs.name(), ordinal)) + ":" + PEER_PORT;
    }

    /**
     * The flags every member starts with. The initial-cluster flags are read only by a member starting without data:
     * one that has data ignores them. So when a growing cluster changes them for its next member, the members already
     * running restart once with flags they do not read (the pod template is shared; the etcd image is distroless, so
     * no script could pick flags per pod) - the price of joining members one at a time.
     */
    static List<String> args(ControlPlaneInputs inputs, EtcdLayout layout) {
        String self = memberHost(inputs, "$(POD_NAME)");
        Flags flags = new Flags()
                .set("name", "$(POD_NAME)")
                .set("data-dir", DATA_DIR)
                .set("listen-client-urls", "https://0.0.0.0:" + CLIENT_PORT)
                .set("advertise-client-urls", "https://" + self + ":" + CLIENT_PORT)
                .set("listen-peer-urls", "https://0.0.0.0:" + PEER_PORT)
                .set("initial-advertise-peer-urls", "https://" + self + ":" + PEER_PORT)
                .set("initial-cluster", initialCluster(inputs, layout.replicas()))
                .set("initial-cluster-state", layout.state().flag())
                .set("initial-cluster-token", inputs.name())
                .set("client-cert-auth", true)
                .set("trusted-ca-file", SERVER_TLS_DIR + "/" + Names.CA_CERTIFICATE_KEY)
                .set("cert-file", SERVER_TLS_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("key-file", SERVER_TLS_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("peer-client-cert-auth", true)
                .set("peer-trusted-ca-file", PEER_TLS_DIR + "/" + Names.CA_CERTIFICATE_KEY)
                .set("peer-cert-file", PEER_TLS_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("peer-key-file", PEER_TLS_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("listen-metrics-urls", "http://0.0.0.0:" + METRICS_PORT)
                .set("snapshot-count", 10000)
                .set("quota-backend-bytes", quotaBackendBytes())
                .set("auto-compaction-mode", "periodic")
                .set("auto-compaction-retention", AUTO_COMPACTION_RETENTION);
        // Corruption check at start and watch progress notifications (the API server's watch cache relies on them):
        // etcd 3.6 renamed both flags, and 3.7 drops the old spellings.
        if (isEtcd35OrOlder(inputs.image(COMPONENT))) {
            flags.set("experimental-initial-corrupt-check", true)
                    .set("experimental-watch-progress-notify-interval", "5s");
        } else {
            flags.set("feature-gates", "InitialCorruptCheck=true").set("watch-progress-notify-interval", "5s");
        }
        return flags.toArgs();
    }

    /**
     * {@code --quota-backend-bytes} for a member whose data volume holds {@code volume}: three quarters of it, at most
     * {@link #MAX_QUOTA_BACKEND_BYTES}. The rest of the volume is for what etcd keeps beside the db file: the WAL
     * (64 MiB segments, five kept) and snapshots, and the copy a defragmentation writes before it replaces the db. That
     * copy holds only the pages in use, and the operator compacts before it defragments a full db, so a quarter of
     * the volume is room enough unless the live data itself nears the quota, which the NoSpace condition then tells.
     * etcd refuses writes past the quota with the NOSPACE alarm instead of failing on a full disk, which it cannot
     * recover from alone.
     */
    public static long quotaBackendBytes(Quantity volume) {
        long bytes = Quantity.getAmountInBytes(volume).longValue();
        return Math.min(MAX_QUOTA_BACKEND_BYTES, bytes / 4 * 3);
    }

    /** The quota every member runs with: sized to the volume its claim template asks for. */
    public static long quotaBackendBytes() {
        return quotaBackendBytes(new Quantity(STORAGE_SIZE));
    }

    /** Whether an etcd image's tag names a release before 3.5 (no etcdutl); an unreadable tag is a current one. */
    static boolean isEtcd34OrOlder(String image) {
        Matcher m = IMAGE_TAG_VERSION.matcher(image);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major < 3 || (major == 3 && minor < 5);
    }

    /** Whether an etcd image's tag names a release before 3.6; an unreadable tag is taken as a current one. */
    static boolean isEtcd35OrOlder(String image) {
        Matcher m = IMAGE_TAG_VERSION.matcher(image);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major < 3 || (major == 3 && minor < 6);
    }

    private static Container container(ControlPlaneInputs inputs, EtcdLayout layout) {
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(inputs.image(COMPONENT))
                .withImagePullPolicy("IfNotPresent")
                .withCommand("etcd")
                .withArgs(args(inputs, layout))
                .addNewEnv()
                .withName("POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withApiVersion("v1")
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .withPorts(
                        PodParts.port("client", CLIENT_PORT),
                        PodParts.port("peer", PEER_PORT),
                        PodParts.port("metrics", METRICS_PORT))
                // /livez and /readyz exist since etcd 3.5.11; /livez ignores a missing leader, where restarts cannot
                // help.
                .withLivenessProbe(PodParts.httpProbe("HTTP", "/livez", METRICS_PORT, 10, 10, 8))
                .withReadinessProbe(PodParts.httpProbe("HTTP", "/readyz", METRICS_PORT, 0, 5, 3))
                .withStartupProbe(PodParts.httpProbe("HTTP", "/readyz", METRICS_PORT, 10, 10, 24))
                .withResources(PodParts.requests(inputs.size().etcd()))
                .withSecurityContext(PodParts.containerSecurityContext())
                .withVolumeMounts(
                        PodParts.writableMount(Names.ETCD_DATA_VOLUME, DATA_MOUNT),
                        PodParts.readOnlyMount(SERVER_TLS_VOLUME, SERVER_TLS_DIR),
                        PodParts.readOnlyMount(PEER_TLS_VOLUME, PEER_TLS_DIR))
                .build();
    }

    private static PersistentVolumeClaim dataClaimTemplate(ControlPlaneInputs inputs) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(Names.ETCD_DATA_VOLUME)
                .withLabels(Labels.forComponent(inputs.name(), COMPONENT.label()))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity(STORAGE_SIZE))
                .endResources()
                .endSpec()
                .build();
    }

    private static String memberHost(ControlPlaneInputs inputs, String member) {
        return member + "." + Names.etcdPeerService(inputs.name()) + "." + inputs.namespace() + ".svc";
    }

    private static ServicePort servicePort(String name, int port) {
        return new ServicePortBuilder()
                .withName(name)
                .withProtocol("TCP")
                .withPort(port)
                .withTargetPort(new IntOrString(port))
                .build();
    }
}
