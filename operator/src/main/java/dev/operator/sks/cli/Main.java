package dev.operator.sks.cli;

import dev.operator.sks.autoscaling.AutoscalerGrpcServer;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.Demo;
import dev.operator.sks.metrics.PrometheusRegistries;
import dev.operator.sks.runtime.CommonPool;
import dev.operator.sks.runtime.OperatorHttpServer;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.sharding.ReplicaClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar sks-operator.jar [run] [--flag=value ...]} runs the operator against the current kubeconfig
 * (KUBECONFIG, ~/.kube/config or the in-cluster service account).
 */
public final class Main {
    static {
        // Before anything (logging included) can touch the common pool, which reads its size once.
        CommonPool.atLeastTwoThreads();
    }

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length > 0 && !args[0].startsWith("--") ? args[0] : "run";
        String[] flags = args.length > 0 && !args[0].startsWith("--") ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (Arrays.asList(args).contains("--help") || command.equals("help")) {
            System.out.println(help());
            return;
        }
        if (command.equals("demo")) {
            runDemo(flags);
            return;
        }
        if (!command.equals("run")) {
            System.err.println("unknown command '" + command + "'\n\n" + help());
            System.exit(2);
        }
        OperatorConfig config;
        try {
            config = OperatorConfig.parse(flags, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("sks-operator: " + e.getMessage() + "\n\n" + help());
            System.exit(2);
            return;
        }
        run(config);
    }

    static String help() {
        return "usage: java -jar sks-operator.jar [run] [--flag=value ...]\n"
                + "       java -jar sks-operator.jar demo [--kubeconfig-out=PATH]\n\n"
                + "run (the default) runs the SKS operator against the cluster of the current kubeconfig.\n"
                + "demo starts an embedded API server, the operator and the starter example, and writes a kubeconfig\n"
                + "for kubectl (default ./sks-demo.kubeconfig); where the binaries are at hand it runs the demo\n"
                + "cluster's control plane too, and writes its admin kubeconfig next to it (sks-demo-admin.kubeconfig).\n"
                + "\nSettings of run (flag, variable):\n"
                + OperatorConfig.usage();
    }

    private static void runDemo(String[] flags) throws Exception {
        Path kubeconfig = Path.of("sks-demo.kubeconfig");
        for (String flag : flags) {
            if (flag.startsWith("--kubeconfig-out=")) {
                kubeconfig = Path.of(flag.substring("--kubeconfig-out=".length()));
            } else {
                System.err.println("unknown demo flag '" + flag + "'\n\n" + help());
                System.exit(2);
            }
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stop.countDown();
                            try {
                                stopped.await(30, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "sks-demo-shutdown"));
        try {
            new Demo(System.out, kubeconfig.toAbsolutePath()).run(stop);
        } finally {
            stopped.countDown();
        }
    }

    private static void run(OperatorConfig config) throws Exception {
        long started = System.nanoTime();
        if (!CommonPool.shared()) {
            LOG.warn("the JVM's common pool has fewer than 2 threads: every request to the API server starts a thread;"
                    + " set -Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
        }
        PrometheusMeterRegistry registry = PrometheusRegistries.withJvmMetrics();

        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(ReplicaClients.configFor(config.sharding(), config.identity()))
                .build();
        OperatorServices services = OperatorServices.loadDefaults(config);
        SksOperator operator = new SksOperator(client, services, registry);
        CountDownLatch stopped = new CountDownLatch(1);
        Optional<AutoscalerGrpcServer> autoscalers = AutoscalerGrpcServer.startFor(client, services);
        OperatorHttpServer http = new OperatorHttpServer(
                config.httpPort(),
                () -> stopped.getCount() > 0 && operator.isLive(),
                operator::notReadyReason,
                registry);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("stopping: finishing reconciliations in progress");
                            operator.close();
                            autoscalers.ifPresent(AutoscalerGrpcServer::close);
                            http.close();
                            client.close();
                            stopped.countDown();
                        },
                        "sks-shutdown"));
        LOG.info(
                "sks-operator starting against {} (provider {}, zones {}, namespaces {}, HTTP port {})",
                client.getMasterUrl(),
                config.provider(),
                config.zones(),
                config.watchesAllNamespaces() ? "all" : config.watchNamespaces(),
                http.port());
        operator.start();
        LOG.info("sks-operator started in {} ms", (System.nanoTime() - started) / 1_000_000);
        stopped.await();
    }
}
