package dev.operator.sks.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An edit that meets another writer is made again on a fresh read, and only a conflict is. */
@SharedApiServer
class ApiServerSupportTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static String namespace;

    @BeforeAll
    static void connect() {
        client = ApiServerSupport.client(kubeconfig);
        namespace = ApiServerSupport.newNamespace(client, "support");
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void anEditThatMeetsAnotherWriteIsMadeAgainOnTheNewerObject() {
        Resource<ConfigMap> resource = configMap("raced");
        AtomicInteger attempts = new AtomicInteger();

        ConfigMap edited = ApiServerSupport.edit(resource, cm -> {
            if (attempts.incrementAndGet() == 1) {
                // Another writer, between this edit's read and its patch.
                resource.edit(other -> {
                    other.getData().put("theirs", "1");
                    return other;
                });
            }
            cm.getData().put("ours", "1");
            return cm;
        });

        assertThat(attempts).hasValue(2);
        assertThat(edited.getData()).containsEntry("theirs", "1").containsEntry("ours", "1");
        assertThat(resource.get().getData()).containsEntry("theirs", "1").containsEntry("ours", "1");
    }

    @Test
    void anyOtherErrorIsTheCallersAtOnce() {
        Resource<ConfigMap> resource = configMap("invalid");
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> ApiServerSupport.edit(resource, cm -> {
                    attempts.incrementAndGet();
                    cm.getData().put("not a key!", "1");
                    return cm;
                }))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e ->
                        assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422));
        assertThat(attempts).hasValue(1);
    }

    private static Resource<ConfigMap> configMap(String name) {
        client.configMaps()
                .inNamespace(namespace)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToData("first", "0")
                        .build())
                .create();
        return client.configMaps().inNamespace(namespace).withName(name);
    }
}
