package dev.operator.sks.runtime;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.events.KubernetesEventRecorder;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.ComputeProviders;
import dev.operator.sks.reconciler.cluster.InformerCaches;
import dev.operator.sks.reconciler.cluster.SKSClusterReconciler;
import dev.operator.sks.reconciler.instancepool.InstancePoolReconciler;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigMetrics;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReconciler;
import dev.operator.sks.reconciler.nodepool.NodepoolReconciler;
import dev.operator.sks.support.SecretLookup;
import dev.operator.sks.tenant.KubeletServingApprover;
import dev.operator.sks.tenant.PoolNodes;
import dev.operator.sks.tenant.TenantBootstrap;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.tenant.TenantWork;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** The operator: its reconcilers registered with JOSDK against one client. Used by Main and by tests in-process. */
public final class SksOperator implements AutoCloseable {
    private final Operator operator;
    private final AtomicBoolean leadershipLost = new AtomicBoolean();
    private final TenantClients tenantClients;
    private final TenantWork tenantWork;
    private final PoolNodes poolNodes;
    private final KubeletServingApprover servingApprover;
    private final KubernetesEventRecorder events;

    public SksOperator(KubernetesClient client, OperatorServices services, MeterRegistry registry) {
        this(client, services, registry, TenantClients.ServerOverride.NONE);
    }

    /** @param tenantServers where to reach tenant API servers (tests run outside the management cluster) */
    public SksOperator(
            KubernetesClient client,
            OperatorServices services,
            MeterRegistry registry,
            TenantClients.ServerOverride tenantServers) {
        this(client, services, registry, tenantServers, new TlsEtcdConnector());
    }

    /**
     * @param tenantServers where to reach tenant API servers (tests run outside the management cluster)
     * @param etcd          how to reach a cluster's etcd while it grows member by member (production:
     *                      {@link TlsEtcdConnector} at the client Service; tests point it at local etcd processes)
     */
    public SksOperator(
            KubernetesClient client,
            OperatorServices services,
            MeterRegistry registry,
            TenantClients.ServerOverride tenantServers,
            EtcdConnector etcd) {
        OperatorConfig config = services.config();
        operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
            if (config.leaderElection()) {
                // A leader that loses its lease stops being live rather than exiting the JVM: the liveness probe then
                // restarts the pod, and an in-process operator (tests, the demo) does not take its host down with it.
                LeaderCallbacks callbacks = new LeaderCallbacks(() -> {}, () -> leadershipLost.set(true), leader -> {});
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
                        Names.LEADER_ELECTION_LEASE,
                        config.leaseNamespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        config.identity(),
                        callbacks,
                        false));
            }
        });
        events = new KubernetesEventRecorder(client, services.clock(), Labels.MANAGED_BY_VALUE, config.identity());
        // The cluster reconciler's informers hold every Secret the operator made; the tenant and join paths read them
        // there, so a steady state costs the API server no GET.
        InformerCaches clusterCaches = new InformerCaches();
        SecretLookup ownSecrets = (namespace, name) -> clusterCaches.get(Secret.class, namespace, name);
        tenantClients = new TenantClients(tenantServers, ownSecrets);
        TenantBootstrap tenantBootstrap = new TenantBootstrap(
                client, tenantClients, ownSecrets, services.versions(), services.clock(), config.provider());
        tenantWork = new TenantWork(tenantBootstrap, services.clock());
        register(
                new SKSClusterReconciler(
                        services,
                        tenantWork,
                        etcd,
                        events,
                        clusterCaches,
                        ComputeProviders.cloudControllerCredentials(config, client, services.clock())),
                config);
        register(new NodepoolReconciler(services, events, Optional.of(ownSecrets)), config);
        register(
                new KubeconfigRequestReconciler(services, new KubeconfigMetrics(registry, services.clock()), events),
                config);
        ComputeProvider provider = ComputeProviders.create(config, client, services.clock());
        poolNodes = PoolNodes.forProvider(provider, client, tenantClients, services.clock());
        servingApprover = new KubeletServingApprover(tenantClients);
        register(new InstancePoolReconciler(services, provider, poolNodes, servingApprover, events), config);
    }

    private <P extends HasMetadata> void register(Reconciler<P> reconciler, OperatorConfig config) {
        operator.register(reconciler, (Consumer<ControllerConfigurationOverrider<P>>) overrider -> {
            if (!config.watchesAllNamespaces()) {
                overrider.settingNamespaces(config.watchNamespaces());
            }
        });
    }

    public void start() {
        operator.start();
    }

    public RuntimeInfo runtimeInfo() {
        return operator.getRuntimeInfo();
    }

    /** False once this replica lost its leader lease: the liveness probe then has the pod restarted. */
    public boolean isLive() {
        return !leadershipLost.get();
    }

    /** Empty when every informer has synced and is healthy; otherwise what is not. */
    public String notReadyReason() {
        RuntimeInfo info = operator.getRuntimeInfo();
        if (!info.isStarted()) {
            return "the operator has not started its controllers yet";
        }
        if (!info.allEventSourcesAreHealthy()) {
            return "unhealthy event sources: "
                    + info.unhealthyEventSources().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue().keySet())
                            .collect(Collectors.joining(", "));
        }
        return "";
    }

    @Override
    public void close() {
        operator.stop();
        tenantWork.close();
        poolNodes.close();
        servingApprover.close();
        tenantClients.close();
        events.close();
    }
}
