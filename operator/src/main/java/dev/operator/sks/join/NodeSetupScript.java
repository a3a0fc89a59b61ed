package dev.operator.sks.join;

import dev.operator.sks.catalog.KubernetesVersion;
import java.util.Map;
import java.util.Objects;

/**
 * The shell script a new machine runs from its user-data: it prepares the host as kubeadm's preflight checks want it
 * (swap off, the overlay and br_netfilter modules, bridged traffic through iptables, forwarding), installs containerd,
 * kubelet, kubeadm and kubectl when the image lacks them, then joins the cluster with the JoinConfiguration the
 * user-data wrote.
 *
 * <p>Packages come from the Kubernetes project's own repository for the cluster's minor (pkgs.k8s.io, signed by its
 * Release.key), pinned to the cluster's exact patch and held, so an unattended upgrade cannot move a kubelet ahead of
 * its control plane. containerd uses the systemd cgroup driver, the kubelet's default under kubeadm: the two must
 * agree, or pods restart endlessly.
 *
 * <p>It runs again safely (cloud-init runs it once per instance, but an operator may run it by hand, or a
 * {@code cloud-init clean} may): software already of the cluster's minor is not installed again, and a machine that
 * joined ({@code /etc/kubernetes/kubelet.conf}, which kubeadm join writes) does not join again. Every path it writes or
 * checks is prefixed with {@code $SKS_ROOT} (empty on a machine), so tests run it in a directory.
 *
 * <p>Pure: the same {@link Setup}, the same bytes.
 */
public final class NodeSetupScript {
    /** Where the user-data writes the script, and what it runs. */
    public static final String PATH = "/usr/local/sbin/sks-node-setup";
    /** The variable tests set to run the script in a directory; empty on a machine. */
    public static final String ROOT_VARIABLE = "SKS_ROOT";
    /** The Debian revision pkgs.k8s.io gives every Kubernetes release it packages ({@code kubelet=1.33.4-1.1}). */
    static final String PACKAGE_REVISION = "1.1";
    /** Where the repository's signing key goes: the keyring the source list pins with {@code signed-by}. */
    static final String KEYRING = "/etc/apt/keyrings/kubernetes-apt-keyring.gpg";
    /** kubeadm join writes it once the kubelet has its credentials: the machine has joined. */
    static final String KUBELET_KUBECONFIG = "/etc/kubernetes/kubelet.conf";

    /**
     * What the script depends on.
     *
     * @param version  the cluster's Kubernetes patch: the packages installed, the minor checked on the machine
     * @param bakedIn  the version catalog says the image carries containerd, kubelet and kubeadm of that minor: the
     *                 script installs nothing (and says so plainly if they are missing after all)
     */
    public record Setup(KubernetesVersion version, boolean bakedIn) {
        public Setup {
            Objects.requireNonNull(version, "version");
            if (!version.isPatch()) {
                throw new IllegalArgumentException("the node setup needs a patch version, not " + version);
            }
        }

        /** The Debian package version of kubelet, kubeadm and kubectl, e.g. {@code 1.33.4-1.1}. */
        public String packageVersion() {
            return version + "-" + PACKAGE_REVISION;
        }

        /** The repository of the minor, e.g. {@code https://pkgs.k8s.io/core:/stable:/v1.33/deb/}. */
        public String repository() {
            return "https://pkgs.k8s.io/core:/stable:/v" + version.minorVersion() + "/deb/";
        }
    }

    private NodeSetupScript() {}

    public static String render(Setup setup) {
        String software = setup.bakedIn() ? BAKED_IN : INSTALL_WHEN_MISSING;
        return fill(
                HEADER + HOST + CHECK + (setup.bakedIn() ? "" : INSTALL) + JOIN + "\n" + HOST_STEPS + software
                        + JOIN_STEP,
                Map.of(
                        "@VERSION@",
                        setup.version().toString(),
                        "@MINOR@",
                        setup.version().minorVersion(),
                        "@PACKAGE_VERSION@",
                        setup.packageVersion(),
                        "@REPOSITORY@",
                        setup.repository(),
                        "@KEYRING@",
                        KEYRING,
                        "@KUBELET_KUBECONFIG@",
                        KUBELET_KUBECONFIG,
                        "@JOIN_CONFIGURATION@",
                        UserDataRenderer.JOIN_CONFIGURATION_PATH,
                        "@ROOT_VARIABLE@",
                        ROOT_VARIABLE));
    }

