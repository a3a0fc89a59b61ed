package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to do next about a cluster's cloud-controller key, from the Secret that holds it and the rotation the cluster
 * asks for. A replaced key is revoked only after its successor is stored, so a crash in between leaves at worst a key
 * to revoke (listed on the Secret), never a cloud controller without one.
 */
final class CcmCredentialsPlan {
    private CcmCredentialsPlan() {}

    /** What the Secret says: its key's id, the rotation it was made for, and replaced keys still to revoke. */
    record Stored(String keyId, String rotation, List<String> retired) {
        static Optional<Stored> from(Map<String, String> annotations) {
            if (annotations == null
                    || annotations
                            .getOrDefault(Labels.CCM_CREDENTIALS_KEY_ANNOTATION, "")
                            .isBlank()) {
                return Optional.empty();
            }
            return Optional.of(new Stored(
                    annotations.get(Labels.CCM_CREDENTIALS_KEY_ANNOTATION),
                    annotations.getOrDefault(Labels.CCM_CREDENTIALS_ROTATION_ANNOTATION, ""),
                    split(annotations.getOrDefault(Labels.CCM_RETIRED_KEYS_ANNOTATION, ""))));
        }

        /** Every key the operator issued that may still be valid: what deleting the cluster revokes. */
        List<String> all() {
            List<String> all = new ArrayList<>(retired);
            all.add(keyId);
            return all;
        }
    }

    sealed interface Step {}

    /** Make a key for {@code rotation}; the keys in {@code retire} are revoked once it is stored. */
    record Issue(String rotation, List<String> retire) implements Step {}

    /** Revoke replaced keys. */
    record Retire(List<String> keys) implements Step {}

    /** The stored key is the one asked for. */
    record Current() implements Step {}

    static Step next(Optional<Stored> stored, String wantedRotation) {
        if (stored.isEmpty()) {
            return new Issue(wantedRotation, List.of());
        }
        if (!stored.get().rotation().equals(wantedRotation)) {
            return new Issue(wantedRotation, stored.get().all());
        }
        if (!stored.get().retired().isEmpty()) {
            return new Retire(stored.get().retired());
        }
        return new Current();
    }

    /** The rotation a cluster asks for: its annotation's value, empty for the first key. */
    static String wantedRotation(Map<String, String> clusterAnnotations) {
        return clusterAnnotations == null
                ? ""
                : clusterAnnotations.getOrDefault(Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION, "");
    }

    static String join(List<String> keys) {
        return String.join(",", keys);
    }

    private static List<String> split(String keys) {
        return Arrays.stream(keys.split(","))
                .map(String::trim)
                .filter(k -> !k.isEmpty())
                .toList();
    }
}
