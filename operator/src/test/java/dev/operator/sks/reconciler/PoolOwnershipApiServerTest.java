package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.events.KubernetesEventRecorder;
import dev.operator.sks.join.JoinTokenStore;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.provider.simulated.SimulatedProvider;
import dev.operator.sks.reconciler.instancepool.InstancePoolReconciler;
import dev.operator.sks.reconciler.nodepool.NodepoolReconciler;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.DrainsNothing;
import dev.operator.sks.tenant.PoolNodes;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may run machines, against a real API server: the Nodepool and InstancePool reconcilers run in-process with a
 * provider that records every call, so "never called" is checked, not assumed. The clusters are plain SKSCluster
 * objects with a CA Secret and an endpoint (what join material needs); no control plane runs.
 */
@EnableKubeAPIServer
class PoolOwnershipApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static Operator operator;
    static RecordingProvider provider;
    static PoolNodes poolNodes;
    static TenantClients tenants;
    static KubernetesEventRecorder events;
    static IssuedCertificate ca;
    String namespace;

    @BeforeAll
    static void startReconcilers() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        ApiServerSupport.installCrds(client);
        OperatorServices services = OperatorServices.loadDefaults(ApiServerSupport.testConfig());
        Clock clock = services.clock();
        provider = new RecordingProvider(new SimulatedProvider(clock, Duration.ZERO));
        tenants = new TenantClients(client, TenantClients.ServerOverride.NONE);
        poolNodes = PoolNodes.simulating(client, tenants, clock);
        events = new KubernetesEventRecorder(client, clock, Labels.MANAGED_BY_VALUE, "test");
        ca = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes");
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new NodepoolReconciler(services, events, Optional.empty(), DrainsNothing.INSTANCE));
        operator.register(new InstancePoolReconciler(services, provider, poolNodes, null, events));
        operator.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> operator.getRuntimeInfo().allEventSourcesAreHealthy());
    }

    @AfterAll
    static void stop() {
        operator.stop();
        poolNodes.close();
        tenants.close();
        events.close();
        client.close();
    }

    @BeforeEach
    void clusters() {
        namespace = ApiServerSupport.newNamespace(client, "own");
        cluster("alpha");
        cluster("beta");
    }

    /** Whatever a test did, no condition of a pool says "null". */
    @AfterEach
    void noConditionSaysNull() {
        List<Condition> conditions = new ArrayList<>();
        client.resources(Nodepool.class).inNamespace(namespace).list().getItems().stream()
                .filter(np -> np.getStatus() != null)
                .forEach(np -> conditions.addAll(np.getStatus().conditions));
        client.resources(InstancePool.class).inNamespace(namespace).list().getItems().stream()
                .filter(p -> p.getStatus() != null)
                .forEach(p -> conditions.addAll(p.getStatus().conditions));
        assertThat(conditions)
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.getMessage()).doesNotContain("null"));
    }

    @Test
    void handMadeInstancePoolsAreRefusedAndNeverReachTheProvider() {
        create(nodepool("workers", "alpha", 1, "standard.medium"));
        Nodepool workers = awaitNodepool("workers", np -> Integer.valueOf(1).equals(np.getStatus().size));
        assertThat(provider.calls(workers.getStatus().instancePool))
                .as("the Nodepool's own pool runs")
                .isNotEmpty();
        String stolenUserData = Names.userData(workers.getStatus().instancePool);
        create(nodepool("other", "beta", 0, "standard.medium"));
        Nodepool other = awaitNodepool("other", np -> np.getStatus().clusterUID != null);

        // No owner at all, booting from the workers' user-data (their join token): what used to run 5 machines.
        InstancePool orphan = handMade("stolen", "alpha", stolenUserData, null);
        // Controlled by a real Nodepool, but of another cluster.
        InstancePool sneaky = handMade("sneaky", "alpha", stolenUserData, other);
        for (InstancePool pool : List.of(orphan, sneaky)) {
            InstancePool refused = awaitPool(pool.getMetadata().getName(), p -> p.getStatus().state == PoolState.Error);
            assertThat(Conditions.find(refused.getStatus().conditions, Conditions.READY))
                    .hasValueSatisfying(ready -> {
                        assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
                        assertThat(ready.getReason()).isEqualTo("NotOwnedByNodepool");
                        assertThat(ready.getMessage()).contains("runs no instances", "Delete it");
                    });
            assertThat(refused.getStatus().instances).isEmpty();
            awaitEvent(pool.getMetadata().getName(), "NotOwnedByNodepool", "Warning");
        }
        assertThat(provider.calls("stolen")).isEmpty();
        assertThat(provider.calls("sneaky")).isEmpty();

        // Deleting them lets them go without asking the provider to delete anything.
        client.resource(orphan).delete();
        client.resource(sneaky).delete();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.resources(InstancePool.class)
                                        .inNamespace(namespace)
                                        .withName("stolen")
                                        .get()
                                == null
                        && client.resources(InstancePool.class)
                                        .inNamespace(namespace)
                                        .withName("sneaky")
                                        .get()
                                == null);
        assertThat(provider.calls("stolen")).isEmpty();
        assertThat(provider.calls("sneaky")).isEmpty();
    }

    @Test
    void aRefusedClusterEditKeepsThePoolServingItsOwnCluster() {
        create(nodepool("moving", "alpha", 1, "standard.medium"));
        Nodepool accepted = awaitNodepool("moving", np -> Integer.valueOf(1).equals(np.getStatus().size));
        String alphaUid = clusterUid("alpha");
        assertThat(accepted.getStatus().cluster).isEqualTo("alpha");
        assertThat(accepted.getStatus().clusterUID).isEqualTo(alphaUid);

        // A v1.20 server has no CEL: the edit is stored and the operator refuses it; a size change with it is not acted
        // on.
        ApiServerSupport.edit(
                client.resources(Nodepool.class).inNamespace(namespace).withName("moving"), np -> {
                    np.getSpec().cluster = "beta";
                    np.getSpec().size = 3;
                    return np;
                });
        Nodepool refused = awaitNodepool(
                "moving",
                np -> Conditions.find(np.getStatus().conditions, Conditions.ACCEPTED)
                        .filter(c -> "ClusterImmutable".equals(c.getReason()))
                        .isPresent());
        assertThat(refused.getStatus().cluster).isEqualTo("alpha");
        assertThat(refused.getStatus().clusterUID).isEqualTo(alphaUid);
        assertThat(refused.getStatus().state).isEqualTo(PoolState.Running);
        InstancePool pool = instancePool(refused);
        assertThat(pool.getSpec().cluster).isEqualTo("alpha");
        assertThat(pool.getSpec().size).isEqualTo(1);
        assertThat(pool.getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "alpha");
        assertThat(Conditions.isTrue(refused.getStatus().conditions, Conditions.USER_DATA_READY))
                .isTrue();
        assertThat(userData(refused)).contains("203.0.113.10:443");
        assertThat(client.resources(InstancePool.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems())
                .singleElement();

        // The cluster it belongs to is deleted and created again under its name: another cluster, which it does not
        // join.
        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("alpha")
                .delete();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName("alpha")
                                .get()
                        == null);
        cluster("alpha");
        Nodepool orphaned = awaitNodepool(
                "moving",
                np -> Conditions.find(np.getStatus().conditions, Conditions.READY)
                        .filter(c -> "ClusterReplaced".equals(c.getReason()))
                        .isPresent());
        assertThat(orphaned.getStatus().clusterUID).isEqualTo(alphaUid);
        assertThat(instancePool(orphaned).getSpec().size).isEqualTo(1);
        // Its pool keeps its machines but scales nothing and joins the new cluster's tenant to nothing.
        InstancePool detached = awaitPool(
                orphaned.getStatus().instancePool,
                p -> Conditions.find(p.getStatus().conditions, Conditions.READY)
                        .filter(c -> "ClusterReplaced".equals(c.getReason()))
                        .isPresent());
        assertThat(detached.getStatus().instances).hasSize(1);
    }

    @Test
    void aForeignUserDataSecretIsANameConflictAndStaysUntouched() {
        // Refused at first (too small), so its name is known before anything is made for it.
        create(nodepool("guarded", "alpha", 2, "standard.tiny"));
        Nodepool refused = awaitNodepool(
                "guarded", np -> np.getStatus().instancePool != null && np.getStatus().state == PoolState.Error);
        String poolName = refused.getStatus().instancePool;
        Secret foreign = client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.userData(poolName))
                        .withNamespace(namespace)
                        .addToLabels(Labels.COMPONENT, Labels.JOIN_COMPONENT)
                        .endMetadata()
                        .addToData(Names.USER_DATA_KEY, base64("#cloud-config\n# someone else's machines\n"))
                        .build())
                .create();

        ApiServerSupport.edit(
                client.resources(Nodepool.class).inNamespace(namespace).withName("guarded"), np -> {
                    np.getSpec().instanceType = "standard.medium";
                    return np;
                });
        Nodepool conflicted = awaitNodepool(
                "guarded",
                np -> Conditions.find(np.getStatus().conditions, Conditions.USER_DATA_READY)
                        .filter(c -> "NameConflict".equals(c.getReason()))
                        .isPresent());
        assertThat(Conditions.find(conflicted.getStatus().conditions, Conditions.USER_DATA_READY)
                        .orElseThrow()
                        .getMessage())
                .contains(Names.userData(poolName), "left untouched");
        InstancePool pool = awaitPool(
                poolName,
                p -> Conditions.find(p.getStatus().conditions, Conditions.READY)
                        .filter(c -> "NameConflict".equals(c.getReason()))
                        .isPresent());
        assertThat(pool.getStatus().instances).isEmpty();
        awaitEvent("guarded", "NameConflict", "Warning");
        awaitEvent(poolName, "NameConflict", "Warning");

        Secret after = client.secrets()
                .inNamespace(namespace)
                .withName(Names.userData(poolName))
                .get();
        assertThat(after.getMetadata().getResourceVersion())
                .isEqualTo(foreign.getMetadata().getResourceVersion());
        assertThat(after.getData()).isEqualTo(foreign.getData());
        assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(provider.calls(poolName)).isEmpty();
    }

    @Test
    void aForeignJoinTokenSecretIsNeitherUsedNorReplaced() {
        Secret foreign = client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.bootstrapToken("gamma"))
                        .withNamespace(namespace)
                        .endMetadata()
                        .addToData("token-id", base64("abcdef"))
                        .addToData("token-secret", base64("0123456789abcdef"))
                        .build())
                .create();
        cluster("gamma");
        create(nodepool("tokens", "gamma", 1, "standard.medium"));
        Nodepool conflicted = awaitNodepool(
                "tokens",
                np -> Conditions.find(np.getStatus().conditions, Conditions.USER_DATA_READY)
                        .filter(c -> "NameConflict".equals(c.getReason()))
                        .isPresent());
        assertThat(Conditions.find(conflicted.getStatus().conditions, Conditions.USER_DATA_READY)
                        .orElseThrow()
                        .getMessage())
                .contains(Names.bootstrapToken("gamma"))
                .doesNotContain("0123456789abcdef");
        Secret after = client.secrets()
                .inNamespace(namespace)
                .withName(Names.bootstrapToken("gamma"))
                .get();
        assertThat(after.getMetadata().getResourceVersion())
                .isEqualTo(foreign.getMetadata().getResourceVersion());
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.userData(conflicted.getStatus().instancePool))
                        .get())
                .isNull();
        assertThat(provider.calls(conflicted.getStatus().instancePool)).isEmpty();
    }

    @Test
    void scalingEvictionsAndProviderErrorsAreToldAsEvents() {
        create(nodepool("told", "alpha", 2, "standard.medium"));
        Nodepool two = awaitNodepool("told", np -> Integer.valueOf(2).equals(np.getStatus().size));
        client.resources(Nodepool.class).inNamespace(namespace).withName("told").scale(3);
        Nodepool three = awaitNodepool("told", np -> Integer.valueOf(3).equals(np.getStatus().size));
        assertThat(awaitEvent("told", "ScalingInstancePool", "Normal").getMessage())
                .contains("from 2 to 3");

        String victim = instancePool(three).getStatus().instances.get(1).name;
        ApiServerSupport.edit(
                client.resources(Nodepool.class).inNamespace(namespace).withName("told"), np -> {
                    np.getMetadata().getAnnotations().put(Labels.EVICT_ANNOTATION, victim);
                    return np;
                });
        assertThat(awaitEvent("told", "InstancesEvicted", "Normal").getMessage())
                .contains(victim);
        assertThat(awaitEvent(two.getStatus().instancePool, "InstancesEvicted", "Normal")
                        .getMessage())
                .contains(victim);

        // The backend echoes the request, join token and all: the token never reaches status or events.
        provider.failWithEcho(two.getStatus().instancePool);
        client.resources(Nodepool.class).inNamespace(namespace).withName("told").scale(1);
        Event failed = awaitEvent(two.getStatus().instancePool, "ProviderCallFailed", "Warning");
        String token = new JoinTokenStore(client)
                .read(namespace, "alpha")
                .orElseThrow()
                .current()
                .token()
                .value();
        assertThat(failed.getMessage())
                .contains("recording failed to", "(withheld)")
                .doesNotContain(token);
        InstancePool failing = awaitPool(two.getStatus().instancePool, p -> p.getStatus().state == PoolState.Error);
        assertThat(Conditions.find(failing.getStatus().conditions, Conditions.READY)
                        .orElseThrow()
                        .getMessage())
                .contains("(withheld)")
                .doesNotContain(token);
        provider.stopFailing();
    }

    /** A provider that records every call by pool name, and can fail echoing the request (user-data included). */
    static final class RecordingProvider implements ComputeProvider {
        private final ComputeProvider delegate;
        private final Queue<String> calls = new ConcurrentLinkedQueue<>();
        private final Set<String> failing = ConcurrentHashMap.newKeySet();

        RecordingProvider(ComputeProvider delegate) {
            this.delegate = delegate;
        }

        List<String> calls(String pool) {
            return calls.stream().filter(c -> c.endsWith(" " + pool)).toList();
        }

        void failWithEcho(String pool) {
            failing.add(pool);
        }

        void stopFailing() {
            failing.clear();
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public ProviderPool reconcile(DesiredPool desired) throws ProviderException {
            record("reconcile", desired);
            return delegate.reconcile(desired);
        }

        @Override
        public ProviderPool evict(DesiredPool desired, Collection<String> instanceNames) throws ProviderException {
            record("evict", desired);
            return delegate.evict(desired, instanceNames);
        }

        @Override
        public boolean delete(DesiredPool desired) throws ProviderException {
            record("delete", desired);
            return delegate.delete(desired);
        }

        private void record(String call, DesiredPool desired) throws ProviderException {
            calls.add(call + " " + desired.poolName());
            if (failing.contains(desired.poolName())) {
                throw new ProviderException("HTTP 400: the backend refused the user-data " + desired.userData());
            }
        }
    }

    private void cluster(String name) {
        SKSCluster cluster = client.resource(ApiServerSupport.load(client, SKSCluster.class, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33"}
        """.formatted(name)))
                .inNamespace(namespace)
                .create();
        cluster.setStatus(new SKSClusterStatus());
        cluster.getStatus().endpoint = "https://203.0.113.10:443";
        cluster.getStatus().version = "1.33.4";
        client.resource(cluster).updateStatus();
        if (client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.clusterCa(name))
                        .get()
                == null) {
            client.resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName(Names.clusterCa(name))
                            .withNamespace(namespace)
                            // The cluster CA reaches user-data only from a Secret the cluster controls.
                            .withOwnerReferences(Owners.controllerReference(cluster))
                            .endMetadata()
                            .withType("kubernetes.io/tls")
                            .addToData("tls.crt", base64(ca.certificatePem()))
                            .addToData("tls.key", base64(ca.privateKeyPem()))
                            .build())
                    .create();
        }
    }

    private String clusterUid(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get()
                .getMetadata()
                .getUid();
    }

    private static String nodepool(String name, String cluster, int size, String instanceType) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: %s, annotations: {note: test}}
        spec: {cluster: %s, size: %d, instanceType: %s}
        """.formatted(name, cluster, size, instanceType);
    }

    private InstancePool handMade(String name, String cluster, String userDataSecret, Nodepool controller) {
        InstancePool pool =
                ApiServerSupport.load(client, InstancePool.class, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: InstancePool
        metadata: {name: %s}
        spec: {cluster: %s, zone: ch-gva-2, size: 5, instanceType: standard.medium, diskSize: 50,
               userDataSecretName: %s}
        """.formatted(name, cluster, userDataSecret));
        if (controller != null) {
            pool.getMetadata()
                    .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                            .withApiVersion(controller.getApiVersion())
                            .withKind(controller.getKind())
                            .withName(controller.getMetadata().getName())
                            .withUid(controller.getMetadata().getUid())
                            .withController(true)
                            .build()));
        }
        return client.resource(pool).inNamespace(namespace).create();
    }

    private void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private InstancePool instancePool(Nodepool nodepool) {
        return client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(nodepool.getStatus().instancePool)
                .get();
    }

    private String userData(Nodepool nodepool) {
        Secret secret = client.secrets()
                .inNamespace(namespace)
                .withName(Names.userData(nodepool.getStatus().instancePool))
                .get();
        return new String(
                Base64.getDecoder().decode(secret.getData().get(Names.USER_DATA_KEY)), StandardCharsets.UTF_8);
    }

    private Nodepool awaitNodepool(String name, Predicate<Nodepool> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        np -> np != null && np.getStatus() != null && condition.test(np));
    }

    private InstancePool awaitPool(String name, Predicate<InstancePool> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(InstancePool.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        p -> p != null && p.getStatus() != null && condition.test(p));
    }

    private Event awaitEvent(String involved, String reason, String type) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> client.v1().events().inNamespace(namespace).list().getItems().stream()
                                .filter(e ->
                                        involved.equals(e.getInvolvedObject().getName())
                                                && reason.equals(e.getReason())
                                                && type.equals(e.getType()))
                                .findFirst()
                                .orElse(null),
                        e -> e != null);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
