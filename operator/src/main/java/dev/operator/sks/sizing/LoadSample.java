package dev.operator.sks.sizing;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The tenant's load at one moment, as one scrape of its API server saw it.
 *
 * @param at                when it was observed (the operator's clock)
 * @param nodes             Nodes in the tenant
 * @param objects           objects stored, all resources together
 * @param requestsPerSecond requests served per second since the scrape before, for the whole control plane; absent
 *                          on a first scrape or after the counter went back (a restarted or another replica)
 * @param inflight          requests being served, for the whole control plane
 */
public record LoadSample(Instant at, long nodes, long objects, OptionalDouble requestsPerSecond, double inflight) {
    public LoadSample {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(requestsPerSecond, "requestsPerSecond");
    }

    /** A sample with a known request rate. */
    public static LoadSample of(Instant at, long nodes, long objects, double requestsPerSecond, double inflight) {
        return new LoadSample(at, nodes, objects, OptionalDouble.of(requestsPerSecond), inflight);
    }
}
