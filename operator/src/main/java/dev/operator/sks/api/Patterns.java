package dev.operator.sks.api;

/** Regular expressions shared by the schema annotations and the operator's own validation. */
public final class Patterns {
    /** RFC 1123 label: what Kubernetes accepts as a Service or namespace name. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    /** RFC 1123 subdomain: what Kubernetes accepts as a Secret or ConfigMap name. */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A qualified label key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
    public static final String LABEL_KEY =
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
    /** The same expression with backslashes doubled, for use inside a single-quoted CEL string literal. */
    static final String LABEL_KEY_CEL =
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

    /**
     * RFC 1035 label: what every name derived from a cluster's name allows (Services need a letter first; no dots,
     * since a cluster's name is one label of its etcd members' host names).
     */
    public static final String CLUSTER_NAME = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
    /**
     * The longest cluster name: {@code naming.DerivedNames.maxClusterNameLength()}, bound by the etcd StatefulSet's
     * controller-revision-hash label ({@code <cluster>-etcd-<10 characters>} within 63). A test keeps the two equal.
     */
    public static final int CLUSTER_NAME_MAX_LENGTH = 47;
    /**
     * Endings a cluster name may not have: {@code naming.DerivedNames.reservedEndings()}, as a CEL list. A cluster
     * {@code a-clients} would own {@code a-clients-ca}, the clients CA of cluster {@code a}. A test keeps them equal.
     */
    public static final String CLUSTER_NAME_RESERVED_ENDINGS_CEL =
            "['-clients', '-controller-manager', '-konnectivity', '-scheduler']";
    /** Schema rules on the SKSCluster's name (API servers 1.25+); the operator checks the same on every server. */
    static final String CLUSTER_NAME_RULE = "self.metadata.name.size() <= " + CLUSTER_NAME_MAX_LENGTH
            + " && self.metadata.name.matches('" + CLUSTER_NAME + "')";

    static final String CLUSTER_NAME_MESSAGE = "metadata.name must be a DNS-1035 label (lowercase letters, digits and "
            + "'-', starting with a letter, no dots) of at most " + CLUSTER_NAME_MAX_LENGTH + " characters";
    static final String CLUSTER_NAME_ENDING_RULE =
            "!" + CLUSTER_NAME_RESERVED_ENDINGS_CEL + ".exists(e, self.metadata.name.endsWith(e))";
    static final String CLUSTER_NAME_ENDING_MESSAGE = "metadata.name may not end with -clients, -controller-manager, "
            + "-konnectivity or -scheduler: the cluster's objects would take the names of another cluster's";

    /**
     * A printable subject (user or group of a client certificate): no control characters (C0, DEL, C1) and no
     * invisible direction or formatting marks (U+200B..U+200F, U+202A..U+202E, U+2060..U+206F, U+FEFF), which would
     * let a name read as another in a terminal or in RBAC bindings.
     */
    public static final String PRINTABLE_SUBJECT =
            "^[^\\x00-\\x1f\\x7f-\\x9f\\x{200b}-\\x{200f}\\x{202a}-\\x{202e}\\x{2060}-\\x{206f}\\x{feff}]+$";

    /** {@link #PRINTABLE_SUBJECT} with backslashes doubled, for use inside a single-quoted CEL string literal. */
    static final String PRINTABLE_SUBJECT_CEL =
            "^[^\\\\x00-\\\\x1f\\\\x7f-\\\\x9f\\\\x{200b}-\\\\x{200f}\\\\x{202a}-\\\\x{202e}\\\\x{2060}-\\\\x{206f}\\\\x{feff}]+$";

    /**
     * A machine image a Nodepool names: an Exoscale template name ({@code Linux Ubuntu 24.04 LTS 64-bit}) or id, or a
     * container disk reference ({@code quay.io/capk/ubuntu-2404-container-disk:v1.33.5}, {@code ...@sha256:...}).
     * Letters, digits, spaces and {@code -._:/@+()}, no leading or trailing space: nothing a shell, YAML or an API
     * query could read as more than a name. Whether the provider has it is the provider's to say.
     */
    public static final String NODE_IMAGE = "^[A-Za-z0-9]([-A-Za-z0-9 ._:/@+()]*[-A-Za-z0-9._:/@+()])?$";

    public static final int NODE_IMAGE_MAX_LENGTH = 255;

    /** A duration as Kubernetes users write them (10m, 1h30m, 90s): whole hours, minutes and seconds. */
    public static final String DURATION = "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$";

    /** A count (3) or a percentage (40%). */
    public static final String COUNT_OR_PERCENT = "^([0-9]+|[0-9]+%)$";

    private Patterns() {}
}
