package dev.operator.sks.testing;

import static org.awaitility.Awaitility.await;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.sizing.LoadObservations;
import dev.operator.sks.tenant.TenantClients;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** Helpers for tests against a real kube-apiserver (fabric8 kube-api-test). */
public final class ApiServerSupport {
    private ApiServerSupport() {}

    public static KubernetesClient client(String kubeconfig) {
        return new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build();
    }

    public static List<Path> crdFiles() throws IOException {
        try (Stream<Path> files = Files.list(RepoPaths.crds())) {
            return files.filter(
                            f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                    .sorted()
                    .toList();
        }
    }

    /** Installs every CRD of crds/ and waits until the API server serves them. */
    public static void installCrds(KubernetesClient client) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path file : crdFiles()) {
            CustomResourceDefinition crd;
            try (InputStream in = Files.newInputStream(file)) {
                crd = client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(in)
                        .item();
            }
            // Not server-side apply: a v1.20 server cannot build a typed patch with x-kubernetes-validations in it,
            // while a plain create or update simply drops the field it does not know.
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .resource(crd)
                    .createOr(NonDeletingOperation::update);
            names.add(crd.getMetadata().getName());
        }
        // All created first, then awaited: the server establishes them side by side.
        for (String name : names) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> isEstablished(client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName(name)
                            .get()));
        }
    }

    /**
     * A new namespace named {@code prefix-RANDOM}. On the shared API server ({@link SharedApiServer}) the operators the
     * class started watch it from now on: make namespaces with this method there.
     */
    public static String newNamespace(KubernetesClient client, String prefix) {
        String name = createNamespace(client, prefix);
        OperatorScope.namespaceMade(client, name);
        return name;
    }

    static String createNamespace(KubernetesClient client, String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        return name;
    }

    /**
     * Settings for tests: a free port, instances that run at once, and no deletion of idle starter clusters, which tests
     * that move a clock by weeks would otherwise see (IdleStartersApiServerTest turns it on).
     */
    public static OperatorConfig testConfig() {
        return OperatorConfig.parse(
                new String[] {"--http-port=0", "--simulated-instance-delay=PT0S", "--idle-starter-deletion=PT0S"},
                Map.of());
    }

    /** Runs the operator in-process against the test server and waits until its informers have synced. */
    public static SksOperator startOperator(KubernetesClient client, OperatorServices services) {
        return startOperator(client, services, new SimpleMeterRegistry());
    }

    /** As above, with the registry the operator's metrics go to, for tests that read them. */
    public static SksOperator startOperator(
            KubernetesClient client, OperatorServices services, io.micrometer.core.instrument.MeterRegistry registry) {
        return startOperator(client, services, registry, TenantClients.ServerOverride.NONE);
    }

    /** As above, reaching tenant API servers where {@code tenantServers} says (a local TenantApiServer). */
    public static SksOperator startOperator(
            KubernetesClient client,
            OperatorServices services,
            io.micrometer.core.instrument.MeterRegistry registry,
            TenantClients.ServerOverride tenantServers) {
        return startOperator(client, services, registry, tenantServers, new TlsEtcdConnector());
    }

    /**
     * As above, reaching a growing cluster's etcd through {@code etcd} (local etcd processes). On the shared API server
     * ({@link SharedApiServer}) the operator watches only the namespaces of the running test class.
     */
    public static SksOperator startOperator(
            KubernetesClient client,
            OperatorServices services,
            io.micrometer.core.instrument.MeterRegistry registry,
            TenantClients.ServerOverride tenantServers,
            EtcdConnector etcd) {
        SksOperator operator =
                new SksOperator(client, OperatorScope.restrict(client, services), registry, tenantServers, etcd);
        operator.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> operator.notReadyReason().isEmpty());
        OperatorScope.started(client, operator);
        return operator;
    }

    /** As the first, with the tenants' load coming from {@code load} (recorded series) instead of their API servers. */
    public static SksOperator startOperator(KubernetesClient client, OperatorServices services, LoadObservations load) {
        SksOperator operator = new SksOperator(
                client,
                OperatorScope.restrict(client, services),
                new SimpleMeterRegistry(),
                TenantClients.ServerOverride.NONE,
                new TlsEtcdConnector(),
                clients -> load);
        operator.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> operator.notReadyReason().isEmpty());
        OperatorScope.started(client, operator);
        return operator;
    }

    public static <T extends HasMetadata> T load(KubernetesClient client, Class<T> type, String yaml) {
        return client.getKubernetesSerialization().unmarshal(yaml, type);
    }

    /**
     * Edits an object that has another writer (the operator, a node's heartbeat, a tenant controller), as client-go's
     * {@code RetryOnConflict} does. fabric8's {@code edit} sends the resourceVersion it read, so a write between the
     * read and the patch fails it with 409; the edit is then made again on a fresh read. Any other error, or a fifth
     * conflict in a row, is the test's failure.
     */
    public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return resource.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Whether the CRD serves its resources; one just created may have a status without conditions yet. */
    public static boolean isEstablished(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
