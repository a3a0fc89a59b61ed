package dev.operator.sks.cli.plugin;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * What the plugin reads from outside its arguments: the environment ({@code KUBECONFIG}, {@code HOME}), the clock
 * deadlines and rotation stamps are taken from, and how often a wait looks again. Tests pass their own.
 */
public record PluginEnvironment(Map<String, String> env, Clock clock, Duration pollInterval) {
    public static PluginEnvironment system() {
        return new PluginEnvironment(System.getenv(), Clock.systemUTC(), Duration.ofSeconds(1));
    }

    /** Sleeps one poll interval; an interrupt ends the wait as a failure, never silently. */
    void pause() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PluginException("interrupted while waiting");
        }
    }
}
