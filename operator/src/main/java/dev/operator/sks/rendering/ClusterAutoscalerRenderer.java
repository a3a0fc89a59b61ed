package dev.operator.sks.rendering;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The cluster's cluster-autoscaler, next to its control plane: the upstream image of the cluster's minor, with
 * {@code --cloud-provider=externalgrpc} pointing at the operator's provider and {@code --kubeconfig} at the tenant. It
 * discovers its node groups from the provider (no {@code --nodes}), which answers for this cluster only because its
 * client certificate names it. Pure: same inputs, same objects.
 */
public final class ClusterAutoscalerRenderer {
    public static final String COMPONENT = "cluster-autoscaler";
    static final String CONTAINER = "cluster-autoscaler";
    public static final String CONFIG_DIR = "/etc/cluster-autoscaler";
    /** Keys of the cluster-autoscaler Secret ({@link Names#clusterAutoscalerSecret}), each a file in CONFIG_DIR. */
    public static final String CLOUD_CONFIG_KEY = "cloud-config";

    public static final String CLIENT_CERT_KEY = "tls.crt";
    public static final String CLIENT_KEY_KEY = "tls.key";
    public static final String CA_KEY = "ca.crt";
    /** The tenant kubeconfig's file in CONFIG_DIR, projected from {@link Names#clusterAutoscalerKubeconfig}. */
    public static final String KUBECONFIG_KEY = "kubeconfig";

    private static final String VOLUME = "config";
    /** The autoscaler's metrics and health port (its default --address). */
    public static final int METRICS_PORT = 8085;

    private ClusterAutoscalerRenderer() {}

    /**
     * @param image the catalog's cluster-autoscaler for the cluster's running minor
     * @param credentialsRevision a digest of the Secret's content: a new certificate or kubeconfig restarts the pod
     */
    public record Inputs(SKSCluster cluster, String image, String credentialsRevision) {
        public Inputs {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(credentialsRevision, "credentialsRevision");
        }

        String name() {
            return cluster.getMetadata().getName();
        }
    }

    /**
     * Whether the cluster needs an autoscaler: some Nodepool accepted for its UID (never one that only names it) has
     * {@code spec.autoscaling}. When none has, the Deployment goes.
     */
    public static boolean wanted(SKSCluster cluster, Collection<Nodepool> nodepools) {
        String uid = cluster.getMetadata().getUid();
        return nodepools.stream()
                .anyMatch(np -> np.getStatus() != null
                        && uid != null
                        && uid.equals(np.getStatus().clusterUID)
                        && np.getMetadata().getDeletionTimestamp() == null
                        && np.getSpec() != null
                        && np.getSpec().autoscaling != null);
    }

    /**
     * The cloud-config of the externalgrpc provider (upstream's keys): the operator's address and the client
     * certificate, key and CA files as mounted.
     */
    public static String cloudConfig(String operatorAddress) {
        return "address: \"" + operatorAddress + "\"\n"
                + "cert: \"" + CONFIG_DIR + "/" + CLIENT_CERT_KEY + "\"\n"
                + "key: \"" + CONFIG_DIR + "/" + CLIENT_KEY_KEY + "\"\n"
                + "cacert: \"" + CONFIG_DIR + "/" + CA_KEY + "\"\n"
                + "grpc_timeout: \"10s\"\n";
    }

    public static Deployment deployment(Inputs inputs) {
        String name = inputs.name();
        Map<String, String> selector = Labels.forComponent(name, COMPONENT);
        var pod = new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodParts.podSecurityContext())
                .withContainers(new ContainerBuilder()
                        .withName(CONTAINER)
                        .withImage(inputs.image())
                        .withImagePullPolicy("IfNotPresent")
                        .withCommand("./cluster-autoscaler")
                        .withArgs(args())
                        .withPorts(PodParts.port("metrics", METRICS_PORT))
                        .withLivenessProbe(PodParts.httpProbe("HTTP", "/health-check", METRICS_PORT, 30, 10, 6))
                        .withResources(PodParts.requests("50m", "128Mi"))
                        .withSecurityContext(PodParts.containerSecurityContext())
                        .withVolumeMounts(PodParts.readOnlyMount(VOLUME, CONFIG_DIR))
                        .build())
                .withVolumes(credentialsVolume(name))
                .build();
        return new DeploymentBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(Names.clusterAutoscalerDeployment(name))
                        .withNamespace(inputs.cluster().getMetadata().getNamespace())
                        .withLabels(Labels.forComponent(name, COMPONENT))
                        .withOwnerReferences(Owners.controllerReference(inputs.cluster()))
                        .build())
                .withNewSpec()
                // One at a time: two autoscalers of one cluster would both act on what each sees.
                .withReplicas(1)
                .withSelector(
                        new LabelSelectorBuilder().withMatchLabels(selector).build())
                .withNewStrategy()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxSurge(new IntOrString(0))
                .withMaxUnavailable(new IntOrString(1))
                .endRollingUpdate()
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(selector)
                .withAnnotations(Map.of(Labels.CREDENTIALS_REVISION_ANNOTATION, inputs.credentialsRevision()))
                .endMetadata()
                .withSpec(pod)
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * Both Secrets in one directory: the provider credentials and cloud-config as they are, and the tenant kubeconfig
     * (kept by the cluster's PKI with the other components' kubeconfigs) under {@link #KUBECONFIG_KEY}.
     */
    private static Volume credentialsVolume(String cluster) {
        return new VolumeBuilder()
                .withName(VOLUME)
                .withNewProjected()
                .withDefaultMode(PodParts.SECRET_FILE_MODE)
                .addNewSource()
                .withNewSecret()
                .withName(Names.clusterAutoscalerSecret(cluster))
                .endSecret()
                .endSource()
                .addNewSource()
                .withNewSecret()
                .withName(Names.clusterAutoscalerKubeconfig(cluster))
                .withItems(PodParts.item(Names.KUBECONFIG_KEY, KUBECONFIG_KEY))
                .endSecret()
                .endSource()
                .endProjected()
                .build();
    }

    static List<String> args() {
        return new Flags()
                .set("cloud-provider", "externalgrpc")
                .set("cloud-config", CONFIG_DIR + "/" + CLOUD_CONFIG_KEY)
                .set("kubeconfig", CONFIG_DIR + "/" + KUBECONFIG_KEY)
                // Its status ConfigMap and events go to the tenant's kube-system, where users look for them.
                .set("namespace", "kube-system")
                // One replica, and maxSurge 0: no second instance to elect against.
                .set("leader-elect", false)
                .set("balance-similar-node-groups", true)
                .set("skip-nodes-with-local-storage", false)
                .set("v", 2)
                .toArgs();
    }
}
