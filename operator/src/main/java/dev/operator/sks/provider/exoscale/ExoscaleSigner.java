package dev.operator.sks.provider.exoscale;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Exoscale's API v2 request signature ({@code EXO2-HMAC-SHA256}). The signed message is five lines joined by
 * {@code \n}:
 *
 * <ol>
 *   <li>{@code <METHOD> <path>}, the URL path as sent (with its {@code /v2} prefix, still percent-encoded);
 *   <li>the request body, empty when there is none;
 *   <li>the values of the signed query parameters concatenated in the order of their names (sorted), without
 *       separator; only parameters with exactly one value are signed;
 *   <li>the values of signed headers (none are signed, so an empty line);
 *   <li>the expiry, in Unix seconds.
 * </ol>
 *
 * <p>The header is {@code EXO2-HMAC-SHA256 credential=<key>[,signed-query-args=<n1;n2>],expires=<ts>,
 * signature=<base64 of HMAC-SHA256(secret, message)>}. Known-answer tests pin this to the vectors of Exoscale's own
 * Go client (egoscale, {@code v2/api/security_test.go}).
 */
public final class ExoscaleSigner {
    public static final String SCHEME = "EXO2-HMAC-SHA256";

    private ExoscaleSigner() {}

    /** The parameters that get signed: those with exactly one value, by name. */
    public static TreeMap<String, String> signedParameters(Map<String, List<String>> query) {
        TreeMap<String, String> signed = new TreeMap<>();
        query.forEach((name, values) -> {
            if (values.size() == 1) {
                signed.put(name, values.get(0));
            }
        });
        return signed;
    }

    public static String message(
            String method, String rawPath, String body, TreeMap<String, String> signedQuery, long expires) {
        return method + " " + rawPath + "\n"
                + body + "\n"
                + String.join("", signedQuery.values()) + "\n"
                + "\n"
                + expires;
    }

    public static String signature(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    /** The {@code Authorization} header value of a request. */
    public static String authorization(
            ExoscaleCredentials credentials,
            String method,
            String rawPath,
            Map<String, List<String>> query,
            String body,
            long expires) {
        TreeMap<String, String> signed = signedParameters(query);
        List<String> parts = new ArrayList<>();
        parts.add(SCHEME + " credential=" + credentials.apiKey());
        if (!signed.isEmpty()) {
            parts.add("signed-query-args=" + String.join(";", signed.keySet()));
        }
        parts.add("expires=" + expires);
        parts.add("signature=" + signature(credentials.apiSecret(), message(method, rawPath, body, signed, expires)));
        return String.join(",", parts);
    }
}
