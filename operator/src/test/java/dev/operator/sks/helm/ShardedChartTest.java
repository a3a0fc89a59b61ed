package dev.operator.sks.helm;

import static dev.operator.sks.testing.HelmCharts.FULLNAME;
import static dev.operator.sks.testing.HelmCharts.NAMESPACE;
import static dev.operator.sks.testing.HelmCharts.find;
import static dev.operator.sks.testing.HelmCharts.one;
import static dev.operator.sks.testing.HelmCharts.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.sharding.Sharding;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code sharding.shards > 1} the chart runs the shards as a StatefulSet in place of the Deployment. */
class ShardedChartTest {

    @Test
    void threeShardsRunAsAStatefulSetOfLeadersAndStandbys() {
        List<HasMetadata> objects = render("sharding: {shards: 3, standbysPerShard: 1}");
        assertThat(find(objects, Deployment.class, FULLNAME))
                .as("the Deployment is gone")
                .isEmpty();
        StatefulSet shards = one(objects, StatefulSet.class, FULLNAME);
        assertThat(shards.getSpec().getReplicas()).isEqualTo(6);
        assertThat(shards.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(shards.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(shards.getSpec().getServiceName()).isEqualTo(FULLNAME);
        assertThat(shards.getSpec().getSelector().getMatchLabels())
                .isEqualTo(shards.getSpec().getTemplate().getMetadata().getLabels().entrySet().stream()
                        .filter(e ->
                                shards.getSpec().getSelector().getMatchLabels().containsKey(e.getKey()))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));

        Map<String, String> env = env(shards.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("operator"))
                .findFirst()
                .orElseThrow());
        assertThat(env).containsEntry("SKS_SHARDS", "3").containsEntry("SKS_LEADER_ELECTION", "true");
        // Each pod's ordinal picks its shard: 0..2 lead, 3..5 stand by for 0..2, each on its shard's Lease.
        for (int ordinal = 0; ordinal < 6; ordinal++) {
            OperatorConfig config = OperatorConfig.parse(new String[0], runtime(env, FULLNAME + "-" + ordinal));
            assertThat(config.sharding()).isEqualTo(new Sharding(3, ordinal % 3));
            assertThat(config.leaderElection()).isTrue();
            assertThat(config.leaseNamespace()).isEqualTo(NAMESPACE);
        }
    }

    @Test
    void oneShardKeepsTheDeployment() {
        List<HasMetadata> objects = render("sharding: {shards: 1, standbysPerShard: 1}");
        assertThat(find(objects, StatefulSet.class, FULLNAME)).isEmpty();
        Deployment deployment = one(objects, Deployment.class, FULLNAME);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain("SKS_SHARDS");
    }

    @Test
    void noShardsIsRefusedByTheSchema() {
        assertThatThrownBy(() -> render("sharding: {shards: 0, standbysPerShard: 1}"))
                .hasMessageContaining("shards");
    }

    private static Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            if (var.getValueFrom() == null) {
                env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
            }
        }
        return env;
    }

    private static Map<String, String> runtime(Map<String, String> env, String pod) {
        Map<String, String> runtime = new LinkedHashMap<>(env);
        runtime.put("POD_NAMESPACE", NAMESPACE);
        runtime.put("POD_NAME", pod);
        return runtime;
    }
}
