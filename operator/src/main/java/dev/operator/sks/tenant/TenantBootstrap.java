package dev.operator.sks.tenant;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.join.JoinTokenStore;
import dev.operator.sks.join.JoinTokens;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes a tenant cluster ready for machines to join: ensures the cluster's join token (management side), then
 * applies {@link TenantBootstrapObjects} to the tenant with server-side apply.
 *
 * <p>Never slow when the tenant is away: it probes first ({@link TenantClients#PROBE_TIMEOUT}) and reports
 * {@link State#UNREACHABLE} rather than waiting on each object. It applies again only when what it would apply
 * changed (a token rotated, a new endpoint) or {@link #REAPPLY_INTERVAL} has passed, which repairs objects deleted in
 * the tenant without an API call on every reconcile.
 */
public final class TenantBootstrap {
  /** The field manager of everything the operator applies to tenants. */
  public static final String FIELD_MANAGER = "sks-operator";
  public static final Duration REAPPLY_INTERVAL = Duration.ofMinutes(10);

  public enum State {
    /** Everything is in the tenant (now, or by an apply recent enough). */
    APPLIED,
    /** Management-side material (CA, endpoint, version, admin kubeconfig) does not exist yet. */
    WAITING,
    /** The tenant API server does not answer. */
    UNREACHABLE,
    /** The tenant answered but refused an object. */
    FAILED
  }

  /** What {@link #ensure} did; {@code reason} is CamelCase for a condition, {@code message} holds no secret. */
  public record Outcome(State state, String reason, String message) {
    public boolean applied() {
      return state == State.APPLIED;
    }
  }

  private record Applied(String digest, Instant at) {}

  private final KubernetesClient management;
  private final TenantClients tenants;
  private final JoinTokenStore tokens;
  private final Clock clock;
  private final Map<ClusterKey, Applied> lastApplied = new ConcurrentHashMap<>();

  public TenantBootstrap(KubernetesClient management, TenantClients tenants, Clock clock) {
    this(management, tenants, new JoinTokenStore(management), clock);
  }

  public TenantBootstrap(KubernetesClient management, TenantClients tenants, JoinTokenStore tokens, Clock clock) {
    this.management = management;
    this.tenants = tenants;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** Brings the tenant's join objects up to date; never throws for an absent or failing tenant. */
  public Outcome ensure(SKSCluster cluster) {
    ClusterKey key = ClusterKey.of(cluster);
    Optional<String> ca = JoinMaterial.clusterCaCertificate(management, cluster);
    if (ca.isEmpty()) {
      return new Outcome(State.WAITING, "WaitingForCertificates", "the cluster CA does not exist yet");
    }
    String endpoint = cluster.getStatus() == null ? null : cluster.getStatus().endpoint;
    if (endpoint == null || endpoint.isBlank()) {
      return new Outcome(State.WAITING, "WaitingForEndpoint", "the cluster has no API endpoint yet");
    }
    Optional<KubernetesVersion> version = JoinMaterial.kubernetesVersion(cluster);
    if (version.isEmpty()) {
      return new Outcome(State.WAITING, "WaitingForVersion", "the cluster has no valid Kubernetes version");
    }
    Instant now = clock.instant();
    JoinTokens joinTokens = tokens.ensureTokens(cluster, clock);
    TenantBootstrapInputs inputs = new TenantBootstrapInputs(cluster.getMetadata().getName(), endpoint, ca.get(),
        version.get(), Defaults.serviceCidr(cluster.getSpec()), Defaults.podCidr(cluster.getSpec()),
        Defaults.dnsDomain(cluster.getSpec()), JoinMaterial.clusterDns(cluster.getSpec()), joinTokens.validAt(now));
    List<HasMetadata> objects = TenantBootstrapObjects.render(inputs);
    String digest = digest(management, objects);
    Applied previous = lastApplied.get(key);
    if (previous != null && previous.digest().equals(digest)
        && now.isBefore(previous.at().plus(REAPPLY_INTERVAL))) {
      return new Outcome(State.APPLIED, "Applied", "join objects are up to date in the tenant cluster");
    }

    Optional<KubernetesClient> tenant;
    try {
      tenant = tenants.client(key);
    } catch (IllegalStateException e) {
      return new Outcome(State.FAILED, "KubeconfigUnreadable", e.getMessage());
    }
    if (tenant.isEmpty()) {
      return new Outcome(State.WAITING, "WaitingForKubeconfig", "the cluster has no admin kubeconfig yet");
    }
    TenantProbe probe = TenantClients.probeClient(tenant.get());
    if (!probe.reachable()) {
      return new Outcome(State.UNREACHABLE, "TenantUnreachable", probe.message());
    }
    try {
      apply(tenant.get(), objects);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 0) { // no HTTP answer: connection lost or timed out mid-way
        return new Outcome(State.UNREACHABLE, "TenantUnreachable", "the tenant API server stopped answering ("
            + e.getClass().getSimpleName() + ")");
      }
      return new Outcome(State.FAILED, "ApplyFailed", "the tenant API server refused a join object: HTTP "
          + e.getCode() + (e.getStatus() == null || e.getStatus().getReason() == null ? ""
          : " " + e.getStatus().getReason()));
    }
    lastApplied.put(key, new Applied(digest, now));
    return new Outcome(State.APPLIED, "Applied", "join objects applied to the tenant cluster");
  }

  /** Forgets what was applied for a cluster, so the next {@link #ensure} applies (say, after a tenant reset). */
  public void forget(String namespace, String cluster) {
    lastApplied.remove(new ClusterKey(namespace, cluster));
  }

  /**
   * Server-side applies each object as {@link #FIELD_MANAGER}, taking over fields another manager set (kubeadm
   * ran by hand, say). Idempotent: applying the same objects again changes nothing, not even resourceVersions.
   *
   * @throws KubernetesClientException when the tenant refuses an object or does not answer
   */
  public static void apply(KubernetesClient tenant, List<HasMetadata> objects) {
    for (HasMetadata object : objects) {
      tenant.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
  }

  private static String digest(KubernetesClient client, List<HasMetadata> objects) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (HasMetadata object : objects) {
        sha256.update(client.getKubernetesSerialization().asJson(object).getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
