package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.naming.Names;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Action;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Decision;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Withdrawal;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.ConditionEvents.Transition;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.validation.Violation;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a KubeconfigRequest's status says after a reconcile, from what the reconcile observed and did: the Ready and
 * Expired conditions, the Secret's name, the certificate's serial number and expiry; and the words of the Events and
 * logs of a written Secret. Pure (a Clock for transition times), so every wording is tested without a server; the
 * reconciler only hands in the {@link Outcome}. Never key material: only names, serials and times.
 */
final class KubeconfigRequestReport {
    private KubeconfigRequestReport() {}

    /** How a reconcile ended. */
    sealed interface Outcome permits Invalid, Blocked, Done {}

    /** The spec is invalid: nothing was looked at, and an earlier Expired condition stays as it was. */
    record Invalid(List<Violation> violations) implements Outcome {}

    /** Nothing usable was issued, and why: Ready False; Expired says so unless an earlier state already set it. */
    sealed interface Blocked extends Outcome, KubeconfigPlan.Evaluation
            permits SecretNameRefused,
                    ClusterNotFound,
                    SecretTaken,
                    ClusterDeleting,
                    WaitingForCluster,
                    WaitingForCertificateAuthority {
        String reason();

        String message(KubeconfigRequest request);
    }

    /** The Secret's name is not one a request may write (see {@code KubeconfigRequestValidator.checkSecretName}). */
    record SecretNameRefused(Violation violation) implements Blocked {
        @Override
        public String reason() {
            return violation.reason();
        }

        @Override
        public String message(KubeconfigRequest request) {
            return violation.message();
        }
    }

    /** The request's spec.cluster names no SKSCluster of its namespace. */
    record ClusterNotFound(String cluster, String namespace) implements Blocked {
        @Override
        public String reason() {
            return "ClusterNotFound";
        }

        @Override
        public String message(KubeconfigRequest request) {
            return "SKSCluster '" + cluster + "' does not exist in namespace " + namespace
                    + "; create it or correct spec.cluster";
        }
    }

    /** The request's Secret exists and was not made for it. */
    record SecretTaken(NameConflict conflict) implements Blocked {
        @Override
        public String reason() {
            return NameConflict.REASON;
        }

        @Override
        public String message(KubeconfigRequest request) {
            return conflict.message(request) + ", or set spec.secretName to another name";
        }
    }

    /** The cluster is being deleted: nothing new is issued for it, as its CAs are about to go. */
    record ClusterDeleting(String cluster) implements Blocked {
        @Override
        public String reason() {
            return "ClusterDeleting";
        }

        @Override
        public String message(KubeconfigRequest request) {
            return "SKSCluster '" + cluster + "' is being deleted; no kubeconfig is issued for it. Delete this "
                    + "request, or point spec.cluster at another cluster";
        }
    }

    /** The cluster is not Ready and nothing was issued here before. */
    record WaitingForCluster(String cluster) implements Blocked {
        @Override
        public String reason() {
            return "WaitingForCluster";
        }

        @Override
        public String message(KubeconfigRequest request) {
            return "waiting for SKSCluster '" + cluster + "' to be Ready";
        }
    }

    /** The cluster's CA Secrets are not there (yet). */
    record WaitingForCertificateAuthority(String cluster) implements Blocked {
        @Override
        public String reason() {
            return "WaitingForCertificateAuthority";
        }

        @Override
        public String message(KubeconfigRequest request) {
            return "waiting for the certificate authorities of SKSCluster '" + cluster + "' (Secrets "
                    + Names.clusterCa(cluster) + " and " + Names.clientsCa(cluster) + ")";
        }
    }

    /**
     * A decision carried out (or nothing to do), told from the Secret written or kept.
     *
     * @param action             what was decided
     * @param heldWithdrawal     why an earlier reconcile removed the Secret's data, if it did
     * @param serial             the certificate's serial number (hexadecimal), as the Secret records it
     * @param expiration         when the certificate expires, as the Secret records it
     * @param server             the server the kubeconfig names
     * @param internalServer     whether that is the address inside the management cluster (no endpoint yet)
     * @param renewBeforeSeconds how long before expiry the kubeconfig is renewed; null: it is not
     */
    record Done(
            Action action,
            Optional<Withdrawal> heldWithdrawal,
            Optional<String> serial,
            Optional<Instant> expiration,
            String server,
            boolean internalServer,
            Long renewBeforeSeconds)
            implements Outcome {
        /** Why the Secret holds no kubeconfig once this is done; empty: it holds one. */
        Optional<Withdrawal> withdrawal() {
            return switch (action) {
                case EXPIRE -> Optional.of(Withdrawal.EXPIRED);
                case REVOKE -> Optional.of(Withdrawal.CLIENTS_CA_ROTATED);
                case STAY_WITHDRAWN -> heldWithdrawal;
                default -> Optional.empty();
            };
        }
    }

    /** A Secret just written: the decision, for whom, where, and what its annotations say (never its data). */
    record Written(
            Decision decision, String user, String secretName, Optional<String> serial, Optional<Instant> expiration) {
        private String serialText() {
            return serial.orElse("-");
        }

        private String expiresText() {
            return expiration.map(Conditions::timestamp).orElse("-");
        }
    }

