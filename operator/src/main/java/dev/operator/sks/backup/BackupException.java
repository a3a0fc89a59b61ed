package dev.operator.sks.backup;

/**
 * A backup or restore step that failed, with a reason for status (CamelCase, as condition reasons are) and a message
 * that says what to fix. Messages never carry key material, credentials or presigned URLs.
 */
public class BackupException extends Exception {
    private final String reason;

    public BackupException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BackupException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
