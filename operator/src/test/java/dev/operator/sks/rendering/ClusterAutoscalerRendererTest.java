package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolAutoscaling;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.Component;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterAutoscalerRendererTest {

    private static SKSCluster cluster() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("team-a")
                .withUid("uid-demo")
                .build());
        return cluster;
    }

    private static Nodepool nodepool(String clusterUid, NodepoolAutoscaling autoscaling) {
        Nodepool nodepool = new Nodepool();
        nodepool.setMetadata(new ObjectMetaBuilder().withName("np").build());
        nodepool.setSpec(new NodepoolSpec());
        nodepool.getSpec().autoscaling = autoscaling;
        nodepool.setStatus(new NodepoolStatus());
        nodepool.getStatus().clusterUID = clusterUid;
        return nodepool;
    }

    @Test
    void theUpstreamAutoscalerOfTheMinorTalkingToTheOperatorsProvider() {
        String image = VersionCatalog.loadDefault().image(Component.CLUSTER_AUTOSCALER, KubernetesVersion.of("1.33.4"));
        assertThat(image).isEqualTo("registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.0");
        Deployment deployment =
                ClusterAutoscalerRenderer.deployment(new ClusterAutoscalerRenderer.Inputs(cluster(), image, "rev-1"));
        assertThat(deployment.getMetadata().getName()).isEqualTo(Names.clusterAutoscalerDeployment("demo"));
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(deployment.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.getUid()).isEqualTo("uid-demo");
                    assertThat(o.getController()).isTrue();
                });
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        var pod = deployment.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(image);
        assertThat(container.getArgs())
                .contains(
                        "--cloud-provider=externalgrpc",
                        "--cloud-config=/etc/cluster-autoscaler/cloud-config",
                        "--kubeconfig=/etc/cluster-autoscaler/kubeconfig")
                .noneMatch(a -> a.startsWith("--nodes"));
        // Both Secrets in the one directory the flags name: the provider credentials whole, the kubeconfig as a file.
        assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
            var sources = v.getProjected().getSources();
            assertThat(sources).hasSize(2);
            assertThat(sources.get(0).getSecret().getName()).isEqualTo(Names.clusterAutoscalerSecret("demo"));
            assertThat(sources.get(0).getSecret().getItems()).isEmpty();
            assertThat(sources.get(1).getSecret().getName()).isEqualTo(Names.clusterAutoscalerKubeconfig("demo"));
            assertThat(sources.get(1).getSecret().getItems()).singleElement().satisfies(item -> {
                assertThat(item.getKey()).isEqualTo(Names.KUBECONFIG_KEY);
                assertThat(item.getPath()).isEqualTo(ClusterAutoscalerRenderer.KUBECONFIG_KEY);
            });
        });
        assertThat(container.getVolumeMounts())
                .singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo(ClusterAutoscalerRenderer.CONFIG_DIR));
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Labels.CREDENTIALS_REVISION_ANNOTATION, "rev-1");
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels());
    }

    @Test
    void theCloudConfigNamesTheOperatorAndTheMountedCertificates() {
        assertThat(ClusterAutoscalerRenderer.cloudConfig("sks-operator.sks-system.svc:8086"))
                .contains("address: \"sks-operator.sks-system.svc:8086\"")
                .contains("cert: \"/etc/cluster-autoscaler/tls.crt\"")
                .contains("key: \"/etc/cluster-autoscaler/tls.key\"")
                .contains("cacert: \"/etc/cluster-autoscaler/ca.crt\"");
    }

    @Test
    void presentOnlyWhileAPoolOfThisClusterIsAutoscaled() {
        SKSCluster cluster = cluster();
        NodepoolAutoscaling bounds = new NodepoolAutoscaling(0, 3);
        assertThat(ClusterAutoscalerRenderer.wanted(cluster, List.of())).isFalse();
        assertThat(ClusterAutoscalerRenderer.wanted(cluster, List.of(nodepool("uid-demo", null))))
                .isFalse();
        assertThat(ClusterAutoscalerRenderer.wanted(
                        cluster, List.of(nodepool("uid-demo", null), nodepool("uid-demo", bounds))))
                .isTrue();
        // A pool of another cluster (or of an earlier cluster of this name) does not count.
        assertThat(ClusterAutoscalerRenderer.wanted(cluster, List.of(nodepool("uid-other", bounds))))
                .isFalse();
        Nodepool deleting = nodepool("uid-demo", bounds);
        deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertThat(ClusterAutoscalerRenderer.wanted(cluster, List.of(deleting))).isFalse();
    }
}
