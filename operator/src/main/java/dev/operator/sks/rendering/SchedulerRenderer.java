package dev.operator.sks.rendering;

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

/** kube-scheduler: nothing but its kubeconfig. */
public final class SchedulerRenderer {
    public static final int SECURE_PORT = 10259;
    static final String CONTAINER = "kube-scheduler";
    static final String KUBECONFIG_DIR = "/etc/kubernetes/kubeconfig";
    private static final String KUBECONFIG_VOLUME = "kubeconfig";
    private static final ControlPlaneComponent COMPONENT = ControlPlaneComponent.KUBE_SCHEDULER;

    private SchedulerRenderer() {}

    public static int replicas(Level level) {
        return ApiserverRenderer.replicas(level);
    }

    public static Deployment deployment(ControlPlaneInputs inputs) {
        String name = inputs.name();
        int replicas = replicas(inputs.model().level());
        List<SecretVolume> mountedSecrets = List.of(SecretVolume.of(
                KUBECONFIG_VOLUME,
                Names.schedulerKubeconfig(name),
                PodParts.item(Names.KUBECONFIG_KEY, ApiserverRenderer.KUBECONFIG_FILE)));
        PodSpecBuilder pod = new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodParts.podSecurityContext())
                .withContainers(new ContainerBuilder()
                        .withName(CONTAINER)
                        .withImage(inputs.image(COMPONENT))
                        .withImagePullPolicy("IfNotPresent")
                        .withCommand("kube-scheduler")
                        .withArgs(args(KUBECONFIG_DIR + "/" + ApiserverRenderer.KUBECONFIG_FILE))
                        .withPorts(PodParts.port("https", SECURE_PORT))
                        .withStartupProbe(PodParts.httpProbe("HTTPS", "/healthz", SECURE_PORT, 10, 10, 24))
                        .withLivenessProbe(PodParts.httpProbe("HTTPS", "/healthz", SECURE_PORT, 10, 10, 8))
                        .withReadinessProbe(PodParts.httpProbe("HTTPS", "/healthz", SECURE_PORT, 0, 10, 3))
                        .withResources(PodParts.requests(inputs.size().scheduler()))
                        .withSecurityContext(PodParts.containerSecurityContext())
                        .withVolumeMounts(PodParts.readOnlyMount(KUBECONFIG_VOLUME, KUBECONFIG_DIR))
                        .build())
                .withVolumes(PodParts.volumes(mountedSecrets));
        if (replicas > 1) {
            pod.withAffinity(PodParts.preferSeparateNodes(inputs, COMPONENT))
                    .withTopologySpreadConstraints(PodParts.spread(inputs, COMPONENT));
        }
        return Deployments.deployment(
                inputs,
                Names.schedulerDeployment(name),
                COMPONENT,
                replicas,
                Map.of(Labels.CERTIFICATES_HASH_ANNOTATION, PodParts.certificatesHash(inputs, mountedSecrets)),
                pod.build());
    }

    public static Optional<PodDisruptionBudget> podDisruptionBudget(ControlPlaneInputs inputs) {
        return replicas(inputs.model().level()) > 1
                ? Optional.of(PodDisruptionBudgets.minAvailable(
                        inputs, Names.schedulerDeployment(inputs.name()), COMPONENT, 1))
                : Optional.empty();
    }

    static List<String> args(String kubeconfig) {
        return new Flags()
                .set("kubeconfig", kubeconfig)
                .set("authentication-kubeconfig", kubeconfig)
                .set("authorization-kubeconfig", kubeconfig)
                .set("bind-address", "0.0.0.0")
                .set("secure-port", SECURE_PORT)
                .set("leader-elect", true)
                .toArgs();
    }
}
