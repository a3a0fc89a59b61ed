package dev.operator.sks.etcd;

/**
 * etcd could not be reached or refused a membership request. Messages say what failed (address, HTTP status, etcd's
 * own error text) and never carry key material: they end up in status conditions and logs.
 */
public class EtcdException extends Exception {
    /** etcd's answer to promoting a learner whose log is still behind the leader's (etcd 3.4 to 3.6). */
    private static final String NOT_IN_SYNC = "in sync with leader";

    private final boolean answered;

    /** etcd could not be asked (no connection, TLS refused, timeout) or its client not built. */
    public EtcdException(String message) {
        this(message, false);
    }

    public EtcdException(String message, Throwable cause) {
        super(message, cause);
        this.answered = false;
    }

    /** @param answered whether etcd itself answered, refusing the request ("etcdserver: ...") */
    public EtcdException(String message, boolean answered) {
        super(message);
        this.answered = answered;
    }

    /** etcd was reached and refused the request: its reason is in the message. */
    public boolean answered() {
        return answered;
    }

    /** A promotion refused only because the learner has not caught up yet: worth waiting for, not an error. */
    public boolean learnerNotCaughtUp() {
        return getMessage() != null && getMessage().contains(NOT_IN_SYNC);
    }
}
