package dev.operator.sks.naming;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Every name the operator derives from a cluster's name, by kind of object: the one table that the rules for cluster
 * names are computed from, so a name added to {@link Names} and here cannot be forgotten by the rules.
 *
 * <p>Two clusters of one namespace must never derive the same name for objects of one kind. Every name here is
 * {@code <prefix><cluster><suffix>} with one prefix per kind, so a collision needs two suffixes of one kind where one
 * ends with the other: {@code a + "-clients-ca"} is {@code (a + "-clients") + "-ca"}. The difference ({@code -clients})
 * is then a {@link #reservedEndings() reserved ending} no cluster name may have. Names already in use stay as they
 * are (Cluster API's conventions): only cluster names that would collide are refused.
 */
public final class DerivedNames {
    /** Kubernetes kinds the operator names after a cluster. */
    public enum Kind {
        SECRET,
        CONFIG_MAP,
        SERVICE,
        DEPLOYMENT,
        STATEFUL_SET,
        POD_DISRUPTION_BUDGET,
        PERSISTENT_VOLUME_CLAIM,
        POD,
        SERVICE_ACCOUNT,
        ROLE,
        ROLE_BINDING
    }

    /** A DNS label (RFC 1123), the limit of Service names, pod host names and label values. */
    public static final int DNS_LABEL_MAX = 63;
    /** A DNS subdomain (RFC 1123), the limit of most other object names. */
    public static final int DNS_SUBDOMAIN_MAX = 253;
    /**
     * The StatefulSet controller labels each pod {@code controller-revision-hash=<statefulset>-<hash>}, a label value
     * of at most 63 characters; the hash takes up to 10 characters and a dash.
     */
    public static final int REVISION_HASH_ROOM = 11;
    /** Ordinals of etcd members the names leave room for: one digit. */
    public static final int MAX_ETCD_MEMBERS = 10;

    private static final String MARKER = "\u0000";

    /**
     * One derived name.
     *
     * @param maxLength how long the whole name may be: a DNS label, a subdomain, or less where Kubernetes appends to it
     */
    public record Derived(Kind kind, String what, UnaryOperator<String> of, int maxLength) {
        public String prefix() {
            String marked = of.apply(MARKER);
            return marked.substring(0, marked.indexOf(MARKER));
        }

        public String suffix() {
            String marked = of.apply(MARKER);
            return marked.substring(marked.indexOf(MARKER) + MARKER.length());
        }

        /** The longest cluster name for which this name still fits. */
        public int maxClusterName() {
            return maxLength - prefix().length() - suffix().length();
        }
    }

    private static final List<Derived> ALL = table();
    private static final SortedSet<String> RESERVED_ENDINGS = computeReservedEndings();

    private DerivedNames() {}

    private static List<Derived> table() {
        List<Derived> all = new ArrayList<>(List.of(
                secret("cluster CA", Names::clusterCa),
                secret("etcd CA", Names::etcdCa),
                secret("front-proxy CA", Names::frontProxyCa),
                secret("service-account keys", Names::serviceAccountKeys),
                secret("clients CA", Names::clientsCa),
                secret("admin kubeconfig", Names::adminKubeconfig),
                secret("API server certificate", Names::apiserverCertificate),
                secret("API server kubelet client", Names::apiserverKubeletClient),
                secret("API server etcd client", Names::apiserverEtcdClient),
                secret("etcd server certificate", Names::etcdServerCertificate),
                secret("etcd peer certificate", Names::etcdPeerCertificate),
                secret("front-proxy client", Names::frontProxyClient),
                secret("controller-manager kubeconfig", Names::controllerManagerKubeconfig),
                secret("scheduler kubeconfig", Names::schedulerKubeconfig),
                secret("konnectivity kubeconfig", Names::konnectivityKubeconfig),
                secret("client CA bundle", Names::clientCaBundle),
                secret("bootstrap token", Names::bootstrapToken),
                secret("cloud-controller credentials", Names::ccmCredentials),
                secret("cluster-autoscaler credentials", Names::clusterAutoscalerSecret),
                secret("cluster-autoscaler kubeconfig", Names::clusterAutoscalerKubeconfig),
                new Derived(Kind.CONFIG_MAP, "CA certificates", Names::caCertificates, DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.SERVICE_ACCOUNT,
                        "cloud-controller account",
                        Names::cloudControllerAccount,
                        DNS_SUBDOMAIN_MAX),
                new Derived(Kind.ROLE, "cloud-controller role", Names::cloudControllerAccount, DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.ROLE_BINDING,
                        "cloud-controller role binding",
                        Names::cloudControllerAccount,
                        DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.CONFIG_MAP, "control-plane configuration", Names::controlPlaneConfig, DNS_SUBDOMAIN_MAX),
                new Derived(Kind.SERVICE, "API server Service", Names::apiserverService, DNS_LABEL_MAX),
                new Derived(Kind.SERVICE, "etcd peer Service", Names::etcdPeerService, DNS_LABEL_MAX),
                new Derived(Kind.SERVICE, "etcd client Service", Names::etcdClientService, DNS_LABEL_MAX),
                new Derived(Kind.DEPLOYMENT, "API server", Names::apiserverDeployment, DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.DEPLOYMENT, "controller-manager", Names::controllerManagerDeployment, DNS_SUBDOMAIN_MAX),
                new Derived(Kind.DEPLOYMENT, "scheduler", Names::schedulerDeployment, DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.DEPLOYMENT, "cluster-autoscaler", Names::clusterAutoscalerDeployment, DNS_SUBDOMAIN_MAX),
                new Derived(Kind.STATEFUL_SET, "etcd", Names::etcdStatefulSet, DNS_LABEL_MAX - REVISION_HASH_ROOM),
                new Derived(
                        Kind.POD_DISRUPTION_BUDGET,
                        "etcd",
                        c -> Names.podDisruptionBudget(Names.etcdStatefulSet(c)),
                        DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.POD_DISRUPTION_BUDGET,
                        "API server",
                        c -> Names.podDisruptionBudget(Names.apiserverDeployment(c)),
                        DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.POD_DISRUPTION_BUDGET,
                        "controller-manager",
                        c -> Names.podDisruptionBudget(Names.controllerManagerDeployment(c)),
                        DNS_SUBDOMAIN_MAX),
                new Derived(
                        Kind.POD_DISRUPTION_BUDGET,
                        "scheduler",
                        c -> Names.podDisruptionBudget(Names.schedulerDeployment(c)),
                        DNS_SUBDOMAIN_MAX)));
        // etcd members: the pod's name is its host name (a DNS label); its data claim is named after it.
        IntStream.range(0, MAX_ETCD_MEMBERS).forEach(ordinal -> {
            all.add(new Derived(Kind.POD, "etcd member " + ordinal, c -> Names.etcdMember(c, ordinal), DNS_LABEL_MAX));
            all.add(new Derived(
                    Kind.PERSISTENT_VOLUME_CLAIM,
                    "etcd data " + ordinal,
                    c -> Names.etcdDataClaim(c, ordinal),
                    DNS_SUBDOMAIN_MAX));
        });
        return List.copyOf(all);
    }

    private static Derived secret(String what, UnaryOperator<String> of) {
        return new Derived(Kind.SECRET, what, of, DNS_SUBDOMAIN_MAX);
    }

    public static List<Derived> all() {
        return ALL;
    }

    public static List<Derived> of(Kind kind) {
        return ALL.stream().filter(d -> d.kind() == kind).toList();
    }

    /** The suffixes of the Secrets a cluster makes: {@code -ca}, {@code -etcd}, {@code -kubeconfig}, ... */
    public static List<String> secretSuffixes() {
        return of(Kind.SECRET).stream().map(Derived::suffix).toList();
    }

    /**
     * Endings a cluster name may not have: for two derived names of one kind whose suffixes end one with the other,
     * what the longer one adds. A cluster named {@code x<ending>} would otherwise take a name of cluster {@code x}.
     */
    public static SortedSet<String> reservedEndings() {
        return RESERVED_ENDINGS;
    }

    private static SortedSet<String> computeReservedEndings() {
        SortedSet<String> endings = new TreeSet<>();
        Map<Kind, List<Derived>> byKind = ALL.stream().collect(Collectors.groupingBy(Derived::kind));
        for (List<Derived> names : byKind.values()) {
            for (Derived longer : names) {
                for (Derived shorter : names) {
                    String ls = longer.suffix();
                    String ss = shorter.suffix();
                    if (longer.prefix().equals(shorter.prefix()) && ls.length() > ss.length() && ls.endsWith(ss)) {
                        endings.add(ls.substring(0, ls.length() - ss.length()));
                    }
                }
            }
        }
        return java.util.Collections.unmodifiableSortedSet(endings);
    }

    /** The longest cluster name every derived name still fits with. */
    public static int maxClusterNameLength() {
        return Math.min(
                DNS_LABEL_MAX,
                ALL.stream().mapToInt(Derived::maxClusterName).min().orElse(DNS_LABEL_MAX));
    }

    /** The derived name that bounds {@link #maxClusterNameLength()}, to say why in a message. */
    public static Derived tightest() {
        return ALL.stream()
                .min(Comparator.comparingInt(Derived::maxClusterName))
                .orElseThrow();
    }

    /** The reserved ending {@code cluster} has, if any. */
    public static Optional<String> reservedEndingOf(String cluster) {
        return reservedEndings().stream().filter(cluster::endsWith).findFirst();
    }

    /** Every name derived from {@code cluster}, by kind, for tests and messages. */
    public static Stream<Map.Entry<Kind, String>> namesOf(String cluster) {
        return ALL.stream().map(d -> Map.entry(d.kind(), d.of().apply(cluster)));
    }
}
