package dev.operator.sks.rendering;

import dev.operator.sks.api.Cni;
import dev.operator.sks.api.Level;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** kube-controller-manager: signs kubelet certificates with the cluster CA, allocates node CIDRs for calico. */
public final class ControllerManagerRenderer {
    public static final int SECURE_PORT = 10257;
    static final String CONTAINER = "kube-controller-manager";
    static final String KUBECONFIG_DIR = "/etc/kubernetes/kubeconfig";
    static final String CLUSTER_CA_DIR = "/etc/kubernetes/pki/ca";
    static final String SERVICE_ACCOUNT_DIR = "/etc/kubernetes/pki/sa";
    private static final String KUBECONFIG_VOLUME = "kubeconfig";
    private static final String CLUSTER_CA_VOLUME = "cluster-ca";
    private static final String SERVICE_ACCOUNT_VOLUME = "service-account-keys";
    private static final ControlPlaneComponent COMPONENT = ControlPlaneComponent.KUBE_CONTROLLER_MANAGER;

    private ControllerManagerRenderer() {}

    /** Same as the API server: 1 starter, 2 pro; one leads, the other waits. */
    public static int replicas(Level level) {
        return ApiserverRenderer.replicas(level);
    }

    public static Deployment deployment(ControlPlaneInputs inputs) {
        String name = inputs.name();
        int replicas = replicas(inputs.model().level());
        String kubeconfig = KUBECONFIG_DIR + "/" + ApiserverRenderer.KUBECONFIG_FILE;
        List<SecretVolume> mountedSecrets = List.of(
                SecretVolume.of(
                        KUBECONFIG_VOLUME,
                        Names.controllerManagerKubeconfig(name),
                        PodParts.item(Names.KUBECONFIG_KEY, ApiserverRenderer.KUBECONFIG_FILE)),
                // The signing key is the point here: kube-controller-manager signs CSRs with the cluster CA.
                SecretVolume.of(CLUSTER_CA_VOLUME, Names.clusterCa(name)),
                SecretVolume.of(SERVICE_ACCOUNT_VOLUME, Names.serviceAccountKeys(name)));
        PodSpecBuilder pod = new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodParts.podSecurityContext())
                .withContainers(new ContainerBuilder()
                        .withName(CONTAINER)
                        .withImage(inputs.image(COMPONENT))
                        .withImagePullPolicy("IfNotPresent")
                        .withCommand("kube-controller-manager")
                        .withArgs(args(inputs, kubeconfig))
                        .withPorts(PodParts.port("https", SECURE_PORT))
                        .withStartupProbe(PodParts.httpProbe("HTTPS", "/healthz", SECURE_PORT, 10, 10, 24))
                        .withLivenessProbe(PodParts.httpProbe("HTTPS", "/healthz", SECURE_PORT, 10, 10, 8))
                        .withReadinessProbe(PodParts.httpProbe("HTTPS", "/healthz", SECURE_PORT, 0, 10, 3))
                        .withResources(PodParts.requests(inputs.size().controllerManager()))
                        .withSecurityContext(PodParts.containerSecurityContext())
                        .withVolumeMounts(
                                PodParts.readOnlyMount(KUBECONFIG_VOLUME, KUBECONFIG_DIR),
                                PodParts.readOnlyMount(CLUSTER_CA_VOLUME, CLUSTER_CA_DIR),
                                PodParts.readOnlyMount(SERVICE_ACCOUNT_VOLUME, SERVICE_ACCOUNT_DIR))
                        .build())
                .withVolumes(PodParts.volumes(mountedSecrets));
        if (replicas > 1) {
            pod.withAffinity(PodParts.preferSeparateNodes(inputs, COMPONENT))
                    .withTopologySpreadConstraints(PodParts.spread(inputs, COMPONENT));
        }
        return Deployments.deployment(
                inputs,
                Names.controllerManagerDeployment(name),
                COMPONENT,
                replicas,
                Map.of(Labels.CERTIFICATES_HASH_ANNOTATION, PodParts.certificatesHash(inputs, mountedSecrets)),
                pod.build());
    }

    public static Optional<PodDisruptionBudget> podDisruptionBudget(ControlPlaneInputs inputs) {
        return replicas(inputs.model().level()) > 1
                ? Optional.of(PodDisruptionBudgets.minAvailable(
                        inputs, Names.controllerManagerDeployment(inputs.name()), COMPONENT, 1))
                : Optional.empty();
    }

    static List<String> args(ControlPlaneInputs inputs, String kubeconfig) {
        Flags flags = new Flags()
                .set("kubeconfig", kubeconfig)
                .set("authentication-kubeconfig", kubeconfig)
                .set("authorization-kubeconfig", kubeconfig)
                .set("bind-address", "0.0.0.0")
                .set("secure-port", SECURE_PORT)
                .set("cluster-name", inputs.name())
                .set("cluster-signing-cert-file", CLUSTER_CA_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("cluster-signing-key-file", CLUSTER_CA_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                // What pods trust the API server by (kube-root-ca.crt): the bundle, so a CA rotation breaks no pod.
                .set("root-ca-file", CLUSTER_CA_DIR + "/" + Names.CA_CERTIFICATE_KEY)
                .set("service-account-private-key-file", SERVICE_ACCOUNT_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("cluster-cidr", inputs.model().network().podCidr())
                .set("service-cluster-ip-range", inputs.model().network().serviceCidr())
                .set("controllers", "*,bootstrapsigner,tokencleaner")
                .set("use-service-account-credentials", true)
                .set("cloud-provider", "external")
                .set("leader-elect", true);
        if (inputs.model().cni() == Cni.CALICO) {
            flags.set("allocate-node-cidrs", true);
        }
        return flags.toArgs();
    }
}
