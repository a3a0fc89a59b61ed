package dev.operator.sks.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.OperatorHttpServer;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.support.Digests;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's outage: the management API server stops for 30 s and starts again, with its etcd (and so every object)
 * kept. The in-process operator must come back by itself (its informers re-list and re-watch), its {@code /readyz} must
 * say it is not ready while the API server is gone and ready once it is back, a cluster made before the outage keeps
 * its CA (the Secret's data hashes the same), and a cluster made after it converges.
 *
 * <p>Not on the shared API server, which other classes use: this class starts its own. kube-api-test restarts nothing
 * by itself and gives a restarted API server a new port, so the test stops only the kube-apiserver process and starts
 * it again with the very command line it ran with (same port, same etcd, same certificates).
 */
class ApiServerOutageTest {
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private KubeAPIServer server;
    private Process restarted;

    @AfterEach
    void stopServer() {
        if (restarted != null) {
            restarted.destroyForcibly();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theOperatorRecoversFromA30SecondOutageWithoutARestartAndReadyzSaysSo() throws Exception {
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withUpdateKubeConfig(false)
                .build());
        server.start();
        String kubeconfig = server.getKubeConfigYaml();
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            ApiServerSupport.installCrds(client);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (SksOperator operator = ApiServerSupport.startOperator(
                            client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()), registry);
                    OperatorHttpServer http =
                            new OperatorHttpServer(0, operator::isLive, operator::notReadyReason, registry)) {
                String namespace = ApiServerSupport.newNamespace(client, "outage");
                createCluster(client, namespace, "before");
                awaitConverged(client, namespace, "before");
                Map<String, String> caBefore = caDigests(client, namespace, "before");
                assertThat(readyz(http)).isEqualTo(200);

                long stopped = System.nanoTime();
                stopApiServer();
                // Not ready while the API server is gone: the informers' watches fail and JOSDK reports them unhealthy.
                await().atMost(Duration.ofSeconds(30)).until(() -> readyz(http) == 503);
                long noticed = System.nanoTime();
                System.out.printf(
                        "outage: /readyz answered 503 %.1f s after the API server stopped; body: %s%n",
                        (noticed - stopped) / 1e9, readyzBody(http));
                Thread.sleep(Math.max(0, OUTAGE.toMillis() - (noticed - stopped) / 1_000_000));
                assertThat(readyz(http)).as("still down").isEqualTo(503);

                long started = System.nanoTime();
                startApiServerAgain();
                await().atMost(Duration.ofSeconds(60)).until(() -> readyz(http) == 200);
                System.out.printf(
                        "outage: API server down %.1f s; /readyz 200 again %.1f s after it was started again%n",
                        (started - stopped) / 1e9, (System.nanoTime() - started) / 1e9);
                assertThat(operator.isLive()).isTrue();

                createCluster(client, namespace, "after");
                long created = System.nanoTime();
                awaitConverged(client, namespace, "after");
                System.out.printf(
                        "outage: a cluster made after the outage converged in %.1f s%n",
                        (System.nanoTime() - created) / 1e9);
                assertThat(caDigests(client, namespace, "before"))
                        .as("the CA made before the outage is the same Secret data after it")
                        .isEqualTo(caBefore);
            }
        }
    }

    /** Stops kube-apiserver alone (etcd keeps running), as kube-api-test's own stop does, so no handler fires. */
    private void stopApiServer() throws Exception {
        Object process = field(server, "kubeApiServerProcess");
        Process running = (Process) field(process, "apiServerProcess");
        List<String> command = new ArrayList<>();
        command.add(running.info().command().orElseThrow());
        command.addAll(List.of(running.info().arguments().orElseThrow()));
        this.command = command;
        process.getClass().getMethod("stopApiServer").invoke(process);
        assertThat(running.isAlive()).isFalse();
    }

    private List<String> command;

    /** The same command line again: the same port, etcd and certificates, so every client's URL stays right. */
    private void startApiServerAgain() throws Exception {
        File log = File.createTempFile("outage-kube-apiserver", ".log");
        log.deleteOnExit();
        restarted = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }

    private static void createCluster(KubernetesClient client, String namespace, String name) {
        client.resource(ApiServerSupport.load(client, SKSCluster.class, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
        """.formatted(name)))
                .inNamespace(namespace)
                .create();
    }

    /** Converged as issue 15 counts it: the CA and admin kubeconfig Secrets, etcd and the three Deployments. */
    private static void awaitConverged(KubernetesClient client, String namespace, String cluster) {
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            assertThat(client.secrets()
                            .inNamespace(namespace)
                            .withName(Names.clusterCa(cluster))
                            .get())
                    .isNotNull();
            assertThat(client.secrets()
                            .inNamespace(namespace)
                            .withName(Names.adminKubeconfig(cluster))
                            .get())
                    .isNotNull();
            assertThat(client.apps()
                            .statefulSets()
                            .inNamespace(namespace)
                            .withName(Names.etcdStatefulSet(cluster))
                            .get())
                    .isNotNull();
            for (String deployment : List.of(
                    Names.apiserverDeployment(cluster),
                    Names.controllerManagerDeployment(cluster),
                    Names.schedulerDeployment(cluster))) {
                assertThat(client.apps()
                                .deployments()
                                .inNamespace(namespace)
                                .withName(deployment)
                                .get())
                        .as(deployment)
                        .isNotNull();
            }
        });
    }

    /** A digest of each key of each CA Secret of the cluster (never the data itself, which stays in the Secret). */
    private static Map<String, String> caDigests(KubernetesClient client, String namespace, String cluster) {
        Map<String, String> digests = new TreeMap<>();
        for (String name : List.of(
                Names.clusterCa(cluster),
                Names.etcdCa(cluster),
                Names.frontProxyCa(cluster),
                Names.serviceAccountKeys(cluster))) {
            Secret secret =
                    client.secrets().inNamespace(namespace).withName(name).get();
            assertThat(secret).as(name).isNotNull();
            secret.getData().forEach((key, value) -> digests.put(name + "/" + key, Digests.sha256Hex(value)));
        }
        return digests;
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static int readyz(OperatorHttpServer http) throws Exception {
        return get(http).statusCode();
    }

    private static String readyzBody(OperatorHttpServer http) throws Exception {
        return get(http).body();
    }

    private static HttpResponse<String> get(OperatorHttpServer http) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/readyz"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
