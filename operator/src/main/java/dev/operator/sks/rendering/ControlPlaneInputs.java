package dev.operator.sks.rendering;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything the control-plane renderers read.
 *
 * @param cluster           the SKSCluster; its name, namespace and uid must be set
 * @param versions          the Kubernetes patch each component runs (resolved, never a bare minor)
 * @param catalog           where images come from
 * @param endpointHost      host of the cluster's endpoint once known (load-balancer address, node address, cluster IP)
 * @param certificateHashes content digest of each certificate Secret, by Secret name; a change rolls the pods that
 *                          mount that Secret. Secrets missing from the map count as empty.
 */
public record ControlPlaneInputs(SKSCluster cluster, ComponentVersions versions, VersionCatalog catalog,
    Optional<String> endpointHost, Map<String, String> certificateHashes) {

  public ControlPlaneInputs {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(cluster.getMetadata(), "cluster.metadata");
    Objects.requireNonNull(cluster.getMetadata().getName(), "cluster.metadata.name");
    Objects.requireNonNull(cluster.getMetadata().getNamespace(), "cluster.metadata.namespace");
    Objects.requireNonNull(cluster.getSpec(), "cluster.spec");
    Objects.requireNonNull(versions, "versions");
    Objects.requireNonNull(catalog, "catalog");
    endpointHost = endpointHost == null ? Optional.empty() : endpointHost.filter(h -> !h.isBlank());
    certificateHashes = certificateHashes == null ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(certificateHashes));
  }

  /** Every component at the same patch: the steady state, and a new cluster. */
  public ControlPlaneInputs(SKSCluster cluster, KubernetesVersion version, VersionCatalog catalog,
      Optional<String> endpointHost, Map<String, String> certificateHashes) {
    this(cluster, ComponentVersions.allAt(version), catalog, endpointHost, certificateHashes);
  }

  public String name() {
    return cluster.getMetadata().getName();
  }

  public String namespace() {
    return cluster.getMetadata().getNamespace();
  }

  public SKSClusterSpec spec() {
    return cluster.getSpec();
  }

  public String image(ControlPlaneComponent component) {
    return catalog.image(component.image(), versions.of(component));
  }
}
