package dev.operator.sks.reconciler.cluster;

/**
 * A CA Secret is gone while certificates it signed still exist. Making a new CA silently would orphan every node
 * and client that trusts the old one, so the cluster reports it and waits for the Secret to be restored.
 */
public class MissingAuthorityException extends Exception {
    /** With a hint for this CA (the clients CA may be replaced once the kubeconfigs it signed are gone). */
    public MissingAuthorityException(String secretName, String hint) {
        super("the certificate authority Secret " + secretName
                + " is missing while certificates it signed still exist; " + hint);
    }

    public MissingAuthorityException(String secretName) {
        super("the certificate authority Secret " + secretName
                + " is missing while certificates it signed still exist; "
                + "restore it from a backup (a new CA would lock out every node and client of the cluster)");
    }
}
