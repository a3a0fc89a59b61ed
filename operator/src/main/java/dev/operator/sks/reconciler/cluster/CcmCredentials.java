package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Addon;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.CloudControllerCredentials;
import dev.operator.sks.provider.CloudControllerCredentials.Form;
import dev.operator.sks.provider.CloudControllerCredentials.IssuedKey;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Current;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Issue;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Retire;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Step;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Stored;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps a cluster's cloud-controller credentials in the Secret {@code <cluster>-ccm-credentials}, following
 * {@link CcmCredentialsPlan}: issued when the cluster wants the cloud-controller addon (an API key through the cloud's
 * IAM, or a kubeconfig with a ServiceAccount token of the management cluster), made anew on the rotation annotation
 * (a replaced API key revoked once its successor is stored) and, for credentials that expire, when their renewal time
 * comes; revoked with their role when the cluster is deleted. The tenant bootstrap copies the Secret into the tenant's
 * {@code kube-system}.
 */
final class CcmCredentials {
    /** What one pass did, for the condition and the Events. */
    sealed interface Outcome {}

    /** The cluster needs no key (no cloud-controller addon, or a provider without one). */
    record NotWanted() implements Outcome {}

    /**
     * The credentials asked for are stored; {@code issued}, {@code rotated}, {@code renewed} and {@code revoked} say
     * what this pass did; {@code renewAfter} is when they are to be made anew, for those that expire.
     */
    record Stored(
            Form form,
            String keyId,
            boolean issued,
            boolean rotated,
            boolean renewed,
            int revoked,
            Optional<Instant> renewAfter)
            implements Outcome {}

    /** The cloud's IAM (or the management API server) refused or failed; its message never carries a secret. */
    record Failed(Form form, String message) implements Outcome {}

    /** A renewal due (or past) is looked at after this, not in a hot loop. */
    static final Duration RENEWAL_POLL_MIN = Duration.ofSeconds(1);

    private final Optional<CloudControllerCredentials> cloud;
    private final Clock clock;

    CcmCredentials(Optional<CloudControllerCredentials> cloud, Clock clock) {
        this.cloud = cloud;
        this.clock = clock;
    }

    /** The public id of the key stored, for the tenant bootstrap to copy the right one. */
    static Optional<String> keyId(Outcome outcome) {
        return outcome instanceof Stored stored ? Optional.of(stored.keyId()) : Optional.empty();
    }

    /** How long until stored credentials are to be renewed: when the cluster must be reconciled again. */
    static Optional<Duration> renewIn(Outcome outcome, Clock clock) {
        return outcome instanceof Stored stored
                ? stored.renewAfter()
                        .map(at -> Duration.between(clock.instant(), at))
                        .map(wait -> wait.compareTo(RENEWAL_POLL_MIN) < 0 ? RENEWAL_POLL_MIN : wait)
                : Optional.empty();
    }

    /** When to look again for the credentials' sake: a failed IAM after {@code retry}, a token when it is due. */
    static Optional<Duration> lookAgain(Outcome outcome, Duration retry, Clock clock) {
        return outcome instanceof Failed ? Optional.of(retry) : renewIn(outcome, clock);
    }

    /** Whether the cluster gets a key: a provider whose cloud controller needs one, and the addon. */
    boolean wanted(ClusterModel model) {
        return cloud.isPresent() && model.addons().contains(Addon.CLOUD_CONTROLLER);
    }

