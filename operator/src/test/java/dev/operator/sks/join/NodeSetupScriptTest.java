package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.join.NodeSandbox.Run;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The node setup script, run in a {@link NodeSandbox}: what it installs, in which order, and what it does twice. */
class NodeSetupScriptTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"1.33.4", "1.31.12", "1.34.0"})
    void onAPlainImageItAddsTheRepositoryKeyThenTheListThenInstallsThePinnedPatchThenJoins(String version)
            throws Exception {
        KubernetesVersion patch = KubernetesVersion.of(version);
        String minor = patch.minorVersion();
        NodeSandbox machine = new NodeSandbox(dir);
        machine.writeFile("/etc/fstab", "UUID=abc / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n");

        Run boot = machine.run(plainImageScript(version));

        assertThat(boot.exitCode()).as(boot.output()).isZero();
        String repository = "https://pkgs.k8s.io/core:/stable:/v" + minor + "/deb/";
        // The key is fetched before any list names the repository, the list is there before the install, and the
        // install has both.
        int key = boot.indexOf("curl -fsSL " + repository + "Release.key [keyring=no list=no]");
        int install = boot.indexOf("apt-get install -y --allow-change-held-packages containerd kubelet=" + version
                + "-1.1 kubeadm=" + version + "-1.1 kubectl=" + version + "-1.1 [keyring=yes list=yes]");
        int hold = boot.indexOf("apt-mark hold kubelet kubeadm kubectl");
        int join = boot.indexOf("kubeadm join --config " + machine.root() + "/etc/kubernetes/join.yaml");
        assertThat(key).as(String.join("\n", boot.calls())).isNotNegative();
        // curl and gpg run side by side in a pipe: either may be recorded first, both before the list is written.
        int dearmor = boot.indexOf("gpg --dearmor --yes -o " + machine.root()
                + "/etc/apt/keyrings/kubernetes-apt-keyring.gpg [keyring=no list=no]");
        assertThat(dearmor).isNotNegative();
        assertThat(boot.indexOf("apt-get update [keyring=yes list=yes]"))
                .isGreaterThan(key)
                .isGreaterThan(dearmor);
        assertThat(install).isGreaterThan(boot.indexOf("apt-get update [keyring=yes list=yes]"));
        assertThat(hold).isGreaterThan(install);
        assertThat(join).isEqualTo(boot.calls().size() - 1);
        assertThat(machine.file("/etc/apt/sources.list.d/kubernetes.list"))
                .contains("deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] " + repository + " /\n");
        // Exactly the cluster's patch, nothing else of Kubernetes.
        assertThat(boot.of("apt-get").stream().filter(c -> c.contains("kube")).toList())
                .hasSize(1);
    }

    @Test
    void itPreparesTheHostAsKubeadmsPreflightChecksWantIt() throws Exception {
        NodeSandbox machine = new NodeSandbox(dir);
        machine.writeFile("/etc/fstab", "UUID=abc / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n");

        Run boot = machine.run(plainImageScript("1.33.4"));

        assertThat(boot.exitCode()).as(boot.output()).isZero();
        assertThat(boot.of("swapoff")).containsExactly("swapoff -a [keyring=no list=no]");
        assertThat(machine.file("/etc/fstab")).contains("UUID=abc / ext4 defaults 0 1\n#/swap.img none swap sw 0 0\n");
        assertThat(machine.file("/etc/modules-load.d/kubernetes.conf")).contains("overlay\nbr_netfilter\n");
        assertThat(boot.of("modprobe"))
                .containsExactly("modprobe overlay [keyring=no list=no]", "modprobe br_netfilter [keyring=no list=no]");
        assertThat(machine.file("/etc/sysctl.d/99-kubernetes.conf"))
                .contains("net.bridge.bridge-nf-call-iptables = 1\n"
                        + "net.bridge.bridge-nf-call-ip6tables = 1\n"
                        + "net.ipv4.ip_forward = 1\n");
        assertThat(boot.of("sysctl")).containsExactly("sysctl --system [keyring=no list=no]");
        assertThat(machine.file("/etc/containerd/config.toml").orElseThrow())
                .contains("SystemdCgroup = true")
                .doesNotContain("SystemdCgroup = false");
        // containerd restarts with its new configuration before kubeadm join starts the kubelet.
        assertThat(boot.indexOf("systemctl restart containerd")).isLessThan(boot.indexOf("kubeadm join"));
        // And the host is prepared before anything is installed.
        assertThat(boot.indexOf("sysctl --system")).isLessThan(boot.indexOf("apt-get"));
    }

    @Test
    void aSecondRunAfterARebootInstallsNothingAndDoesNotJoinAgain() throws Exception {
        NodeSandbox machine = new NodeSandbox(dir);
        String script = plainImageScript("1.33.4");
        Run first = machine.run(script);
        assertThat(first.exitCode()).as(first.output()).isZero();
        String containerdConfig = machine.file("/etc/containerd/config.toml").orElseThrow();

        Run second = machine.run(script);

        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.of("apt-get")).isEmpty();
        assertThat(second.of("apt-mark")).isEmpty();
        assertThat(second.of("curl")).isEmpty();
        assertThat(second.of("gpg")).isEmpty();
        assertThat(second.calls()).noneMatch(c -> c.startsWith("containerd config"));
        assertThat(second.calls()).noneMatch(c -> c.startsWith("kubeadm join"));
        assertThat(second.output()).contains("has joined already");
        assertThat(machine.file("/etc/containerd/config.toml")).contains(containerdConfig);
        List<String> joins = machine.calls().stream()
                .filter(c -> c.startsWith("kubeadm join"))
                .toList();
        assertThat(joins).hasSize(1);
        assertThat(first.of("apt-get install").stream()
                        .filter(c -> c.contains("kubelet="))
                        .toList())
                .hasSize(1);
    }

    @Test
    void anImageWithKubeletAndKubeadmOfTheClustersMinorGetsNoAptGetAtAll() throws Exception {
        // Another patch of the same minor: kubeadm checks the minor only, so it joins as it is.
        NodeSandbox machine = new NodeSandbox(dir).withKubernetesInstalled("1.33.1");

        Run boot = machine.run(plainImageScript("1.33.4"));

        assertThat(boot.exitCode()).as(boot.output()).isZero();
        assertThat(boot.of("apt-get")).isEmpty();
        assertThat(boot.of("curl")).isEmpty();
        assertThat(boot.of("apt-mark")).isEmpty();
        assertThat(boot.output()).contains("nothing to install");
        assertThat(boot.of("kubeadm join")).hasSize(1);
        assertThat(machine.file("/etc/apt/sources.list.d/kubernetes.list")).isEmpty();
    }

    @Test
    void anImageWithKubernetesOfAnotherMinorGetsTheClustersPatchInstalled() throws Exception {
        NodeSandbox machine = new NodeSandbox(dir).withKubernetesInstalled("1.32.8");

        Run boot = machine.run(plainImageScript("1.33.4"));

        assertThat(boot.exitCode()).as(boot.output()).isZero();
        assertThat(boot.of("apt-get install").stream()
                        .filter(c -> c.contains("kubelet=1.33.4-1.1"))
                        .toList())
                .hasSize(1);
        assertThat(boot.of("kubeadm join")).hasSize(1);
    }

    @Test
    void aMachineThatJoinedBeforeDoesNotJoinAgain() throws Exception {
        NodeSandbox machine = new NodeSandbox(dir).withKubernetesInstalled("1.33.4");
        machine.writeFile("/etc/kubernetes/kubelet.conf", "joined earlier\n");

        Run boot = machine.run(plainImageScript("1.33.4"));

        assertThat(boot.exitCode()).as(boot.output()).isZero();
        assertThat(boot.calls()).noneMatch(c -> c.startsWith("kubeadm join"));
    }

    @Test
    void anImageTheCatalogSaysHasKubernetesBakedInGetsAScriptWithoutAnyInstall() throws Exception {
        String script = NodeSetupScript.render(new NodeSetupScript.Setup(KubernetesVersion.of("1.33.4"), true));
        assertThat(script)
                .doesNotContain("apt-get")
                .doesNotContain("pkgs.k8s.io")
                .doesNotContain("curl");
        NodeSandbox machine = new NodeSandbox(dir).withKubernetesInstalled("1.33.5");

        Run boot = machine.run(script);

        assertThat(boot.exitCode()).as(boot.output()).isZero();
        assertThat(boot.of("apt-get")).isEmpty();
        assertThat(boot.of("kubeadm join")).hasSize(1);
        assertThat(boot.indexOf("kubeadm join")).isEqualTo(boot.calls().size() - 1);
    }

    @Test
    void aBakedInImageThatLacksKubeadmStopsBeforeJoiningAndSaysWhy() throws Exception {
        String script = NodeSetupScript.render(new NodeSetupScript.Setup(KubernetesVersion.of("1.33.4"), true));
        NodeSandbox machine = new NodeSandbox(dir);

        Run boot = machine.run(script);

        assertThat(boot.exitCode()).isNotZero();
        assertThat(boot.output()).contains("lacks containerd, or kubelet and kubeadm 1.33");
        assertThat(boot.calls()).noneMatch(c -> c.startsWith("kubeadm"));
    }

    @Test
    void aFailedInstallStopsTheScriptBeforeTheJoin() throws Exception {
        NodeSandbox machine = new NodeSandbox(dir);
        // A repository that does not have the patch: apt-get fails, and so does the script, without joining.
        String script = plainImageScript("1.33.4").replace("apt-mark hold", "false; apt-mark hold");

        Run boot = machine.run(script);

        assertThat(boot.exitCode()).isNotZero();
        assertThat(boot.calls()).noneMatch(c -> c.startsWith("kubeadm join"));
    }

    @Test
    void theSameSetupRendersTheSameBytes() {
        NodeSetupScript.Setup setup = new NodeSetupScript.Setup(KubernetesVersion.of("1.33.4"), false);
        assertThat(NodeSetupScript.render(setup)).isEqualTo(NodeSetupScript.render(setup));
        assertThat(setup.packageVersion()).isEqualTo("1.33.4-1.1");
        assertThat(setup.repository()).isEqualTo("https://pkgs.k8s.io/core:/stable:/v1.33/deb/");
    }

    private static String plainImageScript(String version) {
        return NodeSetupScript.render(new NodeSetupScript.Setup(KubernetesVersion.of(version), false));
    }
}
