package dev.operator.sks.sizing;

import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.api.Level;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The size table, in code rather than a catalog file: unlike the version and instance-type catalogs, which follow
 * releases and a cloud's offer, these figures are the operator's own engineering and move with the decision and its
 * tests; a typo here fails the build instead of a reconcile.
 *
 * <p>Starter has one fixed profile, and S is exactly what a pro control plane ran before sizes existed, so an
 * operator upgraded onto running pro clusters (which have no recorded size, hence S) changes none of their pods.
 * Limits grow about threefold a step; requests follow kube-apiserver's and etcd's sizing guidance loosely (memory
 * grows with objects and watchers, CPU with request rate). etcd keeps three members at every size: more members make
 * writes slower, not faster; its requests grow instead.
 */
public final class ControlPlaneSizes {
    /** The starter control plane: one API server, never resized. */
    public static final SizeProfile STARTER = new SizeProfile(
            Optional.empty(),
            1,
            new Requests("250m", "512Mi"),
            new Requests("100m", "256Mi"),
            new Requests("100m", "128Mi"),
            new Requests("50m", "64Mi"),
            Limits.NONE);

    private static final Map<ControlPlaneSize, SizeProfile> TABLE = new EnumMap<>(ControlPlaneSize.class);

    static {
        put(
                ControlPlaneSize.S,
                2,
                new Requests("250m", "512Mi"),
                new Requests("100m", "256Mi"),
                new Requests("100m", "128Mi"),
                new Requests("50m", "64Mi"),
                new Limits(50, 50_000, 100, 100));
        put(
                ControlPlaneSize.M,
                3,
                new Requests("500m", "1Gi"),
                new Requests("250m", "512Mi"),
                new Requests("200m", "256Mi"),
                new Requests("100m", "128Mi"),
                new Limits(150, 150_000, 300, 300));
        put(
                ControlPlaneSize.L,
                3,
                new Requests("1", "2Gi"),
                new Requests("500m", "1Gi"),
                new Requests("400m", "512Mi"),
                new Requests("200m", "256Mi"),
                new Limits(500, 500_000, 1000, 800));
        put(
                ControlPlaneSize.XL,
                4,
                new Requests("2", "4Gi"),
                new Requests("1", "2Gi"),
                new Requests("800m", "1Gi"),
                new Requests("400m", "512Mi"),
                Limits.NONE);
    }

    private ControlPlaneSizes() {}

    private static void put(
            ControlPlaneSize size,
            int replicas,
            Requests apiserver,
            Requests etcd,
            Requests controllerManager,
            Requests scheduler,
            Limits upTo) {
        TABLE.put(
                size,
                new SizeProfile(Optional.of(size), replicas, apiserver, etcd, controllerManager, scheduler, upTo));
    }

    /** Where a pro control plane starts, and what one without a recorded size runs. */
    public static final ControlPlaneSize FIRST = ControlPlaneSize.S;

    public static SizeProfile of(ControlPlaneSize size) {
        return TABLE.get(size);
    }

    /** What a cluster of {@code level} runs: starter's fixed profile, or the pro size (the first when none is known). */
    public static SizeProfile of(Level level, Optional<ControlPlaneSize> size) {
        return level == Level.PRO ? of(size.orElse(FIRST)) : STARTER;
    }

    /** The next size up; empty at the largest. */
    public static Optional<ControlPlaneSize> larger(ControlPlaneSize size) {
        ControlPlaneSize[] all = ControlPlaneSize.values();
        return size.ordinal() + 1 < all.length ? Optional.of(all[size.ordinal() + 1]) : Optional.empty();
    }

    /** The next size down; empty at the smallest. */
    public static Optional<ControlPlaneSize> smaller(ControlPlaneSize size) {
        return size.ordinal() > 0 ? Optional.of(ControlPlaneSize.values()[size.ordinal() - 1]) : Optional.empty();
    }
}
