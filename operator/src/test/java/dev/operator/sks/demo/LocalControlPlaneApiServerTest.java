package dev.operator.sks.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.LocalProcessPlan.Loopback;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's stand-in kubelet against a real management API server: what the operator rendered runs as processes the
 * operator then reaches, and a process that fails to start is reported with its log and leaves nothing running.
 */
@SharedApiServer
class LocalControlPlaneApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static Loopback loopback;

    @BeforeAll
    static void startOperator() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        loopback = LocalControlPlane.loopback();
        // Every cluster of this class is reached where the first test runs its API server.
        operator = ApiServerSupport.startOperator(
                client,
                OperatorServices.loadDefaults(ApiServerSupport.testConfig()),
                new SimpleMeterRegistry(),
                (key, server) -> loopback.apiserverUrl());
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
    }

    @Test
    void theRenderedControlPlaneRunsAndTheOperatorReachesIt() throws Exception {
        Path binaries = LocalControlPlane.binaries()
                .orElseThrow(() -> new AssertionError("no binaries: run ../shared/envtest/install.sh"));
        String namespace = runningCluster("local");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Optional<LocalControlPlane> plane;
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            plane = LocalControlPlane.start(
                    client,
                    namespace,
                    "local",
                    loopback,
                    binaries,
                    () -> "1.33",
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThat(plane).as(printed.toString(StandardCharsets.UTF_8)).isPresent();
            try (LocalControlPlane running = plane.get()) {
                assertThat(running.exited()).isEmpty();
                // The operator's own verdict, through its tenant client and the server override.
                await().atMost(Duration.ofSeconds(90))
                        .untilAsserted(() -> assertThat(condition(namespace, "local", "TenantReachable"))
                                .isEqualTo("True"));
            }
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("VERSION NOTE", "--egress-selector-config-file (konnectivity-server is not run)")
                .contains("the tenant API server answers at " + loopback.apiserverUrl());
        assertThat(keyFilesLeft(loopback.directory()))
                .as("keys removed on close")
                .isEmpty();
        assertThat(loopback.directory().resolve("logs/kube-apiserver.log")).exists();
    }

    @Test
    void aProcessThatFailsToStartIsReportedWithItsLogAndNothingKeepsRunning() throws Exception {
        String namespace = runningCluster("broken");
        Path fakes = Files.createTempDirectory("fake-binaries");
        // etcd runs; kube-apiserver refuses its flags, as a binary too old or too new for them would.
        fake(fakes, "etcd", "exec sleep 300");
        fake(fakes, "kube-apiserver", "echo 'Error: unknown flag: --made-up'; exit 3");
        Loopback elsewhere = LocalControlPlane.loopback();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Optional<LocalControlPlane> plane;
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            plane = LocalControlPlane.start(
                    client,
                    namespace,
                    "broken",
                    elsewhere,
                    fakes,
                    () -> "1.33",
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
        }

        assertThat(plane).isEmpty();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("did not come up", "carrying on with the stand-in alone")
                .contains("kube-apiserver (exited with code 3)", "Error: unknown flag: --made-up");
        assertThat(ProcessHandle.current().descendants())
                .as("the etcd that did start is stopped")
                .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 300"));
        assertThat(keyFilesLeft(elsewhere.directory())).isEmpty();
    }

    /** A cluster brought to Running by the operator, its workloads marked available; its namespace. */
    private static String runningCluster(String name) {
        String namespace = ApiServerSupport.newNamespace(client, "local-cp");
        client.resource((HasMetadata) client.getKubernetesSerialization().unmarshal("""
                        apiVersion: sks.operator.dev/v1alpha1
                        kind: SKSCluster
                        metadata: {name: %s}
                        spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
                        """.formatted(name)))
                .inNamespace(namespace)
                .create();
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                SKSCluster c = client.resources(SKSCluster.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get();
                return c.getStatus() != null && c.getStatus().state == ClusterState.Running;
            });
        }
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.adminKubeconfig(name))
                        .get())
                .isNotNull();
        return namespace;
    }

    private static String condition(String namespace, String cluster, String type) {
        SKSCluster c = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(cluster)
                .get();
        List<Condition> conditions = c.getStatus() == null ? List.of() : c.getStatus().conditions;
        return conditions.stream()
                .filter(cond -> type.equals(cond.getType()))
                .map(Condition::getStatus)
                .findFirst()
                .orElse("absent");
    }

    private static void fake(Path directory, String name, String run) throws IOException {
        Path script = directory.resolve(name);
        Files.writeString(script, """
                #!/bin/sh
                case "$*" in
                  *--version*) echo "fake %s v0.0.0"; exit 0 ;;
                  *--help*) exit 0 ;;
                esac
                %s
                """.formatted(name, run));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    private static List<Path> keyFilesLeft(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(directory.resolve("logs")))
                    .toList();
        }
    }
}
