package dev.operator.sks.cli.plugin;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the resource a command names; when it is not there, the error lists what the namespace has and where a
 * same-named one lives, so the user sees at once whether the name or the namespace ({@code -n}) is wrong.
 */
final class Lookups {
    private Lookups() {}

    static <T extends HasMetadata> T get(KubernetesClient client, Class<T> type, String namespace, String name) {
        T found = client.resources(type).inNamespace(namespace).withName(name).get();
        if (found != null) {
            return found;
        }
        throw new PluginException(notFound(client, type, namespace, name));
    }

    static <T extends HasMetadata> String notFound(
            KubernetesClient client, Class<T> type, String namespace, String name) {
        String kind = HasMetadata.getKind(type);
        List<String> here = client.resources(type).inNamespace(namespace).list().getItems().stream()
                .map(r -> r.getMetadata().getName())
                .sorted()
                .toList();
        StringBuilder message = new StringBuilder(kind + " \"" + name + "\" not found in namespace \"" + namespace
                + "\"; " + (here.isEmpty() ? "it has none" : "it has: " + String.join(", ", here)));
        List<String> elsewhere = elsewhere(client, type, name);
        if (!elsewhere.isEmpty()) {
            message.append(". \"")
                    .append(name)
                    .append("\" exists in ")
                    .append(elsewhere.stream().map(n -> "-n " + n).collect(Collectors.joining(", ")));
        } else {
            message.append(". Pass -n NAMESPACE for another namespace");
        }
        return message.toString();
    }

    /** The namespaces holding a same-named resource, when this user may list across namespaces; else none. */
    private static <T extends HasMetadata> List<String> elsewhere(KubernetesClient client, Class<T> type, String name) {
        try {
            return client.resources(type).inAnyNamespace().list().getItems().stream()
                    .filter(r -> name.equals(r.getMetadata().getName()))
                    .map(r -> r.getMetadata().getNamespace())
                    .sorted()
                    .toList();
        } catch (KubernetesClientException forbidden) {
            return List.of();
        }
    }
}
