package dev.operator.sks.provider.kubevirt;

import static org.awaitility.Awaitility.await;

import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/** Installs the minimal KubeVirt CRDs of src/test/resources/kubevirt/ on a test API server. */
final class KubeVirtTestSupport {
  static final String[] CRDS = {"virtualmachines.kubevirt.io.yaml", "virtualmachineinstances.kubevirt.io.yaml"};

  private KubeVirtTestSupport() {}

  static void installKubeVirtCrds(KubernetesClient client) throws IOException {
    for (String file : CRDS) {
      CustomResourceDefinition crd;
      try (InputStream in = KubeVirtTestSupport.class.getResourceAsStream("/kubevirt/" + file)) {
        crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      }
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        CustomResourceDefinition current = client.apiextensions().v1().customResourceDefinitions()
            .withName(crd.getMetadata().getName()).get();
        return ApiServerSupport.isEstablished(current);
      });
    }
    // Discovery lags a little behind Established.
    await().atMost(Duration.ofSeconds(30)).until(() -> client.getApiResources(KubeVirtProvider.GROUP_VERSION) != null
        && client.getApiResources(KubeVirtProvider.GROUP_VERSION).getResources().size() >= 2);
  }
}
