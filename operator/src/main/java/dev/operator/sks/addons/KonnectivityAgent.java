package dev.operator.sks.addons;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.ApiserverRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.List;

/**
 * The konnectivity agent on every node: it dials the control plane's konnectivity-server (the endpoint's host, port
 * 8132), so the API server reaches kubelets, webhooks and aggregated APIs in the tenant network (logs, exec,
 * metrics) although it runs elsewhere. It authenticates with a service-account token for konnectivity-server's
 * audience, which the server reviews; it trusts the server by the cluster CA every pod receives.
 */
public final class KonnectivityAgent {
    public static final String ADDON = Names.KONNECTIVITY_AGENT;
    static final String TOKEN_DIR = "/var/run/secrets/tokens";
    static final String TOKEN_FILE = "konnectivity-agent-token";
    /** Short-lived: the kubelet renews a projected token well before it expires. */
    static final long TOKEN_SECONDS = 3600;

    private KonnectivityAgent() {}

    public static List<HasMetadata> objects(AddonInputs inputs) {
        return List.of(AddonParts.serviceAccount(ADDON, Names.KONNECTIVITY_AGENT_SERVICE_ACCOUNT), daemonSet(inputs));
    }

    static List<String> args(AddonInputs inputs) {
        return List.of(
                "--logtostderr=true",
                "--ca-cert=" + AddonParts.SERVICE_ACCOUNT_DIR + "/ca.crt",
                "--proxy-server-host=" + inputs.serverHost(),
                "--proxy-server-port=" + ApiserverRenderer.KONNECTIVITY_AGENT_PORT,
                "--admin-server-port=" + ApiserverRenderer.KONNECTIVITY_ADMIN_PORT,
                "--health-server-port=" + ApiserverRenderer.KONNECTIVITY_HEALTH_PORT,
                "--service-account-token-path=" + TOKEN_DIR + "/" + TOKEN_FILE);
    }

    static DaemonSet daemonSet(AddonInputs inputs) {
        return new DaemonSetBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.KONNECTIVITY_AGENT))
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(Names.KONNECTIVITY_AGENT))
                .endSelector()
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, Names.KONNECTIVITY_AGENT))
                .endMetadata()
                .withNewSpec()
                .withPriorityClassName(AddonParts.NODE_CRITICAL)
                .withServiceAccountName(Names.KONNECTIVITY_AGENT_SERVICE_ACCOUNT)
                .withNodeSelector(AddonParts.LINUX_NODES)
                // Every node: without an agent, logs and exec of that node's pods fail.
                .withTolerations(AddonParts.tolerateEverything())
                .addNewContainer()
                .withName(Names.KONNECTIVITY_AGENT)
                .withImage(inputs.image(Component.KONNECTIVITY_AGENT))
                .withCommand("/proxy-agent")
                .withArgs(args(inputs))
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/healthz")
                .withPort(new IntOrString(ApiserverRenderer.KONNECTIVITY_HEALTH_PORT))
                .endHttpGet()
                .withInitialDelaySeconds(15)
                .withTimeoutSeconds(15)
                .endLivenessProbe()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withRunAsUser(65534L)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName(TOKEN_FILE)
                .withMountPath(TOKEN_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .endContainer()
                .withVolumes(new VolumeBuilder()
                        .withName(TOKEN_FILE)
                        .withNewProjected()
                        .addNewSource()
                        .withNewServiceAccountToken()
                        .withAudience(Names.KONNECTIVITY_SERVER_AUDIENCE)
                        .withExpirationSeconds(TOKEN_SECONDS)
                        .withPath(TOKEN_FILE)
                        .endServiceAccountToken()
                        .endSource()
                        .endProjected()
                        .build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
