package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.reconciler.ClusterReference;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Action;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Decision;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Held;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Wanted;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Withdrawal;
import dev.operator.sks.rendering.ApiserverUrls;
import dev.operator.sks.rendering.ClientCredentials;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.support.SecretData;
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
 * <p>Every decision is {@link KubeconfigPolicy}'s, from what the Secret holds. A decision to write is taken again on
 * a fresh read of the Secret (the informer's cache may lag) and written with create, or update at the resourceVersion
 * read: a key is generated at most once per state of the Secret, and a lost race writes nothing. Status is then told
 * from the Secret that was written.
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
    }

    @Override
    public List<EventSource<?, KubeconfigRequest>> prepareEventSources(EventSourceContext<KubeconfigRequest> context) {
        metrics.countFrom(() -> context.getPrimaryCache().list());
        clusters = ClusterReference.eventSource(context, r -> r.getSpec() == null ? null : r.getSpec().cluster);
        secrets = KubeconfigEventSources.secrets(context);
        return List.of(clusters, secrets);
    }

    @Override
    public UpdateControl<KubeconfigRequest> reconcile(KubeconfigRequest request, Context<KubeconfigRequest> context) {
        KubeconfigRequestStatus status = statusWriter.copy(request);
        Long generation = request.getMetadata().getGeneration();
        status.observedGeneration = generation;
        List<Violation> violations = KubeconfigRequestValidator.validate(request.getSpec());
        if (!violations.isEmpty()) {
            notReady(status, Violation.reasonOf(violations), Violation.messageOf(violations), generation);
            return patchIfChanged(request, status);
        }
        status.secretName = Defaults.secretName(request);
        String namespace = request.getMetadata().getNamespace();
        Optional<Violation> reserved = KubeconfigRequestValidator.checkSecretName(
                status.secretName,
                request.getSpec().cluster,
                clusters.list(namespace).map(c -> c.getMetadata().getName()).toList());
        if (reserved.isPresent()) {
            notIssued(status, reserved.get().reason(), reserved.get().message(), generation);
            return patchIfChanged(request, status);
        }
        Optional<SKSCluster> cluster = context.getSecondaryResource(SKSCluster.class);
        if (cluster.isEmpty()) {
            notIssued(
                    status,
                    "ClusterNotFound",
                    "SKSCluster '" + request.getSpec().cluster + "' does not exist in " + "namespace "
                            + request.getMetadata().getNamespace() + "; create it or correct spec.cluster",
                    generation);
            return patchIfChanged(request, status);
        }
        Instant now = clock.instant();
        Evaluation evaluation =
                evaluate(request, cluster.get(), name -> secrets.get(new ResourceID(name, namespace)), now);
        if (evaluation instanceof Planned planned && planned.decision().action().writes()) {
            evaluation = write(request, cluster.get(), context.getClient(), now);
        }
        if (evaluation instanceof Blocked blocked) {
            notIssued(status, blocked.reason(), blocked.message(), generation);
            return patchIfChanged(request, status);
        }
        Planned done = (Planned) evaluation;
        report(status, request, done, generation);
        removeLeftBehind(request, context.getClient(), status.secretName);
        UpdateControl<KubeconfigRequest> control = patchIfChanged(request, status);
        Optional<Instant> next = done.secret()
                .flatMap(KubeconfigSecret::expiration)
                .flatMap(notAfter -> KubeconfigPolicy.nextCheck(
                        done.wanted(), notAfter, done.decision().action(), now));
        return next.isPresent() ? control.rescheduleAfter(KubeconfigPolicy.delayUntil(next.get(), now)) : control;
    }

    /** What the request needs, read through {@code secrets} (the informer's cache or the API server). */
    private Evaluation evaluate(
            KubeconfigRequest request, SKSCluster cluster, Function<String, Optional<Secret>> secrets, Instant now) {
        String clusterName = cluster.getMetadata().getName();
        String secretName = Defaults.secretName(request);
        Optional<Secret> secret = secrets.apply(secretName);
        Optional<NameConflict> conflict = secret.flatMap(s -> NameConflict.of(s, request));
        if (conflict.isPresent()) {
            return new Blocked(
                    NameConflict.REASON,
                    conflict.get().message(request) + ", or set spec.secretName to " + "another name");
        }
        // Nothing new for a cluster on its way out: its CAs are about to go, and a kubeconfig would outlive it.
        if (cluster.getMetadata().getDeletionTimestamp() != null) {
            return new Blocked(
                    "ClusterDeleting",
                    "SKSCluster '" + clusterName + "' is being deleted; no kubeconfig is "
                            + "issued for it. Delete this request, or point spec.cluster at another cluster");
        }
        boolean ready =
                cluster.getStatus() != null && Conditions.isTrue(cluster.getStatus().conditions, Conditions.READY);
        // Once issued, a kubeconfig is renewed or expired even while its cluster is, say, upgrading.
        if (!ready && !secret.map(KubeconfigSecret::wasIssuedHere).orElse(false)) {
            return new Blocked("WaitingForCluster", "waiting for SKSCluster '" + clusterName + "' to be Ready");
        }
        Optional<Secret> clientsCaSecret = secrets.apply(Names.clientsCa(clusterName));
        Optional<Secret> clusterCaSecret = secrets.apply(Names.clusterCa(clusterName));
        if (clientsCaSecret.isEmpty() || clusterCaSecret.isEmpty()) {
            return new Blocked(
                    "WaitingForCertificateAuthority",
                    "waiting for the certificate authorities of SKSCluster '"
                            + clusterName + "' (Secrets " + Names.clusterCa(clusterName) + " and "
                            + Names.clientsCa(clusterName)
                            + ")");
        }
        IssuedCertificate clientsCa = IssuedCertificate.fromPem(
                decode(clientsCaSecret.get(), Names.TLS_CERTIFICATE_KEY),
                decode(clientsCaSecret.get(), Names.TLS_PRIVATE_KEY_KEY));
        String endpoint = cluster.getStatus() == null ? null : cluster.getStatus().endpoint;
        boolean internalServer = endpoint == null || endpoint.isBlank();
        String server = internalServer ? ApiserverUrls.inManagementCluster(cluster) : endpoint;
        Wanted wanted = Wanted.of(
                request.getSpec(),
                server,
                decode(clusterCaSecret.get(), Names.TLS_CERTIFICATE_KEY),
                clientsCa.notAfter());
        Optional<Held> held = secret.map(s -> KubeconfigSecret.read(s, clientsCa.certificate()));
        Decision decision = KubeconfigPolicy.decide(wanted, held, now);
        return new Planned(wanted, decision, secret, held, clientsCa, internalServer);
    }

    /** Decides again on a fresh read and writes; a conflicting write by someone else means reading and deciding again. */
    private Evaluation write(KubeconfigRequest request, SKSCluster cluster, KubernetesClient client, Instant now) {
        String namespace = request.getMetadata().getNamespace();
        Function<String, Optional<Secret>> fresh = name -> Optional.ofNullable(
                client.secrets().inNamespace(namespace).withName(name).get());
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            Evaluation evaluation = evaluate(request, cluster, fresh, now);
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
        tell(request, planned.decision(), wanted, secretName, written);
        LOG.info(
                "KubeconfigRequest {}/{}: {} Secret {} ({}; user {}, serial {}, expires {})",
                request.getMetadata().getNamespace(),
                request.getMetadata().getName(),
                verb(action),
                secretName,
                planned.decision().why(),
                wanted.user(),
                KubeconfigSecret.serial(written).orElse("-"),
                KubeconfigSecret.expiration(written).map(Conditions::timestamp).orElse("-"));
        return written;
    }

    /** The story of a written Secret as an Event: who it is for and until when, never what it holds. */
    private void tell(KubeconfigRequest request, Decision decision, Wanted wanted, String secretName, Secret written) {
        String serial = KubeconfigSecret.serial(written).orElse("-");
        String expires =
                KubeconfigSecret.expiration(written).map(Conditions::timestamp).orElse("-");
        KubeconfigPolicy.eventOf(decision)
                .ifPresent(event -> events.record(
                        request,
                        event.type(),
                        event.reason(),
                        event.verb() + " for user " + wanted.user() + " in Secret " + secretName + " (serial " + serial
                                + ", valid until " + expires + "): " + decision.why()));
    }

    private static String verb(Action action) {
        return switch (action) {
            case ISSUE -> "issued a kubeconfig into";
            case RENDER -> "rewrote the kubeconfig (same certificate) in";
            case EXPIRE -> "removed the expired kubeconfig from";
            case REVOKE -> "removed the revoked kubeconfig from";
            default -> action.name();
        };
    }

    private static String render(SKSCluster cluster, Wanted wanted, ClientCredentials credentials) {
        return KubeconfigRenderer.render(
                cluster.getMetadata().getName(), wanted.server(), wanted.clusterCaPem(), wanted.user(), credentials);
    }

    private void report(KubeconfigRequestStatus status, KubeconfigRequest request, Planned done, Long generation) {
        Secret secret = done.secret().orElseThrow();
        status.serialNumber = KubeconfigSecret.serial(secret).orElse(null);
        status.expirationTime =
                KubeconfigSecret.expiration(secret).map(Conditions::timestamp).orElse(null);
        Action action = done.decision().action();
        Optional<Withdrawal> withdrawn = switch (action) {
            case EXPIRE -> Optional.of(Withdrawal.EXPIRED);
            case REVOKE -> Optional.of(Withdrawal.CLIENTS_CA_ROTATED);
            case STAY_WITHDRAWN -> done.held().map(Held::withdrawn);
            default -> Optional.empty();
        };
        String secretName = status.secretName;
        String cluster = request.getSpec().cluster;
        if (withdrawn.isEmpty()) {
            String message = "kubeconfig for user " + request.getSpec().user + " in Secret " + secretName + " (key "
                    + Names.KUBECONFIG_REQUEST_KEY + "), valid until " + status.expirationTime
                    + (done.wanted().renews()
                            ? ", renewed " + done.wanted().renewBeforeSeconds() + "s before expiry"
                            : "");
            if (done.internalServer()) {
                message += "; SKSCluster '" + cluster + "' has no endpoint yet, so its server is "
                        + done.wanted().server()
                        + ", reachable only from inside the management cluster, until it has one";
            }
            Conditions.set(status.conditions, Conditions.READY, true, "Issued", message, generation, clock);
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    false,
                    "Valid",
                    "the certificate is valid until " + status.expirationTime,
                    generation,
                    clock);
        } else if (withdrawn.get() == Withdrawal.EXPIRED) {
            Conditions.set(
                    status.conditions,
                    Conditions.READY,
                    false,
                    "Expired",
                    "the certificate expired at "
                            + status.expirationTime + " and the data of Secret " + secretName
                            + " was removed; change the request, "
                            + "or delete and re-create it, for a new kubeconfig (with renewBeforeSeconds it is renewed before expiry)",
                    generation,
                    clock);
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    true,
                    "Expired",
                    "the certificate expired at " + status.expirationTime,
                    generation,
                    clock);
        } else {
            Conditions.set(
                    status.conditions,
                    Conditions.READY,
                    false,
                    "ClientsCARotated",
                    "the clients CA of SKSCluster '"
                            + cluster + "' was rotated, which revokes this kubeconfig; the data of Secret " + secretName
                            + " was "
                            + "removed. Set renewBeforeSeconds, or delete and re-create the request, for a new kubeconfig",
                    generation,
                    clock);
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    false,
                    "ClientsCARotated",
                    "revoked before its expiry " + "at " + status.expirationTime,
                    generation,
                    clock);
        }
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

    private void notReady(KubeconfigRequestStatus status, String reason, String message, Long generation) {
        Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
    }

    /** Nothing usable issued: Ready False; Expired says so unless an earlier state already set it. */
    private void notIssued(KubeconfigRequestStatus status, String reason, String message, Long generation) {
        notReady(status, reason, message, generation);
        if (Conditions.find(status.conditions, Conditions.EXPIRED).isEmpty()) {
            Conditions.set(
                    status.conditions,
                    Conditions.EXPIRED,
                    false,
                    "NotIssued",
                    "no certificate has been issued",
                    generation,
                    clock);
        }
    }

    @Override
    public ErrorStatusUpdateControl<KubeconfigRequest> updateErrorStatus(
            KubeconfigRequest request, Context<KubeconfigRequest> context, Exception e) {
        return statusWriter.error(request, e);
    }

    private UpdateControl<KubeconfigRequest> patchIfChanged(KubeconfigRequest request, KubeconfigRequestStatus status) {
        return statusWriter.write(request, status);
    }

    private static String decode(Secret secret, String key) {
        return SecretData.decode(secret, key);
    }

    /** The result of looking at a request: blocked (and why), or a decision with what it was taken on. */
    private sealed interface Evaluation permits Blocked, Planned {}

    private record Blocked(String reason, String message) implements Evaluation {}

    private record Planned(
            Wanted wanted,
            Decision decision,
            Optional<Secret> secret,
            Optional<Held> held,
            IssuedCertificate clientsCa,
            boolean internalServer)
            implements Evaluation {
        Planned withSecret(Secret written) {
            return new Planned(wanted, decision, Optional.of(written), held, clientsCa, internalServer);
        }

        /** Never the Secret: it holds a private key. */
        @Override
        public String toString() {
            return "Planned[" + decision + ", secret "
                    + secret.map(s -> s.getMetadata().getName()).orElse("none") + "]";
        }
    }
}
