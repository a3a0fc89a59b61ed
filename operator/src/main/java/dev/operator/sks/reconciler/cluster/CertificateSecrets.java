package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.pki.RenewalPolicy;
import dev.operator.sks.pki.ServiceAccountKey;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Authority;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Kubeconfig;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Leaf;
import dev.operator.sks.rendering.ClientCredentials;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.Owners;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cluster's PKI in Secrets. A key is generated only where its Secret does not exist and is written with
 * create, which fails if another reconcile got there first: so no key is ever generated twice for one object, and
 * an existing CA is always read back, never replaced.
 */
final class CertificateSecrets {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateSecrets.class);
  private static final String TLS_CRT = Names.TLS_CERTIFICATE_KEY;
  private static final String TLS_KEY = Names.TLS_PRIVATE_KEY_KEY;
  private static final String CA_CRT = Names.CA_CERTIFICATE_KEY;
  private static final String KUBECONFIG_KEY = Names.KUBECONFIG_KEY;
  private static final String TLS_TYPE = "kubernetes.io/tls";
  private static final String OPAQUE_TYPE = "Opaque";

  /** What the workloads need from the PKI: a content hash per Secret, to roll pods when a certificate changes. */
  record Outcome(Map<String, String> hashes, List<String> issued) {}

  private final KubernetesClient client;
  private final Pki pki;
  private final Clock clock;
  private final KeyAlgorithm algorithm;

  CertificateSecrets(KubernetesClient client, Pki pki, Clock clock, KeyAlgorithm algorithm) {
    this.client = client;
    this.pki = pki;
    this.clock = clock;
    this.algorithm = algorithm;
  }

  Outcome ensure(SKSCluster cluster, List<Leaf> leaves, List<Kubeconfig> kubeconfigs)
      throws MissingAuthorityException {
    String name = cluster.getMetadata().getName();
    String namespace = cluster.getMetadata().getNamespace();
    Map<String, String> hashes = new LinkedHashMap<>();
    List<String> issued = new ArrayList<>();

    Map<Authority, IssuedCertificate> authorities = new EnumMap<>(Authority.class);
    for (Authority authority : Authority.values()) {
      List<String> signed = new ArrayList<>();
      leaves.stream().filter(l -> l.issuer() == authority).forEach(l -> signed.add(l.secretName()));
      if (authority == Authority.CLUSTER) {
        kubeconfigs.forEach(k -> signed.add(k.secretName()));
      }
      authorities.put(authority, ensureAuthority(cluster, authority, signed, issued));
    }
    ensureServiceAccountKey(cluster, issued);

    for (Leaf leaf : leaves) {
      IssuedCertificate issuer = authorities.get(leaf.issuer());
      Secret secret = ensureLeaf(cluster, leaf, issuer, issued);
      hashes.put(leaf.secretName(), hash(decode(secret, TLS_CRT) + decode(secret, CA_CRT)));
    }
    for (Kubeconfig kubeconfig : kubeconfigs) {
      Secret secret = ensureKubeconfig(cluster, kubeconfig, authorities.get(Authority.CLUSTER), issued);
      hashes.put(kubeconfig.secretName(), hash(decode(secret, KUBECONFIG_KEY)));
    }
    String clientCaBundle = authorities.get(Authority.CLUSTER).certificatePem()
        + authorities.get(Authority.CLIENTS).certificatePem();
    writeIfChanged(cluster, secret(cluster, Names.clientCaBundle(name), OPAQUE_TYPE, Map.of(CA_CRT, clientCaBundle)));
    hashes.put(Names.clientCaBundle(name), hash(clientCaBundle));
    publishCaCertificates(cluster, authorities);
    return new Outcome(hashes, issued);
  }

  private IssuedCertificate ensureAuthority(SKSCluster cluster, Authority authority, List<String> signedSecrets,
      List<String> issued) throws MissingAuthorityException {
    String secretName = authority.secretName(cluster.getMetadata().getName());
    Optional<Secret> existing = read(cluster, secretName);
    Optional<String> rotation = authority == Authority.CLIENTS ? requestedClientsCaRotation(cluster) : Optional.empty();
    if (existing.isPresent()) {
      if (rotation.isPresent() && !rotation.get().equals(annotation(existing.get(),
          Labels.CLIENTS_CA_ROTATION_ANNOTATION))) {
        return rotateClientsCa(cluster, existing.get(), rotation.get(), issued);
      }
      return IssuedCertificate.fromPem(decode(existing.get(), TLS_CRT), decode(existing.get(), TLS_KEY));
    }
    for (String signed : signedSecrets) {
      if (read(cluster, signed).isPresent()) {
        throw new MissingAuthorityException(secretName);
      }
    }
    if (authority == Authority.CLIENTS && userKubeconfigsExist(cluster)) {
      throw new MissingAuthorityException(secretName, "restore it from a backup; a new clients CA would revoke every "
          + "KubeconfigRequest's kubeconfig, which only happens when their Secrets (labelled "
          + Labels.COMPONENT + "=" + Labels.KUBECONFIG_COMPONENT + ") are deleted first");
    }
    IssuedCertificate ca = pki.createCa(authority.commonName(), algorithm, Pki.CA_VALIDITY);
    Secret desired = secret(cluster, secretName, TLS_TYPE,
        Map.of(TLS_CRT, ca.certificatePem(), TLS_KEY, ca.privateKeyPem()));
    // A cluster made with the annotation already set starts with a CA for that value: nothing to rotate.
    rotation.ifPresent(value -> desired.getMetadata().setAnnotations(
        new LinkedHashMap<>(Map.of(Labels.CLIENTS_CA_ROTATION_ANNOTATION, value))));
    Secret created = createOnce(cluster, desired);
    issued.add(secretName);
    return IssuedCertificate.fromPem(decode(created, TLS_CRT), decode(created, TLS_KEY));
  }

  /**
   * The one place a CA is ever replaced: a new value of the rotate-clients-ca annotation on the cluster makes a new
   * clients CA, recorded with that value on its Secret, so the same value never rotates twice. The write is an
   * update at the resourceVersion read, so two reconciles cannot both rotate for one value. The client-CA bundle is
   * then written with the new CA only, and the API server pods roll on its hash: every kubeconfig the old CA signed
   * stops working. The cluster CA (nodes, control-plane components) is not touched.
   */
  private IssuedCertificate rotateClientsCa(SKSCluster cluster, Secret existing, String rotation,
      List<String> issued) {
    IssuedCertificate ca = pki.createCa(Authority.CLIENTS.commonName(), algorithm, Pki.CA_VALIDITY);
    Secret replacement = secret(cluster, existing.getMetadata().getName(), TLS_TYPE,
        Map.of(TLS_CRT, ca.certificatePem(), TLS_KEY, ca.privateKeyPem()));
    Map<String, String> annotations = new LinkedHashMap<>(existing.getMetadata().getAnnotations() == null
        ? Map.of() : existing.getMetadata().getAnnotations());
    annotations.put(Labels.CLIENTS_CA_ROTATION_ANNOTATION, rotation);
    replacement.getMetadata().setAnnotations(annotations);
    replacement.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    Secret written = client.resource(replacement).update();
    issued.add(existing.getMetadata().getName());
    LOG.info("SKSCluster {}/{}: rotated the clients CA ({}={}); kubeconfigs signed by the previous one stop working "
        + "once the API servers have rolled", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
        Labels.ROTATE_CLIENTS_CA_ANNOTATION, rotation);
    return IssuedCertificate.fromPem(decode(written, TLS_CRT), decode(written, TLS_KEY));
  }

  /**
   * Whether KubeconfigRequests hold kubeconfigs the clients CA signed: a new clients CA would then silently revoke
   * them all, which only a rotation (an explicit new annotation value) may do.
   */
  private boolean userKubeconfigsExist(SKSCluster cluster) {
    return client.secrets().inNamespace(cluster.getMetadata().getNamespace())
        .withLabel(Labels.CLUSTER, cluster.getMetadata().getName())
        .withLabel(Labels.COMPONENT, Labels.KUBECONFIG_COMPONENT)
        .list().getItems().stream()
        .anyMatch(s -> s.getData() != null && s.getData().containsKey(Names.KUBECONFIG_REQUEST_KEY));
  }

  /** The value of the rotate-clients-ca annotation, when set. */
  static Optional<String> requestedClientsCaRotation(SKSCluster cluster) {
    String value = annotation(cluster.getMetadata().getAnnotations(), Labels.ROTATE_CLIENTS_CA_ANNOTATION);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  private static String annotation(Secret secret, String key) {
    return annotation(secret.getMetadata().getAnnotations(), key);
  }

  private static String annotation(Map<String, String> annotations, String key) {
    return annotations == null ? null : annotations.get(key);
  }

  private void ensureServiceAccountKey(SKSCluster cluster, List<String> issued) {
    String secretName = Names.serviceAccountKeys(cluster.getMetadata().getName());
    if (read(cluster, secretName).isEmpty()) {
      ServiceAccountKey key = pki.generateServiceAccountKey(algorithm);
      createOnce(cluster, secret(cluster, secretName, OPAQUE_TYPE,
          Map.of(TLS_CRT, key.publicKeyPem(), TLS_KEY, key.privateKeyPem())));
      issued.add(secretName);
    }
  }

  private Secret ensureLeaf(SKSCluster cluster, Leaf leaf, IssuedCertificate issuer, List<String> issued) {
    Optional<Secret> existing = read(cluster, leaf.secretName());
    if (existing.isPresent() && isCurrent(existing.get(), TLS_CRT, leaf.request(), issuer)) {
      return existing.get();
    }
    IssuedCertificate certificate = pki.issue(leaf.request(), issuer);
    issued.add(leaf.secretName());
    return writeIfChanged(cluster, secret(cluster, leaf.secretName(), TLS_TYPE, Map.of(
        TLS_CRT, certificate.certificatePem(), TLS_KEY, certificate.privateKeyPem(),
        CA_CRT, issuer.certificatePem())));
  }

  private Secret ensureKubeconfig(SKSCluster cluster, Kubeconfig kubeconfig, IssuedCertificate clusterCa,
      List<String> issued) {
    Optional<Secret> existing = read(cluster, kubeconfig.secretName());
    if (existing.isPresent()) {
      Optional<KubeconfigRenderer.Contents> contents =
          KubeconfigRenderer.read(decode(existing.get(), KUBECONFIG_KEY));
      if (contents.isPresent() && contents.get().server().equals(kubeconfig.server())
          && contents.get().certificateAuthorityPem().equals(clusterCa.certificatePem())
          && isCurrent(contents.get().clientCertificatePem(), kubeconfig.request(), clusterCa)) {
        return existing.get();
      }
    }
    IssuedCertificate certificate = pki.issue(kubeconfig.request(), clusterCa);
    issued.add(kubeconfig.secretName());
    String clusterName = cluster.getMetadata().getName();
    String yaml = KubeconfigRenderer.render(clusterName, kubeconfig.server(), clusterCa.certificatePem(),
        kubeconfig.request().commonName(),
        new ClientCredentials(certificate.certificatePem(), Pem.encodePrivateKeyTraditional(certificate.keyPair())));
    return writeIfChanged(cluster, secret(cluster, kubeconfig.secretName(), OPAQUE_TYPE,
        Map.of(KUBECONFIG_KEY, yaml)));
  }

  private boolean isCurrent(Secret secret, String key, CertificateRequest request, IssuedCertificate issuer) {
    try {
      return isCurrent(decode(secret, key), request, issuer) && decode(secret, CA_CRT).equals(issuer.certificatePem());
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /** Re-issue when the subject or SANs changed, when another CA signed it, or when renewal is due. */
  private boolean isCurrent(String certificatePem, CertificateRequest request, IssuedCertificate issuer) {
    X509Certificate certificate;
    try {
      certificate = Pem.parseCertificate(certificatePem);
      certificate.verify(issuer.certificate().getPublicKey());
    } catch (Exception unreadableOrNotSignedByIssuer) {
      return false;
    }
    return request.isSatisfiedBy(certificate) && !RenewalPolicy.needsRenewal(certificate, clock.instant());
  }

  private void publishCaCertificates(SKSCluster cluster, Map<Authority, IssuedCertificate> authorities) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CA_CRT, authorities.get(Authority.CLUSTER).certificatePem());
    data.put("etcd-ca.crt", authorities.get(Authority.ETCD).certificatePem());
    data.put("front-proxy-ca.crt", authorities.get(Authority.FRONT_PROXY).certificatePem());
    data.put("clients-ca.crt", authorities.get(Authority.CLIENTS).certificatePem());
    String name = Names.caCertificates(cluster.getMetadata().getName());
    ConfigMap desired = new ConfigMapBuilder()
        .withNewMetadata().withName(name).withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(Labels.forComponent(cluster.getMetadata().getName(), "pki"))
        .withOwnerReferences(Owners.controllerReference(cluster)).endMetadata()
        .withData(data).build();
    ConfigMap current = client.configMaps().inNamespace(cluster.getMetadata().getNamespace()).withName(name).get();
    if (current == null) {
      client.resource(desired).create();
    } else if (!data.equals(current.getData())) {
      desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
      client.resource(desired).update();
    }
  }

  private Optional<Secret> read(SKSCluster cluster, String name) {
    return Optional.ofNullable(client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(name)
        .get());
  }

  /** Creates a Secret holding a new key; if one appeared meanwhile, the existing one wins and is returned. */
  Secret createOnce(SKSCluster cluster, Secret secret) {
    try {
      return client.resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return read(cluster, secret.getMetadata().getName()).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  private Secret writeIfChanged(SKSCluster cluster, Secret desired) {
    Optional<Secret> current = read(cluster, desired.getMetadata().getName());
    if (current.isEmpty()) {
      return createOnce(cluster, desired);
    }
    if (desired.getData().equals(current.get().getData())) {
      return current.get();
    }
    desired.getMetadata().setResourceVersion(current.get().getMetadata().getResourceVersion());
    return client.resource(desired).update();
  }

  private static Secret secret(SKSCluster cluster, String name, String type, Map<String, String> plain) {
    Map<String, String> data = new LinkedHashMap<>();
    plain.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(Labels.forComponent(cluster.getMetadata().getName(), "pki"))
        .withOwnerReferences(Owners.controllerReference(cluster)).endMetadata()
        .withType(type)
        .withData(data)
        .build();
  }

  static String decode(Secret secret, String key) {
    String value = secret.getData() == null ? null : secret.getData().get(key);
    if (value == null) {
      throw new IllegalStateException("Secret " + secret.getMetadata().getName() + " has no key " + key);
    }
    return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
  }

  static String hash(String content) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
