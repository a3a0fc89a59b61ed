package dev.operator.sks.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.HelmCharts;
import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `helm install` of the chart into a real kube-apiserver (v1.20, the chart's minimum): every object is accepted
 * (Helm validates them against the server's OpenAPI schema), the chart's CRDs are installed, and the
 * ServiceMonitor appears where the cluster serves monitoring.coreos.com/v1. helm-java's template() cannot pass
 * --api-versions, so this is where the ServiceMonitor path is tested. No kubelet runs: pods never start.
 */
// A server of its own, not @SharedApiServer: Helm installs the CRDs itself (it cannot adopt those already there) and
// a ServiceMonitor CRD, both cluster-scoped.
@EnableKubeAPIServer
class HelmInstallApiServerTest {
    private static final ResourceDefinitionContext SERVICE_MONITORS = new ResourceDefinitionContext.Builder()
            .withGroup("monitoring.coreos.com")
            .withVersion("v1")
            .withKind("ServiceMonitor")
            .withPlural("servicemonitors")
            .withNamespaced(true)
            .build();

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;

    @BeforeAll
    static void connect() {
        client = ApiServerSupport.client(kubeconfig);
        installServiceMonitorCrd();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void nonDefaultValuesInstallWithAServiceMonitorWhereTheApiIsServed() throws IOException {
        String namespace = ApiServerSupport.newNamespace(client, "sks-system");
        String a = ApiServerSupport.newNamespace(client, "tenant-a");
        String b = ApiServerSupport.newNamespace(client, "tenant-b");
        String release = "full";
        String fullname = release + "-sks-operator";

        Release installed = install(release, namespace, """
        replicaCount: 2
        operator:
          provider: kubevirt
          watchNamespaces: [%s, %s]
        metrics:
          serviceMonitor:
            enabled: true
            labels:
              release: prometheus
        """.formatted(a, b));

        assertThat(installed.getStatus()).isEqualTo("deployed");
        assertThat(installed.getOutput())
                .contains("It serves the namespaces: " + a + ", " + b)
                .doesNotContain("WARNING");
        GenericKubernetesResource monitor = client.genericKubernetesResources(SERVICE_MONITORS)
                .inNamespace(namespace)
                .withName(fullname)
                .get();
        assertThat(monitor).as("ServiceMonitor").isNotNull();
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        assertThat(client.services()
                        .inNamespace(namespace)
                        .withName(fullname + "-metrics")
                        .get()
                        .getSpec()
                        .getPorts()
                        .get(0)
                        .getName())
                .isEqualTo("http-metrics");
        Deployment deployment = client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(fullname)
                .get();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        for (String tenant : List.of(a, b)) {
            assertThat(client.rbac()
                            .roles()
                            .inNamespace(tenant)
                            .withName(fullname)
                            .get())
                    .as("Role in " + tenant)
                    .isNotNull();
            assertThat(client.rbac()
                            .roleBindings()
                            .inNamespace(tenant)
                            .withName(fullname)
                            .get())
                    .as("RoleBinding in " + tenant)
                    .isNotNull();
        }
        assertThat(client.rbac()
                        .roles()
                        .inNamespace(namespace)
                        .withName(fullname + "-leader-election")
                        .get())
                .isNotNull();
        assertThat(client.rbac().clusterRoles().withName(fullname).get())
                .as("serving some namespaces needs nothing cluster-wide")
                .isNull();
        assertChartCrdsInstalled();
    }

    @Test
    void defaultValuesInstall() throws IOException {
        String namespace = ApiServerSupport.newNamespace(client, "sks-defaults");
        String release = "plain";
        String fullname = release + "-sks-operator";

        Release installed = install(release, namespace, "");

        assertThat(installed.getStatus()).isEqualTo("deployed");
        assertThat(installed.getOutput()).contains("kubectl -n default get skc,np,kcr");
        assertThat(client.serviceAccounts()
                        .inNamespace(namespace)
                        .withName(fullname)
                        .get())
                .isNotNull();
        assertThat(client.rbac()
                        .clusterRoleBindings()
                        .withName(fullname)
                        .get()
                        .getSubjects()
                        .get(0)
                        .getNamespace())
                .isEqualTo(namespace);
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(fullname)
                        .get()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getSecurityContext()
                        .getReadOnlyRootFilesystem())
                .isTrue();
        assertThat(client.genericKubernetesResources(SERVICE_MONITORS)
                        .inNamespace(namespace)
                        .list()
                        .getItems())
                .as("no ServiceMonitor unless enabled, even where the API is served")
                .isEmpty();
        assertChartCrdsInstalled();
    }

    private Release install(String release, String namespace, String values) throws IOException {
        Path valuesFile = HelmCharts.writeValues(values);
        try {
            return new Helm(RepoPaths.helmChart())
                    .install()
                    .withName(release)
                    .withNamespace(namespace)
                    .withKubeConfigContents(kubeconfig)
                    .withValuesFile(valuesFile)
                    .call();
        } finally {
            Files.deleteIfExists(valuesFile);
        }
    }

    private void assertChartCrdsInstalled() throws IOException {
        for (Path file : ApiServerSupport.crdFiles()) {
            String name = ApiServerSupport.load(client, CustomResourceDefinition.class, Files.readString(file))
                    .getMetadata()
                    .getName();
            assertThat(client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName(name)
                            .get())
                    .as("CRD " + name + " installed by the chart")
                    .isNotNull();
        }
    }

    /** The Prometheus Operator's ServiceMonitor, reduced to what makes the API served. */
    private static void installServiceMonitorCrd() {
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName("servicemonitors.monitoring.coreos.com")
                .endMetadata()
                .withNewSpec()
                .withGroup("monitoring.coreos.com")
                .withScope("Namespaced")
                .withNewNames()
                .withKind("ServiceMonitor")
                .withListKind("ServiceMonitorList")
                .withPlural("servicemonitors")
                .withSingular("servicemonitor")
                .endNames()
                .addNewVersion()
                .withName("v1")
                .withServed(true)
                .withStorage(true)
                .withNewSchema()
                .withNewOpenAPIV3Schema()
                .withType("object")
                .withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema()
                .endSchema()
                .endVersion()
                .endSpec()
                .build();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            CustomResourceDefinition current = client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .get();
            return ApiServerSupport.isEstablished(current);
        });
    }
}
