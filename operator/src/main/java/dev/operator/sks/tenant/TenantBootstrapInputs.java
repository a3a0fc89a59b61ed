package dev.operator.sks.tenant;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.join.JoinToken;
import dev.operator.sks.rendering.ClusterModel;
import java.util.List;
import java.util.Objects;

/**
 * What the tenant-side join objects depend on: the cluster's name and networks from its {@link ClusterModel}, and
 * what only exists once the control plane does (endpoint, CA, running version, tokens).
 *
 * @param clusterName       the SKSCluster's name
 * @param serverUrl         the endpoint machines use, {@code https://host:port}: cluster-info tells kubeadm to talk to
 *                          it after discovery, so it must be the public one, not the in-management Service
 * @param caCertificatePem  the cluster CA
 * @param kubernetesVersion the version the control plane runs
 * @param network           the tenant's CIDRs, DNS domain and cluster DNS address
 * @param tokens            the join tokens the tenant must accept (current first); {@link #toString()} shows ids only
 */
public record TenantBootstrapInputs(
        String clusterName,
        String serverUrl,
        String caCertificatePem,
        KubernetesVersion kubernetesVersion,
        ClusterModel.Network network,
        List<JoinToken> tokens) {

    public TenantBootstrapInputs {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(serverUrl, "serverUrl");
        Objects.requireNonNull(caCertificatePem, "caCertificatePem");
        Objects.requireNonNull(kubernetesVersion, "kubernetesVersion");
        Objects.requireNonNull(network, "network");
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    public static TenantBootstrapInputs of(
            ClusterModel cluster,
            String serverUrl,
            String caCertificatePem,
            KubernetesVersion kubernetesVersion,
            List<JoinToken> tokens) {
        return new TenantBootstrapInputs(
                cluster.name(), serverUrl, caCertificatePem, kubernetesVersion, cluster.network(), tokens);
    }

    @Override
    public String toString() {
        return "TenantBootstrapInputs[cluster=" + clusterName + ", server=" + serverUrl + ", version="
                + kubernetesVersion + ", " + network + ", tokens=" + tokens + "]";
    }
}
