package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.events.EventType;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.RotationPlan;
import dev.operator.sks.provider.CloudControllerCredentials;
import dev.operator.sks.sizing.ControlPlaneSizes;
import dev.operator.sks.status.ConditionEvents.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Events a cluster's reconcile tells besides its condition transitions (which the StatusWriter tells): what
 * happened and what to do, in words; never key material. Pure, so the story is tested without a server.
 */
final class ClusterEvents {
    static final String UPGRADE_STARTED = "UpgradeStarted";
    static final String UPGRADE_FINISHED = "UpgradeFinished";
    static final String CERTIFICATES_ISSUED = "CertificatesIssued";
    static final String CERTIFICATES_REISSUED = "CertificatesReissued";
    static final String CLIENTS_CA_ROTATED = "ClientsCARotated";
    static final String KEY_ROTATION_STARTED = "KeyRotationStarted";
    static final String KEY_ROTATION_SIGNING_WITH_NEW = "KeyRotationSigningWithNew";
    static final String KEY_ROTATION_REMOVING_OLD = "KeyRotationRemovingOld";
    static final String KEY_ROTATION_COMPLETED = "KeyRotationCompleted";
    static final String KEY_ROTATION_WAITING_FOR_NODES = "KeyRotationWaitingForNodes";
    static final String CA_EXPIRING = "CertificateAuthorityExpiring";
    static final String ETCD_MEMBER_ADDED = "EtcdMemberAdded";
    static final String ETCD_MEMBER_PROMOTED = "EtcdMemberPromoted";
    static final String ETCD_DEFRAGMENTED = "EtcdDefragmented";
    static final String ETCD_SPACE_RECOVERED = "EtcdSpaceRecovered";
    static final String DELETION_SCHEDULED = "DeletionScheduled";
    static final String IDLE_CLUSTER_DELETED = "IdleClusterDeleted";
    static final String CLOUD_CREDENTIALS_ISSUED = "CloudCredentialsIssued";
    static final String CLOUD_CREDENTIALS_ROTATED = "CloudCredentialsRotated";
    static final String CLOUD_CREDENTIALS_REVOKED = "CloudCredentialsRevoked";
    static final String CLOUD_CREDENTIALS_RENEWED = "CloudCredentialsRenewed";
    static final String CLOUD_CREDENTIALS_NOT_REVOKED = "CloudCredentialsNotRevoked";
    static final String CONTROL_PLANE_RESIZED = "ControlPlaneResized";

    private ClusterEvents() {}

    /** A pro control plane moved to another size: from which, to which, and the figure (or pin) that moved it. */
    static List<Transition> resized(ControlPlaneSizing.Step sizing) {
        return sizing.changed()
                .map(resize -> List.of(new Transition(
                        EventType.Normal,
                        CONTROL_PLANE_RESIZED,
                        resize.reason() + "; the API server runs "
                                + ControlPlaneSizes.of(resize.to()).apiserverReplicas()
                                + " replicas, and its pods and etcd's roll one at a time to the size's requests")))
                .orElse(List.of());
    }

    /** An object the operator owns was changed by hand and has just been put back. */
    static String restored(String kind, String name) {
        return "restored " + kind + " " + name + ", which was changed by hand; change the SKSCluster instead, the "
                + "operator puts its objects back as the cluster's spec says";
    }

    /** An upgrade begins (the state becomes Upgrading) or ends (Running again, at a new version). */
    static List<Transition> upgrade(SKSClusterStatus before, SKSClusterStatus after, String target) {
        List<Transition> events = new ArrayList<>();
        ClusterState was = before == null ? null : before.state;
        if (after.state == ClusterState.Upgrading && was != ClusterState.Upgrading) {
            events.add(new Transition(
                    EventType.Normal,
                    UPGRADE_STARTED,
                    "upgrading the control plane from "
                            + after.version + " to " + target
                            + ": etcd first, then the API server, then the controller-manager and "
                            + "scheduler; nothing to do, status.conditions shows the progress"));
        }
        if (was == ClusterState.Upgrading
                && after.state == ClusterState.Running
                && !Objects.equals(before.version, after.version)) {
            events.add(new Transition(
                    EventType.Normal,
                    UPGRADE_FINISHED,
                    "the control plane runs Kubernetes " + after.version + " (was " + before.version
                            + "); nodepools can follow now"));
        }
        return events;
    }

