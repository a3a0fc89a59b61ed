package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.api.UpgradeStrategy;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.pki.NodeTrust;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.pki.RotationPlan;
import dev.operator.sks.pki.RotationPlan.Observation;
import dev.operator.sks.pki.RotationPlan.Phase;
import dev.operator.sks.pki.RotationPlan.Step;
import dev.operator.sks.pki.ServiceAccountKey;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Rotatable;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the rotation steps {@link RotationPlan} decides, one key Secret at a time: each write is an update at the
 * resourceVersion read fresh, and only when the fresh Secret still holds what the plan saw, so two reconciles never
 * take one step twice and a new key is never generated twice for one step. Keys stay in their Secrets; only phases and
 * times reach status, events and logs.
 */
final class KeyRotations {
    private static final Logger LOG = LoggerFactory.getLogger(KeyRotations.class);

    /**
     * How long the previous service-account public key stays trusted once the new key signs. kube-apiserver's
     * {@code --service-account-extend-token-expiration} (on by default, and not turned off here) gives tokens that
     * kubelets request for pods a lifetime of up to one year whatever {@code --service-account-max-token-expiration}
     * says; kubelets renew them long before, but a token may be read once and kept, so the old key goes only after the
     * longest lifetime a token it signed can have.
     */
    static final Duration LONGEST_TOKEN_LIFETIME = Duration.ofDays(365);

    /**
     * One key's step this reconcile, and what to report.
     *
     * @param newlyWaiting what the step waits for (the nodes) changed since status last said it: worth an Event
     */
    record Report(
            Rotatable key,
            Step step,
            Optional<String> rotation,
            Optional<Instant> oldTrustedUntil,
            boolean taken,
            boolean newlyWaiting) {
        Report(Rotatable key, Step step, Optional<String> rotation, Optional<Instant> oldTrustedUntil, boolean taken) {
            this(key, step, rotation, oldTrustedUntil, taken, false);
        }

        /** What the step waits for besides the control plane, in words. */
        Optional<String> waitingFor() {
            return step instanceof RotationPlan.Wait wait ? wait.waitingFor() : Optional.empty();
        }
    }

    /** @param changed a key Secret was written: certificates and bundles must be worked out again */
    record Outcome(List<Report> reports, boolean changed) {
        /** When to look again without an event: a service-account key waiting for its old tokens to expire. */
        Optional<Duration> lookAgain(Clock clock) {
            return reports.stream()
                    .map(Report::step)
                    .filter(s -> s instanceof RotationPlan.Wait)
                    .map(s -> ((RotationPlan.Wait) s).until())
                    .flatMap(Optional::stream)
                    .min(Instant::compareTo)
                    .map(t -> Duration.between(clock.instant(), t))
                    .map(d -> d.isNegative() ? Duration.ZERO : d.plusSeconds(1));
        }
    }

    private final OwnedObjects objects;
    private final Pki pki;
    private final Clock clock;
    private final KeyAlgorithm algorithm;
    private final Duration tokenLifetime;

    KeyRotations(OwnedObjects objects, Pki pki, Clock clock, KeyAlgorithm algorithm, Duration tokenLifetime) {
        this.objects = objects;
        this.pki = pki;
        this.clock = clock;
        this.algorithm = algorithm;
        this.tokenLifetime = tokenLifetime;
    }

