package dev.operator.sks.rendering;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;

/**
 * Server URLs for the control plane's own kubeconfigs; both are in the API server's certificate
 * ({@link CertificateSans#apiserver}).
 */
public final class ApiserverUrls {
    /** For a container in the API server's pod (konnectivity-server). */
    public static final String LOCAL = "https://127.0.0.1:" + ApiserverRenderer.SECURE_PORT;

    private ApiserverUrls() {}

    /** For pods in the management cluster (controller-manager, scheduler, the operator when it runs in-cluster). */
    public static String inManagementCluster(SKSCluster cluster) {
        return "https://" + Names.apiserverService(cluster.getMetadata().getName()) + "."
                + cluster.getMetadata().getNamespace() + ".svc:" + ApiserverRenderer.SERVICE_PORT;
    }
}
