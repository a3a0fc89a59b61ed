package dev.operator.sks.provider;

/**
 * A compute backend refused or failed a request. The message is meant for a status condition: it names what failed
 * and why, and never carries credentials or user-data.
 */
public class ProviderException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProviderException(String message) {
        super(message);
    }

    public ProviderException(String message, Throwable cause) {
        super(message, cause);
    }
}
