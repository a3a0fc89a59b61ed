package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.reconciler.ClusterReference;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPlan.Evaluation;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPlan.Planned;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Action;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Wanted;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Withdrawal;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Blocked;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.ClusterNotFound;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Invalid;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Outcome;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.SecretNameRefused;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Written;
import dev.operator.sks.rendering.ClientCredentials;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.sharding.ShardStamper;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.validation.KubeconfigRequestValidator;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues a KubeconfigRequest's kubeconfig once its cluster is Ready: a fresh key and a client certificate (CN = user,
 * O = groups) signed by the cluster's clients CA, valid for ttlSeconds, in a Secret the request owns. Issues again
 * when user, groups or TTL change, renews renewBeforeSeconds before expiry, and otherwise removes the data at expiry
 * or when the clients CA was rotated.
 *
 * <p>Every decision is {@link KubeconfigPolicy}'s, from what the Secret holds ({@link KubeconfigPlan}). A decision to
 * write is taken again on a fresh read of the Secret (the informer's cache may lag) and written with create, or
 * update at the resourceVersion read: a key is generated at most once per state of the Secret, and a lost race
 * writes nothing. Status is then told ({@link KubeconfigRequestReport}) from the Secret that was written.
 */
@ControllerConfiguration(name = "kubeconfigrequest")
public class KubeconfigRequestReconciler implements Reconciler<KubeconfigRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(KubeconfigRequestReconciler.class);
    private static final int WRITE_ATTEMPTS = 3;

    private final Clock clock;
    private final Pki pki;
    private final KubeconfigMetrics metrics;
    private volatile InformerEventSource<Secret, KubeconfigRequest> secrets;
    private volatile InformerEventSource<SKSCluster, KubeconfigRequest> clusters;
    private final EventRecorder events;
    private final Sharding sharding;

    private final StatusWriter<KubeconfigRequestStatus, KubeconfigRequest> statusWriter;

    public KubeconfigRequestReconciler(OperatorServices services, KubeconfigMetrics metrics, EventRecorder events) {
        this.statusWriter = new StatusWriter<>(
                KubeconfigRequestStatus.class,
                KubeconfigRequestStatus::new,
                KubeconfigRequest::new,
                s -> s.conditions,
                events,
                services.clock());
        this.clock = services.clock();
        this.pki = new BouncyCastlePki(services.clock());
        this.metrics = metrics;
        this.events = events;
        this.sharding = services.config().sharding();
    }

    @Override
    public List<EventSource<?, KubeconfigRequest>> prepareEventSources(EventSourceContext<KubeconfigRequest> context) {
        metrics.countFrom(() -> context.getPrimaryCache().list());
        clusters =
                ClusterReference.eventSource(context, r -> r.getSpec() == null ? null : r.getSpec().cluster, sharding);
        secrets = KubeconfigEventSources.secrets(context, sharding);
        return List.of(clusters, secrets);
    }

    @Override
    public UpdateControl<KubeconfigRequest> reconcile(KubeconfigRequest request, Context<KubeconfigRequest> context) {
        List<Violation> violations = KubeconfigRequestValidator.validate(request.getSpec());
        if (!violations.isEmpty()) {
            return report(request, new Invalid(violations));
        }
        String namespace = request.getMetadata().getNamespace();
        String secretName = Defaults.secretName(request);
        Optional<Violation> reserved = KubeconfigRequestValidator.checkSecretName(
                secretName,
                request.getSpec().cluster,
                clusters.list(namespace).map(c -> c.getMetadata().getName()).toList());
        if (reserved.isPresent()) {
            return report(request, new SecretNameRefused(reserved.get()));
        }
        Optional<SKSCluster> cluster = context.getSecondaryResource(SKSCluster.class);
        if (cluster.isEmpty()) {
            return report(request, new ClusterNotFound(request.getSpec().cluster, namespace));
        }
        Instant now = clock.instant();
        Evaluation evaluation = KubeconfigPlan.evaluate(
                request, cluster.get(), name -> secrets.get(new ResourceID(name, namespace)), now);
        if (evaluation instanceof Planned planned && planned.decision().action().writes()) {
            evaluation = write(request, cluster.get(), context.getClient(), now);
        }
        if (evaluation instanceof Blocked blocked) {
            return report(request, blocked);
        }
        Planned done = (Planned) evaluation;
        removeLeftBehind(request, context.getClient(), secretName);
        UpdateControl<KubeconfigRequest> control = report(request, done.done());
        Optional<Instant> next = done.nextCheck(now);
        return next.isPresent() ? control.rescheduleAfter(KubeconfigPolicy.delayUntil(next.get(), now)) : control;
    }

    /** Decides again on a fresh read and writes; a conflicting write by someone else means reading and deciding again. */
    private Evaluation write(KubeconfigRequest request, SKSCluster cluster, KubernetesClient client, Instant now) {
        String namespace = request.getMetadata().getNamespace();
        // Its own Secret, written before sharding was turned on, is relabelled into this shard's watch once read.
        Function<String, Optional<Secret>> fresh = name -> Optional.ofNullable(
                        client.secrets().inNamespace(namespace).withName(name).get())
                .map(secret ->
                        Owners.isControlledBy(secret, request) ? ShardStamper.adopt(client, sharding, secret) : secret);
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            Evaluation evaluation = KubeconfigPlan.evaluate(request, cluster, fresh, now);
            if (!(evaluation instanceof Planned planned)
                    || !planned.decision().action().writes()) {
                return evaluation;
            }
            try {
                return planned.withSecret(act(request, cluster, planned, client));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                LOG.debug(
                        "Secret {}/{} changed while being written; reading it again",
                        namespace,
                        Defaults.secretName(request));
            }
        }
        throw new IllegalStateException("Secret " + Defaults.secretName(request) + " kept changing while it was being "
                + "written; trying again later");
    }

    private Secret act(KubeconfigRequest request, SKSCluster cluster, Planned planned, KubernetesClient client) {
        String secretName = Defaults.secretName(request);
        Wanted wanted = planned.wanted();
        Action action = planned.decision().action();
        Secret desired;
        switch (action) {
            case ISSUE -> {
                // The only place a key is generated: written at once, conditionally on the Secret read just before.
                IssuedCertificate issued = pki.issue(wanted.certificateRequest(), planned.clientsCa());
                String kubeconfig = render(
                        cluster,
                        wanted,
                        new ClientCredentials(
                                issued.certificatePem(), Pem.encodePrivateKeyTraditional(issued.keyPair())));
                desired = KubeconfigSecret.holding(
                        planned.secret(), request, secretName, kubeconfig, wanted.digest(), issued.certificate());
            }
            case RENDER -> {
                Optional<ClientCredentials> credentials = planned.secret()
                        .flatMap(KubeconfigSecret::kubeconfig)
                        .flatMap(KubeconfigRenderer::readCredentials);
                if (credentials.isEmpty()) {
                    throw new IllegalStateException(
                            "the kubeconfig in Secret " + secretName + " has no readable credentials");
                }
                desired = KubeconfigSecret.holding(
                        planned.secret(),
                        request,
                        secretName,
                        render(cluster, wanted, credentials.get()),
                        wanted.digest(),
                        planned.held().orElseThrow().certificate());
            }
            case EXPIRE -> desired = KubeconfigSecret.withdrawn(planned.secret().orElseThrow(), Withdrawal.EXPIRED);
            case REVOKE ->
                desired = KubeconfigSecret.withdrawn(planned.secret().orElseThrow(), Withdrawal.CLIENTS_CA_ROTATED);
            default -> throw new IllegalArgumentException("nothing to write for " + action);
        }
        ResourceID owner = ResourceID.fromResource(request);
        sharding.stamp(desired);
        Secret written;
        if (planned.secret().isEmpty()) {
            written = client.resource(desired).create();
            secrets.handleRecentResourceCreate(owner, written);
        } else {
            written = client.resource(desired).update();
            secrets.handleRecentResourceUpdate(owner, written, planned.secret().get());
        }
        if (action == Action.ISSUE) {
            metrics.issued();
        }
        // The story of a written Secret: who it is for and until when, never what it holds.
        Written story = planned.written(secretName, written);
        KubeconfigRequestReport.event(story)
                .ifPresent(event -> events.record(request, event.type(), event.reason(), event.message()));
        LOG.info("{}", KubeconfigRequestReport.logged(request, story));
        return written;
    }

    private static String render(SKSCluster cluster, Wanted wanted, ClientCredentials credentials) {
        return KubeconfigRenderer.render(
                cluster.getMetadata().getName(), wanted.server(), wanted.clusterCaPem(), wanted.user(), credentials);
    }

    /** A request whose secretName changed would otherwise leave a working kubeconfig behind in the old Secret. */
    private void removeLeftBehind(KubeconfigRequest request, KubernetesClient client, String secretName) {
        secrets.list(request.getMetadata().getNamespace(), s -> KubeconfigSecret.isLeftBehind(s, request, secretName))
                .forEach(old -> {
                    client.resource(old).delete();
                    LOG.info(
                            "KubeconfigRequest {}/{}: deleted Secret {}, which it wrote before spec.secretName changed",
                            request.getMetadata().getNamespace(),
                            request.getMetadata().getName(),
                            old.getMetadata().getName());
                });
    }

    /** Writes the status {@code outcome} leads to, if it changed. */
    private UpdateControl<KubeconfigRequest> report(KubeconfigRequest request, Outcome outcome) {
        KubeconfigRequestStatus status = statusWriter.copy(request);
        return statusWriter.write(request, KubeconfigRequestReport.report(request, status, outcome, clock));
    }

    @Override
    public ErrorStatusUpdateControl<KubeconfigRequest> updateErrorStatus(
            KubeconfigRequest request, Context<KubeconfigRequest> context, Exception e) {
        return statusWriter.error(request, e);
    }
}
