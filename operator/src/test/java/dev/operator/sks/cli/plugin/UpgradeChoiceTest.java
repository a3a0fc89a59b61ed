package dev.operator.sks.cli.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.SKSClusterStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpgradeChoiceTest {
    @Test
    void aMinorOrAPatchTheOperatorOffersIsApplied() {
        SKSCluster cluster = cluster("1.33.2", "1.33.3", "1.33.4", "1.34.0", "1.34.1");
        assertThat(UpgradeChoice.decide(cluster, "1.34")).isEqualTo(new UpgradeChoice.Apply("1.34", "1.33.2"));
        assertThat(UpgradeChoice.decide(cluster, "1.33.4")).isEqualTo(new UpgradeChoice.Apply("1.33.4", "1.33.2"));
        assertThat(UpgradeChoice.decide(cluster, "1.33")).isEqualTo(new UpgradeChoice.Apply("1.33", "1.33.2"));
    }

    @Test
    void whatIsNotOfferedIsRefusedInTheOperatorsWords() {
        SKSCluster cluster = cluster("1.33.4", "1.34.0");
        assertThat(refusal(cluster, "1.36"))
                .startsWith("UpgradeSkipsMinor: spec.version 1.36 is 3 minors ahead of the running 1.33.4")
                .endsWith("; available: 1.34.0 (kubectl sks upgrade demo lists them)");
        assertThat(refusal(cluster, "1.32.1")).startsWith("DowngradeRefused: spec.version 1.32.1 is older");
        assertThat(refusal(cluster, "1.33.4")).startsWith("cluster demo already runs 1.33.4;");
        assertThat(refusal(cluster, "1.34.7")).startsWith("1.34.7 is not offered; available: 1.34.0");
        assertThat(refusal(cluster, "v1.34")).startsWith("--to v1.34 is not a Kubernetes version");
        assertThat(refusal(cluster(null), "1.34")).startsWith("cluster demo runs no version yet (state unknown)");
    }

    @Test
    void theListingGroupsPatchesByMinorAndNamesTheNextCommand() {
        assertThat(UpgradeChoice.describe(cluster("1.33.2", "1.33.3", "1.33.4", "1.34.0", "1.34.1")))
                .containsExactly(
                        "Cluster demo runs Kubernetes 1.33.2 (spec.version 1.33, state unknown).",
                        "Available upgrades:",
                        "  1.33   newest 1.33.4   (patches: 1.33.3, 1.33.4)",
                        "  1.34   newest 1.34.1   (patches: 1.34.0, 1.34.1)",
                        "Upgrade with: kubectl sks upgrade demo --to 1.34 (one minor at a time; a minor means its "
                                + "newest patch)");
        assertThat(UpgradeChoice.describe(cluster("1.34.1")))
                .contains("No upgrade available: it runs the newest version the operator offers.");
    }

    private static String refusal(SKSCluster cluster, String to) {
        return ((UpgradeChoice.Refuse) UpgradeChoice.decide(cluster, to)).message();
    }

    private static SKSCluster cluster(String running, String... upgrades) {
        SKSCluster cluster = new SKSCluster();
        cluster.getMetadata().setName("demo");
        cluster.setSpec(new SKSClusterSpec());
        cluster.getSpec().version = "1.33";
        cluster.setStatus(new SKSClusterStatus());
        cluster.getStatus().version = running;
        cluster.getStatus().availableUpgrades = List.of(upgrades);
        return cluster;
    }
}
