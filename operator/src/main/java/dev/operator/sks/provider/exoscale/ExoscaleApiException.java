package dev.operator.sks.provider.exoscale;

import dev.operator.sks.provider.ProviderException;

/** Exoscale answered with an HTTP error; the message carries the status and Exoscale's own message. */
public class ExoscaleApiException extends ProviderException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ExoscaleApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
