package dev.operator.sks.join;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cluster's join tokens: the current one, which new user-data carries, and the one it replaced, kept until it
 * expires so machines created from the previous user-data still join.
 */
public record JoinTokens(JoinToken current, Optional<JoinToken> previous) {
    public JoinTokens {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(previous, "previous");
    }

    /** The tokens the tenant should accept at {@code now}: current first, expired ones left out. */
    public List<JoinToken> validAt(Instant now) {
        List<JoinToken> valid = new ArrayList<>();
        if (current.isValidAt(now)) {
            valid.add(current);
        }
        previous.filter(p -> p.isValidAt(now)
                        && !p.token().id().equals(current.token().id()))
                .ifPresent(valid::add);
        return valid;
    }
}
