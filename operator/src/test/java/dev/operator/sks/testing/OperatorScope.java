package dev.operator.sks.testing;

import static org.awaitility.Awaitility.await;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.runtime.SksOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.RegisteredController;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The namespaces of one test class on the shared API server ({@link SharedApiServer}), and the in-process operators
 * that class started there, which watch those namespaces and no others.
 *
 * <p>An operator watches: a namespace of its own made when it starts (JOSDK needs at least one, and "none" would mean
 * "all"), the namespaces the class made outside its tests ({@code @BeforeAll}), and those the running test made. When
 * a namespace is made, every running operator of the class is told (JOSDK's {@code changeNamespaces}, which starts
 * the new namespace's informers and waits for them); the namespaces of a finished test are dropped then too.
 *
 * <p>A change of namespaces pauses an operator's event processing for a moment, and JOSDK 5.2.3 forgets a
 * reconciliation that finishes during that pause, so its resource is not reconciled again until it changes. Make a
 * class's namespaces before creating resources the operator works on in other namespaces of the class; the usual
 * shapes (one namespace per test from {@code @BeforeEach}, or one per class from {@code @BeforeAll}) are safe.
 */
public final class OperatorScope {
    private static final Duration READY = Duration.ofSeconds(60);
    private static OperatorScope current;

    private final Class<?> testClass;
    private final String serverUrl;
    private final Set<String> classNamespaces = new LinkedHashSet<>();
    private final Set<String> testNamespaces = new LinkedHashSet<>();
    private final List<Watching> operators = new ArrayList<>();
    private String home;
    private boolean inTest;

    private OperatorScope(Class<?> testClass, String serverUrl) {
        this.testClass = testClass;
        this.serverUrl = serverUrl;
    }

    private static final class Watching {
        final SksOperator operator;
        Set<String> namespaces;

        Watching(SksOperator operator, Set<String> namespaces) {
            this.operator = operator;
            this.namespaces = namespaces;
        }
    }

    static synchronized OperatorScope open(Class<?> testClass, String serverUrl) {
        if (current != null) {
            throw new IllegalStateException(testClass.getName() + " and " + current.testClass.getName()
                    + " both use the shared API server at once: run such classes one after another");
        }
        current = new OperatorScope(testClass, serverUrl);
        return current;
    }

    /** The scope that {@code client} falls in: the running class's, if the client talks to the shared server. */
    private static synchronized OperatorScope of(KubernetesClient client) {
        return current != null && current.serverUrl.equals(SharedApiServerExtension.url(client)) ? current : null;
    }

    /** Called by {@link ApiServerSupport#newNamespace} once {@code namespace} exists. */
    static void namespaceMade(KubernetesClient client, String namespace) {
        OperatorScope scope = of(client);
        if (scope != null) {
            scope.add(namespace);
        }
    }

    /**
     * {@code services} with the operator restricted to this class's namespaces when {@code client} talks to the shared
     * server; unchanged otherwise (a class with a server of its own).
     */
    static OperatorServices restrict(KubernetesClient client, OperatorServices services) {
        OperatorScope scope = of(client);
        return scope == null ? services : scope.restrict(services, client);
    }

    /** Called by {@link ApiServerSupport#startOperator} once {@code operator} runs. */
    static void started(KubernetesClient client, SksOperator operator) {
        OperatorScope scope = of(client);
        if (scope != null) {
            scope.register(operator);
        }
    }

    private synchronized OperatorServices restrict(OperatorServices services, KubernetesClient client) {
        if (!services.config().watchesAllNamespaces()) {
            throw new IllegalStateException(testClass.getSimpleName() + ": on the shared API server the operator's "
                    + "namespaces are the class's own; set no --watch-namespaces");
        }
        if (home == null) {
            home = ApiServerSupport.createNamespace(client, "operator");
        }
        return new OperatorServices(
                watching(services.config(), watched()),
                services.versions(),
                services.instanceTypes(),
                services.clock());
    }

    private synchronized void register(SksOperator operator) {
        operators.add(new Watching(operator, watched()));
    }

    synchronized void testStarted() {
        inTest = true;
    }

    /** The test's namespaces are no longer watched from the next change on (no pause now for what is over). */
    synchronized void testFinished() {
        inTest = false;
        testNamespaces.clear();
    }

    private synchronized void add(String namespace) {
        (inTest ? testNamespaces : classNamespaces).add(namespace);
        Set<String> wanted = watched();
        operators.removeIf(w -> !w.operator.runtimeInfo().isStarted());
        for (Watching w : operators) {
            if (!w.namespaces.equals(wanted)) {
                for (RegisteredController<?> controller :
                        w.operator.runtimeInfo().getRegisteredControllers()) {
                    controller.changeNamespaces(wanted);
                }
                w.namespaces = wanted;
                await().atMost(READY).until(() -> w.operator.notReadyReason().isEmpty());
            }
        }
    }

    /** Stops what the class left running, so no operator of it outlives it. */
    synchronized void close() {
        try {
            for (Watching w : operators) {
                if (w.operator.runtimeInfo().isStarted()) {
                    System.err.println(testClass.getSimpleName() + " left an operator running; stopping it");
                    w.operator.close();
                }
            }
        } finally {
            synchronized (OperatorScope.class) {
                if (current == this) {
                    current = null;
                }
            }
        }
    }

    private Set<String> watched() {
        Set<String> namespaces = new LinkedHashSet<>();
        if (home != null) {
            namespaces.add(home);
        }
        namespaces.addAll(classNamespaces);
        namespaces.addAll(testNamespaces);
        return Set.copyOf(namespaces);
    }

    /** A copy of {@code config} watching {@code namespaces}: every other setting as it was, however many there are. */
    static OperatorConfig watching(OperatorConfig config, Set<String> namespaces) {
        RecordComponent[] components = OperatorConfig.class.getRecordComponents();
        Object[] values = new Object[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                values[i] = components[i].getName().equals("watchNamespaces")
                        ? namespaces
                        : components[i].getAccessor().invoke(config);
            }
            Constructor<OperatorConfig> canonical = OperatorConfig.class.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return canonical.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy the operator's settings", e);
        }
    }
}
