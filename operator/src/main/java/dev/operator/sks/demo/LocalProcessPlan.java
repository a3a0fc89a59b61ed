package dev.operator.sks.demo;

import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the demo, standing in for the management cluster's kubelet, runs one rendered control-plane container as a
 * process on loopback: the rendered command line with only what must differ there rewritten. Pure: the pod spec, the
 * pod's name, the loopback ports and what the binary accepts in; the argument list, the directories to fill from the
 * mounted Secrets and ConfigMaps, and every dropped or added flag (with why) out.
 *
 * <p>What is rewritten, and why:
 *
 * <ul>
 *   <li>a value under a mount path (a certificate, a kubeconfig, the etcd data directory) points into the demo's temp
 *       directory, where the mounted Secret's keys are written as files;
 *   <li>listen and advertise addresses, ports and etcd's URLs: the rendered ones are the pod's and its Services' (every
 *       interface, in-cluster DNS names), which neither resolve nor are free on this machine;
 *   <li>{@code $(POD_NAME)}: the kubelet would expand it; the pod's name is the StatefulSet's first member;
 *   <li>etcd runs one member: a pro cluster's three would need three more port sets for no difference a user can see;
 *   <li>the API server's egress selector is dropped, since konnectivity-server (its other end) is not run;
 *   <li>a flag the binary does not accept is dropped, and named, since the binaries are of another version than the
 *       cluster says;
 *   <li>a plain-HTTP port that older binaries open by default on a fixed number ({@link #CLOSED_PORTS}) is closed.
 * </ul>
 *
 * <p>Kept as rendered: everything else, including {@code --advertise-address} (the cluster's endpoint address, which
 * the API server only writes into the tenant's {@code kubernetes} Service and never binds; a loopback address would
 * be refused there).
 */
public final class LocalProcessPlan {
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * Flags of older binaries whose defaults open a plain-HTTP, unauthenticated port on a fixed number (8080, 10252,
     * 10251): two demos, or a demo and anything else, would fight over it, and nothing needs it. Set to 0 when the
     * binary accepts them; current binaries no longer have them.
     */
    static final Map<Role, String> CLOSED_PORTS = Map.of(
            Role.KUBE_APISERVER, "insecure-port",
            Role.KUBE_CONTROLLER_MANAGER, "port",
            Role.KUBE_SCHEDULER, "port");

    /** The rendered containers the demo runs, by their binary. */
    public enum Role {
        ETCD("etcd"),
        KUBE_APISERVER("kube-apiserver"),
        KUBE_CONTROLLER_MANAGER("kube-controller-manager"),
        KUBE_SCHEDULER("kube-scheduler");

        private final String binary;

        Role(String binary) {
            this.binary = binary;
        }

        public String binary() {
            return binary;
        }
    }

    /** Where on loopback the demo's control plane listens; {@code directory} holds its files. */
    public record Loopback(
            Path directory,
            int etcdClientPort,
            int etcdPeerPort,
            int etcdMetricsPort,
            int apiserverPort,
            int controllerManagerPort,
            int schedulerPort) {

        public String apiserverUrl() {
            return "https://" + LOOPBACK + ":" + apiserverPort;
        }

        String etcdClientUrl() {
            return "https://" + LOOPBACK + ":" + etcdClientPort;
        }

        String etcdPeerUrl() {
            return "https://" + LOOPBACK + ":" + etcdPeerPort;
        }
    }

    /** Whether the binary accepts {@code --flag=value}: asked of the binary itself (see {@link BinaryFlags}). */
    @FunctionalInterface
    public interface FlagSupport {
        boolean accepts(String flag, String value);
    }

    /**
     * A pod volume as a local directory. For a Secret or ConfigMap, its keys are written there as files ({@code items}:
     * key to file name; empty for every key under its own name); otherwise the directory is left empty for the
     * process (etcd's data).
     */
    public record LocalMount(
            String volume,
            String mountPath,
            Path directory,
            Optional<String> secret,
            Optional<String> configMap,
            Map<String, String> items) {
        public LocalMount {
            items = Map.copyOf(items);
        }

        /** The file a key is written to, or empty when the volume does not project it. */
        public Optional<Path> file(String key) {
            if (items.isEmpty()) {
                return Optional.of(directory.resolve(key));
            }
            return Optional.ofNullable(items.get(key)).map(directory::resolve);
        }
    }

    /** A flag left out (or added), and why, for the demo to print. */
    public record FlagNote(String flag, String why) {}

    public record LocalProcess(
            Role role, List<String> args, List<LocalMount> mounts, List<FlagNote> dropped, List<FlagNote> added) {
        public LocalProcess {
            args = List.copyOf(args);
            mounts = List.copyOf(mounts);
            dropped = List.copyOf(dropped);
            added = List.copyOf(added);
        }

        /**
         * The same process with {@code flags} set: a rendered flag of the same name is replaced, any other added,
         * each noted with {@code why} (tests shorten the controller-manager's node-monitor periods this way).
         */
        public LocalProcess withFlags(Map<String, String> flags, String why) {
            List<String> kept = new ArrayList<>();
            for (String arg : args) {
                if (!flags.containsKey(flagName(arg))) {
                    kept.add(arg);
                }
            }
            List<FlagNote> notes = new ArrayList<>(added);
            flags.forEach((flag, value) -> {
                kept.add("--" + flag + "=" + value);
                notes.add(new FlagNote(flag, why));
            });
            return new LocalProcess(role, kept, mounts, dropped, notes);
        }
    }

    static final String KONNECTIVITY_NOT_RUN = "konnectivity-server is not run";
    static final String NOT_ACCEPTED = "not accepted by this binary";

    private LocalProcessPlan() {}

    /**
     * The local process for the container of {@code pod} whose command is {@code role}'s binary.
     *
     * @throws IllegalArgumentException if the pod has no such container
     */
    public static LocalProcess plan(Role role, PodSpec pod, String podName, Loopback loopback, FlagSupport binary) {
        Container container = pod.getContainers().stream()
                .filter(c -> c.getCommand() != null
                        && !c.getCommand().isEmpty()
                        && role.binary().equals(c.getCommand().get(0)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the pod has no " + role.binary() + " container"));
        List<LocalMount> mounts = mounts(role, container, pod.getVolumes(), loopback.directory());
        Map<String, String> env = env(container, podName);

        List<String> args = new ArrayList<>();
        List<FlagNote> dropped = new ArrayList<>();
        List<FlagNote> added = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String arg : container.getArgs() == null ? List.<String>of() : container.getArgs()) {
            String flag = flagName(arg);
            String value = expand(flagValue(arg), env);
            seen.add(flag);
            if (role == Role.KUBE_APISERVER && flag.equals("egress-selector-config-file")) {
                dropped.add(new FlagNote(flag, KONNECTIVITY_NOT_RUN));
                continue;
            }
            value = loopbackValue(role, flag, podName, loopback).orElseGet(localPaths(mounts, value));
            if (!binary.accepts(flag, value)) {
                dropped.add(new FlagNote(flag, NOT_ACCEPTED));
                continue;
            }
            args.add("--" + flag + "=" + value);
        }
        if (role == Role.KUBE_APISERVER && !seen.contains("bind-address")) {
            // The rendered pod listens on every interface of its own network namespace; here that would be the host's.
            args.add("--bind-address=" + LOOPBACK);
            added.add(new FlagNote("bind-address", "listen on loopback only"));
        }
        String closedPort = CLOSED_PORTS.get(role);
        if (closedPort != null && !seen.contains(closedPort) && binary.accepts(closedPort, "0")) {
            args.add("--" + closedPort + "=0");
            added.add(new FlagNote(closedPort, "close the plain-HTTP port older binaries open by default"));
        }
        return new LocalProcess(role, args, mounts, dropped, added);
    }

    /**
     * A mounted kubeconfig (the controller-manager's, the scheduler's) names the API server's in-cluster Service; the
     * local processes reach it on loopback, which its certificate covers.
     */
    public static String pointKubeconfigAt(String kubeconfigYaml, String server) {
        return kubeconfigYaml.replaceAll(
                "(?m)^([ \\t]*)server:[ \\t]*\\S+[ \\t]*$",
                "$1server: " + java.util.regex.Matcher.quoteReplacement(server));
    }

    /** Whether a Secret key holds a kubeconfig whose server {@link #pointKubeconfigAt} must rewrite. */
    public static boolean isKubeconfigKey(String key) {
        return Names.KUBECONFIG_KEY.equals(key);
    }

    private static Optional<String> loopbackValue(Role role, String flag, String podName, Loopback loopback) {
        String value = switch (role) {
            case ETCD ->
                switch (flag) {
                    case "listen-client-urls", "advertise-client-urls" -> loopback.etcdClientUrl();
                    case "listen-peer-urls", "initial-advertise-peer-urls" -> loopback.etcdPeerUrl();
                    case "initial-cluster" -> podName + "=" + loopback.etcdPeerUrl();
                    // A member joining a growing cluster says "existing"; the local member starts one afresh.
                    case "initial-cluster-state" -> "new";
                    case "listen-metrics-urls" -> "http://" + LOOPBACK + ":" + loopback.etcdMetricsPort();
                    default -> null;
                };
            case KUBE_APISERVER ->
                switch (flag) {
                    case "etcd-servers" -> loopback.etcdClientUrl();
                    case "secure-port" -> Integer.toString(loopback.apiserverPort());
                    case "bind-address" -> LOOPBACK;
                    default -> null;
                };
            case KUBE_CONTROLLER_MANAGER ->
                switch (flag) {
                    case "secure-port" -> Integer.toString(loopback.controllerManagerPort());
                    case "bind-address" -> LOOPBACK;
                    default -> null;
                };
            case KUBE_SCHEDULER ->
                switch (flag) {
                    case "secure-port" -> Integer.toString(loopback.schedulerPort());
                    case "bind-address" -> LOOPBACK;
                    default -> null;
                };
        };
        return Optional.ofNullable(value);
    }

    /** A value under a mount path, moved into that mount's local directory; anything else as it is. */
    private static java.util.function.Supplier<String> localPaths(List<LocalMount> mounts, String value) {
        return () -> mounts.stream()
                // The longest mount path first: /etc/kubernetes/pki/sa must win over a mount at /etc/kubernetes.
                .sorted(Comparator.comparingInt((LocalMount m) -> m.mountPath().length())
                        .reversed())
                .filter(m -> value.equals(m.mountPath()) || value.startsWith(m.mountPath() + "/"))
                .findFirst()
                .map(m ->
                        m.directory().toString() + value.substring(m.mountPath().length()))
                .orElse(value);
    }

    private static List<LocalMount> mounts(Role role, Container container, List<Volume> volumes, Path directory) {
        List<LocalMount> mounts = new ArrayList<>();
        for (VolumeMount mount :
                container.getVolumeMounts() == null ? List.<VolumeMount>of() : container.getVolumeMounts()) {
            Path local = directory.resolve(role.binary()).resolve(mount.getName());
            Volume volume = volumes == null
                    ? null
                    : volumes.stream()
                            .filter(v -> mount.getName().equals(v.getName()))
                            .findFirst()
                            .orElse(null);
            Optional<String> secret = Optional.empty();
            Optional<String> configMap = Optional.empty();
            List<KeyToPath> items = List.of();
            if (volume != null && volume.getSecret() != null) {
                secret = Optional.of(volume.getSecret().getSecretName());
                items = volume.getSecret().getItems();
            } else if (volume != null && volume.getConfigMap() != null) {
                configMap = Optional.of(volume.getConfigMap().getName());
                items = volume.getConfigMap().getItems();
            }
            Map<String, String> projected = new LinkedHashMap<>();
            for (KeyToPath item : items == null ? List.<KeyToPath>of() : items) {
                projected.put(item.getKey(), item.getPath());
            }
            mounts.add(new LocalMount(mount.getName(), mount.getMountPath(), local, secret, configMap, projected));
        }
        return mounts;
    }

    /** The container's environment as the kubelet would set it: literal values, and the pod's name. */
    private static Map<String, String> env(Container container, String podName) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            } else if (var.getValueFrom() != null
                    && var.getValueFrom().getFieldRef() != null
                    && "metadata.name".equals(var.getValueFrom().getFieldRef().getFieldPath())) {
                env.put(var.getName(), podName);
            }
        }
        return env;
    }

    private static String expand(String value, Map<String, String> env) {
        String result = value;
        for (var entry : env.entrySet()) {
            result = result.replace("$(" + entry.getKey() + ")", entry.getValue());
        }
        return result;
    }

    private static String flagName(String arg) {
        String bare = arg.startsWith("--") ? arg.substring(2) : arg;
        int eq = bare.indexOf('=');
        return eq < 0 ? bare : bare.substring(0, eq);
    }

    private static String flagValue(String arg) {
        int eq = arg.indexOf('=');
        return eq < 0 ? "true" : arg.substring(eq + 1);
    }
}
