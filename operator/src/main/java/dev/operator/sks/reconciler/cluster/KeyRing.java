package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.RotationPlan.Held;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a CA Secret or the service-account key Secret holds one key, or two during a rotation, and the trust bundle that
 * follows from it: pure functions over the Secret's decoded data, so every phase's layout is tested without a server.
 *
 * <ul>
 *   <li>{@code tls.crt} / {@code tls.key}: the key that signs (for the service-account key, {@code tls.crt} is the
 *       bundle of public keys tokens are verified with, the signing key's first: kube-apiserver reads every key in its
 *       {@code --service-account-key-file});
 *   <li>{@code next.crt} / {@code next.key}: the new key while it is trusted but does not sign yet;
 *   <li>{@code previous.crt}: the replaced certificate or public key while it is still trusted (its private key is not
 *       kept: it never signs again);
 *   <li>for a CA, {@code ca.crt}: what is trusted for it, the signing CA first; copied into every leaf's {@code ca.crt}
 *       and kubeconfig the CA concerns.
 * </ul>
 */
final class KeyRing {
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----.*?-----END \\1-----\\n?", Pattern.DOTALL);

    enum Kind {
        CERTIFICATE_AUTHORITY,
        SERVICE_ACCOUNT_KEY
    }

    private KeyRing() {}

    static Held held(Map<String, String> data) {
        if (present(data, Names.NEXT_PRIVATE_KEY_KEY)) {
            return Held.OLD_SIGNS_BOTH_TRUSTED;
        }
        if (present(data, Names.PREVIOUS_CERTIFICATE_KEY)) {
            return Held.NEW_SIGNS_BOTH_TRUSTED;
        }
        return Held.ONE;
    }

    /** The key whose bundle (what is trusted) this kind keeps. */
    static String bundleKey(Kind kind) {
        return kind == Kind.CERTIFICATE_AUTHORITY ? Names.CA_CERTIFICATE_KEY : Names.TLS_CERTIFICATE_KEY;
    }

    /** What is trusted: the signing certificate or public key first, then the other one during a rotation. */
    static String bundle(Kind kind, Map<String, String> data) {
        String signing = signingPublic(kind, data);
        return switch (held(data)) {
            case ONE -> signing;
            case OLD_SIGNS_BOTH_TRUSTED -> signing + withNewline(data.get(Names.NEXT_CERTIFICATE_KEY));
            case NEW_SIGNS_BOTH_TRUSTED -> signing + withNewline(data.get(Names.PREVIOUS_CERTIFICATE_KEY));
        };
    }

    /** The data with its bundle as {@link #bundle} says; unchanged when it already is (a Secret from before bundles). */
    static Map<String, String> withBundle(Kind kind, Map<String, String> data) {
        Map<String, String> out = new LinkedHashMap<>(data);
        out.put(bundleKey(kind), bundle(kind, data));
        return out;
    }

    /** Phase 1: the new key is kept next to the signing one and trusted. */
    static Map<String, String> begin(Kind kind, Map<String, String> data, String newPublicPem, String newKeyPem) {
        Map<String, String> out = new LinkedHashMap<>(data);
        out.remove(Names.PREVIOUS_CERTIFICATE_KEY);
        out.put(Names.NEXT_CERTIFICATE_KEY, withNewline(newPublicPem));
        out.put(Names.NEXT_PRIVATE_KEY_KEY, newKeyPem);
        return withBundle(kind, out);
    }

    /** Phase 2: the new key signs, the old one's certificate or public key is kept to be trusted. */
    static Map<String, String> promote(Kind kind, Map<String, String> data) {
        Map<String, String> out = new LinkedHashMap<>(data);
        String old = signingPublic(kind, data);
        if (kind == Kind.CERTIFICATE_AUTHORITY) {
            out.put(Names.TLS_CERTIFICATE_KEY, data.get(Names.NEXT_CERTIFICATE_KEY));
        } else {
            out.put(Names.TLS_CERTIFICATE_KEY, withNewline(data.get(Names.NEXT_CERTIFICATE_KEY)));
        }
        out.put(Names.TLS_PRIVATE_KEY_KEY, data.get(Names.NEXT_PRIVATE_KEY_KEY));
        out.put(Names.PREVIOUS_CERTIFICATE_KEY, old);
        out.remove(Names.NEXT_CERTIFICATE_KEY);
        out.remove(Names.NEXT_PRIVATE_KEY_KEY);
        return withBundle(kind, out);
    }

    /** Phase 3: only the new key is trusted. */
    static Map<String, String> retire(Kind kind, Map<String, String> data) {
        Map<String, String> out = new LinkedHashMap<>(data);
        out.remove(Names.PREVIOUS_CERTIFICATE_KEY);
        return withBundle(kind, out);
    }

    /**
     * The signing key's certificate (CA) or public key (service account). For the latter, {@code tls.crt} holds the
     * whole bundle, the signing key's first, so the first block is taken.
     */
    static String signingPublic(Kind kind, Map<String, String> data) {
        String text = data.getOrDefault(Names.TLS_CERTIFICATE_KEY, "");
        if (kind == Kind.CERTIFICATE_AUTHORITY) {
            return withNewline(text);
        }
        List<String> blocks = blocks(text);
        return blocks.isEmpty() ? withNewline(text) : blocks.get(0);
    }

    static List<String> blocks(String pem) {
        List<String> blocks = new ArrayList<>();
        Matcher matcher = PEM_BLOCK.matcher(pem == null ? "" : pem);
        while (matcher.find()) {
            blocks.add(withNewline(matcher.group()));
        }
        return blocks;
    }

    private static boolean present(Map<String, String> data, String key) {
        String value = data.get(key);
        return value != null && !value.isBlank();
    }

    private static String withNewline(String pem) {
        if (pem == null || pem.isEmpty()) {
            return "";
        }
        return pem.endsWith("\n") ? pem : pem + "\n";
    }
}
