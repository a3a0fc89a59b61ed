package dev.operator.sks.support;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reading and writing a Secret's {@code data}. Always {@code data}, never {@code stringData}: the server rewrites
 * stringData into data, so an object written with it never matches what is read back. Errors name the Secret and the
 * key, never the value.
 */
public final class SecretData {
    private SecretData() {}

    /** The UTF-8 text under {@code key}; fails, naming the Secret and key, when it is missing. */
    public static String decode(Secret secret, String key) {
        return find(secret, key)
                .orElseThrow(() -> new IllegalStateException(
                        "Secret " + secret.getMetadata().getName() + " has no key " + key));
    }

    /** The UTF-8 text under {@code key}, when there is a readable one. */
    public static Optional<String> find(Secret secret, String key) {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    /** {@code plain} as Secret data, in the order given. */
    public static Map<String, String> encode(Map<String, String> plain) {
        Map<String, String> data = new LinkedHashMap<>();
        plain.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return data;
    }
}
