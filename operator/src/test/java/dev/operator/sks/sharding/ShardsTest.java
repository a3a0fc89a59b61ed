package dev.operator.sks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardsTest {

    @Test
    void aNamespaceKeepsItsShardAcrossReleases() {
        // Pinned: a change here would move live clusters between shards on an upgrade.
        assertThat(Shards.of("default", 3)).isEqualTo(1);
        assertThat(Shards.of("team-a", 3)).isEqualTo(0);
        assertThat(Shards.of("sks-system", 7)).isEqualTo(1);
        assertThat(Shards.of("tenant-042", 16)).isEqualTo(14);
        assertThat(Shards.of("team-a", 1)).isZero();
    }

    @Test
    void namespacesSpreadEvenlyOverTheShards() {
        for (int shards : new int[] {2, 3, 7, 16}) {
            int[] counts = new int[shards];
            int namespaces = 20_000;
            for (int i = 0; i < namespaces; i++) {
                counts[Shards.of("tenant-" + i, shards)]++;
            }
            double mean = (double) namespaces / shards;
            for (int count : counts) {
                assertThat((double) count).as("%d shards: %s", shards, counts).isBetween(mean * 0.9, mean * 1.1);
            }
        }
    }

    @Test
    void noShardsIsRefused() {
        assertThatThrownBy(() -> Shards.of("default", 0)).hasMessageContaining("at least 1");
    }

    @Test
    void aShardOwnsItsNamespacesAndNamesItsLease() {
        Sharding one = new Sharding(3, 1);
        assertThat(one.owns("default")).isTrue();
        assertThat(one.owns("team-a")).isFalse();
        assertThat(one.selector()).contains(Labels.SHARD + "=1");
        assertThat(one.leaseName()).isEqualTo("sks-operator-leader-shard-1");
        assertThat(one.fieldManager("sks-operator-4")).isEqualTo("sks-operator-shard-1-sks-operator-4");
        assertThat(Sharding.NONE.selector()).isEmpty();
        assertThat(Sharding.NONE.leaseName()).isEqualTo("sks-operator-leader");
    }

    @Test
    void onlyTheLabelItsNamespaceHashesToCountsAsRight() {
        Sharding sharding = new Sharding(3, 1);
        assertThat(sharding.labelledRightly(cluster("default", null))).isFalse();
        assertThat(sharding.labelledRightly(cluster("default", "0"))).isFalse();
        assertThat(sharding.labelledRightly(cluster("default", "1"))).isTrue();
        assertThat(sharding.labelFor(cluster("team-a", "1"))).isEqualTo("0");
    }

    @Test
    void writtenObjectsAreStampedAndInformersSelectOnlyWhenSharded() {
        SKSCluster unsharded = cluster("default", null);
        Sharding.NONE.stamp(unsharded);
        assertThat(unsharded.getMetadata().getLabels()).isEmpty();
        assertThat(Sharding.NONE.selecting("app=x")).isEqualTo("app=x");
        assertThat(Sharding.NONE.selecting(null)).isNull();

        Sharding sharding = new Sharding(3, 1);
        SKSCluster stamped = sharding.stamp(cluster("team-a", "1"));
        assertThat(stamped.getMetadata().getLabels()).containsEntry(Labels.SHARD, "0"); // its namespace's, not ours
        assertThat(sharding.selecting("app=x")).isEqualTo("app=x," + Labels.SHARD + "=1");
        assertThat(sharding.selecting(null)).isEqualTo(Labels.SHARD + "=1");
    }

    @Test
    void anIndexOutsideTheShardsIsRefused() {
        assertThatThrownBy(() -> new Sharding(3, 3)).hasMessageContaining("--shard-index 3 is not between 0 and 2");
        assertThatThrownBy(() -> new Sharding(3, -1)).hasMessageContaining("--shard-index -1");
        assertThatThrownBy(() -> new Sharding(0, 0)).hasMessageContaining("--shards must be at least 1");
    }

    private static SKSCluster cluster(String namespace, String shard) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("c")
                .withNamespace(namespace)
                .withLabels(shard == null ? Map.of() : Map.of(Labels.SHARD, shard))
                .build());
        return cluster;
    }
}
