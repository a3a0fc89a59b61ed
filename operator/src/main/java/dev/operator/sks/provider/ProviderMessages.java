package dev.operator.sks.provider;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A provider's error message made fit for a condition, an Event or a log: whatever a backend echoes back of a request
 * (the user-data, its join token, in clear or base64) is withheld. Providers should not put secrets in their
 * messages; this makes sure, since a backend's own error text is beyond their control.
 */
public final class ProviderMessages {
    /** A kubeadm bootstrap token ({@code [a-z0-9]{6}.[a-z0-9]{16}}), as user-data carries it. */
    private static final Pattern BOOTSTRAP_TOKEN =
            Pattern.compile("(?<![a-z0-9])[a-z0-9]{6}\\.[a-z0-9]{16}(?![a-z0-9])");

    private static final Pattern KEY_MATERIAL = Pattern.compile("-----BEGIN [A-Z ]+-----");
    static final int MAX_LENGTH = 400;
    static final String WITHHELD = "(withheld)";

    private ProviderMessages() {}

    /** {@code message} without the pool's user-data or any join token or key in it, at most {@link #MAX_LENGTH}. */
    public static String safe(String message, DesiredPool desired) {
        String text = message == null || message.isBlank() ? "no message" : message;
        String userData = desired.userData();
        if (!userData.isEmpty()) {
            text = text.replace(userData, WITHHELD)
                    .replace(Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)), WITHHELD);
        }
        text = BOOTSTRAP_TOKEN.matcher(text).replaceAll(WITHHELD);
        if (KEY_MATERIAL.matcher(text).find()) {
            return "(message withheld: it held key material)";
        }
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "..." : text;
    }
}
