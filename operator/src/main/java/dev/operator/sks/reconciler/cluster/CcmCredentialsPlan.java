package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Labels;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to do next about a cluster's cloud-controller credentials, from the Secret that holds them, the rotation the
 * cluster asks for and the time. A replaced key is revoked only after its successor is stored, so a crash in between
 * leaves at worst a key to revoke (listed on the Secret), never a cloud controller without one. Credentials that
 * expire (a ServiceAccount token) are made anew once their renewal time has come.
 */
final class CcmCredentialsPlan {
    private CcmCredentialsPlan() {}

    /**
     * What the Secret says: its key's id, the rotation it was made for, replaced keys still to revoke, and when to
     * renew it (for credentials that expire).
     */
    record Stored(String keyId, String rotation, List<String> retired, Optional<Instant> renewAfter) {
        Stored(String keyId, String rotation, List<String> retired) {
            this(keyId, rotation, retired, Optional.empty());
        }

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
                    split(annotations.getOrDefault(Labels.CCM_RETIRED_KEYS_ANNOTATION, "")),
                    instant(annotations.get(Labels.CCM_CREDENTIALS_RENEW_AFTER_ANNOTATION))));
        }

        /** Every key the operator issued that may still be valid: what deleting the cluster revokes. */
        List<String> all() {
            List<String> all = new ArrayList<>(retired);
            all.add(keyId);
            return all;
        }
    }

    sealed interface Step {}

    /**
     * Make a key for {@code rotation}; the keys in {@code retire} are revoked once it is stored. {@code renewal}: the
     * stored one is about to expire, nobody asked for a rotation.
     */
    record Issue(String rotation, List<String> retire, boolean renewal) implements Step {
        Issue(String rotation, List<String> retire) {
            this(rotation, retire, false);
        }
    }

    /** Revoke replaced keys. */
    record Retire(List<String> keys) implements Step {}

    /** The stored key is the one asked for. */
    record Current() implements Step {}

    static Step next(Optional<Stored> stored, String wantedRotation, Instant now) {
        if (stored.isEmpty()) {
            return new Issue(wantedRotation, List.of());
        }
        if (!stored.get().rotation().equals(wantedRotation)) {
            return new Issue(wantedRotation, stored.get().all());
        }
        Optional<Instant> renewAfter = stored.get().renewAfter();
        if (renewAfter.isPresent() && !now.isBefore(renewAfter.get())) {
            return new Issue(wantedRotation, stored.get().all(), true);
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

    /**
     * A renewal time as written; one that cannot be read is due now (the epoch), never "never": better a token too many
     * than a cloud controller locked out when its token expires.
     */
    private static Optional<Instant> instant(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text.trim()));
        } catch (DateTimeParseException e) {
            return Optional.of(Instant.EPOCH);
        }
    }
}
