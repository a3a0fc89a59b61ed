package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterAuthorityExpiry;
import dev.operator.sks.api.SKSClusterCertificates;
import dev.operator.sks.api.SKSClusterControlPlane;
import dev.operator.sks.api.SKSClusterEtcd;
import dev.operator.sks.api.SKSClusterEtcdMember;
import dev.operator.sks.api.SKSClusterKeyRotation;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.etcd.EtcdMaintenancePlan;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.RotationPlan;
import dev.operator.sks.provider.CloudControllerCredentials.Form;
import dev.operator.sks.rendering.ControlPlaneComponent;
import dev.operator.sks.rendering.Endpoint;
import dev.operator.sks.rendering.EtcdLayout;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.UpgradePlan;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantBootstrap;
import dev.operator.sks.validation.ClusterValidator;
import dev.operator.sks.validation.Violation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a cluster's status says after a reconcile, from what the reconcile observed and did: the conditions, state,
 * version, endpoint and available upgrades. Pure (a Clock for transition times), so every wording is tested without
 * a server; the reconciler only hands in the {@link Outcome}.
 */
final class ClusterStatusReport {
    static final String CERTIFICATE_AUTHORITY_MISSING = "CertificateAuthorityMissing";

    private ClusterStatusReport() {}

    /** How a reconcile ended. */
    sealed interface Outcome permits Refused, Conflicted, AuthorityMissing, Reconciled {}

    /** The spec is invalid: nothing was done. */
    record Refused(List<Violation> violations) implements Outcome {}

    /** A name the cluster needs is taken by an object it does not own: nothing was made. */
    record Conflicted(NameConflict conflict, boolean certificate) implements Outcome {}

    /** A CA Secret is gone while certificates it signed exist ({@link MissingAuthorityException}). */
    record AuthorityMissing(String message) implements Outcome {}

    /** Whether PodDisruptionBudgets protect the control plane. */
    enum Budgets {
        NOT_WANTED,
        APPLIED,
        NOT_SERVED
    }

    /**
     * The PKI is current and the control plane was applied.
     *
     * @param versions  the version each existing component was rendered at
     * @param rolledOut the components whose rollout is complete
     */
    record Reconciled(
            KubernetesVersion target,
            Map<ControlPlaneComponent, KubernetesVersion> versions,
            Set<ControlPlaneComponent> rolledOut,
            Optional<Endpoint> endpoint,
            EtcdGrower.Progress etcd,
            Budgets budgets)
            implements Outcome {}

    /** {@code status} (a copy, changed in place and returned) after {@code outcome}. */
    static SKSClusterStatus report(
            SKSCluster cluster, SKSClusterStatus status, Outcome outcome, VersionCatalog catalog, Clock clock) {
        Long generation = cluster.getMetadata().getGeneration();
        status.observedGeneration = generation;
        if (outcome instanceof Refused refused) {
            refuse(status, refused.violations(), generation, clock);
            return status;
        }
        Conditions.set(status.conditions, Conditions.ACCEPTED, true, "Valid", "the spec is valid", generation, clock);
        status.zone = cluster.getSpec().zone;
        status.level = Defaults.level(cluster.getSpec());
        status.networking = ClusterValidator.networkingToRecord(cluster.getSpec(), status);
        if (outcome instanceof Conflicted conflicted) {
            String message = conflicted.conflict().message(cluster);
            if (conflicted.certificate()) {
                Conditions.set(
                        status.conditions,
                        Conditions.CERTIFICATES_READY,
                        false,
                        NameConflict.REASON,
                        message,
                        generation,
                        clock);
            }
            Conditions.set(status.conditions, Conditions.READY, false, NameConflict.REASON, message, generation, clock);
            status.state = ClusterState.Error;
        } else if (outcome instanceof AuthorityMissing missing) {
            Conditions.set(
                    status.conditions,
                    Conditions.CERTIFICATES_READY,
                    false,
                    CERTIFICATE_AUTHORITY_MISSING,
                    missing.message(),
                    generation,
                    clock);
            Conditions.set(
                    status.conditions,
                    Conditions.READY,
                    false,
                    CERTIFICATE_AUTHORITY_MISSING,
                    missing.message(),
                    generation,
                    clock);
            status.state = ClusterState.Error;
        } else if (outcome instanceof Reconciled reconciled) {
            Conditions.set(
                    status.conditions,
                    Conditions.CERTIFICATES_READY,
                    true,
                    "Issued",
                    "every certificate and kubeconfig is issued and current",
                    generation,
                    clock);
            budgets(status, reconciled.budgets(), generation, clock);
            progress(status, reconciled, catalog, generation, clock);
        }
        return status;
    }

