package dev.operator.sks.provider.kubevirt;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.CloudControllerCredentials;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.Digests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Credentials for the KubeVirt cloud controller of one cluster: a ServiceAccount in the cluster's namespace of the
 * management cluster, a Role allowing only what the cloud controller calls there (its LoadBalancer Services, and
 * reading the VirtualMachineInstances it initializes Nodes from) and their RoleBinding, all controlled by the cluster;
 * and a kubeconfig with a bound token of that account from the TokenRequest API, against the management API server as
 * tenant nodes reach it.
 *
 * <p>Such a token expires ({@link #TOKEN_LIFETIME}) and is renewed once less than a third of it is left. It cannot be
 * revoked alone: a rotated-away token stays valid until it expires. Deleting the ServiceAccount revokes all its tokens
 * at once, which is what deleting the cluster does ({@link #deleteRole}, and owner references behind it).
 */
public final class KubeVirtCcmCredentials implements CloudControllerCredentials {
    /** How long a token is valid: a day, renewed after two thirds of it. */
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(24);

    /**
     * What the cloud controller calls in the cluster's namespace: its service controller keeps one Service per tenant
     * LoadBalancer Service (selecting the virt-launcher pods of the cluster's workers); its instances controller reads
     * the VirtualMachineInstance behind each Node. Nothing else: no Secrets, no VirtualMachines, no other namespace.
     */
    static final List<PolicyRule> RULES = List.of(
            new PolicyRuleBuilder()
                    .withApiGroups("")
                    .withResources("services")
                    .withVerbs("get", "list", "watch", "create", "update", "delete")
                    .build(),
            new PolicyRuleBuilder()
                    .withApiGroups("kubevirt.io")
                    .withResources("virtualmachineinstances")
                    .withVerbs("get", "list", "watch")
                    .build());

    private static final String CA_CONFIG_MAP = "kube-root-ca.crt";

    private final KubernetesClient client;
    private final Optional<String> server;
    private final Clock clock;
    private final Duration lifetime;

    /**
     * @param server the management API server's URL as tenant nodes reach it; empty for the URL the operator uses
     */
    public KubeVirtCcmCredentials(KubernetesClient client, Optional<String> server, Clock clock) {
        this(client, server, clock, TOKEN_LIFETIME);
    }

    KubeVirtCcmCredentials(KubernetesClient client, Optional<String> server, Clock clock, Duration lifetime) {
        this.client = client;
        this.server = server.filter(s -> !s.isBlank());
        this.clock = clock;
        this.lifetime = lifetime;
    }

    @Override
    public Form form() {
        return Form.SERVICE_ACCOUNT_TOKEN;
    }

    @Override
    public IssuedKey issue(Cluster cluster, String keyName) throws ProviderException {
        String name = Names.cloudControllerAccount(cluster.name());
        try {
            ensure(serviceAccount(cluster));
            ensure(role(cluster));
            ensure(roleBinding(cluster));
            Instant asked = clock.instant();
            TokenRequest granted = client.serviceAccounts()
                    .inNamespace(cluster.namespace())
                    .withName(name)
                    .tokenRequest(new TokenRequestBuilder()
                            .withNewSpec()
                            .withExpirationSeconds(lifetime.toSeconds())
                            .endSpec()
                            .build());
            String token =
                    granted.getStatus() == null ? null : granted.getStatus().getToken();
            if (token == null || token.isBlank()) {
                throw new ProviderException("the API server granted no token for ServiceAccount " + name);
            }
            Instant expires = expiry(granted.getStatus().getExpirationTimestamp(), asked.plus(lifetime));
            String kubeconfig = KubeconfigRenderer.renderToken(
                    "infrastructure",
                    serverUrl(),
                    caCertificate(cluster.namespace()),
                    "system:serviceaccount:" + cluster.namespace() + ":" + name,
                    token,
                    cluster.namespace());
            return new IssuedKey(
                    "token-" + Digests.sha256Hex(token, 8),
                    Map.of(Names.INFRA_KUBECONFIG_KEY, kubeconfig),
                    Optional.of(renewAfter(asked, expires)));
        } catch (KubernetesClientException e) {
            throw new ProviderException(
                    "the management API server refused the cloud controller's account or token: HTTP " + e.getCode()
                            + (e.getStatus() == null || e.getStatus().getReason() == null
                                    ? ""
                                    : " " + e.getStatus().getReason()),
                    e);
        }
    }

    /** Nothing to do: a token cannot be revoked alone; it expires, or goes with its ServiceAccount. */
    @Override
    public void revokeKey(Cluster cluster, String keyId) {}

    /**
     * Deletes the cluster's ServiceAccount (revoking every token it was given), Role and RoleBinding, if the cluster
     * controls them: at once, rather than when the garbage collector gets to them after the cluster is gone.
     */
    @Override
    public void deleteRole(Cluster cluster) throws ProviderException {
        try {
            for (HasMetadata object : List.of(roleBinding(cluster), role(cluster), serviceAccount(cluster))) {
                HasMetadata current = client.resource(object).get();
                if (current != null && controlledBy(current, cluster)) {
                    client.resource(current).delete();
                }
            }
        } catch (KubernetesClientException e) {
            throw new ProviderException(
                    "cannot delete the cloud controller's ServiceAccount, Role or RoleBinding: HTTP " + e.getCode(), e);
        }
    }

    /**
     * When a token is made anew: once less than a third of its validity is left, so a cloud controller restarted late
     * still starts with a valid one.
     */
    static Instant renewAfter(Instant issued, Instant expires) {
        Duration validity = Duration.between(issued, expires);
        if (validity.isNegative()) {
            return issued;
        }
        return expires.minus(validity.dividedBy(3));
    }

    static ServiceAccount serviceAccount(Cluster cluster) {
        return new ServiceAccountBuilder()
                .withMetadata(metadata(cluster))
                .withAutomountServiceAccountToken(false)
                .build();
    }

    static Role role(Cluster cluster) {
        return new RoleBuilder()
                .withMetadata(metadata(cluster))
                .withRules(RULES)
                .build();
    }

    static RoleBinding roleBinding(Cluster cluster) {
        String name = Names.cloudControllerAccount(cluster.name());
        return new RoleBindingBuilder()
                .withMetadata(metadata(cluster))
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(name)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(name)
                .withNamespace(cluster.namespace())
                .endSubject()
                .build();
    }

    private static ObjectMeta metadata(Cluster cluster) {
        return new ObjectMetaBuilder()
                .withName(Names.cloudControllerAccount(cluster.name()))
                .withNamespace(cluster.namespace())
                .withLabels(Labels.forComponent(cluster.name(), "cloud-controller"))
                .withOwnerReferences(Owners.controllerReference(owner(cluster)))
                .build();
    }

    /** The cluster as an owner: its identity, which is all an owner reference names. */
    private static SKSCluster owner(Cluster cluster) {
        SKSCluster owner = new SKSCluster();
        owner.setMetadata(new ObjectMetaBuilder()
                .withName(cluster.name())
                .withNamespace(cluster.namespace())
                .withUid(cluster.uid())
                .build());
        return owner;
    }

    private static boolean controlledBy(HasMetadata object, Cluster cluster) {
        return Owners.isControlledBy(object, owner(cluster));
    }

    /**
     * Creates the object, or brings one the cluster controls up to date; one of that name the cluster does not control
     * is never used (someone else's account or role must not receive the cluster's rights or token).
     */
    private void ensure(HasMetadata desired) throws ProviderException {
        HasMetadata current = client.resource(desired).get();
        if (current == null) {
            client.resource(desired).create();
            return;
        }
        String uid = desired.getMetadata().getOwnerReferences().get(0).getUid();
        boolean ours = current.getMetadata().getOwnerReferences() != null
                && current.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && uid.equals(r.getUid()));
        if (!ours) {
            throw new ProviderException(
                    desired.getKind() + " " + desired.getMetadata().getName()
                            + " exists and is not this cluster's: rename or delete it, the cloud controller's account is "
                            + "made under that name");
        }
        if (desired instanceof Role role && !Objects.equals(role.getRules(), ((Role) current).getRules())) {
            client.resource(new RoleBuilder((Role) current)
                            .withRules(role.getRules())
                            .build())
                    .update();
        }
    }

    private String serverUrl() {
        return server.orElseGet(() -> {
            String master = client.getConfiguration().getMasterUrl();
            return master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
        });
    }

    /**
     * The CA the management API server's certificate is signed by: the operator's own client trusts it already (its
     * data or file), else the namespace's {@code kube-root-ca.crt} that Kubernetes publishes in every namespace.
     */
    private String caCertificate(String namespace) throws ProviderException {
        Config config = client.getConfiguration();
        if (config.getCaCertData() != null && !config.getCaCertData().isBlank()) {
            return new String(Base64.getDecoder().decode(config.getCaCertData().trim()), StandardCharsets.UTF_8);
        }
        if (config.getCaCertFile() != null && Files.isReadable(Path.of(config.getCaCertFile()))) {
            try {
                return Files.readString(Path.of(config.getCaCertFile()));
            } catch (IOException e) {
                // the ConfigMap below may still have it
            }
        }
        ConfigMap published = client.configMaps()
                .inNamespace(namespace)
                .withName(CA_CONFIG_MAP)
                .get();
        if (published != null
                && published.getData() != null
                && published.getData().containsKey("ca.crt")) {
            return published.getData().get("ca.crt");
        }
        throw new ProviderException("the management API server's CA is unknown: the operator's client names none and "
                + "ConfigMap " + CA_CONFIG_MAP + " is missing from " + namespace);
    }

    private static Instant expiry(String timestamp, Instant fallback) {
        if (timestamp == null || timestamp.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }
}
