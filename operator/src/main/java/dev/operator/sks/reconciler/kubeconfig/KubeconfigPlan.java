package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Decision;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Held;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Wanted;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Blocked;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.ClusterDeleting;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Done;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.SecretTaken;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.WaitingForCertificateAuthority;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.WaitingForCluster;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Written;
import dev.operator.sks.rendering.ApiserverUrls;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a KubeconfigRequest needs, from its cluster and the Secrets it reads: {@link Blocked} (and why), or a
 * {@link KubeconfigPolicy} decision with what it was taken on. No client: the Secrets are read through the lookup
 * it is given (the informer's cache, or the API server for a decision to write).
 */
final class KubeconfigPlan {
    private KubeconfigPlan() {}

    /** The result of looking at a request: blocked (and why), or a decision with what it was taken on. */
    sealed interface Evaluation permits Blocked, Planned {}

    record Planned(
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

        /** What the status is told from: the decision and the Secret written or kept (never its data). */
        Done done() {
            Secret current = secret.orElseThrow();
            return new Done(
                    decision.action(),
                    held.map(Held::withdrawn),
                    KubeconfigSecret.serial(current),
                    KubeconfigSecret.expiration(current),
                    wanted.server(),
                    internalServer,
                    wanted.renewBeforeSeconds());
        }

        /** What the Event and the log of {@code written} are told from. */
        Written written(String secretName, Secret written) {
            return new Written(
                    decision,
                    wanted.user(),
                    secretName,
                    KubeconfigSecret.serial(written),
                    KubeconfigSecret.expiration(written));
        }

        /** When to look at the kubeconfig again: renewal or expiry; empty when nothing is due any more. */
        Optional<Instant> nextCheck(Instant now) {
            return secret.flatMap(KubeconfigSecret::expiration)
                    .flatMap(notAfter -> KubeconfigPolicy.nextCheck(wanted, notAfter, decision.action(), now));
        }

        /** Never the Secret: it holds a private key. */
        @Override
        public String toString() {
            return "Planned[" + decision + ", secret "
                    + secret.map(s -> s.getMetadata().getName()).orElse("none") + "]";
        }
    }

    /** What {@code request} needs, its Secrets read through {@code secrets} (the informer's cache or the server). */
    static Evaluation evaluate(
            KubeconfigRequest request, SKSCluster cluster, Function<String, Optional<Secret>> secrets, Instant now) {
        String clusterName = cluster.getMetadata().getName();
        Optional<Secret> secret = secrets.apply(Defaults.secretName(request));
        Optional<NameConflict> conflict = secret.flatMap(s -> NameConflict.of(s, request));
        if (conflict.isPresent()) {
            return new SecretTaken(conflict.get());
        }
        // Nothing new for a cluster on its way out: its CAs are about to go, and a kubeconfig would outlive it.
        if (cluster.getMetadata().getDeletionTimestamp() != null) {
            return new ClusterDeleting(clusterName);
        }
        boolean ready =
                cluster.getStatus() != null && Conditions.isTrue(cluster.getStatus().conditions, Conditions.READY);
        // Once issued, a kubeconfig is renewed or expired even while its cluster is, say, upgrading.
        if (!ready && !secret.map(KubeconfigSecret::wasIssuedHere).orElse(false)) {
            return new WaitingForCluster(clusterName);
        }
        Optional<Secret> clientsCaSecret = secrets.apply(Names.clientsCa(clusterName));
        Optional<Secret> clusterCaSecret = secrets.apply(Names.clusterCa(clusterName));
        if (clientsCaSecret.isEmpty() || clusterCaSecret.isEmpty()) {
            return new WaitingForCertificateAuthority(clusterName);
        }
        IssuedCertificate clientsCa = IssuedCertificate.fromPem(
                SecretData.decode(clientsCaSecret.get(), Names.TLS_CERTIFICATE_KEY),
                SecretData.decode(clientsCaSecret.get(), Names.TLS_PRIVATE_KEY_KEY));
        String endpoint = cluster.getStatus() == null ? null : cluster.getStatus().endpoint;
        boolean internalServer = endpoint == null || endpoint.isBlank();
        String server = internalServer ? ApiserverUrls.inManagementCluster(cluster) : endpoint;
        Wanted wanted = Wanted.of(
                request.getSpec(),
                server,
                // The trust bundle: a kubeconfig issued during a CA rotation verifies the server before and after it.
                SecretData.find(clusterCaSecret.get(), Names.CA_CERTIFICATE_KEY)
                        .orElseGet(() -> SecretData.decode(clusterCaSecret.get(), Names.TLS_CERTIFICATE_KEY)),
                clientsCa.notAfter());
        Optional<Held> held = secret.map(s -> KubeconfigSecret.read(s, clientsCa.certificate()));
        Decision decision = KubeconfigPolicy.decide(wanted, held, now);
        return new Planned(wanted, decision, secret, held, clientsCa, internalServer);
    }
}
