package dev.operator.sks.provider.simulated;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Node a kubelet on a simulated instance would register, as KWOK fakes it: the pool's labels and taints, the
 * instance type's capacity, and Ready. As a kubelet started with {@code --cloud-provider=external} registers it: with
 * the {@link NodeInitialization#UNINITIALIZED_TAINT} and without providerID, addresses or instance-type label, which
 * are the cloud controller's to add ({@link NodeInitialization}). Pure: same inputs, same Node.
 */
public final class SimulatedNodeRenderer {
    public static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
    /**
     * Set by every kubelet from its own platform; workloads select on them (kube-proxy, konnectivity-agent and
     * coredns ask for {@code kubernetes.io/os: linux}), so without them a tenant's scheduler places nothing.
     */
    public static final String OS_LABEL = "kubernetes.io/os";

    public static final String ARCH_LABEL = "kubernetes.io/arch";
    static final String OS = "linux";
    static final String ARCH = "amd64";
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** The kubelet's default --max-pods. */
    public static final int MAX_PODS = 110;
    /** Where kubelets keep their heartbeat Leases, one per Node, named as the Node. */
    public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    /** The kubelet's default: the node lifecycle controller's grace period (40 s or more) outlasts a renewal or two. */
    public static final int LEASE_DURATION_SECONDS = 40;

    private SimulatedNodeRenderer() {}

    /**
     * @param nodeLabels the labels the pool's kubelets register with (nodepool labels and nodepool id)
     * @param now when the Ready condition was last seen and changed
     */
    public static Node render(
            ProviderInstance instance,
            Map<String, String> nodeLabels,
            List<NodepoolTaint> taints,
            InstanceType type,
            KubernetesVersion version,
            Instant now) {
        Map<String, String> labels = new LinkedHashMap<>(nodeLabels);
        labels.put(HOSTNAME_LABEL, instance.name());
        labels.put(OS_LABEL, OS);
        labels.put(ARCH_LABEL, ARCH);
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(Integer.toString(type.cpus())));
        capacity.put("memory", new Quantity(type.memoryMiB() + "Mi"));
        capacity.put("pods", new Quantity(Integer.toString(MAX_PODS)));
        if (type.gpus() > 0) {
            capacity.put(GPU_RESOURCE, new Quantity(Integer.toString(type.gpus())));
        }
        String time = Conditions.timestamp(now);
        NodeCondition ready = new NodeConditionBuilder()
                .withType("Ready")
                .withStatus(Conditions.TRUE)
                .withReason("KubeletReady")
                .withMessage("simulated kubelet is posting ready status")
                .withLastHeartbeatTime(time)
                .withLastTransitionTime(time)
                .build();
        List<Taint> nodeTaints = new ArrayList<>();
        nodeTaints.add(NodeInitialization.uninitializedTaint());
        taints.forEach(t -> nodeTaints.add(new Taint(t.effect.wireName(), t.key, null, t.value)));
        return new NodeBuilder()
                .withNewMetadata()
                .withName(instance.name())
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withTaints(nodeTaints)
                .endSpec()
                .withNewStatus()
                .withCapacity(capacity)
                .withAllocatable(new LinkedHashMap<>(capacity))
                .withConditions(ready)
                .withNewNodeInfo()
                .withKubeletVersion("v" + version)
                .withKubeProxyVersion("v" + version)
                .withArchitecture(ARCH)
                .withOperatingSystem(OS)
                .withOsImage("simulated")
                .withContainerRuntimeVersion("simulated://1.0")
                .withMachineID(instance.id())
                .withSystemUUID(instance.id())
                .withBootID(instance.id())
                .withKernelVersion("simulated")
                .endNodeInfo()
                .endStatus()
                .build();
    }

    /**
     * The heartbeat Lease a kubelet keeps for its Node, owned by the Node so it goes with it: while it is renewed the
     * tenant's node lifecycle controller keeps the Node Ready.
     */
    public static Lease lease(String nodeName, String nodeUid, Instant renewed) {
        return new LeaseBuilder()
                .withNewMetadata()
                .withName(nodeName)
                .withNamespace(NODE_LEASE_NAMESPACE)
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("Node")
                .withName(nodeName)
                .withUid(nodeUid)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(nodeName)
                .withLeaseDurationSeconds(LEASE_DURATION_SECONDS)
                .withRenewTime(ZonedDateTime.ofInstant(renewed, ZoneOffset.UTC))
                .endSpec()
                .build();
    }

    /** True when {@code node} reports Ready=True. */
    public static boolean isReady(Node node) {
        return node.getStatus() != null
                && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && Conditions.TRUE.equals(c.getStatus()));
    }
}