    private static String fill(String template, Map<String, String> values) {
        String text = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace(value.getKey(), value.getValue());
        }
        if (text.contains("@")) {
            // Only a placeholder can leave one: the script itself has none.
            throw new IllegalStateException("a placeholder of the node setup script is left unfilled");
        }
        return text;
    }

    private static final String HEADER = """
            #!/bin/bash
            # Prepares this machine for Kubernetes @VERSION@ and joins it to its cluster; written by sks-operator.
            # Safe to run again: what is in place is kept, and a machine that joined does not join again.
            # @ROOT_VARIABLE@ prefixes every path written or checked (empty on a machine; a directory in tests).
            set -euo pipefail
            ROOT="${@ROOT_VARIABLE@:-}"

            log() { echo "sks-node-setup: $*"; }

            """;

    private static final String HOST = """
            # kubeadm's preflight checks refuse swap; commented out in fstab, it stays off after a reboot.
            disable_swap() {
              swapoff -a
              if [ -f "$ROOT/etc/fstab" ]; then
                sed -i -E 's/^([^#].*[[:space:]]swap[[:space:]].*)$/#\\1/' "$ROOT/etc/fstab"
              fi
            }

            # containerd's overlay snapshotter, and bridged pod traffic seen by iptables: loaded now and at every boot.
            load_kernel_modules() {
              mkdir -p "$ROOT/etc/modules-load.d"
              printf 'overlay\\nbr_netfilter\\n' > "$ROOT/etc/modules-load.d/kubernetes.conf"
              modprobe overlay
              modprobe br_netfilter
            }

            # What kubeadm's preflight checks and the pod network need, set now and at every boot.
            set_sysctls() {
              mkdir -p "$ROOT/etc/sysctl.d"
              printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.bridge.bridge-nf-call-ip6tables = 1\\nnet.ipv4.ip_forward = 1\\n' \\
                > "$ROOT/etc/sysctl.d/99-kubernetes.conf"
              sysctl --system
            }

            """;

    /** The minor, not the patch: a kubelet of another patch of the cluster's minor joins (kubeadm checks the minor). */
    private static final String CHECK = """
            # containerd, and kubelet and kubeadm of the cluster's minor: baked into the image or installed by an earlier run.
            has_node_software() {
              command -v containerd >/dev/null 2>&1 || return 1
              command -v kubelet >/dev/null 2>&1 || return 1
              command -v kubeadm >/dev/null 2>&1 || return 1
              case "$(kubeadm version -o short 2>/dev/null)" in v@MINOR@.*) ;; *) return 1 ;; esac
              case "$(kubelet --version 2>/dev/null)" in "Kubernetes v@MINOR@."*) ;; *) return 1 ;; esac
            }

            """;

    private static final String INSTALL = """
            # From the Kubernetes project's repository for @MINOR@, pinned to the cluster's patch and held, so no upgrade
            # moves the kubelet ahead of its control plane.
            install_node_software() {
              export DEBIAN_FRONTEND=noninteractive
              apt-get update
              apt-get install -y ca-certificates curl gpg
              mkdir -p -m 755 "$ROOT/etc/apt/keyrings" "$ROOT/etc/apt/sources.list.d"
              if [ ! -s "$ROOT@KEYRING@" ]; then
                curl -fsSL "@REPOSITORY@Release.key" | gpg --dearmor --yes -o "$ROOT@KEYRING@"
              fi
              echo "deb [signed-by=@KEYRING@] @REPOSITORY@ /" > "$ROOT/etc/apt/sources.list.d/kubernetes.list"
              apt-get update
              apt-get install -y --allow-change-held-packages containerd \\
                kubelet=@PACKAGE_VERSION@ kubeadm=@PACKAGE_VERSION@ kubectl=@PACKAGE_VERSION@
              apt-mark hold kubelet kubeadm kubectl
            }

            # The kubelet (kubeadm's default) uses the systemd cgroup driver; containerd must too.
            configure_containerd() {
              local config="$ROOT/etc/containerd/config.toml"
              if ! grep -q 'SystemdCgroup = true' "$config" 2>/dev/null; then
                mkdir -p "$ROOT/etc/containerd"
                containerd config default > "$config"
                sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' "$config"
                if ! grep -q 'SystemdCgroup = true' "$config"; then
                  log "cannot set SystemdCgroup = true in /etc/containerd/config.toml"
                  exit 1
                fi
              fi
              systemctl enable containerd
              systemctl restart containerd
              systemctl enable kubelet
            }

            """;

    private static final String JOIN = """
            join_cluster() {
              if [ -f "$ROOT@KUBELET_KUBECONFIG@" ]; then
                log "this machine has joined already (@KUBELET_KUBECONFIG@ exists): not joining again"
                return
              fi
              kubeadm join --config "$ROOT@JOIN_CONFIGURATION@"
            }
            """;

    private static final String HOST_STEPS = """
            disable_swap
            load_kernel_modules
            set_sysctls
            """;

    private static final String INSTALL_WHEN_MISSING = """
            if has_node_software; then
              log "containerd, kubelet and kubeadm @MINOR@ are installed: nothing to install"
            else
              install_node_software
              configure_containerd
            fi
            """;

    private static final String BAKED_IN = """
            # The version catalog says this image carries containerd, kubelet and kubeadm @MINOR@: nothing is installed.
            if ! has_node_software; then
              log "this image lacks containerd, or kubelet and kubeadm @MINOR@, though the version catalog says it has them"
              exit 1
            fi
            """;

    private static final String JOIN_STEP = """
            join_cluster
            """;
}
