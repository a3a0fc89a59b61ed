package dev.operator.sks.catalog;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The supported Kubernetes versions and their images, read from {@code catalog/kubernetes-versions.yaml}.
 * Validated when loaded, so a broken catalog stops the operator at start rather than at the first upgrade.
 */
public final class VersionCatalog {
    static final String RESOURCE = "/catalog/kubernetes-versions.yaml";
    private static final String VERSION_PLACEHOLDER = "{version}";

    /**
     * One minor release line: its patches, oldest first, the images of its components, and the image each provider
     * boots its nodes from by default.
     */
    public record MinorRelease(
            KubernetesVersion minor,
            List<KubernetesVersion> patches,
            Map<Component, String> images,
            Map<NodeImageProvider, NodeImage> nodeImages) {
        public KubernetesVersion newestPatch() {
            return patches.get(patches.size() - 1);
        }
    }

    private record FileFormat(List<MinorEntry> minors) {}

    private record MinorEntry(
            String minor, List<String> patches, Map<String, String> images, Map<String, NodeImageEntry> nodeImages) {}

    private record NodeImageEntry(String image, Boolean bakedIn) {}

    private final TreeMap<KubernetesVersion, MinorRelease> minors;

    private VersionCatalog(TreeMap<KubernetesVersion, MinorRelease> minors) {
        this.minors = minors;
    }

    public static VersionCatalog loadDefault() {
        return from(CatalogFiles.readResource(RESOURCE, "version catalog", FileFormat.class));
    }

    public static VersionCatalog load(InputStream yaml) {
        return from(CatalogFiles.read(yaml, "version catalog", FileFormat.class));
    }

    private static VersionCatalog from(FileFormat file) {
        if (file == null || file.minors() == null || file.minors().isEmpty()) {
            throw new CatalogException("the version catalog lists no Kubernetes minor");
        }
        TreeMap<KubernetesVersion, MinorRelease> minors = new TreeMap<>();
        for (MinorEntry entry : file.minors()) {
            MinorRelease release = validated(entry);
            if (minors.put(release.minor(), release) != null) {
                throw new CatalogException("the version catalog lists minor " + entry.minor() + " twice");
            }
        }
        return new VersionCatalog(minors);
    }

    private static MinorRelease validated(MinorEntry entry) {
        KubernetesVersion minor = KubernetesVersion.parse(entry.minor())
                .filter(v -> !v.isPatch())
                .orElseThrow(
                        () -> new CatalogException("catalog minor '" + entry.minor() + "' is not of the form 1.NN"));
        if (entry.patches() == null || entry.patches().isEmpty()) {
            throw new CatalogException("catalog minor " + minor + " lists no patch");
        }
        List<KubernetesVersion> patches = new ArrayList<>();
        for (String text : entry.patches()) {
            KubernetesVersion patch = KubernetesVersion.parse(text)
                    .filter(KubernetesVersion::isPatch)
                    .orElseThrow(
                            () -> new CatalogException("catalog patch '" + text + "' of " + minor + " is not 1.NN.P"));
            if (!patch.minorVersion().equals(minor.toString())) {
                throw new CatalogException("catalog patch " + patch + " is listed under minor " + minor);
            }
            patches.add(patch);
        }
        patches.sort(Comparator.naturalOrder());
        if (patches.stream().distinct().count() != patches.size()) {
            throw new CatalogException("catalog minor " + minor + " lists a patch twice");
        }
        Map<Component, String> images = new EnumMap<>(Component.class);
        Map<String, String> given = entry.images() == null ? Map.of() : entry.images();
        for (Component component : Component.values()) {
            String image = given.get(component.key());
            if (image == null || image.isBlank()) {
                throw new CatalogException("catalog minor " + minor + " names no image for " + component.key());
            }
            images.put(component, image);
        }
        for (String key : given.keySet()) {
            if (images.keySet().stream().noneMatch(c -> c.key().equals(key))) {
                throw new CatalogException("catalog minor " + minor + " names an image for unknown component " + key);
            }
        }
        return new MinorRelease(
                minor, List.copyOf(patches), Collections.unmodifiableMap(images), nodeImages(minor, entry));
    }