    /** Certificates made, issued again (renewal, new names, new issuer) or a clients CA rotated. */
    static List<Transition> certificates(CertificateSecrets.Outcome outcome) {
        List<Transition> events = new ArrayList<>();
        if (!outcome.issued().isEmpty()) {
            events.add(new Transition(
                    EventType.Normal,
                    CERTIFICATES_ISSUED,
                    "issued keys and certificates in Secrets " + String.join(", ", outcome.issued())));
        }
        if (!outcome.reissued().isEmpty()) {
            events.add(new Transition(
                    EventType.Normal,
                    CERTIFICATES_REISSUED,
                    "issued certificates again (renewal due, "
                            + "names or issuer changed, or the Secret was changed) in Secrets "
                            + String.join(", ", outcome.reissued())
                            + "; the pods that mount them roll"));
        }
        if (outcome.clientsCaRotated()) {
            events.add(new Transition(
                    EventType.Normal,
                    CLIENTS_CA_ROTATED,
                    "rotated the clients CA: kubeconfigs it "
                            + "signed before stop working once the API servers have rolled; request new ones"));
        }
        return events;
    }

    /**
     * Each rotation step taken this reconcile, in words: what now holds and what comes next. Keys that took the same
     * step together share one Event, so rotating every key at once stays within the Event budget of one object.
     */
    static List<Transition> keyRotations(KeyRotations.Outcome outcome) {
        List<Transition> each = new ArrayList<>();
        List<Transition> events = each;
        for (KeyRotations.Report report : outcome.reports()) {
            String key = report.key().shown();
            String what = report.key().authority().isPresent() ? "CA" : "key";
            String value = report.rotation()
                    .map(v -> " (" + report.key().annotation() + "=" + v + ")")
                    .orElse("");
            if (report.step() instanceof RotationPlan.Begin && report.taken()) {
                events.add(new Transition(
                        EventType.Normal,
                        KEY_ROTATION_STARTED,
                        "rotating " + key + value + ": a new " + what + " is trusted next to the old one, which "
                                + "still signs; the control plane rolls"
                                + (report.key() == ClusterCertificates.Rotatable.CLUSTER_CA
                                        ? " and every Nodepool's machines are replaced with the new CA bundle"
                                        : "")
                                + ", then the new one signs"));
            } else if (report.step() instanceof RotationPlan.Promote && report.taken()) {
                String until = report.oldTrustedUntil()
                        .map(t -> " until " + t + ", when every token it signed has expired")
                        .orElse("");
                events.add(new Transition(
                        EventType.Normal,
                        KEY_ROTATION_SIGNING_WITH_NEW,
                        "rotating " + key + value + ": the new " + what + " signs now"
                                + (report.key().authority().isPresent() ? " and the certificates are issued again" : "")
                                + "; the old one stays trusted" + until + "; the control plane rolls"));
            } else if (report.step() instanceof RotationPlan.RetireOld && report.taken()) {
                events.add(new Transition(
                        EventType.Normal,
                        KEY_ROTATION_REMOVING_OLD,
                        "rotating " + key + value + ": the old " + what + " is no longer trusted; the control plane "
                                + "rolls"));
            } else if (report.newlyWaiting() && report.waitingFor().isPresent()) {
                events.add(new Transition(
                        EventType.Normal,
                        KEY_ROTATION_WAITING_FOR_NODES,
                        "rotating " + key + value + ": " + report.waitingFor().get()));
            }
            if (report.step() instanceof RotationPlan.Finish) {
                events.add(new Transition(
                        EventType.Normal,
                        KEY_ROTATION_COMPLETED,
                        "rotated " + key + value + ": the control plane runs with the new " + what + " only"
                                + (report.key() == ClusterCertificates.Rotatable.CLUSTER_CA
                                        ? "; the Nodepools' machines were replaced with the new CA bundle before "
                                                + "it signed; a node joined by other means keeps the old CA in its "
                                                + "kubelet.conf until it rejoins"
                                        : "")));
            }
        }
        Map<String, Transition> merged = new java.util.LinkedHashMap<>();
        for (Transition event : each) {
            merged.merge(
                    event.reason(),
                    event,
                    (a, b) -> new Transition(a.type(), a.reason(), a.message() + "; " + b.message()));
        }
        return List.copyOf(merged.values());
    }

    /** A Warning for each CA that expires within 90 days (the report decides which, at most once a day each). */
    static List<Transition> authoritiesExpiring(List<Map.Entry<String, Instant>> due) {
        List<Transition> events = new ArrayList<>();
        for (var entry : due) {
            events.add(new Transition(
                    EventType.Warning,
                    CA_EXPIRING,
                    "the " + entry.getKey() + " expires at " + entry.getValue() + "; " + rotateHint(entry.getKey())));
        }
        return events;
    }

