package dev.operator.sks.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.RepoPaths;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed CRDs against a real kube-apiserver: accepted, served, and refusing what the schema forbids. */
@SharedApiServer
class CrdApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static Path kubeconfigFile;

    @BeforeAll
    static void connect() throws IOException {
        client = ApiServerSupport.client(kubeconfig);
        kubeconfigFile = Files.createTempFile("crd-test", ".kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
    }

    @AfterAll
    static void close() throws IOException {
        client.close();
        Files.deleteIfExists(kubeconfigFile);
    }

    @Test
    void everyCrdIsEstablishedWithItsShortNameAndSubresources() {
        assertThat(client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .list()
                        .getItems())
                .extracting(crd -> crd.getMetadata().getName())
                .contains(
                        "sksclusters.sks.operator.dev",
                        "nodepools.sks.operator.dev",
                        "kubeconfigrequests.sks.operator.dev",
                        "instancepools.sks.operator.dev");
        CustomResourceDefinition nodepools = client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("nodepools.sks.operator.dev")
                .get();
        assertThat(nodepools.getSpec().getNames().getShortNames()).containsExactly("np");
        assertThat(nodepools
                        .getSpec()
                        .getVersions()
                        .get(0)
                        .getSubresources()
                        .getScale()
                        .getSpecReplicasPath())
                .isEqualTo(".spec.size");
        for (String crd : List.of("sksclusters", "nodepools", "kubeconfigrequests", "instancepools")) {
            assertThat(client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName(crd + ".sks.operator.dev")
                            .get()
                            .getSpec()
                            .getVersions()
                            .get(0)
                            .getSubresources()
                            .getStatus())
                    .as(crd + " status subresource")
                    .isNotNull();
        }
    }

    @Test
    void everyExampleApplies() throws IOException {
        String namespace = ApiServerSupport.newNamespace(client, "examples");
        List<Path> examples;
        try (Stream<Path> files = Files.list(RepoPaths.examples())) {
            examples =
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(examples).isNotEmpty();
        for (Path example : examples) {
            List<HasMetadata> resources = resourcesOf(example);
            assertThat(resources).as(example.toString()).isNotEmpty();
            for (HasMetadata resource : resources) {
                if (resource.getApiVersion().startsWith("sks.operator.dev/")) {
                    client.resource(resource).inNamespace(namespace).create();
                }
            }
        }
        SKSCluster starter = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("demo")
                .get();
        assertThat(starter.getSpec().level).isEqualTo(Level.STARTER);
        assertThat(starter.getSpec().networking)
                .as("defaults are applied by the server")
                .isNull();
        Nodepool workers = client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("demo-workers")
                .get();
        assertThat(workers.getSpec().size).isEqualTo(3);
    }

    @Test
    void schemaDefaultsAreApplied() {
        String namespace = ApiServerSupport.newNamespace(client, "defaults");
        create(namespace, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: KubeconfigRequest
        metadata: {name: defaulted}
        spec: {cluster: demo, user: bob}
        """);
        KubeconfigRequest request = client.resources(KubeconfigRequest.class)
                .inNamespace(namespace)
                .withName("defaulted")
                .get();
        assertThat(request.getSpec().ttlSeconds).isEqualTo(2_592_000L);
    }

    @Test
    void nodepoolDiskOfTenGibIsRefused() {
        assertRefused("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: tiny-disk}
        spec: {cluster: demo, size: 1, instanceType: standard.medium, diskSize: 10}
        """, "spec.diskSize");
    }

    @Test
    void negativeNodepoolSizeIsRefused() {
        assertRefused("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: negative}
        spec: {cluster: demo, size: -1, instanceType: standard.medium}
        """, "spec.size");
    }

    @Test
    void goldLevelIsRefused() {
        assertRefused("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: gold}
        spec: {zone: ch-gva-2, version: "1.33", level: gold}
        """, "spec.level");
    }

    @Test
    void ttlOverThirtyDaysIsRefused() {
        assertRefused("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: KubeconfigRequest
        metadata: {name: forever}
        spec: {cluster: demo, user: root, ttlSeconds: 2592001}
        """, "spec.ttlSeconds");
    }

    @Test
    void missingRequiredFieldsAreRefused() {
        assertRefused("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: incomplete}
        spec: {level: starter}
        """, "spec.zone");
    }

    @Test
    void kubectlExplainDescribesTheLevel() {
        // The API server publishes a new CRD's OpenAPI a few seconds after it is established.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(kubectl("explain", "skscluster.spec.level"))
                        .contains("starter")
                        .contains("pro"));
    }

    @Test
    void kubectlScaleChangesANodepoolsSize() throws Exception {
        String namespace = ApiServerSupport.newNamespace(client, "scale");
        create(namespace, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: scaled}
        spec: {cluster: demo, size: 1, instanceType: standard.medium}
        """);
        kubectl("scale", "nodepool", "scaled", "--replicas=4", "-n", namespace);
        assertThat(client.resources(Nodepool.class)
                        .inNamespace(namespace)
                        .withName("scaled")
                        .get()
                        .getSpec()
                        .size)
                .isEqualTo(4);
    }

    @Test
    void kubectlGetShowsTheClusterColumnsAndMoreWithWide() throws Exception {
        String namespace = ApiServerSupport.newNamespace(client, "columns");
        create(namespace, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: shown}
        spec: {zone: de-fra-1, version: "1.33", level: pro, autoUpgrade: true, addons: [metrics-server, cloud-controller]}
        """);
        // ZONE and LEVEL show what runs (status), so a refused spec change never looks applied.
        SKSCluster shown = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("shown")
                .get();
        shown.setStatus(new SKSClusterStatus());
        shown.getStatus().zone = "ch-gva-2";
        shown.getStatus().level = Level.STARTER;
        shown.getStatus().version = "1.33.4";
        shown.getStatus().state = ClusterState.Running;
        shown.getStatus().endpoint = "https://192.0.2.10:443";
        client.resource(shown).updateStatus();

        List<List<String>> table = table(kubectl("get", "skc", "-n", namespace));
        assertThat(table.get(0)).containsExactly("NAME", "ZONE", "VERSION", "STATE", "AGE");
        assertThat(table.get(1)).startsWith("shown", "ch-gva-2", "1.33.4", "Running");
        assertThat(String.join(" ", table.get(1))).doesNotContain("de-fra-1");

        List<List<String>> wide = table(kubectl("get", "skc", "-n", namespace, "-o", "wide"));
        assertThat(wide.get(0))
                .containsExactly(
                        "NAME",
                        "ZONE",
                        "VERSION",
                        "STATE",
                        "AGE",
                        "LEVEL",
                        "ENDPOINT",
                        "AUTO UPGRADE",
                        "ADDONS",
                        "SIZE");
        assertThat(wide.get(1).subList(5, 8)).containsExactly("starter", "https://192.0.2.10:443", "true");
        assertThat(wide.get(1).get(8)).contains("metrics-server").contains("cloud-controller");
        assertThat(String.join(" ", wide.get(1))).doesNotContain("pro");
        // A starter control plane has no size (an empty cell); a pro one shows the size it runs at.
        shown = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("shown")
                .get();
        shown.getStatus().level = Level.PRO;
        shown.getStatus().controlPlane = new SKSClusterControlPlane();
        shown.getStatus().controlPlane.size = ControlPlaneSize.L;
        client.resource(shown).updateStatus();
        assertThat(table(kubectl("get", "skc", "-n", namespace, "-o", "wide")).get(1))
                .last()
                .isEqualTo("L");
    }

    @Test
    void kubectlGetShowsNodepoolColumnsAndWithWideItsInstancePoolAndVersion() throws Exception {
        String namespace = ApiServerSupport.newNamespace(client, "np-columns");
        create(namespace, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: workers}
        spec: {cluster: demo, size: 3, instanceType: standard.medium}
        """);
        Nodepool workers = client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("workers")
                .get();
        workers.setStatus(new NodepoolStatus());
        workers.getStatus().readyNodes = 2;
        workers.getStatus().state = PoolState.Scaling;
        workers.getStatus().instancePool = "nodepool-workers-0d3c";
        workers.getStatus().version = "1.33.4";
        workers.getStatus().updatedMachines = 1;
        client.resource(workers).updateStatus();

        List<List<String>> table = table(kubectl("get", "np", "-n", namespace));
        assertThat(table.get(0))
                .containsExactly("NAME", "CLUSTER", "SIZE", "READY", "UP-TO-DATE", "INSTANCE TYPE", "STATE", "AGE");
        assertThat(table.get(1)).startsWith("workers", "demo", "3", "2", "1", "standard.medium", "Scaling");
        List<List<String>> wide = table(kubectl("get", "np", "-n", namespace, "-o", "wide"));
        assertThat(wide.get(0)).endsWith("AGE", "INSTANCE POOL", "VERSION");
        assertThat(wide.get(1)).endsWith("nodepool-workers-0d3c", "1.33.4");
    }

    @Test
    void kubectlGetShowsAKubeconfigsExpiryAheadAsATimeNotInvalid() throws Exception {
        String namespace = ApiServerSupport.newNamespace(client, "kcr-columns");
        create(namespace, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: KubeconfigRequest
        metadata: {name: alice}
        spec: {cluster: demo, user: alice}
        """);
        KubeconfigRequest alice = client.resources(KubeconfigRequest.class)
                .inNamespace(namespace)
                .withName("alice")
                .get();
        String expires = java.time.Instant.now()
                .plus(java.time.Duration.ofDays(30))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        alice.setStatus(new KubeconfigRequestStatus());
        alice.getStatus().expirationTime = expires;
        client.resource(alice).updateStatus();

        for (String output : List.of("", "wide")) {
            String printed = output.isEmpty()
                    ? kubectl("get", "kcr", "-n", namespace)
                    : kubectl("get", "kcr", "-n", namespace, "-o", output);
            List<List<String>> table = table(printed);
            assertThat(table.get(0)).containsExactly("NAME", "CLUSTER", "USER", "EXPIRES", "READY", "AGE");
            assertThat(table.get(1)).startsWith("alice", "demo", "alice", expires);
            assertThat(printed).doesNotContain("<invalid>");
        }
    }

    @Test
    void kubectlGetShowsInstancePoolColumns() throws Exception {
        String namespace = ApiServerSupport.newNamespace(client, "ipool-columns");
        create(namespace, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: InstancePool
        metadata: {name: nodepool-workers-0d3c}
        spec: {cluster: demo, zone: ch-gva-2, size: 2, instanceType: standard.medium, diskSize: 50}
        """);
        InstancePool pool = client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName("nodepool-workers-0d3c")
                .get();
        pool.setStatus(new InstancePoolStatus());
        pool.getStatus().runningInstances = 1;
        pool.getStatus().state = PoolState.Scaling;
        client.resource(pool).updateStatus();
        for (String output : List.of("", "wide")) {
            List<List<String>> table = table(
                    output.isEmpty()
                            ? kubectl("get", "ipool", "-n", namespace)
                            : kubectl("get", "ipool", "-n", namespace, "-o", output));
            assertThat(table.get(0))
                    .containsExactly("NAME", "CLUSTER", "SIZE", "RUNNING", "INSTANCE TYPE", "STATE", "AGE");
            assertThat(table.get(1))
                    .startsWith("nodepool-workers-0d3c", "demo", "2", "1", "standard.medium", "Scaling");
        }
    }

    /**
     * kubectl shows a {@code date} column as the time since it: a time ahead reads {@code <invalid>}. Only a creation
     * time, always past, may be one.
     */
    @Test
    void noDateColumnCanBeInTheFuture() throws IOException {
        for (Path file : ApiServerSupport.crdFiles()) {
            CustomResourceDefinition crd;
            try (InputStream in = Files.newInputStream(file)) {
                crd = client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(in)
                        .item();
            }
            crd.getSpec().getVersions().stream()
                    .flatMap(v -> v.getAdditionalPrinterColumns().stream())
                    .filter(c -> "date".equals(c.getType()))
                    .forEach(c -> assertThat(c.getJsonPath())
                            .as(file.getFileName() + " column " + c.getName())
                            .isEqualTo(".metadata.creationTimestamp"));
        }
    }

    /** kubectl's table, cell by cell: columns are set apart by at least two spaces, a header may hold one. */
    private static List<List<String>> table(String printed) {
        return printed.lines()
                .filter(line -> !line.isBlank())
                .map(line -> List.of(line.trim().split("\\s{2,}")))
                .toList();
    }

    private void assertRefused(String yaml, String field) {
        String namespace = ApiServerSupport.newNamespace(client, "refused");
        assertThatThrownBy(() -> create(namespace, yaml))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e ->
                        assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(field);
    }

    private void create(String namespace, String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static List<HasMetadata> resourcesOf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return client.load(in).items();
        }
    }

    private static String kubectl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfigFile.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as("kubectl %s: %s", String.join(" ", args), output)
                .isZero();
        return output;
    }
}
