package dev.operator.sks.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's injected faults: the in-process operator talks to the shared API server through a {@link FaultProxy} that
 * answers 10 % of its requests with 409, 429, 500 or 503 (some after the write went through), delays some, and cuts
 * half of its watches within 20 s. Clusters with a Nodepool and a KubeconfigRequest each must still converge, and
 * afterwards nothing is duplicated, orphaned, or regenerated ({@link Fleet#check}).
 *
 * <p>CI runs 15 clusters; {@code -Dbenchmark=true} runs 50. {@code -Dfaults.seed=N} replays a seed (printed). The
 * operator starts with the proxy at 0 % and the faults begin once its informers have synced: JOSDK stops an operator
 * whose first list fails, which is start-up, not the steady state this tier is about.
 */
@SharedApiServer
class FaultInjectedConvergenceTest {
    @KubeConfig
    static String kubeconfig;

    private static final boolean BENCHMARK = Boolean.getBoolean("benchmark");

    @Test
    void atTenPercentFaultsEveryClusterConvergesWithNothingDuplicatedOrphanedOrRegenerated() throws Exception {
        int clusters = BENCHMARK ? 50 : 15;
        long seed = Long.getLong("faults.seed", System.nanoTime());
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig);
                FaultProxy proxy = FaultProxy.start(kubeconfig, FaultProxy.Settings.of(0, seed));
                KubernetesClient throughProxy = proxy.client()) {
            // The proxy forwards with the admin's credentials: a client with none reads through it.
            assertThat(throughProxy.namespaces().list().getItems()).isNotEmpty();

            List<String> namespaces = new ArrayList<>();
            List<ClusterStandIn> kubelets = new ArrayList<>();
            for (int i = 0; i < Fleet.namespacesFor(clusters); i++) {
                String namespace = ApiServerSupport.newNamespace(client, "faults");
                namespaces.add(namespace);
                kubelets.add(ClusterStandIn.watch(client, namespace));
            }
            // Not OperatorScope's restriction: that applies to clients of the shared server's own URL, and this
            // operator's client names the proxy; it is kept to the fleet's namespaces here instead.
            OperatorConfig config = OperatorConfig.parse(
                    new String[] {
                        "--http-port=0",
                        "--simulated-instance-delay=PT0S",
                        "--idle-starter-deletion=PT0S",
                        "--watch-namespaces=" + String.join(",", namespaces)
                    },
                    Map.of());
            try (SksOperator operator = startThroughProxy(throughProxy, OperatorServices.loadDefaults(config), proxy)) {
                proxy.settings(FaultProxy.Settings.of(0.10, seed).withWatchCutRate(0.5));
                // The informers' watches began at 0 %: cut them, so that those reopened meet the faults.
                proxy.cutOpenWatches();
                Fleet fleet = new Fleet(client, namespaces, clusters);
                long started = System.nanoTime();
                long[] lastPrinted = {started};
                fleet.create();
                try {
                    await().atMost(Duration.ofMinutes(BENCHMARK ? 15 : 6))
                            .pollInterval(Duration.ofSeconds(2))
                            .until(() -> {
                                fleet.observe();
                                Map<String, Integer> pending = fleet.pending();
                                if (System.nanoTime() - lastPrinted[0] > 30e9) {
                                    lastPrinted[0] = System.nanoTime();
                                    System.out.printf("faults: pending %s; %s%n", pending, proxy.summary());
                                }
                                return pending.isEmpty();
                            });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    System.out.println("faults: not converged; " + proxy.summary() + "\n" + fleet.describePending());
                    throw e;
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                proxy.settings(FaultProxy.Settings.of(0, seed));
                Fleet.Report report = fleet.check();
                System.out.printf(
                        "faults: %d clusters (with a nodepool and a kubeconfig request each) converged in %.0f s at"
                                + " 10 %% faults; %s%n",
                        clusters, seconds, proxy.summary());
                System.out.println("faults: " + report.summary());
                assertThat(report.problems()).isEmpty();
                assertThat(report.keptSecrets()).isEqualTo(5 * clusters);
                assertThat(report.kubeconfigsIssued()).isEqualTo(clusters);
                assertThat(proxy.injectedTotal()).as("faults were injected").isPositive();
                assertThat(operator.isLive()).isTrue();
            } finally {
                kubelets.forEach(ClusterStandIn::close);
            }
        }
    }

    /**
     * Starts the operator on the proxy's client and waits for its informers, saying what /readyz says while it waits:
     * every informer's list and watch goes through the proxy, which a loaded machine makes slow, so the wait is longer
     * than {@link ApiServerSupport#startOperator}'s and a failure names the event sources that did not start.
     */
    private static SksOperator startThroughProxy(KubernetesClient client, OperatorServices services, FaultProxy proxy) {
        SksOperator operator = new SksOperator(client, services, new SimpleMeterRegistry());
        long started = System.nanoTime();
        operator.start();
        long[] lastPrinted = {started};
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .conditionEvaluationListener(c -> {
                    if (System.nanoTime() - lastPrinted[0] > 10e9) {
                        lastPrinted[0] = System.nanoTime();
                        System.out.printf(
                                "faults: not ready after %.0f s: %s; %s%n",
                                (System.nanoTime() - started) / 1e9, operator.notReadyReason(), proxy.summary());
                    }
                })
                .until(() -> operator.notReadyReason().isEmpty());
        System.out.printf(
                "faults: operator ready through the proxy in %.1f s; %s%n",
                (System.nanoTime() - started) / 1e9, proxy.summary());
        return operator;
    }
}