    Outcome ensure(SKSCluster cluster, ClusterModel model, OwnedObjects objects) {
        if (!wanted(model)) {
            return new NotWanted();
        }
        String name = Names.ccmCredentials(cluster.getMetadata().getName());
        Optional<Secret> secret = objects.find(Secret.class, name);
        Optional<CcmCredentialsPlan.Stored> stored = secret.flatMap(
                s -> CcmCredentialsPlan.Stored.from(s.getMetadata().getAnnotations()));
        Step step = CcmCredentialsPlan.next(
                stored, CcmCredentialsPlan.wantedRotation(cluster.getMetadata().getAnnotations()), clock.instant());
        Form form = cloud.get().form();
        String keyId = stored.map(CcmCredentialsPlan.Stored::keyId).orElse("");
        Optional<Instant> renewAfter = stored.flatMap(CcmCredentialsPlan.Stored::renewAfter);
        boolean issued = false;
        boolean rotated = false;
        boolean renewed = false;
        int revoked = 0;
        try {
            if (step instanceof Issue issue) {
                IssuedKey key = cloud.get().issue(target(cluster), keyName(cluster));
                // A token cannot be revoked alone: there is nothing to list for revocation, only to let expire.
                List<String> retire = form == Form.API_KEY ? issue.retire() : List.of();
                write(objects, secret(cluster, key, issue.rotation(), retire));
                keyId = key.keyId();
                renewAfter = key.renewAfter();
                issued = true;
                renewed = issue.renewal();
                rotated = stored.isPresent() && !issue.renewal();
                step = retire.isEmpty() ? new Current() : new Retire(retire);
            }
            if (step instanceof Retire retire) {
                for (String replaced : retire.keys()) {
                    cloud.get().revokeKey(target(cluster), replaced);
                    revoked++;
                }
                Secret current = objects.fresh(Secret.class, name).orElseThrow();
                Map<String, String> annotations =
                        new LinkedHashMap<>(current.getMetadata().getAnnotations());
                annotations.remove(Labels.CCM_RETIRED_KEYS_ANNOTATION);
                Secret desired = new SecretBuilder(current)
                        .editMetadata()
                        .withAnnotations(annotations)
                        .endMetadata()
                        .build();
                objects.replace(desired, current);
            }
        } catch (ProviderException e) {
            return new Failed(form, e.getMessage());
        }
        return new Stored(form, keyId, issued, rotated, renewed, revoked, renewAfter);
    }

    /**
     * Revokes every key the cluster's Secret names and deletes the cluster's role. Returns the IAM's refusal, if any:
     * the cluster then keeps its finalizer and tries again.
     */
    Optional<String> revoke(SKSCluster cluster, KubernetesClient client) {
        if (cloud.isEmpty()) {
            return Optional.empty();
        }
        Secret secret = client.secrets()
                .inNamespace(cluster.getMetadata().getNamespace())
                .withName(Names.ccmCredentials(cluster.getMetadata().getName()))
                .get();
        List<String> keys = secret == null || !Owners.isControlledBy(secret, cluster)
                ? List.of()
                : CcmCredentialsPlan.Stored.from(secret.getMetadata().getAnnotations())
                        .map(CcmCredentialsPlan.Stored::all)
                        .orElse(List.of());
        try {
            for (String keyId : keys) {
                cloud.get().revokeKey(target(cluster), keyId);
            }
            cloud.get().deleteRole(target(cluster));
            return Optional.empty();
        } catch (ProviderException e) {
            return Optional.of(e.getMessage());
        }
    }

    private void write(OwnedObjects objects, Secret desired) {
        Optional<Secret> current =
                objects.fresh(Secret.class, desired.getMetadata().getName());
        if (current.isPresent()) {
            objects.replace(desired, current.get());
        } else {
            objects.create(desired);
        }
    }

    private static Secret secret(SKSCluster cluster, IssuedKey key, String rotation, List<String> retire) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Labels.CCM_CREDENTIALS_KEY_ANNOTATION, key.keyId());
        annotations.put(Labels.CCM_CREDENTIALS_ROTATION_ANNOTATION, rotation);
        key.renewAfter().ifPresent(at -> annotations.put(Labels.CCM_CREDENTIALS_RENEW_AFTER_ANNOTATION, at.toString()));
        if (!retire.isEmpty()) {
            annotations.put(Labels.CCM_RETIRED_KEYS_ANNOTATION, CcmCredentialsPlan.join(retire));
        }
        return new SecretBuilder()
                .withNewMetadata()
                .withName(Names.ccmCredentials(cluster.getMetadata().getName()))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE))
                .withAnnotations(annotations)
                .withOwnerReferences(Owners.controllerReference(cluster))
                .endMetadata()
                .withType("Opaque")
                .withData(SecretData.encode(key.secretData()))
                .build();
    }

    private String keyName(SKSCluster cluster) {
        return "sks-" + cluster.getMetadata().getNamespace() + "-"
                + cluster.getMetadata().getName() + "-ccm-" + clock.instant().getEpochSecond();
    }

    private static CloudControllerCredentials.Cluster target(SKSCluster cluster) {
        return new CloudControllerCredentials.Cluster(
                cluster.getMetadata().getUid(),
                cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName(),
                cluster.getSpec().zone);
    }
}
