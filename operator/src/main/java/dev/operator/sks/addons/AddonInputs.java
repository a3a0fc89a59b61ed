package dev.operator.sks.addons;

import dev.operator.sks.api.Addon;
import dev.operator.sks.api.Cni;
import dev.operator.sks.catalog.Component;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.validation.Cidr;
import java.net.URI;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the addons of one tenant cluster depend on.
 *
 * @param serverUrl   the cluster's public endpoint, {@code https://host:port}: addons run on the nodes, outside the
 *                    management cluster, so they reach the control plane only there
 * @param version     the patch the control plane runs; images follow it
 * @param images      the image of every component for {@code version}, from the version catalog
 * @param podCidr     the pod CIDR (kube-proxy's clusterCIDR)
 * @param serviceCidr the Service CIDR; cluster DNS takes its tenth address
 * @param dnsDomain   the cluster's DNS domain
 * @param cni         the network plugin asked for
 * @param addons      the optional addons asked for
 */
public record AddonInputs(String serverUrl, KubernetesVersion version, Map<Component, String> images, String podCidr,
    String serviceCidr, String dnsDomain, Cni cni, Set<Addon> addons) {

  public AddonInputs {
    Objects.requireNonNull(serverUrl, "serverUrl");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(podCidr, "podCidr");
    Objects.requireNonNull(serviceCidr, "serviceCidr");
    Objects.requireNonNull(dnsDomain, "dnsDomain");
    Objects.requireNonNull(cni, "cni");
    images = Map.copyOf(new EnumMap<>(Objects.requireNonNull(images, "images")));
    addons = addons == null || addons.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(addons));
  }

  /** The inputs for a cluster running {@code patch}, with that patch's images from {@code catalog}. */
  public static AddonInputs fromCatalog(VersionCatalog catalog, KubernetesVersion patch, String serverUrl,
      String podCidr, String serviceCidr, String dnsDomain, Cni cni, Collection<Addon> addons) {
    Map<Component, String> images = new EnumMap<>(Component.class);
    for (Component component : Component.values()) {
      images.put(component, catalog.image(component, patch));
    }
    return new AddonInputs(serverUrl, patch, images, podCidr, serviceCidr, dnsDomain, cni,
        addons == null || addons.isEmpty() ? Set.of() : EnumSet.copyOf(addons));
  }

  public String image(Component component) {
    String image = images.get(component);
    if (image == null) {
      throw new IllegalArgumentException("no image for " + component.key() + " of Kubernetes " + version);
    }
    return image;
  }

  public boolean enabled(Addon addon) {
    return addons.contains(addon);
  }

  /** The cluster DNS Service IP: the Service CIDR's tenth address, as kubeadm chooses it and kubelets are told. */
  public String clusterDns() {
    return Cidr.parse(serviceCidr).orElseThrow(() -> new IllegalArgumentException(
        "the service CIDR " + serviceCidr + " is not an IPv4 CIDR")).tenthAddress();
  }

  /** The endpoint's host: konnectivity agents dial it on the konnectivity port. */
  public String serverHost() {
    String host = URI.create(serverUrl).getHost();
    if (host == null) {
      throw new IllegalArgumentException("the endpoint " + serverUrl + " names no host");
    }
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }
}
