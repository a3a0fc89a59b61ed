package dev.operator.sks.rendering;

import dev.operator.sks.api.Addon;
import dev.operator.sks.api.Cni;
import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Exposure;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.OidcSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.Component;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.validation.Cidr;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One cluster as the operator renders it, built once per reconcile from the SKSCluster and the version catalog, as
 * Strimzi builds its {@code KafkaCluster.fromCrd}: every default resolved, the addresses the tenant derives from its
 * CIDRs, the certificates' names and the version to run. The control-plane renderers ({@link ControlPlaneInputs}), the
 * tenant's join objects and its addons all read this, never the spec, so each default and each derived address is
 * decided in one place.
 *
 * <p>What the reconciler observes (the endpoint, the certificates' hashes, how far an upgrade went) is not part of the
 * model: it changes within a reconcile and is passed beside it.
 *
 * <p>Build it from a spec {@code ClusterValidator} accepted: {@link #from} refuses a service CIDR it cannot read, and a
 * version missing from the catalog leaves {@link #targetVersion()} empty.
 */
public final class ClusterModel {
    private final SKSCluster owner;
    private final Level level;
    private final String zone;
    private final Cni cni;
    private final Set<Addon> addons;
    private final Exposure exposure;
    private final Network network;
    private final List<String> extraSans;
    private final Optional<Oidc> oidc;
    private final Optional<KubernetesVersion> targetVersion;
    private final Optional<ControlPlaneSize> pinnedSize;
    private final VersionCatalog catalog;
    private final SubjectAltNames etcdServerSans;
    private final SubjectAltNames etcdPeerSans;

    private ClusterModel(SKSCluster cluster, VersionCatalog catalog) {
        SKSClusterSpec spec = cluster.getSpec();
        this.owner = ownerOf(cluster);
        this.level = Defaults.level(spec);
        this.zone = spec.zone == null ? "" : spec.zone;
        this.cni = Defaults.cni(spec);
        List<Addon> asked = Defaults.addons(spec);
        this.addons =
                Collections.unmodifiableSet(asked.isEmpty() ? EnumSet.noneOf(Addon.class) : EnumSet.copyOf(asked));
        this.exposure = Defaults.exposure(spec);
        this.pinnedSize = Optional.ofNullable(spec.controlPlane).map(c -> c.size);
        this.network = Network.of(spec);
        this.extraSans = List.copyOf(Defaults.certSans(spec));
        this.oidc = Oidc.of(spec.oidc);
        this.catalog = catalog;
        // autoUpgrade follows the newest patch of the minor asked for; the spec itself is never rewritten, so GitOps
        // tools see no drift.
        this.targetVersion = catalog.resolve(spec.version)
                .map(requested -> Defaults.autoUpgrade(spec) ? catalog.newestPatchOf(requested) : requested);
        this.etcdServerSans = CertificateSans.etcdServer(name(), namespace());
        this.etcdPeerSans = CertificateSans.etcdPeer(name(), namespace());
    }

    /**
     * @param cluster the SKSCluster as read from the API server: name, namespace and spec set; its uid too, for the
     *                owner references of what is rendered
     * @throws IllegalArgumentException when the service CIDR is not an IPv4 CIDR (the validator refuses such a spec)
     */
    public static ClusterModel from(SKSCluster cluster, VersionCatalog catalog) {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(cluster.getMetadata(), "cluster.metadata");
        Objects.requireNonNull(cluster.getMetadata().getName(), "cluster.metadata.name");
        Objects.requireNonNull(cluster.getMetadata().getNamespace(), "cluster.metadata.namespace");
        Objects.requireNonNull(cluster.getSpec(), "cluster.spec");
        Objects.requireNonNull(catalog, "catalog");
        return new ClusterModel(cluster, catalog);
    }

    /**
     * The SKSCluster that owns what is rendered, for owner references: its identity only (kind, name, namespace, uid),
     * without a spec, so nothing reads a field past the model.
     */
    public SKSCluster owner() {
        return owner;
    }

    public String name() {
        return owner.getMetadata().getName();
    }

    /** The zone the cluster runs in (immutable once accepted); empty in a spec that names none. */
    public String zone() {
        return zone;
    }

    public String namespace() {
        return owner.getMetadata().getNamespace();
    }

    public Level level() {
        return level;
    }

    public Cni cni() {
        return cni;
    }

    /** The optional addons asked for. */
    public Set<Addon> addons() {
        return addons;
    }

    public Exposure exposure() {
        return exposure;
    }

    public Network network() {
        return network;
    }

    /** {@code spec.controlPlane.size}: the size a pro control plane is pinned at, instead of following its load. */
    public Optional<ControlPlaneSize> pinnedSize() {
        return pinnedSize;
    }

    /** {@code spec.controlPlane.certSANs}, as written. */
    public List<String> extraSans() {
        return extraSans;
    }

    /** OIDC authentication of the API server: present only when an issuer URL is given. */
    public Optional<Oidc> oidc() {
        return oidc;
    }

    /**
     * The patch the control plane should run: the spec's version resolved in the catalog, or with autoUpgrade the
     * newest patch of its minor. Empty when the catalog does not have it.
     */
    public Optional<KubernetesVersion> targetVersion() {
        return targetVersion;
    }

    /** The image of {@code component} at {@code patch}, from the version catalog. */
    public String image(Component component, KubernetesVersion patch) {
        return catalog.image(component, patch);
    }

    /** SANs of the API server's serving certificate (also konnectivity-server's) for the endpoint host known now. */
    public SubjectAltNames apiserverSans(Optional<String> endpointHost) {
        return CertificateSans.apiserver(this, endpointHost);
    }

    /** SANs of etcd's serving certificate. */
    public SubjectAltNames etcdServerSans() {
        return etcdServerSans;
    }

    /** SANs of etcd's peer certificate. */
    public SubjectAltNames etcdPeerSans() {
        return etcdPeerSans;
    }

    @Override
    public String toString() {
        return "ClusterModel[" + namespace() + "/" + name() + ", level=" + level + ", cni=" + cni + ", addons=" + addons
                + ", exposure=" + exposure + ", " + network + ", version="
                + targetVersion.map(Object::toString).orElse("?")
                + "]";
    }

    private static SKSCluster ownerOf(SKSCluster cluster) {
        SKSCluster owner = new SKSCluster();
        owner.setMetadata(new ObjectMetaBuilder()
                .withName(cluster.getMetadata().getName())
                .withNamespace(cluster.getMetadata().getNamespace())
                .withUid(cluster.getMetadata().getUid())
                .build());
        return owner;
    }

    /**
     * The tenant's networks with their defaults applied, and the two addresses derived from the service CIDR.
     *
     * @param podCidr     the pod CIDR (controller-manager's and kube-proxy's cluster CIDR)
     * @param serviceCidr the Service CIDR
     * @param dnsDomain   the cluster's DNS domain
     */
    public record Network(String podCidr, String serviceCidr, String dnsDomain) {
        public Network {
            Objects.requireNonNull(podCidr, "podCidr");
            Objects.requireNonNull(dnsDomain, "dnsDomain");
            parseServiceCidr(serviceCidr);
        }

        /** From a spec, with the defaults of what it leaves out. */
        public static Network of(SKSClusterSpec spec) {
            return new Network(Defaults.podCidr(spec), Defaults.serviceCidr(spec), Defaults.dnsDomain(spec));
        }

        /** The tenant's {@code kubernetes} Service: the Service CIDR's first address, in the API server's certificate. */
        public String kubernetesServiceIp() {
            return parseServiceCidr(serviceCidr).firstAddress();
        }

        /** The cluster DNS Service IP: the Service CIDR's tenth address, as kubeadm chooses it and kubelets are told. */
        public String clusterDns() {
            return parseServiceCidr(serviceCidr).tenthAddress();
        }

        private static Cidr parseServiceCidr(String serviceCidr) {
            return Cidr.parse(serviceCidr)
                    .orElseThrow(() ->
                            new IllegalArgumentException("the service CIDR " + serviceCidr + " is not an IPv4 CIDR"));
        }
    }

    /**
     * The API server's OIDC settings. An absent field is null: its flag is left out and the API server's default
     * applies.
     *
     * @param requiredClaims claim to required value (an absent value is the empty string), sorted so the flags are
     */
    public record Oidc(
            String issuerUrl,
            String clientId,
            String usernameClaim,
            String usernamePrefix,
            String groupsClaim,
            String groupsPrefix,
            SortedMap<String, String> requiredClaims) {
        public Oidc {
            Objects.requireNonNull(issuerUrl, "issuerUrl");
            requiredClaims = Collections.unmodifiableSortedMap(new TreeMap<>(requiredClaims));
        }

        static Optional<Oidc> of(OidcSpec spec) {
            if (spec == null || spec.issuerURL == null || spec.issuerURL.isBlank()) {
                return Optional.empty();
            }
            SortedMap<String, String> claims = new TreeMap<>();
            if (spec.requiredClaims != null) {
                for (Map.Entry<String, String> claim : spec.requiredClaims.entrySet()) {
                    claims.put(claim.getKey(), claim.getValue() == null ? "" : claim.getValue());
                }
            }
            return Optional.of(new Oidc(
                    spec.issuerURL,
                    spec.clientID,
                    spec.usernameClaim,
                    spec.usernamePrefix,
                    spec.groupsClaim,
                    spec.groupsPrefix,
                    claims));
        }
    }
}
