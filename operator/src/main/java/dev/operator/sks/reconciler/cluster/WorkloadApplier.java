package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Applies rendered objects with server-side apply, and only when what was rendered changed since the last apply:
 * the digest of the rendered object travels on it as an annotation, so a reconcile that renders the same thing
 * makes no call at all.
 */
final class WorkloadApplier {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final KubernetesClient client;

  WorkloadApplier(KubernetesClient client) {
    this.client = client;
  }

  /** @return true when the object was written */
  boolean apply(HasMetadata desired, Optional<? extends HasMetadata> observed) {
    String digest = digest(desired);
    boolean unchanged = observed.map(o -> o.getMetadata().getAnnotations())
        .map(a -> digest.equals(a.get(Labels.APPLIED_DIGEST_ANNOTATION)))
        .orElse(false);
    if (unchanged) {
      return false;
    }
    if (desired.getMetadata().getAnnotations() == null) {
      desired.getMetadata().setAnnotations(new java.util.LinkedHashMap<>());
    }
    desired.getMetadata().getAnnotations().put(Labels.APPLIED_DIGEST_ANNOTATION, digest);
    client.resource(desired).fieldManager(Labels.FIELD_MANAGER).forceConflicts().serverSideApply();
    return true;
  }

  private static String digest(HasMetadata desired) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(SERIALIZATION.asJson(desired).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
