package dev.operator.sks.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against the management API server that the whole test JVM shares, in place of
 * {@code @EnableKubeAPIServer}: the server (a real etcd and kube-apiserver from kube-api-test) starts once, at the
 * first class that asks for it, with the CRDs of crds/ installed, and stops when the JVM exits.
 *
 * <p>What a class gets and must keep to:
 * <ul>
 *   <li>Its {@code @KubeConfig static String kubeconfig} field (kube-api-test's annotation) is set before its
 *       {@code @BeforeAll} methods run. The CRDs are there already: do not install them again.</li>
 *   <li>Namespaces are the unit of isolation: make each one with {@link ApiServerSupport#newNamespace}, one per test
 *       (in {@code @BeforeEach}) or one per class (in {@code @BeforeAll}). Never rely on the server being empty, and
 *       change no cluster-scoped state that another class could see (a class that must: keep
 *       {@code @EnableKubeAPIServer}).</li>
 *   <li>An operator started with {@link ApiServerSupport#startOperator} watches only the namespaces that this class
 *       made with {@link ApiServerSupport#newNamespace}: those made for the class, and those of the running test
 *       (a finished test's namespaces are dropped when the next namespace is made). So operators of different classes,
 *       with different settings, never reconcile each other's resources. Start no operator by {@code new
 *       SksOperator(...)} here: it would watch every namespace.</li>
 * </ul>
 * Test classes run one after another in the JVM (surefire's default); {@link OperatorScope} refuses two at once.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SharedApiServerExtension.class)
public @interface SharedApiServer {}
