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
import dev.operator.sks.pki.SignatureChecks;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Authority;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Kubeconfig;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Leaf;
import dev.operator.sks.rendering.ClientCredentials;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.Digests;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cluster's PKI in Secrets. Secrets are read from the informer cache, so a cluster whose certificates are
 * current costs no request. Before a key is generated the Secret is read fresh from the API server (the cache may lag
 * behind another writer), and a new key is written with create, which fails if another reconcile got there first, or
 * with an update at the resourceVersion just read: so no key is ever generated twice for one object, and an existing
 * CA is always read back, never replaced (but for the explicit clients-CA rotation). Only Secrets carrying a
 * controller reference to the cluster are ever read: CA material never comes from a Secret the operator did not make.
 */
final class CertificateSecrets {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateSecrets.class);
    private static final String TLS_CRT = Names.TLS_CERTIFICATE_KEY;
    private static final String TLS_KEY = Names.TLS_PRIVATE_KEY_KEY;
    private static final String CA_CRT = Names.CA_CERTIFICATE_KEY;
    private static final String KUBECONFIG_KEY = Names.KUBECONFIG_KEY;
    private static final String TLS_TYPE = "kubernetes.io/tls";
    private static final String OPAQUE_TYPE = "Opaque";

    /**
     * What the workloads need from the PKI: a content hash per Secret, to roll pods when a certificate changes; and for
     * the story, the Secrets made for the first time, those whose certificate was issued again, and whether the clients
     * CA was rotated.
     */
    record Outcome(
            Map<String, String> hashes,
            List<String> issued,
            List<String> reissued,
            boolean clientsCaRotated,
            Optional<Expiries> expiries) {
        Outcome(Map<String, String> hashes, List<String> issued, List<String> reissued, boolean clientsCaRotated) {
            this(hashes, issued, reissued, clientsCaRotated, Optional.empty());
        }
    }

    /**
     * When the first CA and the first certificate it signed expire, read from the certificates the Secrets hold now
     * (never their keys): for status and metrics, so no one needs to read a Secret to see the fleet's expiry.
     */
    record Expiries(Instant authorities, Instant certificates, Map<String, Instant> byAuthority) {
        Expiries(Instant authorities, Instant certificates) {
            this(authorities, certificates, Map.of());
        }
    }

    /**
     * A CA as its leaves and their peers need it: the key that signs, and what is trusted for it (the signing CA
     * first, and during a rotation the other CA too; see {@link KeyRing}).
     */
    record Trusted(IssuedCertificate signer, String bundle) {}

    /**
     * A certificate's Secret as it stands, with the certificate's notAfter as the check that kept it or the issue that
     * made it knows it: parsing every certificate again to report its expiry was a twentieth of a reconcile.
     */
    private record Held(Secret secret, Optional<Instant> notAfter) {}

    private final OwnedObjects objects;
    private final Pki pki;
    private final Clock clock;
    private final KeyAlgorithm algorithm;
    private final List<String> issued = new ArrayList<>();
    private final List<String> reissued = new ArrayList<>();
    private boolean rotated;

    CertificateSecrets(OwnedObjects objects, Pki pki, Clock clock, KeyAlgorithm algorithm) {
        this.objects = objects;
        this.pki = pki;
        this.clock = clock;
        this.algorithm = algorithm;
    }

    /** One use per reconcile: it collects what it issued. */
    Outcome ensure(SKSCluster cluster, List<Leaf> leaves, List<Kubeconfig> kubeconfigs)
            throws MissingAuthorityException {
        String name = cluster.getMetadata().getName();
        Map<String, String> hashes = new LinkedHashMap<>();
        List<Instant> leafExpiries = new ArrayList<>();

        Map<Authority, Trusted> authorities = new EnumMap<>(Authority.class);
        for (Authority authority : Authority.values()) {
            List<String> signed = new ArrayList<>();
            leaves.stream().filter(l -> l.issuer() == authority).forEach(l -> signed.add(l.secretName()));
            if (authority == Authority.CLUSTER) {
                kubeconfigs.forEach(k -> signed.add(k.secretName()));
            }
            authorities.put(authority, ensureAuthority(cluster, authority, signed));
        }
        Secret serviceAccountKeys = ensureServiceAccountKey(cluster);
        // The public keys tokens are verified with, the signing key's first: a rotation step changes them.
        hashes.put(Names.serviceAccountKeys(name), hash(decode(serviceAccountKeys, TLS_CRT)));
        authorities.forEach((authority, trusted) -> hashes.put(
                authority.secretName(name),
                hash(trusted.bundle() + trusted.signer().certificatePem())));

        for (Leaf leaf : leaves) {
            Held held = ensureLeaf(cluster, leaf, authorities.get(leaf.issuer()));
            hashes.put(leaf.secretName(), hash(decode(held.secret(), TLS_CRT) + decode(held.secret(), CA_CRT)));
            held.notAfter().ifPresent(leafExpiries::add);
        }
        for (Kubeconfig kubeconfig : kubeconfigs) {
            Held held = ensureKubeconfig(cluster, kubeconfig, authorities.get(Authority.CLUSTER));
            hashes.put(kubeconfig.secretName(), hash(decode(held.secret(), KUBECONFIG_KEY)));
            held.notAfter().ifPresent(leafExpiries::add);
        }
        String clientCaBundle = authorities.get(Authority.CLUSTER).bundle()
                + authorities.get(Authority.CLIENTS).signer().certificatePem();
        objects.apply(secret(cluster, Names.clientCaBundle(name), OPAQUE_TYPE, Map.of(CA_CRT, clientCaBundle)));
        hashes.put(Names.clientCaBundle(name), hash(clientCaBundle));
        objects.apply(caCertificates(cluster, authorities));
        Optional<Instant> firstCa =
                authorities.values().stream().map(t -> t.signer().notAfter()).min(Instant::compareTo);
        Map<String, Instant> byAuthority = new LinkedHashMap<>();
        authorities.forEach((authority, trusted) ->
                byAuthority.put(shown(authority), trusted.signer().notAfter()));
        Optional<Instant> firstLeaf = leafExpiries.stream().min(Instant::compareTo);
        Optional<Expiries> expiries = firstCa.isPresent() && firstLeaf.isPresent()
                ? Optional.of(new Expiries(firstCa.get(), firstLeaf.get(), byAuthority))
                : Optional.empty();
        return new Outcome(hashes, List.copyOf(issued), List.copyOf(reissued), rotated, expiries);
    }

    /** How status and the expiry metric name a CA: as its rotation does, the clients CA as clients-ca. */
    static String shown(Authority authority) {
        return ClusterCertificates.Rotatable.of(authority)
                .map(ClusterCertificates.Rotatable::shown)
                .orElse("clients-ca");
    }

    /** The notAfter of a PEM certificate; empty when it cannot be read (it is then re-issued on the next check). */
    private static Optional<Instant> notAfter(String certificatePem) {
        try {
            return Optional.of(
                    Pem.parseCertificate(certificatePem).getNotAfter().toInstant());
        } catch (Exception unreadable) {
            return Optional.empty();
        }
    }

    private static Optional<String> kubeconfigCertificate(String kubeconfig) {
        try {
            return KubeconfigRenderer.read(kubeconfig).map(KubeconfigRenderer.Contents::clientCertificatePem);
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** Every Secret name this PKI writes, so a name taken by someone else is found before anything is made. */
    static List<String> secretNames(String cluster, List<Leaf> leaves, List<Kubeconfig> kubeconfigs) {
        List<String> names = new ArrayList<>();
        for (Authority authority : Authority.values()) {
            names.add(authority.secretName(cluster));
        }
        names.add(Names.serviceAccountKeys(cluster));
        leaves.forEach(l -> names.add(l.secretName()));
        kubeconfigs.forEach(k -> names.add(k.secretName()));
        names.add(Names.clientCaBundle(cluster));
        return names;
    }

    private Trusted ensureAuthority(SKSCluster cluster, Authority authority, List<String> signedSecrets)
            throws MissingAuthorityException {
        String secretName = authority.secretName(cluster.getMetadata().getName());
        Optional<String> rotation =
                authority == Authority.CLIENTS ? requestedClientsCaRotation(cluster) : Optional.empty();
        Optional<Secret> cached = objects.cached(Secret.class, secretName);
        if (cached.isPresent() && !rotationDue(cached.get(), rotation)) {
            return trusted(cached.get());
        }
        // About to make key material: what the API server holds now, not what the cache last saw.
        Optional<Secret> existing = objects.fresh(Secret.class, secretName);
        if (existing.isPresent()) {
            if (rotationDue(existing.get(), rotation)) {
                return rotateClientsCa(cluster, existing.get(), rotation.orElseThrow());
            }
            return trusted(existing.get());
        }
        for (String signed : signedSecrets) {
            if (objects.fresh(Secret.class, signed).isPresent()) {
                throw new MissingAuthorityException(secretName);
            }
        }
        if (authority == Authority.CLIENTS && userKubeconfigsExist(cluster)) {
            throw new MissingAuthorityException(
                    secretName,
                    "restore it from a backup; a new clients CA would revoke every "
                            + "KubeconfigRequest's kubeconfig, which only happens when their Secrets (labelled "
                            + Labels.COMPONENT + "=" + Labels.KUBECONFIG_COMPONENT + ") are deleted first");
        }
        IssuedCertificate ca = pki.createCa(authority.commonName(), algorithm, Pki.CA_VALIDITY);
        Secret desired = secret(
                cluster,
                secretName,
                TLS_TYPE,
                Map.of(TLS_CRT, ca.certificatePem(), TLS_KEY, ca.privateKeyPem(), CA_CRT, ca.certificatePem()));
        // A cluster made with the annotation already set starts with a CA for that value: nothing to rotate.
        rotation.ifPresent(value -> desired.getMetadata()
                .setAnnotations(new LinkedHashMap<>(Map.of(Labels.CLIENTS_CA_ROTATION_ANNOTATION, value))));
        ClusterCertificates.Rotatable.of(authority)
                .flatMap(r -> KeyRotations.requested(cluster, r))
                .ifPresent(value -> desired.getMetadata()
                        .setAnnotations(new LinkedHashMap<>(Map.of(Labels.KEY_ROTATION_ANNOTATION, value))));
        Secret created = objects.create(desired);
        issued.add(secretName);
        return trusted(created);
    }

    /**
     * The signing CA and its trust bundle from a CA Secret. A Secret written before trust bundles has no {@code ca.crt}
     * (or one that does not follow from its keys): it is written once with it, at the resourceVersion read fresh.
     */
    private Trusted trusted(Secret secret) {
        Map<String, String> data = plain(secret);
        if (!KeyRing.bundle(KeyRing.Kind.CERTIFICATE_AUTHORITY, data).equals(data.get(CA_CRT))) {
            Secret fresh =
                    objects.fresh(Secret.class, secret.getMetadata().getName()).orElse(secret);
            Map<String, String> freshData = plain(fresh);
            Secret written = objects.replace(
                    withData(fresh, KeyRing.withBundle(KeyRing.Kind.CERTIFICATE_AUTHORITY, freshData)), fresh);
            data = plain(written);
        }
        return new Trusted(
                IssuedCertificate.fromPem(data.get(TLS_CRT), data.get(TLS_KEY)),
                KeyRing.bundle(KeyRing.Kind.CERTIFICATE_AUTHORITY, data));
    }

    /** Every key of a Secret, decoded. */
    static Map<String, String> plain(Secret secret) {
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData()
                    .keySet()
                    .forEach(key -> SecretData.find(secret, key).ifPresent(v -> data.put(key, v)));
        }
        return data;
    }

    /** {@code existing} with {@code plain} as its whole data: what an update at its resourceVersion writes. */
    static Secret withData(Secret existing, Map<String, String> plain) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(existing.getMetadata().getName())
                .withNamespace(existing.getMetadata().getNamespace())
                .withLabels(existing.getMetadata().getLabels())
                .withAnnotations(existing.getMetadata().getAnnotations())
                .withOwnerReferences(existing.getMetadata().getOwnerReferences())
                .endMetadata()
                .withType(existing.getType())
                .withData(SecretData.encode(plain))
                .build();
    }

    private static boolean rotationDue(Secret clientsCa, Optional<String> rotation) {
        return rotation.isPresent()
                && !rotation.get().equals(annotation(clientsCa, Labels.CLIENTS_CA_ROTATION_ANNOTATION));
    }

    /**
     * The one place a CA is ever replaced: a new value of the rotate-clients-ca annotation on the cluster makes a new
     * clients CA, recorded with that value on its Secret, so the same value never rotates twice. The write is an
     * update at the resourceVersion read, so two reconciles cannot both rotate for one value. The client-CA bundle is
     * then written with the new CA only, and the API server pods roll on its hash: every kubeconfig the old CA signed
     * stops working. The cluster CA (nodes, control-plane components) is not touched.
     */
    private Trusted rotateClientsCa(SKSCluster cluster, Secret existing, String rotation) {
        IssuedCertificate ca = pki.createCa(Authority.CLIENTS.commonName(), algorithm, Pki.CA_VALIDITY);
        Secret replacement = secret(
                cluster,
                existing.getMetadata().getName(),
                TLS_TYPE,
                Map.of(TLS_CRT, ca.certificatePem(), TLS_KEY, ca.privateKeyPem(), CA_CRT, ca.certificatePem()));
        Map<String, String> annotations = new LinkedHashMap<>(
                existing.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : existing.getMetadata().getAnnotations());
        annotations.put(Labels.CLIENTS_CA_ROTATION_ANNOTATION, rotation);
        replacement.getMetadata().setAnnotations(annotations);
        Secret written = objects.replace(replacement, existing);
        rotated = true;
        LOG.info(
                "SKSCluster {}/{}: rotated the clients CA ({}={}); kubeconfigs signed by the previous one stop working "
                        + "once the API servers have rolled",
                cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName(),
                Labels.ROTATE_CLIENTS_CA_ANNOTATION,
                rotation);
        return new Trusted(
                IssuedCertificate.fromPem(decode(written, TLS_CRT), decode(written, TLS_KEY)), ca.certificatePem());
    }

    /**
     * Whether KubeconfigRequests hold kubeconfigs the clients CA signed: a new clients CA would then silently revoke
     * them all, which only a rotation (an explicit new annotation value) may do. Read from the informer (their Secrets
     * are labelled managed-by too), and compared in Java: a cluster name need not be a valid label value.
     */
    private boolean userKubeconfigsExist(SKSCluster cluster) {
        return objects.listCachedOfCluster(Secret.class).stream()
                .filter(s -> Labels.KUBECONFIG_COMPONENT.equals(
                        s.getMetadata().getLabels().get(Labels.COMPONENT)))
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

    private Secret ensureServiceAccountKey(SKSCluster cluster) {
        String secretName = Names.serviceAccountKeys(cluster.getMetadata().getName());
        Optional<Secret> cached = objects.cached(Secret.class, secretName);
        if (cached.isPresent()) {
            return cached.get();
        }
        Optional<Secret> existing = objects.fresh(Secret.class, secretName);
        if (existing.isPresent()) {
            return existing.get();
        }
        ServiceAccountKey key = pki.generateServiceAccountKey(algorithm);
        Secret desired = secret(
                cluster, secretName, OPAQUE_TYPE, Map.of(TLS_CRT, key.publicKeyPem(), TLS_KEY, key.privateKeyPem()));
        KeyRotations.requested(cluster, ClusterCertificates.Rotatable.SERVICE_ACCOUNT_KEY)
                .ifPresent(value -> desired.getMetadata()
                        .setAnnotations(new LinkedHashMap<>(Map.of(Labels.KEY_ROTATION_ANNOTATION, value))));
        Secret created = objects.create(desired);
        issued.add(secretName);
        return created;
    }

    private Held ensureLeaf(SKSCluster cluster, Leaf leaf, Trusted issuer) {
        Optional<Secret> cached = objects.cached(Secret.class, leaf.secretName());
        Optional<Instant> current = cached.flatMap(c -> currentUntil(c, TLS_CRT, leaf.request(), issuer));
        if (current.isPresent()) {
            return new Held(cached.get(), current);
        }
        Optional<Secret> existing = objects.fresh(Secret.class, leaf.secretName());
        current = existing.flatMap(e -> currentUntil(e, TLS_CRT, leaf.request(), issuer));
        if (current.isPresent()) {
            return new Held(existing.get(), current);
        }
        IssuedCertificate certificate = pki.issue(leaf.request(), issuer.signer());
        String certificatePem = certificate.certificatePem();
        Secret written = write(
                secret(
                        cluster,
                        leaf.secretName(),
                        TLS_TYPE,
                        Map.of(TLS_CRT, certificatePem, TLS_KEY, certificate.privateKeyPem(), CA_CRT, issuer.bundle())),
                existing);
        String held = decode(written, TLS_CRT);
        // A create that found this cluster's own Secret there returns that one, with its own certificate.
        return new Held(written, held.equals(certificatePem) ? Optional.of(certificate.notAfter()) : notAfter(held));
    }

    private Held ensureKubeconfig(SKSCluster cluster, Kubeconfig kubeconfig, Trusted clusterCa) {
        Optional<Secret> cached = objects.cached(Secret.class, kubeconfig.secretName());
        Optional<Instant> current = cached.flatMap(c -> currentUntil(c, kubeconfig, clusterCa));
        if (current.isPresent()) {
            return new Held(cached.get(), current);
        }
        Optional<Secret> existing = objects.fresh(Secret.class, kubeconfig.secretName());
        current = existing.flatMap(e -> currentUntil(e, kubeconfig, clusterCa));
        if (current.isPresent()) {
            return new Held(existing.get(), current);
        }
        IssuedCertificate certificate = pki.issue(kubeconfig.request(), clusterCa.signer());
        String clusterName = cluster.getMetadata().getName();
        String yaml = KubeconfigRenderer.render(
                clusterName,
                kubeconfig.server(),
                clusterCa.bundle(),
                kubeconfig.request().commonName(),
                new ClientCredentials(
                        certificate.certificatePem(), Pem.encodePrivateKeyTraditional(certificate.keyPair())));
        Secret written =
                write(secret(cluster, kubeconfig.secretName(), OPAQUE_TYPE, Map.of(KUBECONFIG_KEY, yaml)), existing);
        String held = decode(written, KUBECONFIG_KEY);
        return new Held(
                written,
                held.equals(yaml)
                        ? Optional.of(certificate.notAfter())
                        : kubeconfigCertificate(held).flatMap(CertificateSecrets::notAfter));
    }

    /** A new key goes where none was (create) or over the one just read (update at its resourceVersion). */
    private Secret write(Secret desired, Optional<Secret> existing) {
        if (existing.isEmpty()) {
            issued.add(desired.getMetadata().getName());
            return objects.create(desired);
        }
        reissued.add(desired.getMetadata().getName());
        return objects.replace(desired, existing.get());
    }

    /** The notAfter of the kubeconfig's client certificate when it is current; empty when it is to be re-issued. */
    private Optional<Instant> currentUntil(Secret secret, Kubeconfig kubeconfig, Trusted clusterCa) {
        Optional<KubeconfigRenderer.Contents> contents;
        try {
            contents = KubeconfigRenderer.read(decode(secret, KUBECONFIG_KEY));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
        if (contents.isEmpty()
                || !contents.get().server().equals(kubeconfig.server())
                || !contents.get().certificateAuthorityPem().equals(clusterCa.bundle())) {
            return Optional.empty();
        }
        return currentUntil(contents.get().clientCertificatePem(), kubeconfig.request(), clusterCa.signer());
    }

    private Optional<Instant> currentUntil(Secret secret, String key, CertificateRequest request, Trusted issuer) {
        try {
            return decode(secret, CA_CRT).equals(issuer.bundle())
                    ? currentUntil(decode(secret, key), request, issuer.signer())
                    : Optional.empty();
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * The certificate's notAfter when it is current; empty, to re-issue, when the subject or SANs changed, when another
     * CA signed it, or when renewal is due.
     */
    private Optional<Instant> currentUntil(
            String certificatePem, CertificateRequest request, IssuedCertificate issuer) {
        X509Certificate certificate;
        try {
            certificate = Pem.parseCertificate(certificatePem);
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
        if (!SignatureChecks.signedBy(certificate, issuer.certificate().getPublicKey())
                || !request.isSatisfiedBy(certificate)
                || RenewalPolicy.needsRenewal(certificate, clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(certificate.getNotAfter().toInstant());
    }

    private static ConfigMap caCertificates(SKSCluster cluster, Map<Authority, Trusted> authorities) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CA_CRT, authorities.get(Authority.CLUSTER).bundle());
        data.put("etcd-ca.crt", authorities.get(Authority.ETCD).bundle());
        data.put("front-proxy-ca.crt", authorities.get(Authority.FRONT_PROXY).bundle());
        data.put("clients-ca.crt", authorities.get(Authority.CLIENTS).bundle());
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.caCertificates(cluster.getMetadata().getName()))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(cluster.getMetadata().getName(), "pki"))
                .withOwnerReferences(Owners.controllerReference(cluster))
                .endMetadata()
                .withData(data)
                .build();
    }

    private static Secret secret(SKSCluster cluster, String name, String type, Map<String, String> plain) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(cluster.getMetadata().getName(), "pki"))
                .withOwnerReferences(Owners.controllerReference(cluster))
                .endMetadata()
                .withType(type)
                .withData(SecretData.encode(plain))
                .build();
    }

    static String decode(Secret secret, String key) {
        return SecretData.decode(secret, key);
    }

    static String hash(String content) {
        return Digests.sha256Hex(content, 16);
    }
}
