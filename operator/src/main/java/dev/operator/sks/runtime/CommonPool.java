package dev.operator.sks.runtime;

import java.util.concurrent.ForkJoinPool;

/**
 * Gives the JVM's common pool two threads at least, where it would have one: on a machine or container of one or two
 * CPUs.
 *
 * <p>{@link java.util.concurrent.CompletableFuture} runs what has no executor of its own on the common pool only when
 * that pool has a parallelism of two or more; below, it starts a new thread for every such task. The JDK's HTTP client,
 * which the Kubernetes client uses, hands the completion of every asynchronous request to that default executor. With
 * two CPUs (the pool's parallelism is the CPUs less one) the operator started a thread for nearly every request to the
 * API server: 35,000 threads while 1,000 new clusters converged, where it now starts about 100.
 *
 * <p>The pool reads its parallelism once, when it is first used, so this runs first in {@code main}. A parallelism set
 * with {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism} is kept.
 */
public final class CommonPool {
    static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
    static final int AT_LEAST = 2;

    private CommonPool() {}

    /** Sets the pool's parallelism to {@link #AT_LEAST} unless it was set or the machine gives it that many. */
    public static void atLeastTwoThreads() {
        if (System.getProperty(PARALLELISM) == null && Runtime.getRuntime().availableProcessors() - 1 < AT_LEAST) {
            System.setProperty(PARALLELISM, Integer.toString(AT_LEAST));
        }
    }

    /** Whether asynchronous completions share the pool's threads; false when something used the pool before. */
    public static boolean shared() {
        return ForkJoinPool.getCommonPoolParallelism() >= AT_LEAST;
    }
}
