package dev.operator.sks.runtime;

import dev.operator.sks.backup.EtcdBackups;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.events.KubernetesEventRecorder;
import dev.operator.sks.metrics.ClusterReadiness;
import dev.operator.sks.metrics.FleetCollector;
import dev.operator.sks.metrics.FleetMetrics;
import dev.operator.sks.metrics.OperatorMetrics;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.ComputeProviders;
import dev.operator.sks.reconciler.cluster.InformerCaches;
import dev.operator.sks.reconciler.cluster.SKSClusterReconciler;
import dev.operator.sks.reconciler.instancepool.InstancePoolReconciler;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigMetrics;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReconciler;
import dev.operator.sks.reconciler.nodepool.NodepoolReconciler;
import dev.operator.sks.sharding.ShardStamper;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.sizing.LoadObservations;
import dev.operator.sks.support.LeanItemStore;
import dev.operator.sks.support.SecretLookup;
import dev.operator.sks.tenant.ControlPlaneLoad;
import dev.operator.sks.tenant.KubeletServingApprover;
import dev.operator.sks.tenant.NodeDrains;
import dev.operator.sks.tenant.PoolNodes;
import dev.operator.sks.tenant.SimulatedLoadBalancers;
import dev.operator.sks.tenant.TenantBootstrap;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.tenant.TenantNodeDrains;
import dev.operator.sks.tenant.TenantWork;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The operator: its reconcilers registered with JOSDK against one client. Used by Main and by tests in-process. */
public final class SksOperator implements AutoCloseable {
    private final Operator operator;
    private final AtomicBoolean leadershipLost = new AtomicBoolean();
    private final TenantClients tenantClients;
    private final TenantWork tenantWork;
    private final LoadObservations load;
    private final PoolNodes poolNodes;
    private final TenantNodeDrains nodeDrains;
    private final KubeletServingApprover servingApprover;
    private final Optional<SimulatedLoadBalancers> loadBalancers;
    private final KubernetesEventRecorder events;
    private final OperatorMetrics metrics;
    private final boolean leaderElection;
    private final FleetCollector fleet;
    private final Optional<PrometheusRegistry> prometheus;
    private final ShardStamper stamper;
    private final Optional<EtcdBackups> backups;

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
        this(
                client,
                services,
                registry,
                tenantServers,
                etcd,
                clients -> new ControlPlaneLoad(clients, services.clock()));
    }

    /**
     * @param load the tenants' load that pro control planes are sized by: production scrapes each tenant's API server
     *             ({@link ControlPlaneLoad}); tests give recorded series
     */
    public SksOperator(
            KubernetesClient client,
            OperatorServices services,
            MeterRegistry registry,
            TenantClients.ServerOverride tenantServers,
            EtcdConnector etcd,
            Function<TenantClients, LoadObservations> load) {
        OperatorConfig config = services.config();
        metrics = new OperatorMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry), registry);
        leaderElection = config.leaderElection();
        Sharding sharding = config.sharding();
        stamper = new ShardStamper(client, sharding, config.watchNamespaces());
        operator = new Operator(o -> {
            o.withKubernetesClient(client).withCloseClientOnStop(false).withMetrics(metrics);
            if (config.leaderElection()) {
                // A leader that loses its lease stops being live rather than exiting the JVM: the liveness probe then
                // restarts the pod, and an in-process operator (tests, the demo) does not take its host down with it.
                LeaderCallbacks callbacks = new LeaderCallbacks(
                        () -> metrics.leading(true),
                        () -> {
                            metrics.leading(false);
                            leadershipLost.set(true);
                        },
                        leader -> {});
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
                        sharding.leaseName(),
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
        EtcdConnector etcdClients = etcd.readingSecretsFrom(ownSecrets);
        tenantClients = new TenantClients(tenantServers, ownSecrets);
        TenantBootstrap tenantBootstrap = new TenantBootstrap(
                client,
                tenantClients,
                ownSecrets,
                services.versions(),
                services.clock(),
                config.provider(),
                config.sharding());
        tenantWork = new TenantWork(tenantBootstrap, services.clock());
        this.load = load.apply(tenantClients);
        // Backups run on workers of their own, only when the operator has a store to put them in.
        backups = config.backups().enabled()
                ? Optional.of(new EtcdBackups(client, config.backups(), etcdClients, services.clock()))
                : Optional.empty();
        var clusters = register(
                new SKSClusterReconciler(
                        services,
                        tenantWork,
                        etcdClients,
                        events,
                        clusterCaches,
                        ComputeProviders.cloudControllerCredentials(config, client, services.clock()),
                        new ClusterReadiness(registry, services.clock()),
                        this.load,
                        backups),
                config);
        // Replacement, scale-down, eviction and repair drain a machine's Node (cordon, Eviction API) before it goes.
        nodeDrains = new TenantNodeDrains(tenantClients, services.clock());
        var nodepools = register(new NodepoolReconciler(services, events, Optional.of(ownSecrets), nodeDrains), config);
        var requests = register(
                new KubeconfigRequestReconciler(services, new KubeconfigMetrics(registry, services.clock()), events),
                config);
        ComputeProvider provider = ComputeProviders.create(config, client, services.clock());
        poolNodes = PoolNodes.forProvider(provider, client, tenantClients, services.clock());
        servingApprover = new KubeletServingApprover(tenantClients);
        // Simulated machines have no cloud behind them: the operator plays its service controller too.
        loadBalancers = poolNodes.simulating()
                ? Optional.of(new SimulatedLoadBalancers(
                        tenantClients, config.simulatedLoadBalancerAddresses(), services.clock(), poolNodes::clusters))
                : Optional.empty();
        var instancePools =
                register(new InstancePoolReconciler(services, provider, poolNodes, servingApprover, events), config);
        fleet = new FleetCollector(
                () -> new FleetMetrics.Fleet(
                        cached(clusters), cached(nodepools), cached(requests), cached(instancePools)),
                services.versions());
        prometheus = registry instanceof PrometheusMeterRegistry p
                ? Optional.of(p.getPrometheusRegistry())
                : Optional.empty();
        prometheus.ifPresent(p -> p.register(fleet));
    }

    private <P extends HasMetadata> RegisteredController<P> register(Reconciler<P> reconciler, OperatorConfig config) {
        return operator.register(reconciler, (Consumer<ControllerConfigurationOverrider<P>>) overrider -> {
            if (config.watchesAllNamespaces()) {
                overrider.withItemStore(new LeanItemStore<>()); // one informer: see LeanItemStore on several
            } else {
                overrider.settingNamespaces(config.watchNamespaces());
            }
            // Sharded, a replica watches only its shard's label (server-side) and sends on what is labelled wrongly.
            config.sharding()
                    .selector()
                    .ifPresent(selector -> overrider.withLabelSelector(selector).withGenericFilter(stamper::admits));
        });
    }

    /**
     * What a controller's informer holds now (empty before it has started): the per-resource metrics read it when
     * scraped, at no cost to the API server.
     */
    private static <P extends HasMetadata> List<P> cached(RegisteredController<P> registered) {
        if (registered instanceof Controller<P> controller && controller.eventSourceContext() != null) {
            return controller.eventSourceContext().getPrimaryCache().list().toList();
        }
        return List.of();
    }

    /**
     * Every object of {@code type} the controllers' secondary informers hold now (empty on a standby, which starts no
     * controller), once per informer that holds it: tests read it to show a sharded replica caches its own shard's
     * objects only.
     */
    @SuppressWarnings("unchecked")
    public <R extends HasMetadata> List<R> cachedSecondaries(Class<R> type) {
        List<R> cached = new ArrayList<>();
        for (RegisteredController<?> registered : operator.getRuntimeInfo().getRegisteredControllers()) {
            if (registered instanceof Controller<?> controller && controller.eventSourceContext() != null) {
                controller.getEventSourceManager().getEventSourcesFor(type).stream()
                        .filter(InformerEventSource.class::isInstance)
                        .map(source -> (InformerEventSource<R, ?>) source)
                        .forEach(source -> source.list().forEach(cached::add));
            }
        }
        return cached;
    }

    /** Drains tenant Nodes in the background, before their machines go. */
    public NodeDrains nodeDrains() {
        return nodeDrains;
    }

    public void start() {
        stamper.start(); // leading or standing by: routing needs no lease
        operator.start();
        // Without leader election every replica runs the controllers; with it, the callback says when this one does.
        if (!leaderElection) {
            metrics.leading(true);
        }
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
        stamper.close();
        operator.stop();
        metrics.leading(false);
        prometheus.ifPresent(p -> p.unregister(fleet));
        tenantWork.close();
        load.close();
        backups.ifPresent(EtcdBackups::close);
        poolNodes.close();
        nodeDrains.close();
        servingApprover.close();
        loadBalancers.ifPresent(SimulatedLoadBalancers::close);
        tenantClients.close();
        events.close();
    }
}
