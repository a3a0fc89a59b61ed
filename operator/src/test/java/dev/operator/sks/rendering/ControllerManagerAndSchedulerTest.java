package dev.operator.sks.rendering;

import static dev.operator.sks.rendering.Fixtures.flag;
import static dev.operator.sks.rendering.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Cni;
import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.SKSCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControllerManagerAndSchedulerTest {

    @Test
    void controllerManagerFlags() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.podCIDR = "10.244.0.0/16";
        List<String> args = container(ControllerManagerRenderer.deployment(Fixtures.inputs(cluster)))
                .getArgs();

        String kubeconfig = "/etc/kubernetes/kubeconfig/kubeconfig";
        assertThat(single(args, "kubeconfig")).isEqualTo(kubeconfig);
        assertThat(single(args, "authentication-kubeconfig")).isEqualTo(kubeconfig);
        assertThat(single(args, "authorization-kubeconfig")).isEqualTo(kubeconfig);
        assertThat(single(args, "cluster-signing-cert-file")).isEqualTo("/etc/kubernetes/pki/ca/tls.crt");
        assertThat(single(args, "cluster-signing-key-file")).isEqualTo("/etc/kubernetes/pki/ca/tls.key");
        assertThat(single(args, "root-ca-file")).isEqualTo("/etc/kubernetes/pki/ca/ca.crt");
        assertThat(single(args, "service-account-private-key-file")).isEqualTo("/etc/kubernetes/pki/sa/tls.key");
        assertThat(single(args, "cluster-cidr")).isEqualTo("10.244.0.0/16");
        assertThat(single(args, "service-cluster-ip-range")).isEqualTo("10.96.0.0/12");
        assertThat(single(args, "allocate-node-cidrs")).isEqualTo("true");
        assertThat(single(args, "controllers")).isEqualTo("*,bootstrapsigner,tokencleaner");
        assertThat(single(args, "use-service-account-credentials")).isEqualTo("true");
        assertThat(single(args, "cloud-provider")).isEqualTo("external");
        assertThat(single(args, "leader-elect")).isEqualTo("true");
        assertThat(single(args, "secure-port")).isEqualTo("10257");
    }

    @Test
    void nodeCidrsAreAllocatedForCalicoOnly() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().cni = Cni.NONE;

        assertThat(flag(
                        container(ControllerManagerRenderer.deployment(Fixtures.inputs(cluster)))
                                .getArgs(),
                        "allocate-node-cidrs"))
                .isEmpty();
    }

    @Test
    void controllerManagerMountsItsKubeconfigTheClusterCaAndServiceAccountKey() {
        PodSpec pod = ControllerManagerRenderer.deployment(Fixtures.inputs(Fixtures.starter()))
                .getSpec()
                .getTemplate()
                .getSpec();

        Volume kubeconfig = Fixtures.volume(pod.getVolumes(), "kubeconfig");
        assertThat(kubeconfig.getSecret().getSecretName()).isEqualTo("demo-controller-manager-kubeconfig");
        assertThat(kubeconfig.getSecret().getItems()).singleElement().satisfies(item -> {
            assertThat(item.getKey()).isEqualTo("value");
            assertThat(item.getPath()).isEqualTo("kubeconfig");
        });
        assertThat(Fixtures.volume(pod.getVolumes(), "cluster-ca").getSecret().getSecretName())
                .isEqualTo("demo-ca");
        assertThat(Fixtures.volume(pod.getVolumes(), "service-account-keys")
                        .getSecret()
                        .getSecretName())
                .isEqualTo("demo-sa");
    }

    @Test
    void schedulerFlagsAndKubeconfig() {
        Deployment scheduler = SchedulerRenderer.deployment(Fixtures.inputs(Fixtures.starter()));
        List<String> args = container(scheduler).getArgs();

        assertThat(single(args, "kubeconfig")).isEqualTo("/etc/kubernetes/kubeconfig/kubeconfig");
        assertThat(single(args, "authentication-kubeconfig")).isEqualTo("/etc/kubernetes/kubeconfig/kubeconfig");
        assertThat(single(args, "authorization-kubeconfig")).isEqualTo("/etc/kubernetes/kubeconfig/kubeconfig");
        assertThat(single(args, "leader-elect")).isEqualTo("true");
        assertThat(Fixtures.volume(scheduler.getSpec().getTemplate().getSpec().getVolumes(), "kubeconfig")
                        .getSecret()
                        .getSecretName())
                .isEqualTo("demo-scheduler-kubeconfig");
    }

    @Test
    void imagesFollowTheRunningVersion() {
        assertThat(container(ControllerManagerRenderer.deployment(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_32)))
                        .getImage())
                .isEqualTo("registry.k8s.io/kube-controller-manager:v1.32.8");
        assertThat(container(SchedulerRenderer.deployment(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_33)))
                        .getImage())
                .isEqualTo("registry.k8s.io/kube-scheduler:v1.33.4");
    }

    @Test
    void probesUseHttpsHealthzOnTheSecurePorts() {
        assertHttps(
                container(ControllerManagerRenderer.deployment(Fixtures.inputs(Fixtures.starter())))
                        .getLivenessProbe(),
                10257);
        assertHttps(
                container(SchedulerRenderer.deployment(Fixtures.inputs(Fixtures.starter())))
                        .getLivenessProbe(),
                10259);
        assertHttps(
                container(SchedulerRenderer.deployment(Fixtures.inputs(Fixtures.starter())))
                        .getReadinessProbe(),
                10259);
    }

    @Test
    void replicasAndBudgetsPerLevel() {
        assertThat(ControllerManagerRenderer.deployment(Fixtures.inputs(Fixtures.starter()))
                        .getSpec()
                        .getReplicas())
                .isEqualTo(1);
        assertThat(ControllerManagerRenderer.deployment(Fixtures.inputs(Fixtures.pro()))
                        .getSpec()
                        .getReplicas())
                .isEqualTo(2);
        assertThat(SchedulerRenderer.deployment(Fixtures.inputs(Fixtures.starter()))
                        .getSpec()
                        .getReplicas())
                .isEqualTo(1);
        assertThat(SchedulerRenderer.deployment(Fixtures.inputs(Fixtures.pro()))
                        .getSpec()
                        .getReplicas())
                .isEqualTo(2);
        assertThat(ControllerManagerRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.starter())))
                .isEmpty();
        assertThat(SchedulerRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.starter())))
                .isEmpty();
        assertThat(ControllerManagerRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.pro())))
                .hasValueSatisfying(
                        pdb -> assertThat(pdb.getMetadata().getName()).isEqualTo("demo-controller-manager"));
        assertThat(SchedulerRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.pro())))
                .hasValueSatisfying(
                        pdb -> assertThat(pdb.getMetadata().getName()).isEqualTo("demo-scheduler"));
    }

    private static void assertHttps(Probe probe, int port) {
        assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(port);
    }

    private static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }
}