    /** CloudCredentialsReady from this pass's cloud-controller credentials; absent where the cluster needs none. */
    static void cloudCredentials(SKSClusterStatus status, CcmCredentials.Outcome outcome, Clock clock) {
        String rotate = "annotate the cluster with " + Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION + "=<new value> to "
                + "rotate it";
        if (outcome instanceof CcmCredentials.Stored stored && stored.form() == Form.SERVICE_ACCOUNT_TOKEN) {
            Conditions.set(
                    status.conditions,
                    Conditions.CLOUD_CREDENTIALS_READY,
                    true,
                    "Issued",
                    "the cloud controller has a kubeconfig of its own for this namespace (a ServiceAccount token "
                            + "renewed before it expires"
                            + stored.renewAfter().map(at -> ", next at " + at).orElse("")
                            + "; copied to the tenant's kube-system/" + Names.KUBEVIRT_INFRA_KUBECONFIG_SECRET + "); "
                            + rotate,
                    status.observedGeneration,
                    clock);
        } else if (outcome instanceof CcmCredentials.Stored) {
            Conditions.set(
                    status.conditions,
                    Conditions.CLOUD_CREDENTIALS_READY,
                    true,
                    "Issued",
                    "the cloud controller has an API key of its own (Secret kept by the operator, copied to the "
                            + "tenant's kube-system/exoscale-credentials); " + rotate,
                    status.observedGeneration,
                    clock);
        } else if (outcome instanceof CcmCredentials.Failed failed && failed.form() == Form.SERVICE_ACCOUNT_TOKEN) {
            Conditions.set(
                    status.conditions,
                    Conditions.CLOUD_CREDENTIALS_READY,
                    false,
                    "TokenFailed",
                    "cannot make the cloud controller's kubeconfig: " + failed.message()
                            + "; the operator needs to manage ServiceAccounts, Roles, RoleBindings and "
                            + "serviceaccounts/token in this namespace",
                    status.observedGeneration,
                    clock);
        } else if (outcome instanceof CcmCredentials.Failed failed) {
            Conditions.set(
                    status.conditions,
                    Conditions.CLOUD_CREDENTIALS_READY,
                    false,
                    "IamFailed",
                    "cannot make the cloud controller's API key: " + failed.message()
                            + "; the operator's cloud credentials need the right to manage IAM roles and API keys",
                    status.observedGeneration,
                    clock);
        } else {
            Conditions.remove(status.conditions, Conditions.CLOUD_CREDENTIALS_READY);
        }
    }

    /** The idle-starter record in status, and DeletionScheduled while the countdown runs. */
    static void idle(SKSClusterStatus status, IdleStarters.Decision decision, Clock clock) {
        status.idleSince = decision.idleSince().map(Instant::toString).orElse(null);
        status.scheduledDeletion =
                decision.scheduledDeletion().map(Instant::toString).orElse(null);
        if (decision instanceof IdleStarters.Warned || decision instanceof IdleStarters.Due) {
            Conditions.set(
                    status.conditions,
                    Conditions.DELETION_SCHEDULED,
                    true,
                    "NoNodepools",
                    "this starter cluster has had no nodepool since " + status.idleSince + " and is deleted at "
                            + status.scheduledDeletion + "; add a nodepool, or annotate the cluster "
                            + Labels.KEEP_ANNOTATION + "=true, to keep it",
                    status.observedGeneration,
                    clock);
        } else {
            Conditions.remove(status.conditions, Conditions.DELETION_SCHEDULED);
        }
    }

    /**
     * What the PKI check read of its certificates' expiry, kept when a reconcile did not get as far as the PKI: the
     * Secrets are still there and still expire when they did.
     */
    static void certificates(SKSClusterStatus status, Optional<CertificateSecrets.Expiries> expiries) {
        expiries.ifPresent(e -> {
            SKSClusterCertificates before = status.certificates;
            SKSClusterCertificates after = new SKSClusterCertificates(
                    Conditions.timestamp(e.authorities()), Conditions.timestamp(e.certificates()));
            after.rotations = before == null ? null : before.rotations;
            if (!e.byAuthority().isEmpty()) {
                after.authorities = new ArrayList<>();
                e.byAuthority()
                        .forEach((name, notAfter) -> after.authorities.add(new SKSClusterAuthorityExpiry(
                                name,
                                Conditions.timestamp(notAfter),
                                warnedBefore(before, name, Conditions.timestamp(notAfter)))));
            } else if (before != null) {
                after.authorities = before.authorities;
            }
            status.certificates = after;
        });
    }

