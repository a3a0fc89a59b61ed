package dev.operator.sks.tenant;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.support.Digests;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Optional;

/**
 * What a tenant bootstrap runs with: the cluster as its reconcile is about to report it, and the cloud-controller key
 * the cluster reconciler just stored, if any. Two requests are equal when the tenant would get the same objects from
 * them (same spec, endpoint, version and key), so a change the tenant must see is applied at once rather than at the
 * next periodic reapply, and an unchanged cluster costs no attempt.
 *
 * @param cloudControllerKey the public id of the cloud-controller key stored for the cluster; the bootstrap reads the
 *     Secret afresh when its cache still holds another
 */
public record TenantRequest(SKSCluster cluster, Optional<String> cloudControllerKey) {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    public static TenantRequest of(SKSCluster cluster) {
        return new TenantRequest(cluster, Optional.empty());
    }

    /** What the tenant's objects depend on. */
    String fingerprint() {
        String endpoint = cluster.getStatus() == null ? "" : String.valueOf(cluster.getStatus().endpoint);
        String version = cluster.getStatus() == null ? "" : String.valueOf(cluster.getStatus().version);
        return Digests.sha256Hex(
                SERIALIZATION.asJson(cluster.getSpec()) + "\n" + endpoint + "\n" + version + "\n"
                        + cloudControllerKey.orElse(""),
                16);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TenantRequest request && fingerprint().equals(request.fingerprint());
    }

    @Override
    public int hashCode() {
        return fingerprint().hashCode();
    }
}