    /** The value of {@code key}'s rotate annotation on the cluster, when set. */
    static Optional<String> requested(SKSCluster cluster, Rotatable key) {
        Map<String, String> annotations = cluster.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(key.annotation());
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** The phase {@code status} last reported for {@code key}, if a rotation was in progress. */
    static Optional<Phase> reported(SKSClusterStatus status, Rotatable key) {
        if (status == null || status.certificates == null || status.certificates.rotations == null) {
            return Optional.empty();
        }
        return status.certificates.rotations.stream()
                .filter(r -> key.shown().equals(r.key))
                .findFirst()
                .flatMap(r -> Phase.parse(r.phase));
    }

    /** What status last said a key's rotation waits for. */
    static Optional<String> reportedWaitingFor(SKSClusterStatus status, Rotatable key) {
        if (status == null || status.certificates == null || status.certificates.rotations == null) {
            return Optional.empty();
        }
        return status.certificates.rotations.stream()
                .filter(r -> key.shown().equals(r.key))
                .findFirst()
                .map(r -> r.waitingFor);
    }

    /**
     * The figures of every Nodepool accepted for the cluster's UID (never one that only names it) and not being
     * deleted: a cluster-CA rotation waits until their machines trust the new CA.
     */
    static List<NodeTrust.Pool> pools(SKSCluster cluster, Collection<Nodepool> nodepools) {
        String uid = cluster.getMetadata().getUid();
        return nodepools.stream()
                .filter(np -> np.getStatus() != null
                        && uid != null
                        && uid.equals(np.getStatus().clusterUID)
                        && np.getMetadata().getDeletionTimestamp() == null
                        && np.getSpec() != null)
                .map(np -> new NodeTrust.Pool(
                        np.getMetadata().getName(),
                        np.getMetadata().getGeneration(),
                        np.getStatus().observedGeneration,
                        Optional.ofNullable(np.getStatus().trustedCA),
                        np.getStatus().size == null ? 0 : np.getStatus().size,
                        np.getStatus().updatedMachines == null ? 0 : np.getStatus().updatedMachines,
                        Defaults.upgradeStrategy(np.getSpec()) == UpgradeStrategy.OnDelete))
                .toList();
    }

    Outcome advance(SKSCluster cluster, SKSClusterStatus reported, boolean settled) {
        return advance(cluster, reported, settled, List.of());
    }

    /**
     * Decides and takes each key's next step.
     *
     * @param settled every control-plane workload rolled out at what the key Secrets hold now
     * @param pools   the cluster's Nodepools ({@link #pools}), whose machines the cluster CA's new key waits for
     */
    Outcome advance(SKSCluster cluster, SKSClusterStatus reported, boolean settled, List<NodeTrust.Pool> pools) {
        String name = cluster.getMetadata().getName();
        List<Report> reports = new ArrayList<>();
        boolean changed = false;
        for (Rotatable key : Rotatable.values()) {
            Optional<Secret> secret = objects.cached(Secret.class, key.secretName(name));
            if (secret.isEmpty()) {
                continue;
            }
            Map<String, String> data = CertificateSecrets.plain(secret.get());
            Optional<String> handled = annotation(secret.get(), Labels.KEY_ROTATION_ANNOTATION);
            Optional<Instant> trustedUntil = annotation(secret.get(), Labels.PREVIOUS_KEY_TRUSTED_UNTIL_ANNOTATION)
                    .flatMap(KeyRotations::instant);
            RotationPlan.Held held = KeyRing.held(data);
            Optional<String> nodesHoldBack = key == Rotatable.CLUSTER_CA
                    ? trustBundle(data).flatMap(NodeTrust::anchor).flatMap(anchor -> NodeTrust.holdBack(anchor, pools))
                    : Optional.empty();
            Step step = RotationPlan.next(new Observation(
                    held,
                    requested(cluster, key),
                    handled,
                    reported(reported, key),
                    settled,
                    trustedUntil,
                    clock.instant(),
                    nodesHoldBack));
            boolean taken = take(cluster, key, held, step);
            changed |= taken;
            Optional<String> rotation =
                    step instanceof RotationPlan.Begin begin ? Optional.of(begin.rotation()) : handled;
            Optional<Instant> until =
                    step instanceof RotationPlan.Promote && key.authority().isEmpty()
                            ? Optional.of(clock.instant().plus(tokenLifetime))
                            : step instanceof RotationPlan.Wait ? trustedUntil : Optional.empty();
            Optional<String> waitingFor = step instanceof RotationPlan.Wait wait ? wait.waitingFor() : Optional.empty();
            boolean newlyWaiting = waitingFor.isPresent() && !waitingFor.equals(reportedWaitingFor(reported, key));
            reports.add(new Report(key, step, rotation, until, taken, newlyWaiting));
        }
        return new Outcome(List.copyOf(reports), changed);
    }

    private boolean take(SKSCluster cluster, Rotatable key, RotationPlan.Held seen, Step step) {
        if (!(step instanceof RotationPlan.Begin)
                && !(step instanceof RotationPlan.Promote)
                && !(step instanceof RotationPlan.RetireOld)) {
            return false;
        }
        String secretName = key.secretName(cluster.getMetadata().getName());
        Optional<Secret> fresh = objects.fresh(Secret.class, secretName);
        if (fresh.isEmpty()) {
            return false;
        }
        Map<String, String> data = CertificateSecrets.plain(fresh.get());
        if (KeyRing.held(data) != seen) {
            return false; // another reconcile took this step meanwhile; the next one sees where it is
        }
        KeyRing.Kind kind =
                key.authority().isPresent() ? KeyRing.Kind.CERTIFICATE_AUTHORITY : KeyRing.Kind.SERVICE_ACCOUNT_KEY;
        Map<String, String> annotations = new LinkedHashMap<>(
                fresh.get().getMetadata().getAnnotations() == null
                        ? Map.of()
                        : fresh.get().getMetadata().getAnnotations());
        Map<String, String> next;
        if (step instanceof RotationPlan.Begin begin) {
            if (kind == KeyRing.Kind.CERTIFICATE_AUTHORITY) {
                IssuedCertificate ca = pki.createCa(key.authority().get().commonName(), algorithm, Pki.CA_VALIDITY);
                next = KeyRing.begin(kind, data, ca.certificatePem(), ca.privateKeyPem());
            } else {
                ServiceAccountKey sa = pki.generateServiceAccountKey(algorithm);
                next = KeyRing.begin(kind, data, sa.publicKeyPem(), sa.privateKeyPem());
            }
            annotations.put(Labels.KEY_ROTATION_ANNOTATION, begin.rotation());
        } else if (step instanceof RotationPlan.Promote) {
            next = KeyRing.promote(kind, data);
            if (kind == KeyRing.Kind.SERVICE_ACCOUNT_KEY) {
                annotations.put(
                        Labels.PREVIOUS_KEY_TRUSTED_UNTIL_ANNOTATION,
                        Conditions.timestamp(clock.instant().plus(tokenLifetime)));
            }
        } else {
            next = KeyRing.retire(kind, data);
            annotations.remove(Labels.PREVIOUS_KEY_TRUSTED_UNTIL_ANNOTATION);
        }
        Secret replacement = CertificateSecrets.withData(fresh.get(), next);
        replacement.getMetadata().setAnnotations(annotations);
        objects.replace(replacement, fresh.get());
        LOG.info(
                "SKSCluster {}/{}: {} rotation step {}",
                cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName(),
                key.shown(),
                step.getClass().getSimpleName());
        return true;
    }

    /** The bundle nodes get (old and new CA during a rotation), as {@code JoinMaterial} reads it for the user-data. */
    private static Optional<String> trustBundle(Map<String, String> data) {
        return Optional.ofNullable(data.get(Names.CA_CERTIFICATE_KEY))
                .or(() -> Optional.ofNullable(data.get(Names.TLS_CERTIFICATE_KEY)));
    }

    private static Optional<String> annotation(Secret secret, String key) {
        Map<String, String> annotations = secret.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(key))
                .filter(v -> !v.isBlank());
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
    }
}
