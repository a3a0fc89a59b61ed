package dev.operator.sks.addons;

import dev.operator.sks.api.Addon;
import dev.operator.sks.api.Cni;
import dev.operator.sks.catalog.Component;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.rendering.ClusterModel;
import java.net.URI;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the addons of one tenant cluster depend on: mostly the cluster's {@link ClusterModel}, plus the patch that runs
 * and the endpoint, which the reconciler observes.
 *
 * @param serverUrl the cluster's public endpoint, {@code https://host:port}: addons run on the nodes, outside the
 *                  management cluster, so they reach the control plane only there
 * @param version   the patch the control plane runs; images follow it
 * @param images    the image of every component for {@code version}, from the version catalog
 * @param network   the tenant's CIDRs, DNS domain and cluster DNS address
 * @param cni       the network plugin asked for
 * @param addons    the optional addons asked for
 * @param cloud     where the nodes run: the compute provider (its cloud controller, Calico's MTU), the cluster's
 *                  namespace in the management cluster, and the cloud controller's credentials revision
 */
public record AddonInputs(
        String serverUrl,
        KubernetesVersion version,
        Map<Component, String> images,
        ClusterModel.Network network,
        Cni cni,
        Set<Addon> addons,
        CloudSite cloud) {

    public AddonInputs {
        Objects.requireNonNull(serverUrl, "serverUrl");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(cni, "cni");
        Objects.requireNonNull(cloud, "cloud");
        images = Map.copyOf(new EnumMap<>(Objects.requireNonNull(images, "images")));
        addons = addons == null || addons.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(addons));
    }

    /** As {@link #of(ClusterModel, KubernetesVersion, String, String)} on the default provider's machines. */
    public static AddonInputs of(ClusterModel cluster, KubernetesVersion patch, String serverUrl) {
        return of(cluster, patch, serverUrl, OperatorConfig.defaults().provider());
    }

    /**
     * The inputs of {@code cluster} running {@code patch}, with that patch's images, reached at {@code serverUrl}, its
     * nodes made by {@code provider}.
     */
    public static AddonInputs of(ClusterModel cluster, KubernetesVersion patch, String serverUrl, String provider) {
        Map<Component, String> images = new EnumMap<>(Component.class);
        for (Component component : Component.values()) {
            images.put(component, cluster.image(component, patch));
        }
        return new AddonInputs(
                serverUrl,
                patch,
                images,
                cluster.network(),
                cluster.cni(),
                cluster.addons(),
                new CloudSite(provider, cluster.name(), cluster.namespace(), cluster.zone(), Optional.empty()));
    }

    /**
     * These inputs on the compute provider {@code provider}, whose cloud controller holds the credentials
     * {@code credentialsRevision} names.
     */
    public AddonInputs onProvider(String provider, Optional<String> credentialsRevision) {
        return new AddonInputs(
                serverUrl,
                version,
                images,
                network,
                cni,
                addons,
                new CloudSite(
                        provider, cloud.clusterName(), cloud.infraNamespace(), cloud.zone(), credentialsRevision));
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

    /** The endpoint's host: konnectivity agents dial it on the konnectivity port. */
    public String serverHost() {
        String host = URI.create(serverUrl).getHost();
        if (host == null) {
            throw new IllegalArgumentException("the endpoint " + serverUrl + " names no host");
        }
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
