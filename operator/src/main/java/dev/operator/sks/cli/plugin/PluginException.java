package dev.operator.sks.cli.plugin;

/**
 * A failure told to the user as one message that says what to do, and the exit code the plugin ends with. Its message
 * never holds key material: it is printed as it is.
 */
public final class PluginException extends RuntimeException {
    /** The operator or the API server refused, or the resource is not there. */
    public static final int FAILED = 1;
    /** A wait ran out before the operator finished. */
    public static final int TIMED_OUT = 3;

    private final int exitCode;

    public PluginException(String message) {
        this(message, FAILED);
    }

    public PluginException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
