package dev.operator.sks.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodepoolAndKubeconfigValidatorTest {
    private final NodepoolValidator nodepools = new NodepoolValidator(InstanceTypeCatalog.loadDefault());

    @Test
    void aWellFormedNodepoolIsValid() {
        NodepoolSpec spec = nodepool("standard.medium");
        spec.labels = Map.of("role", "worker", "example.com/tier", "gold");
        spec.taints = List.of(new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE));
        assertThat(nodepools.validate(spec, null)).isEmpty();
    }

    @Test
    void unknownOrTooSmallInstanceTypesAreRefused() {
        assertThat(nodepools.validate(nodepool("standard.galactic"), null))
                .extracting(Violation::reason)
                .containsExactly("InstanceTypeNotFound");
        assertThat(nodepools.validate(nodepool("standard.micro"), null))
                .extracting(Violation::reason)
                .containsExactly("InstanceTypeTooSmall");
    }

    @Test
    void badLabelsTaintsDiskAndAClusterChangeAreRefused() {
        NodepoolSpec spec = nodepool("standard.medium");
        spec.diskSize = 10;
        spec.labels = Map.of("bad key!", "x");
        spec.taints = List.of(new NodepoolTaint("ok", "fine", null));
        NodepoolStatus status = new NodepoolStatus();
        status.cluster = "other";
        assertThat(nodepools.validate(spec, status))
                .extracting(Violation::reason)
                .containsExactly("ClusterImmutable", "InvalidDiskSize", "InvalidLabel", "InvalidTaint");
    }

    @Test
    void lifecycleSettingsTheSchemaCannotCheckEverywhereAreRefused() {
        NodepoolSpec spec = nodepool("standard.medium");
        spec.upgrade = new dev.operator.sks.api.NodepoolUpgrade();
        spec.upgrade.maxSurge = 0;
        spec.upgrade.maxUnavailable = 0;
        spec.drainTimeout = "ten minutes";
        spec.autoRepair = new dev.operator.sks.api.NodepoolAutoRepair();
        spec.autoRepair.unhealthyAfter = "5x";
        spec.autoRepair.maxUnhealthy = new io.fabric8.kubernetes.api.model.IntOrString("120%");
        spec.autoscaling = new dev.operator.sks.api.NodepoolAutoscaling();
        spec.autoscaling.minSize = 4;
        spec.autoscaling.maxSize = 6;
        assertThat(nodepools.validate(spec, null))
                .extracting(Violation::reason)
                .containsExactly(
                        "InvalidUpgrade",
                        "InvalidDrainTimeout",
                        "InvalidAutoRepair",
                        "InvalidAutoRepair",
                        "InvalidAutoscaling");
        assertThat(nodepools.validate(spec, null))
                .extracting(Violation::message)
                .anySatisfy(m -> assertThat(m).contains("spec.size 3 is outside", "4..6"));

        spec.upgrade.maxUnavailable = 1;
        spec.drainTimeout = "1h30m";
        spec.autoRepair.unhealthyAfter = "90s";
        spec.autoRepair.maxUnhealthy = new io.fabric8.kubernetes.api.model.IntOrString(2);
        spec.autoscaling.minSize = 0;
        assertThat(nodepools.validate(spec, null)).isEmpty();
    }

    @Test
    void labelsTheKubeletMayNotRegisterAreRefused() {
        NodepoolSpec spec = nodepool("standard.medium");
        spec.labels = Map.of("node-role.kubernetes.io/worker", "", "sks.operator.dev/nodepool-id", "x");
        assertThat(nodepools.validate(spec, null))
                .extracting(Violation::reason)
                .containsExactly("InvalidLabel", "InvalidLabel");
        spec.labels = Map.of(
                "node.kubernetes.io/pool", "a", "topology.kubernetes.io/zone", "ch-gva-2", "example.com/team", "b");
        assertThat(nodepools.validate(spec, null)).isEmpty();
    }

    @Test
    void kubeconfigRequestsNeedAUserAndATtlWithinThirtyDays() {
        KubeconfigRequestSpec spec = new KubeconfigRequestSpec();
        spec.cluster = "demo";
        spec.user = "alice";
        spec.groups = List.of("system:masters");
        assertThat(KubeconfigRequestValidator.validate(spec)).isEmpty();

        spec.user = "bad\nuser";
        spec.ttlSeconds = 3_000_000L;
        spec.renewBeforeSeconds = 4_000_000L;
        assertThat(KubeconfigRequestValidator.validate(spec))
                .extracting(Violation::reason)
                .containsExactly("InvalidUser", "InvalidTTL", "InvalidRenewBefore");
        spec.user = " ";
        spec.ttlSeconds = null;
        spec.renewBeforeSeconds = null;
        spec.groups = List.of("");
        assertThat(KubeconfigRequestValidator.validate(spec))
                .extracting(Violation::reason)
                .containsExactly("InvalidUser", "InvalidGroup");
    }

    private static NodepoolSpec nodepool(String instanceType) {
        NodepoolSpec spec = new NodepoolSpec();
        spec.cluster = "demo";
        spec.size = 3;
        spec.instanceType = instanceType;
        return spec;
    }
}