    /** How long before a CA expires a Warning Event says so, and how often at most it repeats. */
    static final Duration CA_EXPIRY_WARNING = Duration.ofDays(90);

    static final Duration CA_EXPIRY_WARNING_INTERVAL = Duration.ofDays(1);

    /**
     * The CAs that expire within {@link #CA_EXPIRY_WARNING} and were not warned about for a day: their warning time
     * is set to now in status (so a restart does not warn again), and their names returned with their expiry.
     */
    static List<Map.Entry<String, Instant>> expiryWarningsDue(SKSClusterStatus status, Clock clock) {
        List<Map.Entry<String, Instant>> due = new ArrayList<>();
        if (status.certificates == null || status.certificates.authorities == null) {
            return due;
        }
        Instant now = clock.instant();
        for (SKSClusterAuthorityExpiry authority : status.certificates.authorities) {
            Optional<Instant> expires = parse(authority.expirationTime);
            if (expires.isEmpty() || now.isBefore(expires.get().minus(CA_EXPIRY_WARNING))) {
                continue;
            }
            Optional<Instant> warned = parse(authority.expiryWarningTime);
            if (warned.isPresent() && now.isBefore(warned.get().plus(CA_EXPIRY_WARNING_INTERVAL))) {
                continue;
            }
            authority.expiryWarningTime = Conditions.timestamp(now);
            due.add(Map.entry(authority.name, expires.get()));
        }
        return due;
    }

    /** The warning time kept for a CA whose certificate did not change (a new CA starts unwarned). */
    private static String warnedBefore(SKSClusterCertificates before, String name, String expirationTime) {
        if (before == null || before.authorities == null) {
            return null;
        }
        return before.authorities.stream()
                .filter(a -> name.equals(a.name) && expirationTime.equals(a.expirationTime))
                .filter(a -> a.expiryWarningTime != null)
                .map(a -> a.expiryWarningTime)
                .findFirst()
                .orElse(null);
    }

    /** Each rotation in progress with its phase; a phase's start time is kept while the phase lasts. */
    static void rotations(SKSClusterStatus status, KeyRotations.Outcome outcome, Clock clock) {
        SKSClusterCertificates certificates =
                status.certificates == null ? new SKSClusterCertificates() : status.certificates;
        List<SKSClusterKeyRotation> before = certificates.rotations == null ? List.of() : certificates.rotations;
        List<SKSClusterKeyRotation> after = new ArrayList<>();
        for (KeyRotations.Report report : outcome.reports()) {
            Optional<RotationPlan.Phase> phase = report.step().phase();
            if (phase.isEmpty()) {
                continue;
            }
            SKSClusterKeyRotation rotation = new SKSClusterKeyRotation();
            rotation.key = report.key().shown();
            rotation.phase = phase.get().shown();
            rotation.rotation = report.rotation().orElse(null);
            rotation.since = before.stream()
                    .filter(r -> rotation.key.equals(r.key) && rotation.phase.equals(r.phase) && r.since != null)
                    .map(r -> r.since)
                    .findFirst()
                    .orElse(Conditions.timestamp(clock.instant()));
            rotation.previousKeyTrustedUntil =
                    report.oldTrustedUntil().map(Conditions::timestamp).orElse(null);
            rotation.waitingFor = report.waitingFor().orElse(null);
            after.add(rotation);
        }
        certificates.rotations = after.isEmpty() ? null : after;
        status.certificates = certificates;
    }

