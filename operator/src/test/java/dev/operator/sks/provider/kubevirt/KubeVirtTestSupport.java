package dev.operator.sks.provider.kubevirt;

import static org.awaitility.Awaitility.await;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * KubeVirt on a test API server, where no virt-controller runs: the minimal CRDs of src/test/resources/kubevirt/, and
 * the part of KubeVirt that starts machines.
 */
public final class KubeVirtTestSupport {
    static final String[] CRDS = {"virtualmachines.kubevirt.io.yaml", "virtualmachineinstances.kubevirt.io.yaml"};
    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    private KubeVirtTestSupport() {}

    public static void installKubeVirtCrds(KubernetesClient client) throws IOException {
        for (String file : CRDS) {
            CustomResourceDefinition crd;
            try (InputStream in = KubeVirtTestSupport.class.getResourceAsStream("/kubevirt/" + file)) {
                crd = client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(in)
                        .item();
            }
            // Created or updated: on the shared API server another class may have installed them already.
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .resource(crd)
                    .createOr(NonDeletingOperation::update);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                CustomResourceDefinition current = client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(crd.getMetadata().getName())
                        .get();
                return ApiServerSupport.isEstablished(current);
            });
        }
        // Discovery lags a little behind Established.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.getApiResources(KubeVirtProvider.GROUP_VERSION) != null
                        && client.getApiResources(KubeVirtProvider.GROUP_VERSION)
                                        .getResources()
                                        .size()
                                >= 2);
    }

    /**
     * Plays KubeVirt for one pool: each of its machines without a status gets a running instance with an address of
     * its own (10.244.x.y), and is marked ready.
     */
    public static void runMachines(KubernetesClient client, String namespace, String poolName) {
        List<GenericKubernetesResource> machines = client.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINES)
                .inNamespace(namespace)
                .withLabel(Labels.INSTANCE_POOL, Labels.value(poolName))
                .list()
                .getItems();
        for (GenericKubernetesResource vm : machines) {
            if (vm.getAdditionalProperties().get("status") != null) {
                continue;
            }
            String name = vm.getMetadata().getName();
            @SuppressWarnings("unchecked")
            Map<String, Object> template = (Map<String, Object>)
                    ((Map<String, Object>) vm.getAdditionalProperties().get("spec")).get("template");
            @SuppressWarnings("unchecked")
            Map<String, String> labels =
                    (Map<String, String>) ((Map<String, Object>) template.get("metadata")).get("labels");
            GenericKubernetesResource vmi = new GenericKubernetesResourceBuilder()
                    .withApiVersion(KubeVirtProvider.GROUP_VERSION)
                    .withKind("VirtualMachineInstance")
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .withLabels(labels)
                    .endMetadata()
                    .withAdditionalProperties(Map.of("spec", template.get("spec")))
                    .build();
            try {
                vmi = client.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINE_INSTANCES)
                        .inNamespace(namespace)
                        .resource(vmi)
                        .create();
                int n = ADDRESSES.incrementAndGet();
                vmi.setAdditionalProperty(
                        "status",
                        Map.of(
                                "phase",
                                "Running",
                                "interfaces",
                                List.of(Map.of(
                                        "name", "default", "ipAddress", "10.244." + (n / 250) + "." + (n % 250 + 1)))));
                client.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINE_INSTANCES)
                        .inNamespace(namespace)
                        .resource(vmi)
                        .updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
            vm.setAdditionalProperty("status", Map.of("printableStatus", "Running", "ready", true, "created", true));
            client.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINES)
                    .inNamespace(namespace)
                    .resource(vm)
                    .updateStatus();
        }
    }
}
