package dev.operator.sks.catalog;

/** A catalog data file that cannot be used; the operator refuses to start with it. */
public class CatalogException extends RuntimeException {
    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