    /** {@code status} (a copy, changed in place and returned) after {@code outcome}. */
    static KubeconfigRequestStatus report(
            KubeconfigRequest request, KubeconfigRequestStatus status, Outcome outcome, Clock clock) {
        Long generation = request.getMetadata().getGeneration();
        status.observedGeneration = generation;
        if (outcome instanceof Invalid invalid) {
            Conditions.set(
                    status.conditions,
                    Conditions.READY,
                    false,
                    Violation.reasonOf(invalid.violations()),
                    Violation.messageOf(invalid.violations()),
                    generation,
                    clock);
            return status;
        }
        status.secretName = Defaults.secretName(request);
        if (outcome instanceof Blocked blocked) {
            notIssued(status, blocked.reason(), blocked.message(request), generation, clock);
        } else if (outcome instanceof Done done) {
            done(request, status, done, generation, clock);
        }
        return status;
    }

    /** Nothing usable issued: Ready False; Expired says so unless an earlier state already set it. */
    private static void notIssued(
            KubeconfigRequestStatus status, String reason, String message, Long generation, Clock clock) {
        Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
        if (Conditions.find(status.conditions, Conditions.EXPIRED).isEmpty()) {
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    false,
                    "NotIssued",
                    "no certificate has been issued",
                    generation,
                    clock);
        }
    }

    private static void done(
            KubeconfigRequest request, KubeconfigRequestStatus status, Done done, Long generation, Clock clock) {
        status.serialNumber = done.serial().orElse(null);
        status.expirationTime = done.expiration().map(Conditions::timestamp).orElse(null);
        String secretName = status.secretName;
        String cluster = request.getSpec().cluster;
        // A Secret whose expiry annotation was edited away still gets a sentence, never "null".
        String expiry = status.expirationTime == null ? "an unknown time" : status.expirationTime;
        Optional<Withdrawal> withdrawal = done.withdrawal();
        if (withdrawal.isEmpty()) {
            String message = "kubeconfig for user " + request.getSpec().user + " in Secret " + secretName + " (key "
                    + Names.KUBECONFIG_REQUEST_KEY + "), valid until " + expiry
                    + (done.renewBeforeSeconds() != null
                            ? ", renewed " + done.renewBeforeSeconds() + "s before expiry"
                            : "");
            if (done.internalServer()) {
                message += "; SKSCluster '" + cluster + "' has no endpoint yet, so its server is " + done.server()
                        + ", reachable only from inside the management cluster, until it has one";
            }
            Conditions.set(status.conditions, Conditions.READY, true, "Issued", message, generation, clock);
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    false,
                    "Valid",
                    "the certificate is valid until " + expiry,
                    generation,
                    clock);
        } else if (withdrawal.get() == Withdrawal.EXPIRED) {
            Conditions.set(
                    status.conditions,
                    Conditions.READY,
                    false,
                    "Expired",
                    "the certificate expired at " + expiry + " and the data of Secret " + secretName
                            + " was removed; change the request, or delete and re-create it, for a new kubeconfig "
                            + "(with renewBeforeSeconds it is renewed before expiry)",
                    generation,
                    clock);
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    true,
                    "Expired",
                    "the certificate expired at " + expiry,
                    generation,
                    clock);
        } else {
            Conditions.set(
                    status.conditions,
                    Conditions.READY,
                    false,
                    "ClientsCARotated",
                    "the clients CA of SKSCluster '" + cluster + "' was rotated, which revokes this kubeconfig; the "
                            + "data of Secret " + secretName + " was removed. Set renewBeforeSeconds, or delete and "
                            + "re-create the request, for a new kubeconfig",
                    generation,
                    clock);
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    false,
                    "ClientsCARotated",
                    "revoked before its expiry at " + expiry,
                    generation,
                    clock);
        }
    }

    /** The Event a written Secret tells, if any (none for a re-render): who it is for and until when. */
    static Optional<Transition> event(Written written) {
        return KubeconfigPolicy.eventOf(written.decision())
                .map(event -> new Transition(
                        event.type(),
                        event.reason(),
                        event.verb() + " for user " + written.user() + " in Secret " + written.secretName()
                                + " (serial " + written.serialText() + ", valid until " + written.expiresText()
                                + "): " + written.decision().why()));
    }

    /** The log line of a written Secret. */
    static String logged(KubeconfigRequest request, Written written) {
        return "KubeconfigRequest " + request.getMetadata().getNamespace() + "/"
                + request.getMetadata().getName() + ": "
                + verb(written.decision().action()) + " Secret "
                + written.secretName() + " (" + written.decision().why() + "; user " + written.user() + ", serial "
                + written.serialText() + ", expires " + written.expiresText() + ")";
    }

    static String verb(Action action) {
        return switch (action) {
            case ISSUE -> "issued a kubeconfig into";
            case RENDER -> "rewrote the kubeconfig (same certificate) in";
            case EXPIRE -> "removed the expired kubeconfig from";
            case REVOKE -> "removed the revoked kubeconfig from";
            default -> action.name();
        };
    }
}
