package dev.operator.sks.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.ComputeProviderContract;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ImageRejectedException;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The KubeVirt provider against a real kube-apiserver with KubeVirt's VirtualMachine and VirtualMachineInstance
 * CRDs. Nothing runs machines there: the test plays KubeVirt, marking VirtualMachines ready and giving their
 * instances an address, as envtest users mark Deployments available.
 */
@SharedApiServer
class KubeVirtProviderTest extends ComputeProviderContract {
    private static final String IMAGE = "quay.io/containerdisks/ubuntu:24.04";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static String namespace;
    static KubeVirtProvider provider;

    @BeforeAll
    static void installKubeVirt() throws IOException {
        client = ApiServerSupport.client(kubeconfig);
        KubeVirtTestSupport.installKubeVirtCrds(client);
        namespace = ApiServerSupport.newNamespace(client, "kubevirt");
        provider = new KubeVirtProvider(client, IMAGE, Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Override
    protected ComputeProvider provider() {
        return provider;
    }

    @Override
    protected String namespace() {
        return namespace;
    }

    private static List<GenericKubernetesResource> virtualMachines(DesiredPool desired) {
        return client.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINES)
                .inNamespace(desired.namespace())
                .withLabel(Labels.INSTANCE_POOL, Labels.value(desired.poolName()))
                .list()
                .getItems();
    }

    /** Plays KubeVirt: every machine of the pool gets a running instance with an address, and is marked ready. */
    @Override
    protected void driveBackend(DesiredPool desired) {
        KubeVirtTestSupport.runMachines(client, desired.namespace(), desired.poolName());
    }

    @Override
    protected int backendPoolsNamed(DesiredPool desired) {
        return virtualMachines(desired).isEmpty() ? 0 : 1; // KubeVirt has no pool object: a pool is its machines
    }

    @Override
    protected int backendInstances(DesiredPool desired) {
        return virtualMachines(desired).size();
    }

    private DesiredPool withDeployTargetAndImage(DesiredPool base, String poolName) {
        return new DesiredPool(
                base.namespace(),
                poolName,
                base.cluster(),
                base.zone(),
                1,
                base.instanceType(),
                80,
                "registry.example/images/node:1.33",
                base.instancePrefix(),
                List.of(),
                List.of(),
                List.of(),
                Optional.of("hypervisor-7"),
                base.nodeLabels(),
                base.taints(),
                base.userData(),
                Optional.of(poolName + "-user-data"),
                Optional.empty());
    }

    @Test
    void anImageThatIsNoContainerDiskIsRejectedBeforeAnyVirtualMachineIsMade() {
        DesiredPool base = desiredPool(2);
        DesiredPool exoscaleTemplate = new DesiredPool(
                base.namespace(),
                "nodepool-wrong-image-1234",
                base.cluster(),
                base.zone(),
                2,
                base.instanceType(),
                base.diskSizeGib(),
                "Linux Ubuntu 24.04 LTS 64-bit",
                base.instancePrefix(),
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                base.nodeLabels(),
                base.taints(),
                base.userData(),
                Optional.of("nodepool-wrong-image-1234-user-data"),
                Optional.empty());

        assertThatThrownBy(() -> provider.reconcile(exoscaleTemplate))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("'Linux Ubuntu 24.04 LTS 64-bit' is not a container disk reference");
        assertThat(virtualMachines(exoscaleTemplate)).isEmpty();
    }

    @Test
    void eachInstanceIsAVirtualMachineSizedFromTheInstanceTypeBootingFromTheUserDataSecret() throws Exception {
        DesiredPool desired = withDeployTargetAndImage(desiredPool(1), "nodepool-gpu-1234");
        provider.reconcile(desired);

        GenericKubernetesResource vm = virtualMachines(desired).get(0);
        assertThat(vm.getMetadata().getName()).matches("nodepool-gpu-1234-[a-z0-9]{5}");
        assertThat(vm.getMetadata().getLabels())
                .containsEntry(Labels.INSTANCE_POOL, "nodepool-gpu-1234")
                .containsEntry(Labels.CLUSTER, "demo");
        assertThat(vm.getMetadata().getAnnotations()).containsEntry(Labels.INSTANCE_ORDINAL_ANNOTATION, "1");
        String json = client.getKubernetesSerialization().asJson(vm);
        assertThat(json).doesNotContain("bootstrap token").doesNotContain("cloud-config");
        Map<String, Object> spec = map(vm.getAdditionalProperties(), "spec");
        assertThat(spec).containsEntry("running", true).doesNotContainKey("dataVolumeTemplates");
        Map<String, Object> podSpec = map(map(spec, "template"), "spec");
        Map<String, Object> domain = map(podSpec, "domain");
        assertThat(map(domain, "cpu")).containsEntry("cores", 2);
        assertThat(map(domain, "memory")).containsEntry("guest", "4096Mi");
        assertThat(map(podSpec, "nodeSelector")).containsEntry("kubernetes.io/hostname", "hypervisor-7");
        assertThat(json)
                .contains("\"containerDisk\":{\"image\":\"registry.example/images/node:1.33\"}")
                .contains("\"cloudInitNoCloud\":{\"secretRef\":{\"name\":\"nodepool-gpu-1234-user-data\"}}");
    }

    @Test
    void addressesAndStatesComeFromKubeVirtsStatus() throws ProviderException {
        DesiredPool desired = desiredPool(2);
        ProviderPool starting = provider.reconcile(desired);
        assertThat(starting.instances()).extracting(ProviderInstance::state).containsOnly(InstanceState.Starting);

        ProviderPool running = converge(desired);
        assertThat(running.instances())
                .allSatisfy(i ->
                        assertThat(i.addresses()).singleElement().asString().startsWith("10.244."));

        GenericKubernetesResource vm = virtualMachines(desired).get(0);
        vm.setAdditionalProperty("status", Map.of("printableStatus", "ErrorUnschedulable", "ready", false));
        client.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINES)
                .inNamespace(namespace)
                .resource(vm)
                .updateStatus();
        assertThat(provider.reconcile(desired)
                        .find(vm.getMetadata().getName())
                        .orElseThrow()
                        .state())
                .isEqualTo(InstanceState.Failed);
    }

