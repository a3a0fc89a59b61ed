package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.events.EventType;
import dev.operator.sks.reconciler.cluster.ClusterStatusReport.Budgets;
import dev.operator.sks.reconciler.cluster.ClusterStatusReport.Reconciled;
import dev.operator.sks.rendering.ControlPlaneComponent;
import dev.operator.sks.rendering.Endpoint;
import dev.operator.sks.rendering.EtcdLayout;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.ConditionEvents.Transition;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantBootstrap;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The status a reconcile leads to, worded without a server. */
class ClusterStatusReportTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    static final VersionCatalog CATALOG = VersionCatalog.loadDefault();
    static final KubernetesVersion V133 = KubernetesVersion.of("1.33.4");
    static final KubernetesVersion V132 = KubernetesVersion.of("1.32.8");
    static final Set<ControlPlaneComponent> ALL = EnumSet.allOf(ControlPlaneComponent.class);

    @Test
    void everyComponentAtTheTargetAndRolledOutIsRunning() {
        SKSClusterStatus status = report(new SKSClusterStatus(), reconciled(V133, at(V133), ALL, steady()));

        assertThat(status.state).isEqualTo(ClusterState.Running);
        assertThat(status.version).isEqualTo("1.33.4");
        assertThat(status.endpoint).isEqualTo("https://10.0.0.1:443");
        assertThat(status.availableUpgrades).contains("1.34.0");
        assertThat(status.zone).isEqualTo("ch-gva-2");
        assertThat(status.observedGeneration).isEqualTo(3L);
        assertCondition(status, Conditions.READY, "True", "Running", "Kubernetes 1.33.4 is running");
        assertCondition(status, Conditions.ACCEPTED, "True", "Valid", "the spec is valid");
        assertCondition(
                status,
                Conditions.CERTIFICATES_READY,
                "True",
                "Issued",
                "every certificate and kubeconfig is issued and current");
        assertCondition(status, Conditions.ETCD_READY, "True", "Available", "every etcd member is ready");
        assertThat(Conditions.find(status.conditions, Conditions.DISRUPTION_BUDGETS_READY))
                .isEmpty();
    }

    @Test
    void aNewClusterIsCreatingAndSaysWhatItWaitsFor() {
        SKSClusterStatus status = report(new SKSClusterStatus(), reconciled(V133, Map.of(), Set.of(), steady()));

        assertThat(status.state).isEqualTo(ClusterState.Creating);
        assertThat(status.version).isNull();
        assertThat(status.availableUpgrades).isEmpty();
        assertCondition(status, Conditions.READY, "False", "RollingOut", "waiting for etcd");
        assertCondition(
                status,
                Conditions.CONTROL_PLANE_READY,
                "False",
                "RollingOut",
                "waiting for kube-apiserver, kube-controller-manager, kube-scheduler");
    }

    @Test
    void aNewTargetVersionIsAnUpgradeUntilEveryComponentRunsIt() {
        SKSClusterStatus running = new SKSClusterStatus();
        running.version = "1.32.8";
        running.state = ClusterState.Running;
        Map<ControlPlaneComponent, KubernetesVersion> versions = at(V132);
        versions.put(ControlPlaneComponent.ETCD, V133);

        SKSClusterStatus status = report(
                running,
                reconciled(V133, versions, EnumSet.complementOf(EnumSet.of(ControlPlaneComponent.ETCD)), steady()));

        assertThat(status.state).isEqualTo(ClusterState.Upgrading);
        assertThat(status.version).isEqualTo("1.32.8");
        assertCondition(
                status,
                Conditions.READY,
                "False",
                "Upgrading",
                "upgrading from 1.32.8 to 1.33.4 (etcd, then "
                        + "the API server, then the controller-manager and scheduler)");
    }

    @Test
    void growingEtcdShowsInEtcdReadyAndReady() {
        SKSClusterStatus running = new SKSClusterStatus();
        running.version = "1.33.4";
        EtcdGrower.Progress growing = new EtcdGrower.Progress(
                EtcdLayout.fresh(1),
                Optional.of("AddingMember"),
                "adding etcd member 2 of 3 (learner)",
                Optional.of(Duration.ofSeconds(3)));

        SKSClusterStatus status = report(running, reconciled(V133, at(V133), ALL, growing));

        assertThat(status.state).isEqualTo(ClusterState.Updating);
        assertCondition(status, Conditions.ETCD_READY, "False", "AddingMember", "adding etcd member 2 of 3 (learner)");
        assertCondition(status, Conditions.READY, "False", "RollingOut", "adding etcd member 2 of 3 (learner)");
    }

    @Test
    void budgetsTheManagementClusterCannotServeAreSaid() {
        Reconciled outcome = new Reconciled(V133, at(V133), ALL, endpoint(), steady(), Budgets.NOT_SERVED);
        SKSClusterStatus status = report(new SKSClusterStatus(), outcome);

        assertThat(Conditions.find(status.conditions, Conditions.DISRUPTION_BUDGETS_READY)
                        .orElseThrow()
                        .getReason())
                .isEqualTo("APINotServed");
        assertThat(status.state).as("the rest still runs").isEqualTo(ClusterState.Running);
    }

    @Test
    void aSecretOfTheClusterTakenBySomeoneElseIsACertificateNameConflict() {
        NameConflict conflict = new NameConflict("Secret", "evil-ca");
        SKSClusterStatus status = report(new SKSClusterStatus(), new ClusterStatusReport.Conflicted(conflict, true));

        String message = conflict.message(cluster());
        assertThat(message).contains("Secret evil-ca", "SKSCluster demo", "delete or rename");
        assertCondition(status, Conditions.CERTIFICATES_READY, "False", NameConflict.REASON, message);
        assertCondition(status, Conditions.READY, "False", NameConflict.REASON, message);
        assertThat(status.state).isEqualTo(ClusterState.Error);
    }

    @Test
    void aServiceTakenBySomeoneElseIsANameConflictOfTheClusterOnly() {
        SKSClusterStatus status = report(
                new SKSClusterStatus(),
                new ClusterStatusReport.Conflicted(new NameConflict("Service", "demo-apiserver"), false));

        assertThat(Conditions.find(status.conditions, Conditions.CERTIFICATES_READY))
                .isEmpty();
        assertThat(Conditions.find(status.conditions, Conditions.READY)
                        .orElseThrow()
                        .getMessage())
                .startsWith("Service demo-apiserver exists and was not made for SKSCluster demo");
    }

    @Test
    void aMissingAuthorityIsAnError() {
        SKSClusterStatus status = report(
                new SKSClusterStatus(),
                new ClusterStatusReport.AuthorityMissing("the certificate authority Secret demo-ca is missing"));

        assertThat(status.state).isEqualTo(ClusterState.Error);
        assertCondition(
                status,
                Conditions.CERTIFICATES_READY,
                "False",
                "CertificateAuthorityMissing",
                "the certificate authority Secret demo-ca is missing");
    }

    @Test
    void aRefusedSpecLeavesARunningClusterAsItIs() {
        SKSClusterStatus running = report(new SKSClusterStatus(), reconciled(V133, at(V133), ALL, steady()));
        SKSClusterStatus refused = report(
                copy(running),
                new ClusterStatusReport.Refused(
                        List.of(new Violation("DowngradeRefused", "1.32 is older than 1.33.4"))));

        assertThat(refused.state).isEqualTo(ClusterState.Running);
        assertThat(refused.version).isEqualTo("1.33.4");
        assertCondition(refused, Conditions.ACCEPTED, "False", "DowngradeRefused", "1.32 is older than 1.33.4");
        assertCondition(refused, Conditions.READY, "True", "Running", "Kubernetes 1.33.4 is running");
    }

    @Test
    void aRefusedNewClusterIsAnError() {
        SKSClusterStatus refused = report(
                new SKSClusterStatus(),
                new ClusterStatusReport.Refused(List.of(new Violation("UnknownZone", "zone xx is not offered"))));

        assertThat(refused.state).isEqualTo(ClusterState.Error);
        assertCondition(refused, Conditions.READY, "False", "UnknownZone", "zone xx is not offered");
    }

    @Test
    void theTenantIsReportedOnlyWhileTheControlPlaneServes() {
        SKSClusterStatus creating = report(new SKSClusterStatus(), reconciled(V133, Map.of(), Set.of(), steady()));
        ClusterStatusReport.tenant(creating, Optional.empty(), 3L, CLOCK);
        assertThat(Conditions.find(creating.conditions, Conditions.TENANT_REACHABLE))
                .isEmpty();

        SKSClusterStatus running = report(new SKSClusterStatus(), reconciled(V133, at(V133), ALL, steady()));
        ClusterStatusReport.tenant(running, Optional.empty(), 3L, CLOCK);
        assertCondition(
                running, Conditions.TENANT_REACHABLE, "Unknown", "Probing", "reaching the cluster's API server");
        ClusterStatusReport.tenant(
                running,
                Optional.of(
                        new TenantBootstrap.Outcome(TenantBootstrap.State.FAILED, "TenantUnreachable", "no answer")),
                3L,
                CLOCK);
        assertCondition(running, Conditions.TENANT_REACHABLE, "False", "TenantUnreachable", "no answer");
    }

    @Test
    void anUpgradeIsToldWhenItStartsAndWhenItEnds() {
        SKSClusterStatus running = new SKSClusterStatus();
        running.state = ClusterState.Running;
        running.version = "1.32.8";
        SKSClusterStatus upgrading = new SKSClusterStatus();
        upgrading.state = ClusterState.Upgrading;
        upgrading.version = "1.32.8";
        SKSClusterStatus upgraded = new SKSClusterStatus();
        upgraded.state = ClusterState.Running;
        upgraded.version = "1.33.4";

        List<Transition> started = ClusterEvents.upgrade(running, upgrading, "1.33.4");
        assertThat(started).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.Normal);
            assertThat(e.reason()).isEqualTo("UpgradeStarted");
            assertThat(e.message()).startsWith("upgrading the control plane from 1.32.8 to 1.33.4");
        });
        assertThat(ClusterEvents.upgrade(upgrading, upgrading, "1.33.4"))
                .as("told once")
                .isEmpty();
        assertThat(ClusterEvents.upgrade(upgrading, upgraded, "1.33.4"))
                .singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("UpgradeFinished"));
        assertThat(ClusterEvents.upgrade(upgraded, upgraded, "1.33.4")).isEmpty();
    }

    @Test
    void certificatesAreToldByWhatHappenedNeverByTheirContent() {
        List<Transition> events = ClusterEvents.certificates(new CertificateSecrets.Outcome(
                Map.of("demo-ca", "hash"), List.of("demo-ca", "demo-apiserver"), List.of("demo-etcd-server"), true));

        assertThat(events)
                .extracting(Transition::reason)
                .containsExactly("CertificatesIssued", "CertificatesReissued", "ClientsCARotated");
        assertThat(events.get(0).message()).contains("demo-ca, demo-apiserver").doesNotContain("hash");
        assertThat(ClusterEvents.certificates(new CertificateSecrets.Outcome(Map.of(), List.of(), List.of(), false)))
                .isEmpty();
    }

    private static SKSClusterStatus report(SKSClusterStatus status, ClusterStatusReport.Outcome outcome) {
        return ClusterStatusReport.report(cluster(), status, outcome, CATALOG, CLOCK);
    }

    private static Reconciled reconciled(
            KubernetesVersion target,
            Map<ControlPlaneComponent, KubernetesVersion> versions,
            Set<ControlPlaneComponent> rolledOut,
            EtcdGrower.Progress etcd) {
        return new Reconciled(target, versions, rolledOut, endpoint(), etcd, Budgets.NOT_WANTED);
    }

    private static Optional<Endpoint> endpoint() {
        return Optional.of(new Endpoint("10.0.0.1", 443));
    }

    private static EtcdGrower.Progress steady() {
        return EtcdGrower.Progress.steady(EtcdLayout.fresh(1));
    }

    private static Map<ControlPlaneComponent, KubernetesVersion> at(KubernetesVersion version) {
        Map<ControlPlaneComponent, KubernetesVersion> versions = new EnumMap<>(ControlPlaneComponent.class);
        for (ControlPlaneComponent component : ControlPlaneComponent.values()) {
            versions.put(component, version);
        }
        return versions;
    }

    private static SKSClusterStatus copy(SKSClusterStatus status) {
        return new io.fabric8.kubernetes.client.utils.KubernetesSerialization().clone(status);
    }

    private static void assertCondition(
            SKSClusterStatus status, String type, String value, String reason, String message) {
        Condition condition = Conditions.find(status.conditions, type).orElseThrow(() -> new AssertionError(type));
        assertThat(condition.getStatus()).as(type).isEqualTo(value);
        assertThat(condition.getReason()).as(type).isEqualTo(reason);
        assertThat(condition.getMessage()).as(type).isEqualTo(message);
        assertThat(condition.getObservedGeneration()).as(type).isEqualTo(3L);
    }

    private static SKSCluster cluster() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("tenant")
                .withUid("u-1")
                .withGeneration(3L)
                .build());
        SKSClusterSpec spec = new SKSClusterSpec();
        spec.zone = "ch-gva-2";
        spec.version = "1.33";
        cluster.setSpec(spec);
        return cluster;
    }
}