    private static Optional<Instant> parse(String rfc3339) {
        try {
            return rfc3339 == null ? Optional.empty() : Optional.of(Instant.parse(rfc3339));
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
    }

    /** etcd's membership as rendered this reconcile: a learner is a member etcd does not count as voting yet. */
    static void etcd(SKSClusterStatus status, EtcdLayout layout) {
        List<SKSClusterEtcdMember> kept = status.etcd == null ? null : status.etcd.memberStatus;
        status.etcd = new SKSClusterEtcd(layout.replicas(), layout.replicas() - layout.votingMembers());
        status.etcd.memberStatus = kept;
    }

    /**
     * What etcd's maintenance last found: each member's db and last defragmentation, and while etcd refuses writes
     * for lack of space, EtcdReady=False (reason NoSpace) saying what the operator does and what a person can do.
     * Without a report yet (a new operator, etcd not reached), status keeps what it said.
     */
    static void etcdMaintenance(
            SKSClusterStatus status, Optional<EtcdMaintainer.Report> report, Long generation, Clock clock) {
        if (report.isEmpty() || status.etcd == null) {
            return;
        }
        EtcdMaintainer.Report found = report.get();
        Map<String, SKSClusterEtcdMember> members = new java.util.TreeMap<>();
        for (EtcdMaintainer.MemberDb db : found.members()) {
            members.put(db.name(), new SKSClusterEtcdMember(db.name(), db.dbSize(), db.dbSizeInUse(), null));
        }
        if (found.members().isEmpty() && status.etcd.memberStatus != null) {
            // etcd not reached this time: keep the sizes last found.
            status.etcd.memberStatus.forEach(m ->
                    members.put(m.name, new SKSClusterEtcdMember(m.name, m.dbSizeBytes, m.dbSizeInUseBytes, null)));
        }
        found.lastDefragmentations()
                .forEach((name, at) -> members.computeIfAbsent(name, n -> new SKSClusterEtcdMember(n, null, null, null))
                                .lastDefragmentation =
                        Conditions.timestamp(at));
        status.etcd.memberStatus = members.isEmpty() ? null : new ArrayList<>(members.values());
        found.noSpace()
                .ifPresent(message -> Conditions.set(
                        status.conditions,
                        Conditions.ETCD_READY,
                        false,
                        EtcdMaintenancePlan.NO_SPACE,
                        message,
                        generation,
                        clock));
    }

    /** The defragmentation times status keeps, by member name. */
    static Map<String, Instant> lastDefragmentations(SKSClusterStatus status) {
        Map<String, Instant> times = new java.util.HashMap<>();
        if (status != null && status.etcd != null && status.etcd.memberStatus != null) {
            for (SKSClusterEtcdMember member : status.etcd.memberStatus) {
                if (member.name != null && member.lastDefragmentation != null) {
                    try {
                        times.put(member.name, Instant.parse(member.lastDefragmentation));
                    } catch (java.time.format.DateTimeParseException e) {
                        // Someone wrote something else there: that member counts as never defragmented.
                    }
                }
            }
        }
        return times;
    }

    /**
     * The size a control plane was rendered at this reconcile (pro), with when and why it last changed; absent for
     * starter, whose control plane has no size.
     */
    static void controlPlane(SKSClusterStatus status, ControlPlaneSizing.Step sizing, Clock clock) {
        if (sizing.decision().isEmpty()) {
            status.controlPlane = null;
            return;
        }
        SKSClusterControlPlane controlPlane =
                status.controlPlane == null ? new SKSClusterControlPlane() : status.controlPlane;
        controlPlane.size = sizing.decision().get().size();
        sizing.changed().ifPresent(resize -> {
            controlPlane.lastResize = Conditions.timestamp(clock.instant());
            controlPlane.reason = resize.reason();
        });
        status.controlPlane = controlPlane;
    }

    /** Whether the tenant is worth reaching: its control plane runs. */
    static boolean servesTenant(SKSClusterStatus status) {
        return status.state == ClusterState.Running
                || status.state == ClusterState.Upgrading
                || status.state == ClusterState.Updating;
    }

    /** TenantReachable from the last tenant bootstrap (empty: none has ended yet); absent while nothing serves. */
    static void tenant(
            SKSClusterStatus status, Optional<TenantBootstrap.Outcome> outcome, Long generation, Clock clock) {
        if (!servesTenant(status)) {
            Conditions.remove(status.conditions, Conditions.TENANT_REACHABLE);
        } else if (outcome.isEmpty()) {
            Conditions.set(
                    status.conditions,
                    Conditions.TENANT_REACHABLE,
                    Conditions.UNKNOWN,
                    "Probing",
                    "reaching the cluster's API server",
                    generation,
                    clock);
        } else {
            Conditions.set(
                    status.conditions,
                    Conditions.TENANT_REACHABLE,
                    outcome.get().applied(),
                    outcome.get().reason(),
                    outcome.get().message(),
                    generation,
                    clock);
        }
    }

    /** A refused spec leaves a running cluster untouched: only the Accepted condition says what to fix. */
    private static void refuse(SKSClusterStatus status, List<Violation> violations, Long generation, Clock clock) {
        String reason = Violation.reasonOf(violations);
        String message = Violation.messageOf(violations);
        Conditions.set(status.conditions, Conditions.ACCEPTED, false, reason, message, generation, clock);
        if (status.version == null) {
            status.state = ClusterState.Error;
            Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
        }
    }

    private static void budgets(SKSClusterStatus status, Budgets budgets, Long generation, Clock clock) {
        switch (budgets) {
            case NOT_WANTED -> Conditions.remove(status.conditions, Conditions.DISRUPTION_BUDGETS_READY);
            case APPLIED ->
                Conditions.set(
                        status.conditions,
                        Conditions.DISRUPTION_BUDGETS_READY,
                        true,
                        "Applied",
                        "PodDisruptionBudgets protect the control plane",
                        generation,
                        clock);
            case NOT_SERVED ->
                Conditions.set(
                        status.conditions,
                        Conditions.DISRUPTION_BUDGETS_READY,
                        false,
                        "APINotServed",
                        "the management cluster does not serve policy/v1 PodDisruptionBudget; the control plane "
                                + "runs without disruption budgets",
                        generation,
                        clock);
        }
    }

    private static void progress(
            SKSClusterStatus status, Reconciled observed, VersionCatalog catalog, Long generation, Clock clock) {
        Set<ControlPlaneComponent> rolledOut = observed.rolledOut();
        EtcdGrower.Progress etcd = observed.etcd();
        KubernetesVersion target = observed.target();
        boolean etcdReady = rolledOut.contains(ControlPlaneComponent.ETCD) && !etcd.growing();
        if (etcd.growing()) {
            Conditions.set(
                    status.conditions,
                    Conditions.ETCD_READY,
                    false,
                    etcd.reason().orElseThrow(),
                    etcd.message(),
                    generation,
                    clock);
        } else {
            Conditions.set(
                    status.conditions,
                    Conditions.ETCD_READY,
                    etcdReady,
                    etcdReady ? "Available" : "RollingOut",
                    etcdReady ? "every etcd member is ready" : "waiting for the etcd members to be ready",
                    generation,
                    clock);
        }
        List<String> waitingFor = new ArrayList<>();
        for (ControlPlaneComponent component : List.of(
                ControlPlaneComponent.KUBE_APISERVER,
                ControlPlaneComponent.KUBE_CONTROLLER_MANAGER,
                ControlPlaneComponent.KUBE_SCHEDULER)) {
            if (!rolledOut.contains(component)) {
                waitingFor.add(component.label());
            }
        }
        boolean controlPlaneReady = waitingFor.isEmpty();
        Conditions.set(
                status.conditions,
                Conditions.CONTROL_PLANE_READY,
                controlPlaneReady,
                controlPlaneReady ? "Available" : "RollingOut",
                controlPlaneReady
                        ? "the API server, controller-manager and scheduler are available"
                        : "waiting for " + String.join(", ", waitingFor),
                generation,
                clock);

        boolean atTarget = UpgradePlan.isComplete(target, observed.versions(), rolledOut);
        if (atTarget) {
            status.version = target.toString();
        }
        status.endpoint = observed.endpoint().map(Endpoint::url).orElse(null);
        status.availableUpgrades = status.version == null
                ? new ArrayList<>()
                : catalog.availableUpgrades(KubernetesVersion.of(status.version)).stream()
                        .map(Object::toString)
                        .toList();
        if (etcdReady && controlPlaneReady && atTarget) {
            status.state = ClusterState.Running;
            Conditions.set(
                    status.conditions,
                    Conditions.READY,
                    true,
                    "Running",
                    "Kubernetes " + target + " is running",
                    generation,
                    clock);
            return;
        }
        if (status.version == null) {
            status.state = ClusterState.Creating;
        } else if (!status.version.equals(target.toString())) {
            status.state = ClusterState.Upgrading;
        } else {
            status.state = ClusterState.Updating;
        }
        String reason = status.state == ClusterState.Upgrading ? "Upgrading" : "RollingOut";
        String message = status.state == ClusterState.Upgrading
                ? "upgrading from " + status.version + " to " + target + " (etcd, then the API server, then the "
                        + "controller-manager and scheduler)"
                : etcd.growing()
                        ? etcd.message()
                        : "waiting for " + (etcdReady ? String.join(", ", waitingFor) : "etcd");
        Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
    }
}
