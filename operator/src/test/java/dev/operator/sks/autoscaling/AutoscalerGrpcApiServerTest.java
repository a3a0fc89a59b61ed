package dev.operator.sks.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.autoscaling.proto.*;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.provider.simulated.NodeInitialization;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The calls a cluster-autoscaler makes in its loop, over a real mutual-TLS channel to the operator's externalgrpc
 * server, against a real API server with the simulated provider: a pool grows from zero and shrinks back, each cluster
 * sees only its own pools, and a client without the operator's CA's certificate gets no connection.
 */
@SharedApiServer
class AutoscalerGrpcApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static ClusterStandIn kubelet;
    static String namespace;
    static BouncyCastlePki pki = new BouncyCastlePki(Clock.systemUTC());
    static AutoscalerAuthority authority;
    static AutoscalerGrpcServer server;

    @BeforeAll
    static void start() {
        client = ApiServerSupport.client(kubeconfig);
        OperatorServices services = OperatorServices.loadDefaults(ApiServerSupport.testConfig());
        operator = ApiServerSupport.startOperator(client, services);
        namespace = ApiServerSupport.newNamespace(client, "autoscaler");
        kubelet = ClusterStandIn.watch(client, namespace);
        authority = AutoscalerAuthority.loadOrCreate(client, namespace, pki);
        server = AutoscalerGrpcServer.start(
                0,
                authority,
                authority.serverCertificate(List.of("localhost"), List.of("127.0.0.1")),
                new ExternalGrpcProvider(client, services));
        apply(cluster("alpha"));
        apply(cluster("beta"));
        for (String cluster : List.of("alpha", "beta")) {
            await().atMost(Duration.ofSeconds(90))
                    .until(
                            () -> client.resources(SKSCluster.class)
                                    .inNamespace(namespace)
                                    .withName(cluster)
                                    .get(),
                            c -> c.getStatus() != null && c.getStatus().state == ClusterState.Running);
        }
        apply(nodepool("alpha-scaled", "alpha", 0, 0, 3));
        apply(nodepool("beta-scaled", "beta", 1, 1, 2));
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: Nodepool
                metadata: {name: alpha-fixed}
                spec: {cluster: alpha, size: 1, instanceType: standard.medium}
                """);
        for (String np : List.of("alpha-scaled", "beta-scaled", "alpha-fixed")) {
            awaitNodepool(np, p -> p.getStatus().id != null && p.getStatus().instancePool != null);
        }
        awaitPool("beta-scaled", p -> p.getStatus().instances.size() == 1);
        awaitPool("alpha-fixed", p -> p.getStatus().instances.size() == 1);
    }

    @AfterAll
    static void stop() {
        server.close();
        kubelet.close();
        operator.close();
        client.close();
    }

    @Test
    void aPoolGrowsFromZeroAndShrinksBackThroughTheAutoscalersCalls() throws Exception {
        ManagedChannel alpha = channel(clientCredentials(authority.clientCertificate(identity("alpha"))));
        try {
            call(alpha, CloudProviderService.REFRESH, RefreshRequest.getDefaultInstance());
            String id = id("alpha-scaled");
            NodeGroupsResponse groups =
                    call(alpha, CloudProviderService.NODE_GROUPS, NodeGroupsRequest.getDefaultInstance());
            // alpha-fixed has no spec.autoscaling, beta-scaled is beta's: one group.
            assertThat(groups.getNodeGroupsList()).singleElement().satisfies(g -> {
                assertThat(g.getId()).isEqualTo(id);
                assertThat(g.getMinSize()).isZero();
                assertThat(g.getMaxSize()).isEqualTo(3);
            });

            NodeGroupTemplateNodeInfoResponse template = call(
                    alpha,
                    CloudProviderService.NODE_GROUP_TEMPLATE_NODE_INFO,
                    NodeGroupTemplateNodeInfoRequest.newBuilder().setId(id).build());
            var node = dev.operator.sks.autoscaling.proto.k8s.Node.parseFrom(template.getNodeBytes());
            assertThat(node.getMetadata().getLabelsMap())
                    .containsEntry(Labels.NODEPOOL_ID, id)
                    .containsEntry(NodeInitialization.INSTANCE_TYPE_LABEL, "standard.medium")
                    .containsEntry("role", "batch");
            assertThat(node.getStatus().getCapacityMap()).containsKeys("cpu", "memory", "pods");
            assertThat(template.getNodeInfo()).isEqualTo(node);

            assertThat(targetSize(alpha, id)).isZero();
            assertCode(
                    () -> call(alpha, CloudProviderService.NODE_GROUP_INCREASE_SIZE, increase(id, 4)),
                    Status.Code.FAILED_PRECONDITION);
            long growing = System.nanoTime();
            call(alpha, CloudProviderService.NODE_GROUP_INCREASE_SIZE, increase(id, 2));
            assertThat(targetSize(alpha, id)).isEqualTo(2);
            InstancePool two =
                    awaitPool("alpha-scaled", p -> p.getStatus().instances.size() == 2);
            long grownMillis = Duration.ofNanos(System.nanoTime() - growing).toMillis();

            NodeGroupNodesResponse nodes = call(
                    alpha,
                    CloudProviderService.NODE_GROUP_NODES,
                    NodeGroupNodesRequest.newBuilder().setId(id).build());
            String poolName = two.getMetadata().getName();
            assertThat(nodes.getInstancesList())
                    .extracting(Instance::getId)
                    .containsExactlyInAnyOrderElementsOf(two.getStatus().instances.stream()
                            .map(i -> "simulated://" + poolName + "/" + i.id)
                            .toList());

            var first = two.getStatus().instances.get(0);
            ExternalGrpcNode firstNode = ExternalGrpcNode.newBuilder()
                    .setName(first.name)
                    .setProviderID("simulated://" + poolName + "/" + first.id)
                    .build();
            assertThat(call(
                                    alpha,
                                    CloudProviderService.NODE_GROUP_FOR_NODE,
                                    NodeGroupForNodeRequest.newBuilder()
                                            .setNode(firstNode)
                                            .build())
                            .getNodeGroup()
                            .getId())
                    .isEqualTo(id);

            // No Node registered here (no tenant): both machines are still "upcoming", so the target may drop by one.
            call(
                    alpha,
                    CloudProviderService.NODE_GROUP_DECREASE_TARGET_SIZE,
                    NodeGroupDecreaseTargetSizeRequest.newBuilder()
                            .setId(id)
                            .setDelta(-1)
                            .build());
            InstancePool one =
                    awaitPool("alpha-scaled", p -> p.getStatus().instances.size() == 1);
            var last = one.getStatus().instances.get(0);

            call(
                    alpha,
                    CloudProviderService.NODE_GROUP_DELETE_NODES,
                    NodeGroupDeleteNodesRequest.newBuilder()
                            .setId(id)
                            .addNodes(ExternalGrpcNode.newBuilder()
                                    .setName(last.name)
                                    .setProviderID("simulated://" + poolName + "/" + last.id))
                            .build());
            Nodepool deleting = client.resources(Nodepool.class)
                    .inNamespace(namespace)
                    .withName("alpha-scaled")
                    .get();
            assertThat(deleting.getSpec().size).isZero();
            assertThat(deleting.getMetadata().getAnnotations()).containsEntry(Labels.EVICT_ANNOTATION, last.name);
            long shrinking = System.nanoTime();
            awaitPool("alpha-scaled", p -> p.getStatus().instances.isEmpty());
            assertThat(targetSize(alpha, id)).isZero();
            System.out.printf(
                    "autoscaler calls on a pool of bounds 0..3: 0 -> 2 machines (IncreaseSize; 4 refused past maxSize) "
                            + "in %d ms, 2 -> 1 (DecreaseTargetSize of a machine not registered), 1 -> 0 (DeleteNodes, its eviction "
                            + "done) in %d ms; below minSize refused%n",
                    grownMillis, Duration.ofNanos(System.nanoTime() - shrinking).toMillis());
            assertCode(
                    () -> call(
                            alpha,
                            CloudProviderService.NODE_GROUP_DECREASE_TARGET_SIZE,
                            NodeGroupDecreaseTargetSizeRequest.newBuilder()
                                    .setId(id)
                                    .setDelta(-1)
                                    .build()),
                    Status.Code.FAILED_PRECONDITION);
        } finally {
            alpha.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClusterSeesAndChangesOnlyItsOwnPools() throws Exception {
        ManagedChannel beta = channel(clientCredentials(authority.clientCertificate(identity("beta"))));
        try {
            String alphaFixed = id("alpha-fixed");
            String alphaScaled = id("alpha-scaled");
            assertThat(call(beta, CloudProviderService.NODE_GROUPS, NodeGroupsRequest.getDefaultInstance())
                            .getNodeGroupsList())
                    .extracting(NodeGroup::getId)
                    .containsExactly(id("beta-scaled"));
            assertCode(() -> targetSize(beta, alphaScaled), Status.Code.NOT_FOUND);
            assertCode(
                    () -> call(beta, CloudProviderService.NODE_GROUP_INCREASE_SIZE, increase(alphaScaled, 1)),
                    Status.Code.NOT_FOUND);
            InstancePool fixed =
                    awaitPool("alpha-fixed", p -> p.getStatus().instances.size() == 1);
            var instance = fixed.getStatus().instances.get(0);
            ExternalGrpcNode alphaNode = ExternalGrpcNode.newBuilder()
                    .setName(instance.name)
                    .setProviderID("simulated://" + fixed.getMetadata().getName() + "/" + instance.id)
                    .build();
            assertThat(call(
                                    beta,
                                    CloudProviderService.NODE_GROUP_FOR_NODE,
                                    NodeGroupForNodeRequest.newBuilder()
                                            .setNode(alphaNode)
                                            .build())
                            .getNodeGroup()
                            .getId())
                    .isEmpty();
            assertCode(
                    () -> call(
                            beta,
                            CloudProviderService.NODE_GROUP_DELETE_NODES,
                            NodeGroupDeleteNodesRequest.newBuilder()
                                    .setId(id("beta-scaled"))
                                    .addNodes(alphaNode)
                                    .build()),
                    Status.Code.INVALID_ARGUMENT);
            assertThat(alphaFixed).isNotEmpty();
            assertThat(client.resources(Nodepool.class)
                            .inNamespace(namespace)
                            .withName("alpha-fixed")
                            .get()
                            .getMetadata()
                            .getAnnotations())
                    .doesNotContainKey(Labels.EVICT_ANNOTATION);
        } finally {
            beta.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void strangersAreRefused() throws Exception {
        // No client certificate: the handshake fails, no call is made.
        ChannelCredentials anonymous = TlsChannelCredentials.newBuilder()
                .trustManager(pem(authority.caPem()))
                .build();
        assertRefusedByHandshake(anonymous);
        // A certificate naming alpha, from another CA.
        IssuedCertificate otherCa = pki.createCa("impostor");
        assertRefusedByHandshake(
                clientCredentials(pki.issue(identity("alpha").certificateRequest(Duration.ofDays(1)), otherCa)));
        // Our CA, but a certificate for a cluster that no longer has this UID.
        ManagedChannel stale = channel(clientCredentials(authority.clientCertificate(
                new AutoscalerIdentity(namespace, "alpha", "00000000-0000-0000-0000-000000000000"))));
        try {
            assertCode(
                    () -> call(stale, CloudProviderService.NODE_GROUPS, NodeGroupsRequest.getDefaultInstance()),
                    Status.Code.PERMISSION_DENIED);
        } finally {
            stale.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        // Our CA, but naming no cluster at all.
        IssuedCertificate nameless = pki.issue(
                dev.operator.sks.pki.CertificateRequest.builder("someone")
                        .clientAuth()
                        .validity(Duration.ofDays(1))
                        .build(),
                authority.ca());
        ManagedChannel unnamed = channel(clientCredentials(nameless));
        try {
            assertCode(
                    () -> call(unnamed, CloudProviderService.NODE_GROUPS, NodeGroupsRequest.getDefaultInstance()),
                    Status.Code.UNAUTHENTICATED);
        } finally {
            unnamed.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void assertRefusedByHandshake(ChannelCredentials credentials) throws InterruptedException {
        ManagedChannel channel = channel(credentials);
        try {
            assertCode(
                    () -> call(channel, CloudProviderService.NODE_GROUPS, NodeGroupsRequest.getDefaultInstance()),
                    Status.Code.UNAVAILABLE);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static AutoscalerIdentity identity(String cluster) {
        SKSCluster c = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(cluster)
                .get();
        return new AutoscalerIdentity(namespace, cluster, c.getMetadata().getUid());
    }

    private static ChannelCredentials clientCredentials(IssuedCertificate certificate) {
        try {
            return TlsChannelCredentials.newBuilder()
                    .keyManager(pem(certificate.certificatePem()), pem(certificate.privateKeyPem()))
                    .trustManager(pem(authority.caPem()))
                    .build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ManagedChannel channel(ChannelCredentials credentials) {
        return Grpc.newChannelBuilderForAddress("localhost", server.port(), credentials)
                .build();
    }

    private static ByteArrayInputStream pem(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static <Q, R> R call(ManagedChannel channel, MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(
                channel, method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
    }

    private static int targetSize(ManagedChannel channel, String id) {
        return call(
                        channel,
                        CloudProviderService.NODE_GROUP_TARGET_SIZE,
                        NodeGroupTargetSizeRequest.newBuilder().setId(id).build())
                .getTargetSize();
    }

    private static NodeGroupIncreaseSizeRequest increase(String id, int delta) {
        return NodeGroupIncreaseSizeRequest.newBuilder()
                .setId(id)
                .setDelta(delta)
                .build();
    }

    private static void assertCode(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    private static String id(String nodepool) {
        return client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(nodepool)
                .get()
                .getStatus()
                .id;
    }

    static String cluster(String name) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
        """.formatted(name);
    }

    static String nodepool(String name, String cluster, int size, int min, int max) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: %s}
        spec:
          cluster: %s
          size: %d
          instanceType: standard.medium
          labels: {role: batch}
          autoscaling: {minSize: %d, maxSize: %d}
        """.formatted(name, cluster, size, min, max);
    }

    private static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static Nodepool awaitNodepool(String name, Predicate<Nodepool> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        np -> np != null && np.getStatus() != null && condition.test(np));
    }

    private static InstancePool awaitPool(String nodepool, Predicate<InstancePool> condition) {
        String name = awaitNodepool(nodepool, np -> np.getStatus().instancePool != null)
                .getStatus()
                .instancePool;
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(InstancePool.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        p -> p != null
                                && p.getStatus() != null
                                && p.getStatus().instances != null
                                && condition.test(p));
    }
}
