package dev.operator.sks.join;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A kubeadm bootstrap token, {@code [a-z0-9]{6}.[a-z0-9]{16}}: a public id (it names the token's Secret in the tenant
 * cluster) and a secret. The pair authenticates a joining machine and signs the cluster-info it discovers.
 *
 * <p>{@link #toString()} shows the id only: the secret belongs in Secrets and user-data, never in logs, events or
 * status. Use {@link #value()} where the whole token is meant to go.
 */
public record BootstrapToken(String id, String secret) {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    static final int ID_LENGTH = 6;
    static final int SECRET_LENGTH = 16;
    private static final Pattern ID = Pattern.compile("[a-z0-9]{" + ID_LENGTH + "}");
    private static final Pattern SECRET = Pattern.compile("[a-z0-9]{" + SECRET_LENGTH + "}");

    private static final SecureRandom RANDOM = new SecureRandom();

    public BootstrapToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(secret, "secret");
        // The messages never quote the input: it may be a real token with a typo.
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a bootstrap token id is " + ID_LENGTH + " characters of [a-z0-9]");
        }
        if (!SECRET.matcher(secret).matches()) {
            throw new IllegalArgumentException(
                    "a bootstrap token secret is " + SECRET_LENGTH + " characters of [a-z0-9]");
        }
    }

    /** A new token from the JVM's {@link SecureRandom}: about 83 bits of secret, as kubeadm makes them. */
    public static BootstrapToken generate() {
        return generate(RANDOM);
    }

    public static BootstrapToken generate(SecureRandom random) {
        return new BootstrapToken(randomText(random, ID_LENGTH), randomText(random, SECRET_LENGTH));
    }

    /** The token from its {@code id.secret} form; empty when the text is not one. */
    public static Optional<BootstrapToken> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int dot = text.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String id = text.substring(0, dot);
        String secret = text.substring(dot + 1);
        if (!ID.matcher(id).matches() || !SECRET.matcher(secret).matches()) {
            return Optional.empty();
        }
        return Optional.of(new BootstrapToken(id, secret));
    }

    public static boolean isValid(String text) {
        return parse(text).isPresent();
    }

    /** {@code id.secret}: what kubeadm's {@code token} field and an HTTP bearer header take. */
    public String value() {
        return id + "." + secret;
    }

    @Override
    public String toString() {
        return "BootstrapToken[id=" + id + ", secret=(redacted)]";
    }

    private static String randomText(SecureRandom random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            // nextInt(bound) is unbiased, unlike taking a random byte modulo 36.
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }
}
