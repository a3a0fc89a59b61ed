package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A machine in a directory, to run the node setup script in: {@code root/} is what the script sees as {@code /}
 * (through {@code SKS_ROOT}), and the commands that would change the real machine ({@code apt-get}, {@code curl},
 * {@code gpg}, {@code kubeadm}, {@code systemctl}, {@code modprobe}, {@code sysctl}, {@code swapoff}, ...) are
 * stand-ins that record each call, one line in {@link #calls()}, and do just enough for the script to go on: the
 * stand-in apt-get "installs" stand-in kubelet, kubeadm and containerd of the version it was asked for, kubeadm join
 * writes {@code /etc/kubernetes/kubelet.conf} as the real one does. The PATH holds the stand-ins and a few real tools
 * (bash, sed, grep, ...) only, so nothing of the host's own Kubernetes tools can leak in.
 */
final class NodeSandbox {
    /** Real tools the script and the stand-ins use. */
    private static final List<String> REAL_TOOLS = List.of("bash", "sed", "grep", "mkdir", "cat", "chmod", "touch");

    private static final String RECORD = """
            #!/bin/bash
            # Stand-in: records the call with what the apt source setup looks like at that moment.
            state="keyring=$([ -s "$SKS_ROOT/etc/apt/keyrings/kubernetes-apt-keyring.gpg" ] && echo yes || echo no)"
            state="$state list=$([ -s "$SKS_ROOT/etc/apt/sources.list.d/kubernetes.list" ] && echo yes || echo no)"
            echo "${0##*/} $* [$state]" >> "$SANDBOX_LOG"
            """;

    private final Path dir;
    private final Path root;
    private final Path standIns;
    private final Path installed;
    private final Path system;
    private final Path log;

    NodeSandbox(Path dir) throws IOException {
        this.dir = dir;
        this.root = Files.createDirectories(dir.resolve("root"));
        this.standIns = Files.createDirectories(dir.resolve("stand-ins"));
        this.installed = Files.createDirectories(dir.resolve("installed"));
        this.system = Files.createDirectories(dir.resolve("system"));
        this.log = dir.resolve("calls.log");
        Files.writeString(log, "");
        for (String tool : REAL_TOOLS) {
            // A wrapper, not a link: JUnit warns about links out of its temporary directory.
            script(system.resolve(tool), "#!" + realTool("bash") + "\nexec " + realTool(tool) + " \"$@\"\n");
        }
        for (String name : List.of("swapoff", "modprobe", "sysctl", "systemctl", "apt-mark")) {
            standIn(standIns, name, "");
        }
        standIn(standIns, "curl", "echo 'stand-in release key'\n");
        standIn(standIns, "gpg", """
                while [ $# -gt 0 ]; do
                  if [ "$1" = "-o" ]; then out="$2"; shift; fi
                  shift
                done
                cat > "$out"
                """);
        standIn(standIns, "apt-get", """
                for arg in "$@"; do
                  case "$arg" in
                    kubeadm=*)
                      version="${arg#kubeadm=}"
                      version="${version%-*}"
                      "$SANDBOX_HELPERS/install-kubernetes" "$version"
                      ;;
                  esac
                done
                """);
        Path helpers = Files.createDirectories(dir.resolve("helpers"));
        script(helpers.resolve("install-kubernetes"), """
                #!/bin/bash
                # Writes stand-in containerd, kubelet, kubeadm and kubectl of version $1 into $SANDBOX_INSTALLED.
                version="$1"
                for tool in containerd kubelet kubeadm kubectl; do
                  cat "$SANDBOX_HELPERS/record" > "$SANDBOX_INSTALLED/$tool"
                  cat >> "$SANDBOX_INSTALLED/$tool" <<TOOL
                case "\\$*" in
                  "version -o short") echo "v$version" ;;
                  "--version") echo "Kubernetes v$version" ;;
                  "config default") printf '[plugins]\\n  SystemdCgroup = false\\n' ;;
                  join*) mkdir -p "\\$SKS_ROOT/etc/kubernetes"; echo "kubeconfig" > "\\$SKS_ROOT/etc/kubernetes/kubelet.conf" ;;
                esac
                TOOL
                  chmod 755 "$SANDBOX_INSTALLED/$tool"
                done
                """);
        script(helpers.resolve("record"), RECORD);
    }

    /** The image already carries containerd, kubelet, kubeadm and kubectl of {@code version}. */
    NodeSandbox withKubernetesInstalled(String version) throws IOException, InterruptedException {
        ProcessBuilder p = new ProcessBuilder(
                        dir.resolve("helpers/install-kubernetes").toString(), version)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("install.out").toFile());
        p.environment().clear();
        p.environment().putAll(environment());
        Process running = p.start();
        assertThat(running.waitFor(60, TimeUnit.SECONDS))
                .as("the stand-in install finishes")
                .isTrue();
        assertThat(running.exitValue()).isZero();
        return this;
    }

    /** A file of the machine, as the script wrote it. */
    Optional<String> file(String path) throws IOException {
        Path file = root.resolve(path.substring(1));
        return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
    }

    void writeFile(String path, String content) throws IOException {
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** Runs the script as the machine would (as root, from cloud-init): one boot. */
    Run run(String script) throws IOException, InterruptedException {
        Path file = dir.resolve("sks-node-setup");
        Files.writeString(file, script);
        int before = calls().size();
        ProcessBuilder builder = new ProcessBuilder(system.resolve("bash").toString(), file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("run.out").toFile());
        builder.environment().clear();
        builder.environment().putAll(environment());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the node setup script did not finish");
        }
        List<String> all = calls();
        return new Run(process.exitValue(), all.subList(before, all.size()), Files.readString(dir.resolve("run.out")));
    }

    /** Every recorded call since the sandbox was made, in order. */
    List<String> calls() throws IOException {
        return new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
    }

    /** Where {@code SKS_ROOT} points: paths the script passes to commands start with it. */
    String root() {
        return root.toString();
    }

    record Run(int exitCode, List<String> calls, String output) {
        /** The calls of that command (its name and arguments, without the recorded state). */
        List<String> of(String command) {
            return calls.stream()
                    .filter(c -> c.startsWith(command + " ") || c.equals(command))
                    .toList();
        }

        int indexOf(String prefix) {
            for (int i = 0; i < calls.size(); i++) {
                if (calls.get(i).startsWith(prefix)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private Map<String, String> environment() {
        return Map.of(
                "PATH",
                standIns + ":" + installed + ":" + system,
                NodeSetupScript.ROOT_VARIABLE,
                root.toString(),
                "SANDBOX_LOG",
                log.toString(),
                "SANDBOX_INSTALLED",
                installed.toString(),
                "SANDBOX_HELPERS",
                dir.resolve("helpers").toString(),
                "HOME",
                dir.toString());
    }

    private static void standIn(Path directory, String name, String behaviour) throws IOException {
        script(directory.resolve(name), RECORD + behaviour);
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path realTool(String name) {
        for (String directory : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("the sandbox needs " + name + " on this machine");
    }
}
