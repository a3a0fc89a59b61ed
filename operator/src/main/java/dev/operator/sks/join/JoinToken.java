package dev.operator.sks.join;

import java.time.Instant;
import java.util.Objects;

/** A bootstrap token and the instant the tenant API server stops accepting it. */
public record JoinToken(BootstrapToken token, Instant expiration) {
    public JoinToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expiration, "expiration");
    }

    /** A token made at {@code now}, valid for {@link BootstrapTokens#TTL}. */
    public static JoinToken issuedAt(BootstrapToken token, Instant now) {
        return new JoinToken(token, BootstrapTokens.expirationFor(now));
    }

    public boolean isValidAt(Instant now) {
        return now.isBefore(expiration);
    }

    public boolean isRotationDueAt(Instant now) {
        return BootstrapTokens.isRotationDue(expiration, now);
    }

    @Override
    public String toString() {
        return "JoinToken[" + token + ", expiration=" + expiration + "]";
    }
}
