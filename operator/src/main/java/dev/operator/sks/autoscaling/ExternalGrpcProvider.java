package dev.operator.sks.autoscaling;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.autoscaling.CloudProviderService.CloudProvider;
import dev.operator.sks.autoscaling.NodeGroups.Bounds;
import dev.operator.sks.autoscaling.NodeGroups.Group;
import dev.operator.sks.autoscaling.NodeGroups.Member;
import dev.operator.sks.autoscaling.NodeGroups.NodeRef;
import dev.operator.sks.autoscaling.NodeGroups.Refused;
import dev.operator.sks.autoscaling.NodeGroups.Resize;
import dev.operator.sks.autoscaling.NodeGroups.SizeChange;
import dev.operator.sks.autoscaling.proto.*;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.nodepool.InstancePools;
import dev.operator.sks.rendering.Owners;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The externalgrpc cloud provider over the management cluster: a caller's node groups are the Nodepools with
 * {@code spec.autoscaling} whose {@code status.clusterUID} is the UID its certificate names, and nothing else. Every
 * call reads the cluster, its Nodepools and their InstancePools afresh, asks {@link NodeGroups} what to do, and writes
 * at most one Nodepool, conditionally on the resourceVersion it read (a concurrent change answers Aborted, and the
 * autoscaler tries again on its next loop).
 */
public final class ExternalGrpcProvider implements CloudProvider {
    /** The caller, set by {@link AutoscalerGrpcServer}'s interceptor from the verified client certificate. */
    public static final Context.Key<AutoscalerIdentity> CALLER = Context.key("sks-autoscaler-identity");

    /**
     * The label whose presence marks a Node with GPUs, for the autoscaler to wait for their device plugin: set on the
     * template Node of pools whose instance type has GPUs.
     */
    public static final String GPU_LABEL = Labels.PREFIX + "accelerator";

    private static final Logger LOG = LoggerFactory.getLogger(ExternalGrpcProvider.class);

    private final KubernetesClient client;
    private final OperatorServices services;

    public ExternalGrpcProvider(KubernetesClient client, OperatorServices services) {
        this.client = client;
        this.services = services;
    }

    @Override
    public NodeGroupsResponse nodeGroups(NodeGroupsRequest request) throws StatusException {
        NodeGroupsResponse.Builder response = NodeGroupsResponse.newBuilder();
        groups(caller()).forEach(g -> response.addNodeGroups(toProto(g.group())));
        return response.build();
    }

    @Override
    public NodeGroupForNodeResponse nodeGroupForNode(NodeGroupForNodeRequest request) throws StatusException {
        List<Group> groups = groups(caller()).stream().map(Observed::group).toList();
        Optional<Group> group = NodeGroups.groupFor(
                request.getNode().getName(), request.getNode().getProviderID(), groups);
        return NodeGroupForNodeResponse.newBuilder()
                .setNodeGroup(group.map(ExternalGrpcProvider::toProto).orElse(NodeGroup.getDefaultInstance()))
                .build();
    }

    @Override
    public GPULabelResponse gpuLabel(GPULabelRequest request) throws StatusException {
        caller();
        return GPULabelResponse.newBuilder().setLabel(GPU_LABEL).build();
    }

    @Override
    public GetAvailableGPUTypesResponse getAvailableGpuTypes(GetAvailableGPUTypesRequest request)
            throws StatusException {
        caller();
        GetAvailableGPUTypesResponse.Builder response = GetAvailableGPUTypesResponse.newBuilder();
        services.instanceTypes().all().stream()
                .filter(t -> t.gpus() > 0)
                .forEach(t -> response.putGpuTypes(t.family(), Any.getDefaultInstance()));
        return response.build();
    }

    @Override
    public CleanupResponse cleanup(CleanupRequest request) throws StatusException {
        caller();
        return CleanupResponse.getDefaultInstance();
    }

    /** Nothing to refresh: every call reads the cluster's state afresh. */
    @Override
    public RefreshResponse refresh(RefreshRequest request) throws StatusException {
        caller();
        return RefreshResponse.getDefaultInstance();
    }

    @Override
    public NodeGroupTargetSizeResponse nodeGroupTargetSize(NodeGroupTargetSizeRequest request) throws StatusException {
        Observed group = group(caller(), request.getId());
        return NodeGroupTargetSizeResponse.newBuilder()
                .setTargetSize(group.group().targetSize())
                .build();
    }

