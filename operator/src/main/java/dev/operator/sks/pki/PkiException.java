package dev.operator.sks.pki;

/**
 * A certificate or key could not be generated, signed or parsed.
 *
 * <p>Messages never contain key material or PEM content: they may end up in status conditions,
 * events and logs.
 */
public class PkiException extends RuntimeException {

    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