    private static String rotateHint(String shown) {
        for (ClusterCertificates.Rotatable rotatable : ClusterCertificates.Rotatable.values()) {
            if (rotatable.shown().equals(shown)) {
                return "rotate it before then: kubectl annotate skc <cluster> " + rotatable.annotation()
                        + "=<new value>";
            }
        }
        return "rotate it before then: kubectl annotate skc <cluster> " + Labels.ROTATE_CLIENTS_CA_ANNOTATION
                + "=<new value> (this revokes every kubeconfig it signed)";
    }

    static String memberAdded(int member, int of, String peerUrl) {
        return "added etcd member " + member + " of " + of + " as a learner (" + peerUrl + "); it joins when its pod "
                + "starts and is promoted once caught up";
    }

    static String defragmented(String member, long beforeBytes, long afterBytes) {
        return "defragmented etcd member " + member + ": its db file went from " + mebibytes(beforeBytes) + " to "
                + mebibytes(afterBytes) + " MiB";
    }

    private static String mebibytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    static String memberPromoted(int member, int of) {
        return "promoted etcd member " + member + " of " + of + " to a voting member";
    }

    /** A cloud-controller key made, rotated, renewed, or replaced keys revoked; never the key or its id. */
    static List<Transition> ccmCredentials(CcmCredentials.Outcome outcome) {
        List<Transition> events = new ArrayList<>();
        if (outcome instanceof CcmCredentials.Stored stored) {
            boolean token = stored.form() == CloudControllerCredentials.Form.SERVICE_ACCOUNT_TOKEN;
            if (stored.issued() && token) {
                events.add(new Transition(
                        EventType.Normal,
                        stored.rotated()
                                ? CLOUD_CREDENTIALS_ROTATED
                                : stored.renewed() ? CLOUD_CREDENTIALS_RENEWED : CLOUD_CREDENTIALS_ISSUED,
                        (stored.rotated() || stored.renewed() ? "made a new" : "made a")
                                + " ServiceAccount token for the cloud controller, allowed only Services and "
                                + "VirtualMachineInstances in this namespace; the tenant's kube-system/"
                                + Names.KUBEVIRT_INFRA_KUBECONFIG_SECRET + " gets it and the cloud controller "
                                + "restarts on it"
                                + (stored.rotated()
                                        ? " (the previous token stays valid until it expires: tokens cannot be "
                                                + "revoked one by one)"
                                        : "")));
            } else if (stored.issued()) {
                events.add(new Transition(
                        EventType.Normal,
                        stored.rotated() ? CLOUD_CREDENTIALS_ROTATED : CLOUD_CREDENTIALS_ISSUED,
                        (stored.rotated() ? "made a new" : "made an")
                                + " API key for the cloud controller, under a role limited to what it calls; the "
                                + "tenant's kube-system/exoscale-credentials gets it"));
            }
            if (stored.revoked() > 0) {
                events.add(new Transition(
                        EventType.Normal,
                        CLOUD_CREDENTIALS_REVOKED,
                        "revoked " + stored.revoked() + " replaced cloud-controller API key"
                                + (stored.revoked() == 1 ? "" : "s")));
            }
        }
        return events;
    }

    /** Deleting waits: the cloud's IAM did not revoke the cluster's keys. */
    static String notRevoked(String why) {
        return "cannot revoke the cloud controller's API keys yet (" + why + "); the cluster is deleted once they "
                + "are, so no key outlives it: check the operator's cloud credentials may manage IAM";
    }

    /** The countdown of an idle starter cluster starts, or ends in its deletion. */
    static List<Transition> idle(IdleStarters.Decision decision) {
        if (decision instanceof IdleStarters.Warned warned && warned.warningStarts()) {
            return List.of(new Transition(
                    EventType.Warning,
                    DELETION_SCHEDULED,
                    "this starter cluster has had no nodepool since "
                            + warned.idleSince().orElseThrow()
                            + " and will be deleted at " + warned.deleteAt() + "; add a nodepool, or annotate the "
                            + "cluster sks.operator.dev/keep=true, to keep it"));
        }
        if (decision instanceof IdleStarters.Due due) {
            return List.of(new Transition(
                    EventType.Warning,
                    IDLE_CLUSTER_DELETED,
                    "deleting this starter cluster: it has had no nodepool since "
                            + due.idleSince().orElseThrow() + " (warned until " + due.deleteAt() + ")"));
        }
        return List.of();
    }
}
