package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.events.EventType;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.support.Digests;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to do with a KubeconfigRequest's Secret, decided from what the Secret holds and the clock alone: pure, so
 * every rule (issue, re-issue on change, renewal, expiry, revocation by a clients-CA rotation) is tested without a
 * server. A key is generated only for {@link Action#ISSUE}, which the reconciler decides again on a fresh read of the
 * Secret and writes conditionally on that read: one key per issuance.
 */
public final class KubeconfigPolicy {
    /** The window of the {@code sks_kubeconfigs_expiring_soon} gauge. */
    public static final Duration EXPIRING_SOON = Duration.ofDays(7);
    /** The shortest delay of a scheduled reconcile, so a clock a little behind never makes it spin. */
    public static final Duration MIN_RESCHEDULE = Duration.ofSeconds(1);

    private KubeconfigPolicy() {}

    public enum Action {
        /** Generate a key and a certificate and write a new kubeconfig. */
        ISSUE,
        /** Keep the certificate and key, write the kubeconfig again for another server or cluster CA. */
        RENDER,
        /** The Secret is current. */
        KEEP,
        /** The certificate expired and is not renewed: remove the Secret's data. */
        EXPIRE,
        /** Another clients CA signed the certificate (it was rotated) and it is not renewed: remove the data. */
        REVOKE,
        /** The data was removed before (expired or revoked) and nothing asks for a new certificate. */
        STAY_WITHDRAWN;

        public boolean writes() {
            return this == ISSUE || this == RENDER || this == EXPIRE || this == REVOKE;
        }
    }

    /** Why a Secret's data was removed; the value is kept in an annotation on the Secret and used as the reason. */
    public enum Withdrawal {
        EXPIRED("Expired"),
        CLIENTS_CA_ROTATED("ClientsCARotated");

        private final String value;

        Withdrawal(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static Optional<Withdrawal> of(String value) {
            for (Withdrawal w : values()) {
                if (w.value.equals(value)) {
                    return Optional.of(w);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * What the request asks for.
     *
     * @param issuerNotAfter when the clients CA expires: a certificate cannot outlive it, so renewing makes no sense
     *                       once a new certificate would not last longer than the held one
     */
    public record Wanted(
            String cluster,
            String user,
            List<String> groups,
            long ttlSeconds,
            Long renewBeforeSeconds,
            String server,
            String clusterCaPem,
            Instant issuerNotAfter) {

        public Wanted {
            groups = List.copyOf(groups);
        }

        public static Wanted of(
                KubeconfigRequestSpec spec, String server, String clusterCaPem, Instant issuerNotAfter) {
            return new Wanted(
                    spec.cluster,
                    spec.user,
                    Defaults.groups(spec),
                    Defaults.ttlSeconds(spec),
                    spec.renewBeforeSeconds,
                    server,
                    clusterCaPem,
                    issuerNotAfter);
        }

        private List<String> fields() {
            List<String> fields =
                    new java.util.ArrayList<>(List.of(cluster, user, "ttl=" + ttlSeconds, "groups=" + groups.size()));
            fields.addAll(groups);
            return fields;
        }

        public Duration ttl() {
            return Duration.ofSeconds(ttlSeconds);
        }

        public boolean renews() {
            return renewBeforeSeconds != null;
        }

        /** What the certificate must say: CN = user, one O per group in order, client auth, valid for the TTL. */
        public CertificateRequest certificateRequest() {
            return CertificateRequest.builder(user)
                    .organizations(groups)
                    .clientAuth()
                    .validity(ttl())
                    .keyAlgorithm(KeyAlgorithm.DEFAULT)
                    .build();
        }

        /**
         * A digest of what the certificate was issued for (cluster, user, groups, TTL), stored on the Secret: a change of
         * any of them issues a new certificate. renewBeforeSeconds and secretName are not in it: they change when, or
         * where, not what.
         */
        public String digest() {
            // Each field prefixed with its length, so no two different requests give the same text.
            StringBuilder text = new StringBuilder("v1");
            for (String field : fields()) {
                text.append(';').append(field.length()).append(':').append(field);
            }
            return Digests.sha256Hex(text.toString(), 16);
        }
    }

    /**
     * What the Secret holds, as read back.
     *
     * @param issuedFor          the digest annotation, null when absent
     * @param withdrawn          set when the data was removed on purpose
     * @param certificate        the client certificate of the kubeconfig, null when there is none or it is unreadable
     * @param signedByClientsCa  whether the cluster's current clients CA signed it
     * @param server             the kubeconfig's server URL
     * @param clusterCaPem       the kubeconfig's certificate-authority-data
     */
    public record Held(
            String issuedFor,
            Withdrawal withdrawn,
            X509Certificate certificate,
            boolean signedByClientsCa,
            String server,
            String clusterCaPem) {}

    /** @param renewal whether an {@link Action#ISSUE} replaces a certificate that was valid or withdrawn */
    public record Decision(Action action, String why, boolean renewal) {
        public Decision(Action action, String why) {
            this(action, why, false);
        }
    }

    /** An Event a written Secret tells: issued, renewed, expired or revoked. */
    public record Event(EventType type, String reason, String verb) {}

    /** The Event for {@code decision} once written; none for a re-render (same certificate). */
    public static Optional<Event> eventOf(Decision decision) {
        return switch (decision.action()) {
            case ISSUE ->
                Optional.of(
                        decision.renewal()
                                ? new Event(EventType.Normal, "KubeconfigRenewed", "renewed")
                                : new Event(EventType.Normal, "KubeconfigIssued", "issued"));
            case EXPIRE -> Optional.of(new Event(EventType.Warning, "KubeconfigExpired", "expired and removed"));
            case REVOKE -> Optional.of(new Event(EventType.Warning, "KubeconfigRevoked", "revoked and removed"));
            default -> Optional.empty();
        };
    }

    public static Decision decide(Wanted wanted, Optional<Held> secret, Instant now) {
        if (secret.isEmpty()) {
            return new Decision(Action.ISSUE, "no kubeconfig has been issued yet");
        }
        Held held = secret.get();
        if (!wanted.digest().equals(held.issuedFor())) {
            return new Decision(Action.ISSUE, "the cluster, user, groups or TTL changed");
        }
        if (held.withdrawn() != null) {
            return wanted.renews()
                    ? new Decision(
                            Action.ISSUE, "renewBeforeSeconds is set: the withdrawn kubeconfig is issued again", true)
                    : new Decision(Action.STAY_WITHDRAWN, held.withdrawn().value());
        }
        X509Certificate certificate = held.certificate();
        if (certificate == null) {
            return new Decision(Action.ISSUE, "the Secret holds no readable kubeconfig");
        }
        if (!matches(wanted, certificate)) {
            return new Decision(Action.ISSUE, "the certificate does not say what the request asks for");
        }
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (!held.signedByClientsCa()) {
            return wanted.renews()
                    ? new Decision(Action.ISSUE, "the clients CA was rotated: renewing under the new one", true)
                    : new Decision(Action.REVOKE, "the clients CA was rotated");
        }
        if (wanted.renews() && !now.isBefore(renewalTime(notAfter, wanted)) && renewalHelps(wanted, notAfter)) {
            return new Decision(Action.ISSUE, "renewal is due", true);
        }
        if (!now.isBefore(notAfter)) {
            return new Decision(Action.EXPIRE, "the certificate expired");
        }
        if (!Objects.equals(wanted.server(), held.server())
                || !Objects.equals(wanted.clusterCaPem(), held.clusterCaPem())) {
            return new Decision(Action.RENDER, "the cluster's endpoint or CA changed");
        }
        return new Decision(Action.KEEP, "current");
    }

    /** CN, O's and usage as asked, and a lifetime no longer than the TTL (one that is longer was not made here). */
    static boolean matches(Wanted wanted, X509Certificate certificate) {
        CertificateRequest request = wanted.certificateRequest();
        Duration lifetime = Duration.between(
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant());
        return request.isSatisfiedBy(certificate)
                && lifetime.compareTo(wanted.ttl().plus(BouncyCastlePki.CLOCK_SKEW_ALLOWANCE)) <= 0;
    }

    /** When a renewing request gets its next certificate: renewBeforeSeconds before expiry. */
    public static Instant renewalTime(Instant notAfter, Wanted wanted) {
        return notAfter.minusSeconds(wanted.renewBeforeSeconds());
    }

    /**
     * A new certificate cannot outlive the clients CA; once the CA expires before the held certificate would be
     * replaced by a longer-lived one, renewing again and again would gain nothing. Rotating the CA is the cure.
     */
    private static boolean renewalHelps(Wanted wanted, Instant notAfter) {
        return wanted.issuerNotAfter() == null || wanted.issuerNotAfter().isAfter(notAfter);
    }

    /**
     * When to look again at a kubeconfig that is in place (kept, issued or re-rendered): its renewal time for a
     * renewing request, its expiry otherwise. Empty when nothing is due any more (the data was withdrawn).
     */
    public static Optional<Instant> nextCheck(Wanted wanted, Instant notAfter, Action action, Instant now) {
        if (action == Action.EXPIRE || action == Action.REVOKE || action == Action.STAY_WITHDRAWN) {
            return Optional.empty();
        }
        if (wanted.renews()) {
            Instant renewal = renewalTime(notAfter, wanted);
            if (renewal.isAfter(now)) {
                return Optional.of(renewal);
            }
        }
        return notAfter.isAfter(now) ? Optional.of(notAfter) : Optional.empty();
    }

    /** How long until {@code next}, at least {@link #MIN_RESCHEDULE}. */
    public static Duration delayUntil(Instant next, Instant now) {
        Duration delay = Duration.between(now, next);
        return delay.compareTo(MIN_RESCHEDULE) < 0 ? MIN_RESCHEDULE : delay;
    }

    /** Whether a kubeconfig valid until {@code notAfter} counts in the expiring-soon gauge at {@code now}. */
    public static boolean expiringSoon(Instant notAfter, Instant now) {
        return notAfter.isAfter(now) && !notAfter.isAfter(now.plus(EXPIRING_SOON));
    }
}
