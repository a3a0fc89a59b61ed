package dev.operator.sks.autoscaling;

import com.google.protobuf.Message;
import dev.operator.sks.autoscaling.proto.*;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import java.util.List;

/**
 * The externalgrpc {@code CloudProvider} service's methods, as protoc-gen-grpc-java would generate them: protoc makes
 * the messages at build time, but the grpc-java generator's binary is not served by the repositories this build
 * reaches, so its small part (one method descriptor per RPC and the server binding) is written out here. Names and
 * message types follow {@code externalgrpc.proto}; {@code CloudProviderServiceTest} checks them against the proto's
 * descriptor so the two cannot drift.
 */
public final class CloudProviderService {
    public static final String SERVICE_NAME = "clusterautoscaler.cloudprovider.v1.externalgrpc.CloudProvider";

    public static final MethodDescriptor<NodeGroupsRequest, NodeGroupsResponse> NODE_GROUPS =
            unary("NodeGroups", NodeGroupsRequest.getDefaultInstance(), NodeGroupsResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupForNodeRequest, NodeGroupForNodeResponse> NODE_GROUP_FOR_NODE = unary(
            "NodeGroupForNode",
            NodeGroupForNodeRequest.getDefaultInstance(),
            NodeGroupForNodeResponse.getDefaultInstance());
    public static final MethodDescriptor<PricingNodePriceRequest, PricingNodePriceResponse> PRICING_NODE_PRICE = unary(
            "PricingNodePrice",
            PricingNodePriceRequest.getDefaultInstance(),
            PricingNodePriceResponse.getDefaultInstance());
    public static final MethodDescriptor<PricingPodPriceRequest, PricingPodPriceResponse> PRICING_POD_PRICE = unary(
            "PricingPodPrice",
            PricingPodPriceRequest.getDefaultInstance(),
            PricingPodPriceResponse.getDefaultInstance());
    public static final MethodDescriptor<GPULabelRequest, GPULabelResponse> GPU_LABEL =
            unary("GPULabel", GPULabelRequest.getDefaultInstance(), GPULabelResponse.getDefaultInstance());
    public static final MethodDescriptor<GetAvailableGPUTypesRequest, GetAvailableGPUTypesResponse>
            GET_AVAILABLE_GPU_TYPES = unary(
                    "GetAvailableGPUTypes",
                    GetAvailableGPUTypesRequest.getDefaultInstance(),
                    GetAvailableGPUTypesResponse.getDefaultInstance());
    public static final MethodDescriptor<CleanupRequest, CleanupResponse> CLEANUP =
            unary("Cleanup", CleanupRequest.getDefaultInstance(), CleanupResponse.getDefaultInstance());
    public static final MethodDescriptor<RefreshRequest, RefreshResponse> REFRESH =
            unary("Refresh", RefreshRequest.getDefaultInstance(), RefreshResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupTargetSizeRequest, NodeGroupTargetSizeResponse>
            NODE_GROUP_TARGET_SIZE = unary(
                    "NodeGroupTargetSize",
                    NodeGroupTargetSizeRequest.getDefaultInstance(),
                    NodeGroupTargetSizeResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupIncreaseSizeRequest, NodeGroupIncreaseSizeResponse>
            NODE_GROUP_INCREASE_SIZE = unary(
                    "NodeGroupIncreaseSize",
                    NodeGroupIncreaseSizeRequest.getDefaultInstance(),
                    NodeGroupIncreaseSizeResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupDeleteNodesRequest, NodeGroupDeleteNodesResponse>
            NODE_GROUP_DELETE_NODES = unary(
                    "NodeGroupDeleteNodes",
                    NodeGroupDeleteNodesRequest.getDefaultInstance(),
                    NodeGroupDeleteNodesResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupDecreaseTargetSizeRequest, NodeGroupDecreaseTargetSizeResponse>
            NODE_GROUP_DECREASE_TARGET_SIZE = unary(
                    "NodeGroupDecreaseTargetSize",
                    NodeGroupDecreaseTargetSizeRequest.getDefaultInstance(),
                    NodeGroupDecreaseTargetSizeResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupNodesRequest, NodeGroupNodesResponse> NODE_GROUP_NODES = unary(
            "NodeGroupNodes", NodeGroupNodesRequest.getDefaultInstance(), NodeGroupNodesResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupTemplateNodeInfoRequest, NodeGroupTemplateNodeInfoResponse>
            NODE_GROUP_TEMPLATE_NODE_INFO = unary(
                    "NodeGroupTemplateNodeInfo",
                    NodeGroupTemplateNodeInfoRequest.getDefaultInstance(),
                    NodeGroupTemplateNodeInfoResponse.getDefaultInstance());
    public static final MethodDescriptor<NodeGroupAutoscalingOptionsRequest, NodeGroupAutoscalingOptionsResponse>
            NODE_GROUP_GET_OPTIONS = unary(
                    "NodeGroupGetOptions",
                    NodeGroupAutoscalingOptionsRequest.getDefaultInstance(),
                    NodeGroupAutoscalingOptionsResponse.getDefaultInstance());

    /** Every method, in the proto's order. */
    public static final List<MethodDescriptor<?, ?>> METHODS = List.of(
            NODE_GROUPS,
            NODE_GROUP_FOR_NODE,
            PRICING_NODE_PRICE,
            PRICING_POD_PRICE,
            GPU_LABEL,
            GET_AVAILABLE_GPU_TYPES,
            CLEANUP,
            REFRESH,
            NODE_GROUP_TARGET_SIZE,
            NODE_GROUP_INCREASE_SIZE,
            NODE_GROUP_DELETE_NODES,
            NODE_GROUP_DECREASE_TARGET_SIZE,
            NODE_GROUP_NODES,
            NODE_GROUP_TEMPLATE_NODE_INFO,
            NODE_GROUP_GET_OPTIONS);

    private CloudProviderService() {}

    /** One RPC: the request in, the response or a {@link StatusException} out. */
    @FunctionalInterface
    public interface Handler<Q, R> {
        R handle(Q request) throws StatusException;
    }

    /** The service, each method as {@code provider} answers it; an RPC it does not serve answers Unimplemented. */
    public static ServerServiceDefinition bind(CloudProvider provider) {
        return ServerServiceDefinition.builder(SERVICE_NAME)
                .addMethod(NODE_GROUPS, call(provider::nodeGroups))
                .addMethod(NODE_GROUP_FOR_NODE, call(provider::nodeGroupForNode))
                .addMethod(PRICING_NODE_PRICE, call(provider::pricingNodePrice))
                .addMethod(PRICING_POD_PRICE, call(provider::pricingPodPrice))
                .addMethod(GPU_LABEL, call(provider::gpuLabel))
                .addMethod(GET_AVAILABLE_GPU_TYPES, call(provider::getAvailableGpuTypes))
                .addMethod(CLEANUP, call(provider::cleanup))
                .addMethod(REFRESH, call(provider::refresh))
                .addMethod(NODE_GROUP_TARGET_SIZE, call(provider::nodeGroupTargetSize))
                .addMethod(NODE_GROUP_INCREASE_SIZE, call(provider::nodeGroupIncreaseSize))
                .addMethod(NODE_GROUP_DELETE_NODES, call(provider::nodeGroupDeleteNodes))
                .addMethod(NODE_GROUP_DECREASE_TARGET_SIZE, call(provider::nodeGroupDecreaseTargetSize))
                .addMethod(NODE_GROUP_NODES, call(provider::nodeGroupNodes))
                .addMethod(NODE_GROUP_TEMPLATE_NODE_INFO, call(provider::nodeGroupTemplateNodeInfo))
                .addMethod(NODE_GROUP_GET_OPTIONS, call(provider::nodeGroupGetOptions))
                .build();
    }

    /** The service's methods, as the operator implements them. */
    public interface CloudProvider {
        NodeGroupsResponse nodeGroups(NodeGroupsRequest request) throws StatusException;

        NodeGroupForNodeResponse nodeGroupForNode(NodeGroupForNodeRequest request) throws StatusException;

        default PricingNodePriceResponse pricingNodePrice(PricingNodePriceRequest request) throws StatusException {
            throw Status.UNIMPLEMENTED.withDescription("pricing is not offered").asException();
        }

        default PricingPodPriceResponse pricingPodPrice(PricingPodPriceRequest request) throws StatusException {
            throw Status.UNIMPLEMENTED.withDescription("pricing is not offered").asException();
        }

        GPULabelResponse gpuLabel(GPULabelRequest request) throws StatusException;

        GetAvailableGPUTypesResponse getAvailableGpuTypes(GetAvailableGPUTypesRequest request) throws StatusException;

        CleanupResponse cleanup(CleanupRequest request) throws StatusException;

        RefreshResponse refresh(RefreshRequest request) throws StatusException;

        NodeGroupTargetSizeResponse nodeGroupTargetSize(NodeGroupTargetSizeRequest request) throws StatusException;

        NodeGroupIncreaseSizeResponse nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest request)
                throws StatusException;

        NodeGroupDeleteNodesResponse nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest request) throws StatusException;

        NodeGroupDecreaseTargetSizeResponse nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest request)
                throws StatusException;

        NodeGroupNodesResponse nodeGroupNodes(NodeGroupNodesRequest request) throws StatusException;

        NodeGroupTemplateNodeInfoResponse nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest request)
                throws StatusException;

        /** Optional upstream: Unimplemented makes the autoscaler use its defaults for every group. */
        default NodeGroupAutoscalingOptionsResponse nodeGroupGetOptions(NodeGroupAutoscalingOptionsRequest request)
                throws StatusException {
            throw Status.UNIMPLEMENTED
                    .withDescription("per-group options are not offered")
                    .asException();
        }
    }

    private static <Q, R> io.grpc.ServerCallHandler<Q, R> call(Handler<Q, R> handler) {
        return ServerCalls.asyncUnaryCall((request, observer) -> {
            R response;
            try {
                response = handler.handle(request);
            } catch (StatusException e) {
                observer.onError(e);
                return;
            } catch (RuntimeException e) {
                // Never the exception's text: it may carry an API server's answer. The operator's log has it.
                org.slf4j.LoggerFactory.getLogger(CloudProviderService.class).warn("externalgrpc call failed", e);
                observer.onError(Status.INTERNAL
                        .withDescription("the operator could not answer; see its log")
                        .asException());
                return;
            }
            observer.onNext(response);
            observer.onCompleted();
        });
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(
            String name, Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }
}