    @Test
    void scalingDownDeletesTheNewestMachinesFirst() throws ProviderException {
        DesiredPool desired = desiredPool(4);
        List<ProviderInstance> four = provider.reconcile(desired).instances();
        List<ProviderInstance> two = provider.reconcile(desired.withSize(2)).instances();
        assertThat(two)
                .extracting(ProviderInstance::id)
                .containsExactly(four.get(0).id(), four.get(1).id());
        ProviderPool three = provider.reconcile(desired.withSize(3));
        assertThat(virtualMachines(desired))
                .extracting(vm -> vm.getMetadata().getAnnotations().get(Labels.INSTANCE_ORDINAL_ANNOTATION))
                .containsExactlyInAnyOrder("1", "2", "3");
        assertThat(three.instances()).hasSize(3);
    }

    @Test
    void aLongPoolNameStillFitsNamesAndLabels() throws ProviderException {
        String longName = "nodepool-a-very-long-nodepool-name-indeed-0f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c";
        DesiredPool base = desiredPool(2);
        DesiredPool desired = withDeployTargetAndImage(base, longName).withSize(2);
        ProviderPool pool = provider.reconcile(desired);
        assertThat(pool.instances())
                .hasSize(2)
                .allSatisfy(i -> assertThat(i.name().length()).isLessThanOrEqualTo(63));
        assertThat(virtualMachines(desired))
                .hasSize(2)
                .allSatisfy(vm ->
                        assertThat(vm.getMetadata().getAnnotations()).containsEntry(Labels.INSTANCE_POOL, longName));
        assertThat(provider.reconcile(desired).instances()).hasSize(2);
    }

    @Test
    void aPoolWithoutUserDataSecretIsRefusedByName() {
        DesiredPool base = desiredPool(1);
        DesiredPool noSecret = new DesiredPool(
                base.namespace(),
                base.poolName(),
                base.cluster(),
                base.zone(),
                1,
                base.instanceType(),
                50,
                "",
                "pool",
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                new HashMap<>(),
                List.of(),
                base.userData(),
                Optional.empty(),
                Optional.empty());
        assertThatThrownBy(() -> provider.reconcile(noSecret))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("names no user-data Secret");
        assertThat(virtualMachines(noSecret)).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }
}
