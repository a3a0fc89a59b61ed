package dev.operator.sks.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.sharding.Sharding;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigShardingTest {

    @Test
    void oneShardByDefault() {
        assertThat(OperatorConfig.parse(new String[0], Map.of("POD_NAME", "sks-operator-7f9c"))
                        .sharding())
                .isEqualTo(Sharding.NONE);
    }

    @Test
    void theIndexToldWins() {
        OperatorConfig config =
                OperatorConfig.parse(new String[] {"--shards=3", "--shard-index=2"}, Map.of("POD_NAME", "op-0"));
        assertThat(config.sharding()).isEqualTo(new Sharding(3, 2));
        assertThat(config.leaderElection()).as("a shard's standbys stand by").isTrue();
        assertThat(OperatorConfig.parse(new String[0], Map.of("SKS_SHARDS", "4", "SKS_SHARD_INDEX", "3"))
                        .sharding())
                .isEqualTo(new Sharding(4, 3));
    }

    @Test
    void withoutAnIndexTheStatefulSetOrdinalModuloTheShardsIsTaken() {
        assertThat(OperatorConfig.parse(new String[] {"--shards=3"}, Map.of("POD_NAME", "sks-operator-1"))
                        .sharding())
                .isEqualTo(new Sharding(3, 1));
        // Ordinals 3, 4, 5 are the standbys of shards 0, 1, 2.
        assertThat(OperatorConfig.parse(new String[] {"--shards=3"}, Map.of("POD_NAME", "sks-operator-5"))
                        .sharding())
                .isEqualTo(new Sharding(3, 2));
    }

    @Test
    void badShardSettingsSayWhatToFix() {
        assertThatThrownBy(() -> OperatorConfig.parse(
                        new String[] {"--shards=3", "--shard-index=3"}, Map.of("POD_NAME", "op-0")))
                .hasMessageContaining("--shard-index 3 is not between 0 and 2");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--shards=0"}, Map.of("POD_NAME", "op-0")))
                .hasMessageContaining("--shards must be at least 1");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--shards=two"}, Map.of()))
                .hasMessageContaining("SKS_SHARDS / --shards 'two' is not a number");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--shards=3"}, Map.of("POD_NAME", "sks-operator")))
                .hasMessageContaining("--shard-index is needed with 3 shards")
                .hasMessageContaining("'sks-operator'");
    }
}
