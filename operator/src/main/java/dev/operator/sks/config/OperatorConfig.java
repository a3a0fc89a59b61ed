package dev.operator.sks.config;

import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.Ipv4Block;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's settings. Each comes from a flag ({@code --http-port=9090}) or its environment variable
 * ({@code SKS_HTTP_PORT}); a flag wins over the variable, the variable over the default.
 */
public record OperatorConfig(
        int httpPort,
        Set<String> watchNamespaces,
        String provider,
        List<String> zones,
        boolean leaderElection,
        String leaseNamespace,
        String identity,
        Duration simulatedInstanceDelay,
        Ipv4Block simulatedLoadBalancerAddresses,
        String exoscaleApiEndpoint,
        String exoscaleCredentialsNamespace,
        String exoscaleCredentialsSecret,
        String exoscaleTemplate,
        String kubevirtImage,
        String kubevirtInfraServer,
        Duration idleStarterDeletion,
        int autoscalerGrpcPort,
        String autoscalerGrpcAddress,
        String operatorNamespace,
        int shards,
        int shardIndex,
        BackupSettings backups) {

    private static final Pattern ORDINAL = Pattern.compile("-(\\d{1,9})$");

    public static final List<String> DEFAULT_ZONES =
            List.of("at-vie-1", "at-vie-2", "bg-sof-1", "ch-dk-2", "ch-gva-2", "de-fra-1", "de-muc-1");
    /** In the order --help lists them. */
    public static final Set<String> PROVIDERS =
            Collections.unmodifiableSet(new LinkedHashSet<>(List.of("simulated", "kubevirt", "exoscale")));

    /** Every setting: flag name, environment variable, default, and what it does (for --help). */
    public enum Setting {
        HTTP_PORT("http-port", "SKS_HTTP_PORT", "8080", "port of /healthz, /readyz and /metrics"),
        WATCH_NAMESPACES(
                "watch-namespaces",
                "SKS_WATCH_NAMESPACES",
                "",
                "comma-separated namespaces to serve; empty serves all"),
        PROVIDER("provider", "SKS_PROVIDER", "simulated", "compute provider behind instance pools: " + PROVIDERS),
        ZONES("zones", "SKS_ZONES", String.join(",", DEFAULT_ZONES), "comma-separated zones clusters may use"),
        LEADER_ELECTION(
                "leader-election",
                "SKS_LEADER_ELECTION",
                "false",
                "elect a leader on a Lease, for more than one replica"),
        LEASE_NAMESPACE(
                "lease-namespace",
                "SKS_LEASE_NAMESPACE",
                "",
                "namespace of the leader-election Lease (default: POD_NAMESPACE)"),
        SIMULATED_INSTANCE_DELAY(
                "simulated-instance-delay",
                "SKS_SIMULATED_INSTANCE_DELAY",
                "PT5S",
                "how long a simulated instance takes to run (ISO-8601 duration)"),
        SIMULATED_LOAD_BALANCER_ADDRESSES(
                "simulated-load-balancer-addresses",
                "SKS_SIMULATED_LOAD_BALANCER_ADDRESSES",
                "198.51.100.0/24",
                "IPv4 CIDR whose addresses the simulated provider gives tenant Services of type LoadBalancer"),
        EXOSCALE_API_ENDPOINT(
                "exoscale-api-endpoint",
                "SKS_EXOSCALE_API_ENDPOINT",
                "https://api-{zone}.exoscale.com/v2",
                "Exoscale compute API v2; {zone} becomes the cluster's zone"),
        EXOSCALE_CREDENTIALS_SECRET(
                "exoscale-credentials-secret",
                "SKS_EXOSCALE_CREDENTIALS_SECRET",
                "exoscale-credentials",
                "Secret with keys api-key and api-secret, NAME (in POD_NAMESPACE) or NAMESPACE/NAME"),
        EXOSCALE_TEMPLATE(
                "exoscale-template",
                "SKS_EXOSCALE_TEMPLATE",
                "",
                "Exoscale template (name or id) of pools that name none; empty: the version catalog's for the minor"),
        KUBEVIRT_IMAGE(
                "kubevirt-image",
                "SKS_KUBEVIRT_IMAGE",
                "",
                "KubeVirt container disk of pools that name none; empty: the version catalog's for the minor"),
        KUBEVIRT_INFRA_SERVER(
                "kubevirt-infra-server",
                "SKS_KUBEVIRT_INFRA_SERVER",
                "",
                "management API server URL as tenant nodes reach it, for the KubeVirt cloud controller's kubeconfig "
                        + "(default: the URL the operator itself uses)"),
        IDLE_STARTER_DELETION(
                "idle-starter-deletion",
                "SKS_IDLE_STARTER_DELETION",
                "P30D",
                "delete a starter cluster that has had no nodepool this long, warned 7 days before (ISO-8601 "
                        + "duration; PT0S turns it off)"),
        AUTOSCALER_GRPC_PORT(
                "autoscaler-grpc-port",
                "SKS_AUTOSCALER_GRPC_PORT",
                "8086",
                "port of the cluster-autoscaler externalgrpc provider (mutual TLS); -1 turns it off"),
        AUTOSCALER_GRPC_ADDRESS(
                "autoscaler-grpc-address",
                "SKS_AUTOSCALER_GRPC_ADDRESS",
                "",
                "host:port the clusters' cluster-autoscalers dial for the provider, also the server certificate's "
                        + "name (default: sks-operator.<POD_NAMESPACE>.svc:<port>)"),
        SHARDS(
                "shards",
                "SKS_SHARDS",
                "1",
                "split the clusters among this many leading replicas by a hash of their namespace; each watches only "
                        + "its own and elects its leader on its own Lease"),
        SHARD_INDEX(
                "shard-index",
                "SKS_SHARD_INDEX",
                "",
                "the shard this replica serves, 0 to shards-1 (default: the StatefulSet ordinal K that ends the pod "
                        + "name, modulo shards)"),
        BACKUP_S3_ENDPOINT(
                "backup-s3-endpoint",
                "SKS_BACKUP_S3_ENDPOINT",
                "",
                "S3-compatible endpoint for etcd backups (e.g. https://sos-ch-gva-2.exo.io); empty turns backups off"),
        BACKUP_S3_REGION("backup-s3-region", "SKS_BACKUP_S3_REGION", "us-east-1", "region of the backup store"),
        BACKUP_S3_BUCKET("backup-s3-bucket", "SKS_BACKUP_S3_BUCKET", "", "bucket of the backups"),
        BACKUP_S3_PATH_STYLE(
                "backup-s3-path-style",
                "SKS_BACKUP_S3_PATH_STYLE",
                "true",
                "path-style addressing (endpoint/bucket/key) rather than virtual hosts (bucket.endpoint/key)"),
        BACKUP_KEY_PREFIX("backup-key-prefix", "SKS_BACKUP_KEY_PREFIX", "sks", "prefix of every backup object key"),
        BACKUP_S3_CREDENTIALS_SECRET(
                "backup-s3-credentials-secret",
                "SKS_BACKUP_S3_CREDENTIALS_SECRET",
                "sks-backup-credentials",
                "Secret with keys access-key-id and secret-access-key, NAME (in POD_NAMESPACE) or NAMESPACE/NAME"),
        BACKUP_ENCRYPTION_SECRET(
                "backup-encryption-secret",
                "SKS_BACKUP_ENCRYPTION_SECRET",
                "sks-backup-encryption",
                "Secret whose key 'key' holds the 32-byte AES-256 key of the CA bundles, NAME or NAMESPACE/NAME"),
        BACKUP_CONCURRENCY(
                "backup-concurrency", "SKS_BACKUP_CONCURRENCY", "2", "how many backups run at once, at most");

        final String flag;
        final String env;
        final String defaultValue;
        final String help;

        Setting(String flag, String env, String defaultValue, String help) {
            this.flag = flag;
            this.env = env;
            this.defaultValue = defaultValue;
            this.help = help;
        }
    }

    public OperatorConfig {
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("http port " + httpPort + " is not between 0 and 65535");
        }
        if (!PROVIDERS.contains(provider)) {
            throw new IllegalArgumentException("provider '" + provider + "' is not one of " + PROVIDERS);
        }
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("at least one zone must be configured");
        }
        if (!exoscaleApiEndpoint.startsWith("https://") && !exoscaleApiEndpoint.startsWith("http://")) {
            throw new IllegalArgumentException(
                    Setting.EXOSCALE_API_ENDPOINT.env + " '" + exoscaleApiEndpoint + "' is not an http(s) URL");
        }
        if (exoscaleCredentialsSecret.isBlank() || exoscaleCredentialsNamespace.isBlank()) {
            throw new IllegalArgumentException(Setting.EXOSCALE_CREDENTIALS_SECRET.env + " names no Secret");
        }
        if (idleStarterDeletion.isNegative()) {
            throw new IllegalArgumentException(Setting.IDLE_STARTER_DELETION.env + " must not be negative");
        }
        if (!kubevirtInfraServer.isEmpty() && !kubevirtInfraServer.startsWith("https://")) {
            throw new IllegalArgumentException(
                    Setting.KUBEVIRT_INFRA_SERVER.env + " '" + kubevirtInfraServer + "' is not an https URL");
        }
        if (autoscalerGrpcPort < -1 || autoscalerGrpcPort > 65535) {
            throw new IllegalArgumentException(
                    Setting.AUTOSCALER_GRPC_PORT.env + " " + autoscalerGrpcPort + " is not -1 (off) or a port");
        }
        watchNamespaces = Set.copyOf(watchNamespaces);
        zones = List.copyOf(zones);
        new Sharding(shards, shardIndex); // validates, naming the flags
    }

    /** This replica's shard, and how many there are. */
    public Sharding sharding() {
        return new Sharding(shards, shardIndex);
    }

    /** Whether idle starter clusters are deleted at all. */
    public boolean deletesIdleStarters() {
        return !idleStarterDeletion.isZero();
    }

    public static OperatorConfig defaults() {
        return parse(new String[0], Map.of());
    }

    /**
     * Reads the settings from flags and the environment.
     *
     * @throws IllegalArgumentException naming the flag or variable at fault
     */
    public static OperatorConfig parse(String[] args, Map<String, String> env) {
        Map<Setting, String> flags = parseFlags(args);
        Function<Setting, String> value = s ->
                flags.getOrDefault(s, env.getOrDefault(s.env, s.defaultValue)).trim();
        String leaseNamespace = value.apply(Setting.LEASE_NAMESPACE);
        String podNamespace = env.getOrDefault("POD_NAMESPACE", "default");
        if (leaseNamespace.isEmpty()) {
            leaseNamespace = podNamespace;
        }
        String credentials = value.apply(Setting.EXOSCALE_CREDENTIALS_SECRET);
        int grpcPort = parseGrpcPort(value.apply(Setting.AUTOSCALER_GRPC_PORT));
        String grpcAddress = value.apply(Setting.AUTOSCALER_GRPC_ADDRESS);
        int slash = credentials.indexOf('/');
        String identity = env.getOrDefault("POD_NAME", hostname());
        int shards = parseInt(Setting.SHARDS, value.apply(Setting.SHARDS));
        int shardIndex = shardIndex(value.apply(Setting.SHARD_INDEX), shards, identity);
        return new OperatorConfig(
                parsePort(value.apply(Setting.HTTP_PORT)),
                Set.copyOf(commaSeparated(value.apply(Setting.WATCH_NAMESPACES))),
                value.apply(Setting.PROVIDER),
                commaSeparated(value.apply(Setting.ZONES)),
                // A shard's standbys must not reconcile beside its leader: sharded, a leader is always elected.
                parseBoolean(Setting.LEADER_ELECTION, value.apply(Setting.LEADER_ELECTION)) || shards > 1,
                leaseNamespace,
                identity,
                parseDuration(Setting.SIMULATED_INSTANCE_DELAY, value.apply(Setting.SIMULATED_INSTANCE_DELAY)),
                parseBlock(
                        Setting.SIMULATED_LOAD_BALANCER_ADDRESSES,
                        value.apply(Setting.SIMULATED_LOAD_BALANCER_ADDRESSES)),
                value.apply(Setting.EXOSCALE_API_ENDPOINT),
                slash < 0 ? podNamespace : credentials.substring(0, slash),
                credentials.substring(slash + 1),
                value.apply(Setting.EXOSCALE_TEMPLATE),
                value.apply(Setting.KUBEVIRT_IMAGE),
                value.apply(Setting.KUBEVIRT_INFRA_SERVER),
                parseDuration(Setting.IDLE_STARTER_DELETION, value.apply(Setting.IDLE_STARTER_DELETION)),
                grpcPort,
                grpcAddress.isEmpty() ? "sks-operator." + podNamespace + ".svc:" + grpcPort : grpcAddress,
                podNamespace,
                shards,
                shardIndex,
                backups(value, podNamespace));
    }

    /**
     * The shard index told, or else the StatefulSet ordinal that ends the pod name ({@code sks-operator-4}), modulo
     * the shard count: a StatefulSet of shards × (1 + standbys) pods then has every shard served by its ordinals
     * {@code i, i + shards, ...}, the first leading and the rest standing by on the shard's Lease.
     */
    private static int shardIndex(String told, int shards, String identity) {
        if (!told.isEmpty()) {
            return parseInt(Setting.SHARD_INDEX, told);
        }
        if (shards <= 1) {
            return 0; // too few shards is the Sharding's to refuse, naming --shards
        }
        Matcher ordinal = ORDINAL.matcher(identity);
        if (!ordinal.find()) {
            throw new IllegalArgumentException(Setting.SHARD_INDEX.env + " / --" + Setting.SHARD_INDEX.flag
                    + " is needed with " + shards + " shards: the pod name '" + identity
                    + "' ends in no StatefulSet ordinal (-K) to take it from");
        }
        return (int) (Long.parseLong(ordinal.group(1)) % shards);
    }

    private static int parseInt(Setting setting, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    setting.env + " / --" + setting.flag + " '" + text + "' is not a number");
        }
    }

    /** Whether the operator serves the cluster-autoscalers' externalgrpc provider. */
    public boolean servesAutoscalers() {
        return autoscalerGrpcPort >= 0;
    }

    private static BackupSettings backups(Function<Setting, String> value, String podNamespace) {
        String endpoint = value.apply(Setting.BACKUP_S3_ENDPOINT);
        if (!endpoint.isEmpty() && !endpoint.startsWith("https://") && !endpoint.startsWith("http://")) {
            throw new IllegalArgumentException(
                    Setting.BACKUP_S3_ENDPOINT.env + " '" + endpoint + "' is not an http(s) URL");
        }
        String credentials = value.apply(Setting.BACKUP_S3_CREDENTIALS_SECRET);
        String encryption = value.apply(Setting.BACKUP_ENCRYPTION_SECRET);
        int concurrency;
        try {
            concurrency = Integer.parseInt(value.apply(Setting.BACKUP_CONCURRENCY));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Setting.BACKUP_CONCURRENCY.env + " is not a number");
        }
        return new BackupSettings(
                endpoint.isEmpty() ? Optional.empty() : Optional.of(java.net.URI.create(endpoint)),
                value.apply(Setting.BACKUP_S3_REGION),
                value.apply(Setting.BACKUP_S3_BUCKET),
                parseBoolean(Setting.BACKUP_S3_PATH_STYLE, value.apply(Setting.BACKUP_S3_PATH_STYLE)),
                value.apply(Setting.BACKUP_KEY_PREFIX),
                namespaceOf(credentials, podNamespace),
                nameOf(credentials),
                namespaceOf(encryption, podNamespace),
                nameOf(encryption),
                concurrency);
    }

    private static String namespaceOf(String reference, String podNamespace) {
        int slash = reference.indexOf('/');
        return slash < 0 ? podNamespace : reference.substring(0, slash);
    }

    private static String nameOf(String reference) {
        return reference.substring(reference.indexOf('/') + 1);
    }

    /** The same settings with backups going to {@code backups} (the demo's in-process store, tests). */
    public OperatorConfig withBackups(BackupSettings backups) {
        return new OperatorConfig(
                httpPort,
                watchNamespaces,
                provider,
                zones,
                leaderElection,
                leaseNamespace,
                identity,
                simulatedInstanceDelay,
                simulatedLoadBalancerAddresses,
                exoscaleApiEndpoint,
                exoscaleCredentialsNamespace,
                exoscaleCredentialsSecret,
                exoscaleTemplate,
                kubevirtImage,
                kubevirtInfraServer,
                idleStarterDeletion,
                autoscalerGrpcPort,
                autoscalerGrpcAddress,
                operatorNamespace,
                shards,
                shardIndex,
                backups);
    }

    /**
     * The node image the operator names for pools of its provider that name none, over the version catalog's: the
     * {@code --exoscale-template} or {@code --kubevirt-image} of the provider in use. Empty when unset, or for the
     * simulated provider, which boots nothing.
     */
    public Optional<String> nodeImageOverride() {
        String image = switch (provider) {
            case "exoscale" -> exoscaleTemplate;
            case "kubevirt" -> kubevirtImage;
            default -> "";
        };
        return Optional.ofNullable(image).filter(i -> !i.isBlank());
    }

    public boolean watchesAllNamespaces() {
        return watchNamespaces.isEmpty();
    }

    public static String usage() {
        StringBuilder text = new StringBuilder();
        for (Setting s : Setting.values()) {
            text.append(String.format(
                    "  --%-26s %-30s %s (default: %s)%n",
                    s.flag + "=VALUE", s.env, s.help, s.defaultValue.isEmpty() ? "none" : s.defaultValue));
        }
        return text.toString();
    }

    private static Map<Setting, String> parseFlags(String[] args) {
        Map<Setting, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String flagValue = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                flagValue = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            String flagName = name;
            Setting setting = Arrays.stream(Setting.values())
                    .filter(s -> s.flag.equals(flagName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown flag --" + flagName));
            if (flagValue == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("flag --" + flagName + " needs a value");
                }
                flagValue = args[++i];
            }
            flags.put(setting, flagValue);
        }
        return flags;
    }

    private static List<String> commaSeparated(String text) {
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Setting.HTTP_PORT.env + " / --http-port '" + text + "' is not a number");
        }
    }

    private static int parseGrpcPort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    Setting.AUTOSCALER_GRPC_PORT.env + " / --autoscaler-grpc-port '" + text + "' is not a number");
        }
    }

    private static boolean parseBoolean(Setting setting, String text) {
        return switch (text.toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default ->
                throw new IllegalArgumentException(
                        setting.env + " / --" + setting.flag + " '" + text + "' is neither true nor false");
        };
    }

    private static Duration parseDuration(Setting setting, String text) {
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    setting.env + " / --" + setting.flag + " '" + text + "' is not an ISO-8601 duration such as PT5S");
        }
    }

    private static Ipv4Block parseBlock(Setting setting, String text) {
        try {
            return Ipv4Block.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting.env + " / --" + setting.flag + ": " + e.getMessage());
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "sks-operator";
        }
    }
}
