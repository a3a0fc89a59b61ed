package dev.operator.sks.etcd;

/**
 * etcd could not be reached or refused a membership request. Messages say what failed (address, HTTP status, etcd's
 * own error text) and never carry key material: they end up in status conditions and logs.
 */
public class EtcdException extends Exception {
  /** etcd's answer to promoting a learner whose log is still behind the leader's (etcd 3.4 to 3.6). */
  private static final String NOT_IN_SYNC = "in sync with leader";

  public EtcdException(String message) {
    super(message);
  }

  public EtcdException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A promotion refused only because the learner has not caught up yet: worth waiting for, not an error. */
  public boolean learnerNotCaughtUp() {
    return getMessage() != null && getMessage().contains(NOT_IN_SYNC);
  }
}
