package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.pki.BouncyCastlePki;
import java.io.StringReader;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class UserDataRendererTest {
    private static final BootstrapToken TOKEN = new BootstrapToken("abcdef", "0123456789abcdef");
    private static final String NODEPOOL_ID = "5d1c6a8e-1f0b-4c53-9a4e-0f6f1c2d3e4f";
    private static String caPem;

    @BeforeAll
    static void clusterCa() {
        caPem = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes").certificatePem();
    }

    @Test
    void isCloudConfigThatWritesTheCaThePatchTheJoinConfigurationAndTheSetupScriptThenRunsIt() {
        String userData = UserDataRenderer.render(parameters("1.33.4", Map.of("env", "demo"), List.of()));
        assertThat(userData).startsWith("#cloud-config\n");
        Map<String, Object> cloudConfig = new Yaml().load(userData);
        assertThat(cloudConfig).containsOnlyKeys("write_files", "runcmd");
        assertThat(files(cloudConfig))
                .containsOnlyKeys(
                        "/etc/kubernetes/pki/ca.crt",
                        "/etc/kubernetes/patches/kubeletconfiguration+merge.yaml",
                        "/etc/kubernetes/join.yaml",
                        "/usr/local/sbin/sks-node-setup");
        assertThat(file(cloudConfig, "/etc/kubernetes/pki/ca.crt").get("content"))
                .isEqualTo(caPem);
        assertThat(file(cloudConfig, "/etc/kubernetes/pki/ca.crt").get("permissions"))
                .isEqualTo("0644");
        assertThat(file(cloudConfig, "/etc/kubernetes/join.yaml").get("permissions"))
                .isEqualTo("0600");
        // The script is root's alone: it runs the join, and nobody else need read it.
        assertThat(file(cloudConfig, "/usr/local/sbin/sks-node-setup").get("permissions"))
                .isEqualTo("0700");
        assertThat(file(cloudConfig, "/usr/local/sbin/sks-node-setup").get("content"))
                .isEqualTo(NodeSetupScript.render(new NodeSetupScript.Setup(KubernetesVersion.of("1.33.4"), false)));
        assertThat(cloudConfig.get("runcmd")).isEqualTo(List.of(List.of("/usr/local/sbin/sks-node-setup")));
    }

    @Test
    void theSetupScriptInstallsOnlyWhenTheCatalogDoesNotSayTheImageHasKubernetes() {
        String plain = (String) file(
                        new Yaml().load(UserDataRenderer.render(parameters("1.33.4", Map.of(), List.of()))),
                        "/usr/local/sbin/sks-node-setup")
                .get("content");
        String bakedIn = (String) file(
                        new Yaml().load(UserDataRenderer.render(parameters("1.33.4", Map.of(), List.of(), true))),
                        "/usr/local/sbin/sks-node-setup")
                .get("content");
        assertThat(plain).contains("kubelet=1.33.4-1.1 kubeadm=1.33.4-1.1 kubectl=1.33.4-1.1");
        assertThat(bakedIn).doesNotContain("apt-get").contains("kubeadm join");
    }

    @Test
    void theJoinConfigurationDiscoversTheEndpointWithTheTokenAndPinsTheCa() throws Exception {
        Map<String, Object> join =
                joinConfiguration(UserDataRenderer.render(parameters("1.33.4", Map.of(), List.of())));
        assertThat(join)
                .containsEntry("apiVersion", "kubeadm.k8s.io/v1beta4")
                .containsEntry("kind", "JoinConfiguration")
                .containsEntry("caCertPath", "/etc/kubernetes/pki/ca.crt");
        Map<String, Object> discovery = map(join.get("discovery"));
        Map<String, Object> bootstrapToken = map(discovery.get("bootstrapToken"));
        assertThat(bootstrapToken.get("apiServerEndpoint")).isEqualTo("203.0.113.10:443");
        assertThat(bootstrapToken.get("token")).isEqualTo("abcdef.0123456789abcdef");
        assertThat(bootstrapToken.get("caCertHashes")).isEqualTo(List.of("sha256:" + independentSpkiSha256(caPem)));
        assertThat(discovery.get("tlsBootstrapToken")).isEqualTo("abcdef.0123456789abcdef");
        assertThat(map(join.get("patches"))).containsEntry("directory", "/etc/kubernetes/patches");
        // kubeadm refuses a pre-existing CA file unless told that this one is expected.
        assertThat(map(join.get("nodeRegistration")).get("ignorePreflightErrors"))
                .isEqualTo(List.of("FileAvailable--etc-kubernetes-pki-ca.crt"));
        assertThat(map(join.get("nodeRegistration"))).doesNotContainKey("name");
    }

    @Test
    void theKubeletRegistersWithExactlyThePoolsLabelsTheIdAndTheTaints() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "payments");
        labels.put("env", "demo");
        List<NodepoolTaint> taints = List.of(
                new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE),
                new NodepoolTaint("dedicated", null, TaintEffect.NO_EXECUTE),
                new NodepoolTaint("spot", "true", TaintEffect.PREFER_NO_SCHEDULE));
        Map<String, Object> join = joinConfiguration(UserDataRenderer.render(parameters("1.33.4", labels, taints)));
        List<Map<String, Object>> args = list(map(join.get("nodeRegistration")).get("kubeletExtraArgs"));
        assertThat(args)
                .containsExactly(
                        Map.of("name", "cloud-provider", "value", "external"),
                        Map.of(
                                "name",
                                "node-labels",
                                "value",
                                "env=demo,sks.operator.dev/nodepool-id=" + NODEPOOL_ID + ",team=payments"),
                        Map.of(
                                "name",
                                "register-with-taints",
                                "value",
                                "env=demo:NoSchedule,dedicated:NoExecute,spot=true:PreferNoSchedule"));
    }

    @Test
    void withoutTaintsThereIsNoRegisterWithTaintsFlagAndThePoolCannotOverrideItsId() {
        Map<String, Object> join = joinConfiguration(UserDataRenderer.render(
                parameters("1.33.4", Map.of("sks.operator.dev/nodepool-id", "forged"), List.of())));
        List<Map<String, Object>> args = list(map(join.get("nodeRegistration")).get("kubeletExtraArgs"));
        assertThat(args).extracting(a -> a.get("name")).containsExactly("cloud-provider", "node-labels");
        assertThat(args.get(1).get("value")).isEqualTo("sks.operator.dev/nodepool-id=" + NODEPOOL_ID);
    }

    @Test
    void olderKubeadmGetsV1beta3WithKubeletExtraArgsAsAMap() {
        Map<String, Object> join = joinConfiguration(UserDataRenderer.render(parameters(
                "1.30.14", Map.of("env", "demo"), List.of(new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE)))));
        assertThat(join.get("apiVersion")).isEqualTo("kubeadm.k8s.io/v1beta3");
        assertThat(map(map(join.get("nodeRegistration")).get("kubeletExtraArgs")))
                .containsExactly(
                        Map.entry("cloud-provider", "external"),
                        Map.entry("node-labels", "env=demo,sks.operator.dev/nodepool-id=" + NODEPOOL_ID),
                        Map.entry("register-with-taints", "env=demo:NoSchedule"));
        assertThat(UserDataRenderer.kubeadmApiVersion(KubernetesVersion.of("1.31")))
                .isEqualTo("kubeadm.k8s.io/v1beta4");
    }

    @Test
    void clusterDnsIsTheTenthAddressOfTheServiceCidr() {
        SKSClusterSpec defaults = new SKSClusterSpec();
        assertThat(JoinMaterial.clusterDns(defaults)).isEqualTo("10.96.0.10");
        SKSClusterSpec custom = new SKSClusterSpec();
        custom.networking = new NetworkingSpec();
        custom.networking.serviceCIDR = "172.20.0.0/16";
        assertThat(JoinMaterial.clusterDns(custom)).isEqualTo("172.20.0.10");

        Map<String, Object> cloudConfig =
                new Yaml().load(UserDataRenderer.render(parameters("1.33.4", Map.of(), List.of())));
        Map<String, Object> patch = new Yaml()
                .load((String) file(cloudConfig, "/etc/kubernetes/patches/kubeletconfiguration+merge.yaml")
                        .get("content"));
        assertThat(patch)
                .containsEntry("kind", "KubeletConfiguration")
                .containsEntry("clusterDNS", List.of("10.96.0.10"))
                .containsEntry("clusterDomain", "cluster.local")
                .as("serving certificates from the cluster CA, approved by the operator")
                .containsEntry("serverTLSBootstrap", true);
    }

    @Test
    void theSameParametersGiveTheSameBytesWhateverTheLabelOrder() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        String first = UserDataRenderer.render(parameters("1.33.4", ab, List.of()));
        assertThat(UserDataRenderer.render(parameters("1.33.4", ab, List.of()))).isEqualTo(first);
        assertThat(UserDataRenderer.render(parameters("1.33.4", ba, List.of()))).isEqualTo(first);
        assertThat(UserDataRenderer.digest(first))
                .isEqualTo(UserDataRenderer.digest(UserDataRenderer.render(parameters("1.33.4", ba, List.of()))));
    }

    @Test
    void aTokenOfDigitsStaysAStringThroughBothLayersOfYaml() {
        BootstrapToken digits = new BootstrapToken("123456", "0123456789012345");
        JoinParameters parameters = new JoinParameters(
                "demo",
                "203.0.113.10:443",
                caPem,
                digits,
                KubernetesVersion.of("1.33.4"),
                NODEPOOL_ID,
                Map.of("on", "yes"),
                List.of(),
                "10.96.0.10",
                "cluster.local");
        Map<String, Object> join = joinConfiguration(UserDataRenderer.render(parameters));
        assertThat(map(map(join.get("discovery")).get("bootstrapToken")).get("token"))
                .isEqualTo("123456.0123456789012345");
    }

    @Test
    void theParametersNeverPrintTheToken() {
        JoinParameters parameters = parameters(
                "1.33.4", Map.of("env", "demo"), List.of(new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE)));
        assertThat(parameters.toString())
                .doesNotContain("0123456789abcdef")
                .contains("abcdef")
                .contains("env=demo:NoSchedule")
                .doesNotContain("BEGIN CERTIFICATE");
    }

    private static JoinParameters parameters(String version, Map<String, String> labels, List<NodepoolTaint> taints) {
        return parameters(version, labels, taints, false);
    }

    static JoinParameters parameters(
            String version, Map<String, String> labels, List<NodepoolTaint> taints, boolean imageBakedIn) {
        return new JoinParameters(
                "demo",
                "203.0.113.10:443",
                caPem,
                TOKEN,
                KubernetesVersion.of(version),
                NODEPOOL_ID,
                labels,
                taints,
                JoinMaterial.clusterDns(new SKSClusterSpec()),
                "cluster.local",
                imageBakedIn);
    }

    /** Straight from the certificate's ASN.1 through BouncyCastle, not the JDK key objects the renderer uses. */
    static String independentSpkiSha256(String pem) throws Exception {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            X509CertificateHolder holder = (X509CertificateHolder) parser.readObject();
            byte[] spki = holder.getSubjectPublicKeyInfo().getEncoded("DER");
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        }
    }

    private static Map<String, Map<String, Object>> files(Map<String, Object> cloudConfig) {
        Map<String, Map<String, Object>> byPath = new LinkedHashMap<>();
        List<Map<String, Object>> files = list(cloudConfig.get("write_files"));
        files.forEach(f -> byPath.put((String) f.get("path"), f));
        return byPath;
    }

    private static Map<String, Object> file(Map<String, Object> cloudConfig, String path) {
        return files(cloudConfig).get(path);
    }

    static Map<String, Object> joinConfiguration(String userData) {
        Map<String, Object> cloudConfig = new Yaml().load(userData);
        return new Yaml()
                .load((String) file(cloudConfig, "/etc/kubernetes/join.yaml").get("content"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }
}