    @Override
    public NodeGroupIncreaseSizeResponse nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest request)
            throws StatusException {
        resize(caller(), request.getId(), group -> NodeGroups.increase(group.group(), request.getDelta()));
        return NodeGroupIncreaseSizeResponse.getDefaultInstance();
    }

    @Override
    public NodeGroupDeleteNodesResponse nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest request)
            throws StatusException {
        List<NodeRef> nodes = request.getNodesList().stream()
                .map(n -> new NodeRef(n.getName(), n.getProviderID()))
                .toList();
        resize(
                caller(),
                request.getId(),
                group -> NodeGroups.deleteNodes(group.group(), nodes, InstancePools.evictions(group.nodepool())));
        return NodeGroupDeleteNodesResponse.getDefaultInstance();
    }

    @Override
    public NodeGroupDecreaseTargetSizeResponse nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest request)
            throws StatusException {
        resize(caller(), request.getId(), group -> NodeGroups.decreaseTarget(group.group(), request.getDelta()));
        return NodeGroupDecreaseTargetSizeResponse.getDefaultInstance();
    }

    @Override
    public NodeGroupNodesResponse nodeGroupNodes(NodeGroupNodesRequest request) throws StatusException {
        Observed group = group(caller(), request.getId());
        NodeGroupNodesResponse.Builder response = NodeGroupNodesResponse.newBuilder();
        for (Member member : group.group().members()) {
            response.addInstances(dev.operator.sks.autoscaling.proto.Instance.newBuilder()
                    .setId(member.providerId())
                    .setStatus(status(member.state())));
        }
        return response.build();
    }

    @Override
    public NodeGroupTemplateNodeInfoResponse nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest request)
            throws StatusException {
        AutoscalerIdentity caller = caller();
        Observed group = group(caller, request.getId());
        SKSCluster cluster = cluster(caller);
        InstanceType type = services.instanceTypes()
                .find(group.nodepool().getSpec().instanceType)
                .orElseThrow(() -> Status.FAILED_PRECONDITION
                        .withDescription("instance type " + group.nodepool().getSpec().instanceType + " of nodepool "
                                + group.group().nodepool() + " is not in the catalog")
                        .asException());
        String version = cluster.getStatus() == null ? null : cluster.getStatus().version;
        Optional<KubernetesVersion> parsed = version == null ? Optional.empty() : KubernetesVersion.parse(version);
        if (parsed.isEmpty()) {
            throw Status.UNAVAILABLE
                    .withDescription("cluster " + caller.cluster() + " runs no version yet")
                    .asException();
        }
        Map<String, String> labels = new java.util.LinkedHashMap<>(
                InstancePools.nodeLabels(group.nodepool(), group.group().id()));
        if (type.gpus() > 0) {
            labels.put(GPU_LABEL, type.family());
        }
        var node = TemplateNode.render(new TemplateNode.Inputs(
                group.group().id(),
                labels,
                dev.operator.sks.api.Defaults.taints(group.nodepool().getSpec()),
                type,
                parsed.get(),
                cluster.getStatus().zone));
        return NodeGroupTemplateNodeInfoResponse.newBuilder()
                .setNodeInfo(node)
                .setNodeBytes(node.toByteString())
                .build();
    }

    /** A group with what it was read from. */
    record Observed(Group group, Nodepool nodepool) {}

    private static AutoscalerIdentity caller() throws StatusException {
        AutoscalerIdentity caller = CALLER.get();
        if (caller == null) {
            throw Status.UNAUTHENTICATED
                    .withDescription("no client certificate naming a cluster")
                    .asException();
        }
        return caller;
    }

    private SKSCluster cluster(AutoscalerIdentity caller) throws StatusException {
        SKSCluster cluster = client.resources(SKSCluster.class)
                .inNamespace(caller.namespace())
                .withName(caller.cluster())
                .get();
        if (cluster == null || !caller.clusterUid().equals(cluster.getMetadata().getUid())) {
            // Deleted, or deleted and made again: the certificate speaks for a cluster that is gone.
            throw Status.PERMISSION_DENIED
                    .withDescription("cluster " + caller.namespace() + "/" + caller.cluster() + " with uid "
                            + caller.clusterUid() + " does not exist")
                    .asException();
        }
        return cluster;
    }

    private List<Observed> groups(AutoscalerIdentity caller) throws StatusException {
        cluster(caller);
        String provider = services.config().provider();
        List<Observed> groups = new ArrayList<>();
        for (Nodepool nodepool : client.resources(Nodepool.class)
                .inNamespace(caller.namespace())
                .list()
                .getItems()) {
            if (nodepool.getStatus() == null
                    || !caller.clusterUid().equals(nodepool.getStatus().clusterUID)
                    || nodepool.getStatus().id == null
                    || nodepool.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            Optional<Bounds> bounds = Bounds.of(nodepool.getSpec().autoscaling);
            if (bounds.isEmpty()) {
                continue;
            }
            List<Member> members = new ArrayList<>();
            InstancePool pool = instancePool(nodepool);
            if (pool != null && pool.getStatus() != null && pool.getStatus().instances != null) {
                for (Instance instance : pool.getStatus().instances) {
                    if (instance.name == null || instance.id == null) {
                        continue;
                    }
                    members.add(new Member(
                            instance.name,
                            instance.id,
                            NodeGroups.providerId(provider, pool.getMetadata().getName(), instance.name, instance.id),
                            instance.nodeName,
                            instance.state));
                }
            }
            int size = Objects.requireNonNullElse(nodepool.getSpec().size, 0);
            groups.add(new Observed(
                    new Group(nodepool.getStatus().id, nodepool.getMetadata().getName(), size, bounds.get(), members),
                    nodepool));
        }
        return groups;
    }

    /** The Nodepool's InstancePool, only when the Nodepool controls it (never by name alone). */
    private InstancePool instancePool(Nodepool nodepool) {
        String name = nodepool.getStatus().instancePool;
        if (name == null) {
            return null;
        }
        InstancePool pool = client.resources(InstancePool.class)
                .inNamespace(nodepool.getMetadata().getNamespace())
                .withName(name)
                .get();
        return pool != null && Owners.isControlledBy(pool, nodepool) ? pool : null;
    }

    private Observed group(AutoscalerIdentity caller, String id) throws StatusException {
        return groups(caller).stream()
                .filter(g -> g.group().id().equals(id))
                .findFirst()
                .orElseThrow(() -> Status.NOT_FOUND
                        .withDescription("no node group " + id + " in cluster " + caller.cluster())
                        .asException());
    }

    /**
     * Decides {@code change} on a fresh read of the group and writes it; a write that lost to another (the operator's
     * own status writes change the Nodepool's resourceVersion often, while machines are replaced) is decided again on
     * a new read, a few times, before the caller is told to ask again.
     */
    private void resize(AutoscalerIdentity caller, String id, java.util.function.Function<Observed, SizeChange> change)
            throws StatusException {
        for (int attempt = 1; ; attempt++) {
            Observed group = group(caller, id);
            try {
                apply(group, change.apply(group));
                return;
            } catch (StatusException e) {
                if (e.getStatus().getCode() != Status.Code.ABORTED || attempt >= RESIZE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static final int RESIZE_ATTEMPTS = 5;

    private void apply(Observed observed, SizeChange change) throws StatusException {
        if (change instanceof Refused refused) {
            throw (refused.invalid() ? Status.INVALID_ARGUMENT : Status.FAILED_PRECONDITION)
                    .withDescription(refused.message())
                    .asException();
        }
        Resize resize = (Resize) change;
        Nodepool nodepool = observed.nodepool();
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode metadata = patch.putObject("metadata");
        // The write holds only if nobody changed the Nodepool since it was read.
        metadata.put("resourceVersion", nodepool.getMetadata().getResourceVersion());
        if (!resize.evict().equals(InstancePools.evictions(nodepool))) {
            metadata.putObject("annotations").put(Labels.EVICT_ANNOTATION, String.join(",", resize.evict()));
        }
        patch.putObject("spec").put("size", resize.newSize());
        try {
            client.resources(Nodepool.class)
                    .inNamespace(nodepool.getMetadata().getNamespace())
                    .withName(nodepool.getMetadata().getName())
                    .patch(
                            new PatchContext.Builder()
                                    .withPatchType(PatchType.JSON_MERGE)
                                    .withFieldManager(Labels.FIELD_MANAGER)
                                    .build(),
                            Serialization.asJson(patch));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw Status.ABORTED
                        .withDescription("nodepool " + observed.group().nodepool() + " changed meanwhile; ask again")
                        .asException();
            }
            throw e;
        }
        LOG.info(
                "cluster-autoscaler resized nodepool {}/{} from {} to {}{}",
                nodepool.getMetadata().getNamespace(),
                nodepool.getMetadata().getName(),
                observed.group().targetSize(),
                resize.newSize(),
                resize.evict().isEmpty() ? "" : ", evicting " + String.join(", ", resize.evict()));
    }

    private static NodeGroup toProto(Group group) {
        return NodeGroup.newBuilder()
                .setId(group.id())
                .setMinSize(group.bounds().minSize())
                .setMaxSize(group.bounds().maxSize())
                .setDebug(group.debug())
                .build();
    }

    private static InstanceStatus status(String state) {
        InstanceStatus.Builder status = InstanceStatus.newBuilder();
        switch (state == null ? "" : state) {
            case "Running" -> status.setInstanceState(InstanceStatus.InstanceState.instanceRunning);
            case "Starting" -> status.setInstanceState(InstanceStatus.InstanceState.instanceCreating);
            case "Stopping" -> status.setInstanceState(InstanceStatus.InstanceState.instanceDeleting);
            case "Failed" ->
                status.setInstanceState(InstanceStatus.InstanceState.instanceCreating)
                        .setErrorInfo(InstanceErrorInfo.newBuilder()
                                .setErrorCode("InstanceFailed")
                                .setErrorMessage("the compute provider reports the instance failed")
                                // cloudprovider.OtherErrorClass: neither out of resources nor quota
                                .setInstanceErrorClass(99));
            default -> status.setInstanceState(InstanceStatus.InstanceState.unspecified);
        }
        return status.build();
    }
}
