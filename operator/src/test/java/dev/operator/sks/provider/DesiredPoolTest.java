package dev.operator.sks.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolSpec;
import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.catalog.InstanceType;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DesiredPoolTest {
    private static final InstanceType MEDIUM = new InstanceType("standard.medium", 2, 4096, 0);

    private static InstancePool instancePool() {
        InstancePool pool = new InstancePool();
        pool.setMetadata(new ObjectMetaBuilder()
                .withNamespace("team-a")
                .withName("nodepool-workers-1234")
                .build());
        InstancePoolSpec spec = new InstancePoolSpec();
        spec.cluster = "demo";
        spec.zone = "ch-gva-2";
        spec.size = 3;
        spec.instanceType = "standard.medium";
        spec.diskSize = 100;
        spec.securityGroups = List.of("sks-nodes");
        spec.deployTarget = "";
        spec.labels = Map.of("env", "demo");
        spec.taints = List.of(new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE));
        spec.userDataSecretName = "nodepool-workers-1234-user-data";
        pool.setSpec(spec);
        return pool;
    }

    @Test
    void anInstancePoolBecomesADesiredPoolWithDefaultsForWhatItLeavesOut() {
        DesiredPool desired = DesiredPool.from(instancePool(), MEDIUM, "#cloud-config\n");
        assertThat(desired.key()).isEqualTo("team-a/nodepool-workers-1234");
        assertThat(desired.cluster()).isEqualTo("demo");
        assertThat(desired.zone()).isEqualTo("ch-gva-2");
        assertThat(desired.size()).isEqualTo(3);
        assertThat(desired.instanceType()).isEqualTo(MEDIUM);
        assertThat(desired.diskSizeGib()).isEqualTo(100);
        assertThat(desired.template()).isEmpty();
        assertThat(desired.instancePrefix()).isEqualTo("pool");
        assertThat(desired.securityGroups()).containsExactly("sks-nodes");
        assertThat(desired.antiAffinityGroups()).isEmpty();
        assertThat(desired.deployTarget()).as("a blank deploy target is none").isEmpty();
        assertThat(desired.nodeLabels()).containsEntry("env", "demo");
        assertThat(desired.taints()).hasSize(1);
        assertThat(desired.userDataSecretName()).contains("nodepool-workers-1234-user-data");
        assertThat(desired.providerId()).isEmpty();
        assertThat(desired.withProviderId("p-1").providerId()).contains("p-1");
        assertThat(desired.withProviderId("p-1").withProviderId(null).providerId())
                .isEmpty();
        assertThat(desired.withSize(0).size()).isZero();
    }

    @Test
    void itsTextNeverShowsTheUserData() {
        DesiredPool desired = DesiredPool.from(instancePool(), MEDIUM, "token: abcdef.0123456789abcdef");
        assertThat(desired.toString())
                .doesNotContain("abcdef")
                .contains("30 chars")
                .contains("standard.medium");
    }

    @Test
    void aNegativeSizeIsRefused() {
        assertThatThrownBy(() -> DesiredPool.from(instancePool(), MEDIUM, "").withSize(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new DesiredPool(
                                "ns", "p", null, null, 0, MEDIUM, 20, null, null, null, null, null, null, null, null,
                                null, null, null)
                        .deployTarget())
                .isEqualTo(Optional.empty());
    }
}
