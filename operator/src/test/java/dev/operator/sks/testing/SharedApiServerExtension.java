package dev.operator.sks.testing;

import dev.operator.sks.leaks.LeakScanDump;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The extension behind {@link SharedApiServer}: gives the class the JVM's management API server and keeps its
 * operators to its own namespaces ({@link OperatorScope}).
 */
public final class SharedApiServerExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace STORE =
            ExtensionContext.Namespace.create(SharedApiServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Server server = Server.get();
        injectKubeconfig(context.getRequiredTestClass(), server.kubeconfig);
        context.getStore(STORE)
                .put(OperatorScope.class, OperatorScope.open(context.getRequiredTestClass(), server.url));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        scope(context).testStarted();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        scope(context).testFinished();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        OperatorScope scope = context.getStore(STORE).get(OperatorScope.class, OperatorScope.class);
        if (scope != null) { // null when beforeAll failed: nothing of this class to stop
            scope.close();
        }
    }

    private static OperatorScope scope(ExtensionContext context) {
        return context.getStore(STORE).get(OperatorScope.class, OperatorScope.class);
    }

    /** The master URL of the shared server, as a client built from its kubeconfig names it (no trailing slash). */
    static String url(KubernetesClient client) {
        return stripSlash(client.getConfiguration().getMasterUrl());
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static void injectKubeconfig(Class<?> testClass, String kubeconfig) throws IllegalAccessException {
        for (Class<?> type = testClass; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (!field.isAnnotationPresent(KubeConfig.class)) {
                    continue;
                }
                if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class) {
                    throw new IllegalStateException(type.getSimpleName() + "." + field.getName()
                            + ": @KubeConfig goes on a static String field with @SharedApiServer");
                }
                field.setAccessible(true);
                field.set(null, kubeconfig);
            }
        }
    }

    /** What the operators told the server, for the suite-wide secret scan; a failure here only loses the dump. */
    private static void dumpForLeakScan(String kubeconfig) {
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            int objects = LeakScanDump.write(
                    client, "shared-apiserver-" + ProcessHandle.current().pid());
            System.out.printf("leak scan: %d events and statuses written%n", objects);
        } catch (Exception e) {
            System.err.println("leak scan: no dump of the shared API server: " + e);
        }
    }

    /** The one management API server of this JVM: started by the first class that needs it, stopped at exit. */
    static final class Server {
        private static Server instance;

        final String kubeconfig;
        final String url;

        private Server(String kubeconfig, String url) {
            this.kubeconfig = kubeconfig;
            this.url = url;
        }

        static synchronized Server get() throws Exception {
            if (instance == null) {
                instance = start();
            }
            return instance;
        }

        private static Server start() throws Exception {
            long started = System.nanoTime();
            // No version: kube-api-test takes the newest installed binaries and downloads nothing. The suite's classes
            // leave their clusters behind, two ClusterIPs each: kube-api-test's /24 Service range is full before the
            // suite ends, so the API server gets a /16.
            Path binaries = OperatorProcesses.binariesWithServiceRange(Files.createTempDirectory("shared-apiserver"));
            KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withUpdateKubeConfig(false)
                    .withTestDir(binaries.toString())
                    .build());
            server.start();
            try {
                long up = System.nanoTime();
                String kubeconfig = server.getKubeConfigYaml();
                String url;
                try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
                    ApiServerSupport.installCrds(client);
                    url = url(client);
                }
                String written = kubeconfig;
                // One hook, so the dump surely runs before the server stops (hooks run in no order).
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(
                                () -> {
                                    dumpForLeakScan(written);
                                    server.stop();
                                },
                                "shared-kube-apiserver-stop"));
                System.out.printf(
                        "shared API server %s: up in %.1f s, CRDs installed in %.1f s more%n",
                        url, (up - started) / 1e9, (System.nanoTime() - up) / 1e9);
                return new Server(kubeconfig, url);
            } catch (Exception | Error e) {
                server.stop();
                throw e;
            }
        }
    }
}
