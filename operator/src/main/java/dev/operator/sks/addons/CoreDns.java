package dev.operator.sks.addons;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cluster DNS as kubeadm installs it: CoreDNS with the cluster's domain, two replicas kept apart, and the
 * {@code kube-dns} Service on the Service CIDR's tenth address, the address kubelets give every pod.
 *
 * <p>The Corefile ConfigMap belongs to the user once it exists, as SKS promises: it is created when absent and never
 * updated ({@link Labels#CREATE_ONLY_ANNOTATION}), so stub domains, rewrites or forwarders added to it stay. CoreDNS's
 * {@code reload} plugin picks up an edit within a few seconds (it rereads the file every 30 s), so the Deployment
 * carries no digest of the Corefile: a digest of what the operator renders would roll the pods for a file the operator
 * never writes again, and one of what the tenant holds would have the operator follow the user's edits.
 */
public final class CoreDns {
    public static final String ADDON = Names.COREDNS;
    /** kubeadm's names for CoreDNS's RBAC. */
    static final String CLUSTER_ROLE = "system:coredns";

    static final String APP = "kube-dns";
    static final String COREFILE_KEY = "Corefile";
    static final int REPLICAS = 2;
    static final int DNS_PORT = 53;
    static final int METRICS_PORT = 9153;

    private CoreDns() {}

    public static List<HasMetadata> objects(AddonInputs inputs) {
        ConfigMap corefile = configMap(inputs);
        return List.of(
                AddonParts.serviceAccount(ADDON, Names.COREDNS),
                AddonParts.clusterRole(
                        ADDON,
                        CLUSTER_ROLE,
                        AddonParts.rule("", List.of("endpoints", "services", "pods", "namespaces"), "list", "watch"),
                        AddonParts.rule("discovery.k8s.io", List.of("endpointslices"), "list", "watch")),
                AddonParts.clusterRoleBinding(ADDON, CLUSTER_ROLE, CLUSTER_ROLE, Names.COREDNS),
                corefile,
                deployment(inputs),
                service(inputs));
    }

    static ConfigMap configMap(AddonInputs inputs) {
        ObjectMeta metadata = AddonParts.namespaced(ADDON, Names.COREDNS);
        metadata.setAnnotations(Map.of(Labels.CREATE_ONLY_ANNOTATION, Labels.CREATE_ONLY_VALUE));
        return new ConfigMapBuilder()
                .withMetadata(metadata)
                .withData(Map.of(COREFILE_KEY, corefile(inputs.network().dnsDomain())))
                .build();
    }

    /** kubeadm's Corefile: the cluster domain and reverse zones served from the API, the rest forwarded upstream. */
    static String corefile(String dnsDomain) {
        return """
        .:53 {
            errors
            health {
               lameduck 5s
            }
            ready
            kubernetes %s in-addr.arpa ip6.arpa {
               pods insecure
               fallthrough in-addr.arpa ip6.arpa
               ttl 30
            }
            prometheus :9153
            forward . /etc/resolv.conf {
               max_concurrent 1000
            }
            cache 30
            loop
            reload
            loadbalance
        }
        """.formatted(dnsDomain);
    }

    static Deployment deployment(AddonInputs inputs) {
        return new DeploymentBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.COREDNS))
                .withNewSpec()
                .withReplicas(REPLICAS)
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(APP))
                .endSelector()
                .withNewStrategy()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(1))
                .endRollingUpdate()
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, APP))
                .endMetadata()
                .withNewSpec()
                .withPriorityClassName(AddonParts.CLUSTER_CRITICAL)
                .withServiceAccountName(Names.COREDNS)
                .withNodeSelector(AddonParts.LINUX_NODES)
                .withTolerations(AddonParts.criticalAddonsOnly())
                // Two replicas on one node would fail together.
                .withNewAffinity()
                .withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(100)
                .withNewPodAffinityTerm()
                .withNewLabelSelector()
                .withMatchLabels(AddonParts.selector(APP))
                .endLabelSelector()
                .withTopologyKey("kubernetes.io/hostname")
                .endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
                .endAffinity()
                // CoreDNS answers for the cluster, so it must not resolve through itself.
                .withDnsPolicy("Default")
                .addNewContainer()
                .withName(Names.COREDNS)
                .withImage(inputs.image(Component.COREDNS))
                .withArgs("-conf", "/etc/coredns/" + COREFILE_KEY)
                .withNewResources()
                .withRequests(new TreeMap<>(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("70Mi"))))
                .withLimits(Map.of("memory", new Quantity("170Mi")))
                .endResources()
                .withPorts(
                        new ContainerPortBuilder()
                                .withName("dns")
                                .withContainerPort(DNS_PORT)
                                .withProtocol("UDP")
                                .build(),
                        new ContainerPortBuilder()
                                .withName("dns-tcp")
                                .withContainerPort(DNS_PORT)
                                .withProtocol("TCP")
                                .build(),
                        new ContainerPortBuilder()
                                .withName("metrics")
                                .withContainerPort(METRICS_PORT)
                                .withProtocol("TCP")
                                .build())
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/health")
                .withPort(new IntOrString(8080))
                .withScheme("HTTP")
                .endHttpGet()
                .withInitialDelaySeconds(60)
                .withTimeoutSeconds(5)
                .withFailureThreshold(5)
                .endLivenessProbe()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/ready")
                .withPort(new IntOrString(8181))
                .withScheme("HTTP")
                .endHttpGet()
                .endReadinessProbe()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withAdd("NET_BIND_SERVICE")
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("config-volume")
                .withMountPath("/etc/coredns")
                .withReadOnly(true)
                .endVolumeMount()
                .endContainer()
                .withVolumes(new VolumeBuilder()
                        .withName("config-volume")
                        .withNewConfigMap()
                        .withName(Names.COREDNS)
                        .addNewItem()
                        .withKey(COREFILE_KEY)
                        .withPath(COREFILE_KEY)
                        .endItem()
                        .endConfigMap()
                        .build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static Service service(AddonInputs inputs) {
        ObjectMeta metadata = AddonParts.namespaced(ADDON, Names.KUBE_DNS_SERVICE);
        metadata.getLabels().put(AddonParts.APP_LABEL, APP);
        metadata.getLabels().put("kubernetes.io/name", "CoreDNS");
        metadata.setAnnotations(new TreeMap<>(
                Map.of("prometheus.io/port", String.valueOf(METRICS_PORT), "prometheus.io/scrape", "true")));
        return new ServiceBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                .withClusterIP(inputs.network().clusterDns())
                .withSelector(AddonParts.selector(APP))
                .withPorts(
                        new ServicePortBuilder()
                                .withName("dns")
                                .withPort(DNS_PORT)
                                .withProtocol("UDP")
                                .withTargetPort(new IntOrString(DNS_PORT))
                                .build(),
                        new ServicePortBuilder()
                                .withName("dns-tcp")
                                .withPort(DNS_PORT)
                                .withProtocol("TCP")
                                .withTargetPort(new IntOrString(DNS_PORT))
                                .build(),
                        new ServicePortBuilder()
                                .withName("metrics")
                                .withPort(METRICS_PORT)
                                .withProtocol("TCP")
                                .withTargetPort(new IntOrString(METRICS_PORT))
                                .build())
                .endSpec()
                .build();
    }
}
