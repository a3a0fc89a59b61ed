package dev.operator.sks.tenant;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.join.JoinToken;
import java.util.List;
import java.util.Objects;

/**
 * What the tenant-side join objects depend on.
 *
 * @param clusterName       the SKSCluster's name
 * @param serverUrl         the endpoint machines use, {@code https://host:port}: cluster-info tells kubeadm to talk to
 *                          it after discovery, so it must be the public one, not the in-management Service
 * @param caCertificatePem  the cluster CA
 * @param kubernetesVersion the version the control plane runs
 * @param serviceCidr       the Service CIDR
 * @param podCidr           the pod CIDR
 * @param dnsDomain         the cluster's DNS domain
 * @param clusterDns        the cluster DNS Service IP
 * @param tokens            the join tokens the tenant must accept (current first); {@link #toString()} shows ids only
 */
public record TenantBootstrapInputs(String clusterName, String serverUrl, String caCertificatePem,
    KubernetesVersion kubernetesVersion, String serviceCidr, String podCidr, String dnsDomain, String clusterDns,
    List<JoinToken> tokens) {

  public TenantBootstrapInputs {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(serverUrl, "serverUrl");
    Objects.requireNonNull(caCertificatePem, "caCertificatePem");
    Objects.requireNonNull(kubernetesVersion, "kubernetesVersion");
    Objects.requireNonNull(serviceCidr, "serviceCidr");
    Objects.requireNonNull(podCidr, "podCidr");
    Objects.requireNonNull(dnsDomain, "dnsDomain");
    Objects.requireNonNull(clusterDns, "clusterDns");
    tokens = tokens == null ? List.of() : List.copyOf(tokens);
  }

  @Override
  public String toString() {
    return "TenantBootstrapInputs[cluster=" + clusterName + ", server=" + serverUrl + ", version=" + kubernetesVersion
        + ", serviceCidr=" + serviceCidr + ", podCidr=" + podCidr + ", dnsDomain=" + dnsDomain
        + ", clusterDns=" + clusterDns + ", tokens=" + tokens + "]";
  }
}
