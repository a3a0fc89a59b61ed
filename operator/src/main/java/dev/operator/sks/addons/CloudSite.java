package dev.operator.sks.addons;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a tenant's nodes run, as its cloud controller must know: the compute provider (which cloud controller), and
 * for KubeVirt the cluster's name and namespace in the management cluster (where its VirtualMachines are).
 *
 * @param provider            the operator's compute provider ({@code SKS_PROVIDER}); empty when not known
 * @param clusterName         the SKSCluster's name, the cloud controller's {@code --cluster-name}
 * @param infraNamespace      the SKSCluster's namespace in the management cluster
 * @param zone                the cluster's zone: Exoscale's cloud controller works in one zone and must be told which
 * @param credentialsRevision the public id of the cloud controller's credentials now stored (never the secret): its
 *                            pods roll when it changes, since they read their credentials once at start
 */
public record CloudSite(
        String provider, String clusterName, String infraNamespace, String zone, Optional<String> credentialsRevision) {
    public CloudSite {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(infraNamespace, "infraNamespace");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(credentialsRevision, "credentialsRevision");
    }
}