    private static Map<NodeImageProvider, NodeImage> nodeImages(KubernetesVersion minor, MinorEntry entry) {
        Map<String, NodeImageEntry> given = entry.nodeImages() == null ? Map.of() : entry.nodeImages();
        Map<NodeImageProvider, NodeImage> nodeImages = new EnumMap<>(NodeImageProvider.class);
        for (NodeImageProvider provider : NodeImageProvider.values()) {
            NodeImageEntry image = given.get(provider.key());
            if (image == null || image.image() == null || image.image().isBlank()) {
                throw new CatalogException("catalog minor " + minor + " names no node image for " + provider.key());
            }
            if (image.bakedIn() == null) {
                throw new CatalogException("catalog minor " + minor + " does not say whether the " + provider.key()
                        + " node image has kubelet and kubeadm baked in (bakedIn: true or false)");
            }
            nodeImages.put(provider, new NodeImage(image.image().trim(), image.bakedIn()));
        }
        for (String key : given.keySet()) {
            if (NodeImageProvider.of(key).isEmpty()) {
                throw new CatalogException(
                        "catalog minor " + minor + " names a node image for unknown provider " + key);
            }
        }
        return Collections.unmodifiableMap(nodeImages);
    }

    /**
     * The patch a spec version means: itself when it is a listed patch, the newest patch when it names a minor.
     * Empty when the catalog does not have it.
     */
    public Optional<KubernetesVersion> resolve(String specVersion) {
        return KubernetesVersion.parse(specVersion).flatMap(this::resolve);
    }

    public Optional<KubernetesVersion> resolve(KubernetesVersion version) {
        MinorRelease release = minors.get(minorOf(version));
        if (release == null) {
            return Optional.empty();
        }
        if (!version.isPatch()) {
            return Optional.of(release.newestPatch());
        }
        return release.patches().contains(version) ? Optional.of(version) : Optional.empty();
    }

    public Optional<MinorRelease> release(KubernetesVersion version) {
        return Optional.ofNullable(minors.get(minorOf(version)));
    }

    public List<KubernetesVersion> supportedMinors() {
        return List.copyOf(minors.keySet());
    }

    /** Every listed patch, oldest first. */
    public List<KubernetesVersion> allPatches() {
        return minors.values().stream().flatMap(r -> r.patches().stream()).toList();
    }

    /** The newest patch of the running minor: what {@code autoUpgrade} follows. */
    public KubernetesVersion newestPatchOf(KubernetesVersion running) {
        return release(running).orElseThrow(() -> unknown(running)).newestPatch();
    }

    /** Where a cluster running {@code running} may go: newer patches of its minor and every patch of the next minor. */
    public List<KubernetesVersion> availableUpgrades(KubernetesVersion running) {
        List<KubernetesVersion> upgrades = new ArrayList<>();
        for (KubernetesVersion patch : allPatches()) {
            int ahead = patch.minorsAheadOf(running);
            if ((ahead == 0 && patch.compareTo(running) > 0) || ahead == 1) {
                upgrades.add(patch);
            }
        }
        return upgrades;
    }

    public String image(Component component, KubernetesVersion patch) {
        MinorRelease release = release(patch).orElseThrow(() -> unknown(patch));
        return release.images().get(component).replace(VERSION_PLACEHOLDER, patch.toString());
    }

    /**
     * The image {@code provider} boots nodes of {@code version}'s minor from when nothing else names one, with
     * {@code {version}} replaced by {@code version} (a patch). Empty for a provider that boots no machines (simulated)
     * or a version the catalog does not have.
     */
    public Optional<NodeImage> nodeImage(String provider, KubernetesVersion version) {
        return NodeImageProvider.of(provider)
                .flatMap(p -> release(version).map(r -> r.nodeImages().get(p)))
                .map(n -> new NodeImage(n.image().replace(VERSION_PLACEHOLDER, version.toString()), n.bakedIn()));
    }

    private static KubernetesVersion minorOf(KubernetesVersion version) {
        return new KubernetesVersion(version.major(), version.minor(), Optional.empty());
    }

    private IllegalArgumentException unknown(KubernetesVersion version) {
        return new IllegalArgumentException("Kubernetes " + version + " is not in the version catalog");
    }
}
