package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.SignatureChecks;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Held;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Withdrawal;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A KubeconfigRequest's Secret: the kubeconfig under {@link Names#KUBECONFIG_REQUEST_KEY}, and in annotations what it
 * was issued for, its serial number and expiry (kept when the data is removed, so status can always be told from
 * the Secret). Building and reading only; no client. Labels and annotations others put on the Secret are kept.
 */
final class KubeconfigSecret {
    static final String KEY = Names.KUBECONFIG_REQUEST_KEY;

    private KubeconfigSecret() {}

    /** What the Secret holds, with the certificate checked against the cluster's current clients CA. */
    static Held read(Secret secret, X509Certificate clientsCa) {
        Map<String, String> annotations = annotations(secret);
        Optional<String> kubeconfig = kubeconfig(secret);
        Withdrawal withdrawn = kubeconfig.isPresent()
                ? null
                : Withdrawal.of(annotations.get(Labels.KUBECONFIG_WITHDRAWN_ANNOTATION))
                        .orElse(null);
        Optional<KubeconfigRenderer.Contents> contents = kubeconfig.flatMap(KubeconfigRenderer::read);
        X509Certificate certificate = null;
        boolean signed = false;
        if (contents.isPresent()) {
            try {
                certificate = Pem.parseCertificate(contents.get().clientCertificatePem());
                signed = signedBy(certificate, clientsCa);
            } catch (RuntimeException unreadable) {
                certificate = null;
            }
        }
        return new Held(
                annotations.get(Labels.KUBECONFIG_ISSUED_FOR_ANNOTATION),
                withdrawn,
                certificate,
                signed,
                contents.map(KubeconfigRenderer.Contents::server).orElse(null),
                contents.map(KubeconfigRenderer.Contents::certificateAuthorityPem)
                        .orElse(null));
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        return SignatureChecks.signedBy(certificate, issuer.getPublicKey());
    }

    /** The kubeconfig text, when the Secret holds one. */
    static Optional<String> kubeconfig(Secret secret) {
        return SecretData.find(secret, KEY);
    }

    /**
     * The Secret holding {@code kubeconfig}: {@code current} edited (keeping its resourceVersion, so the write fails if
     * it changed since it was read) or a new one owned by the request.
     */
    static Secret holding(
            Optional<Secret> current,
            KubeconfigRequest request,
            String secretName,
            String kubeconfig,
            String issuedFor,
            X509Certificate certificate) {
        Secret secret = current.map(s -> new SecretBuilder(s).build())
                .orElseGet(() -> new SecretBuilder()
                        .withNewMetadata()
                        .withName(secretName)
                        .withNamespace(request.getMetadata().getNamespace())
                        .withOwnerReferences(Owners.controllerReferenceTo(request))
                        .endMetadata()
                        .withType("Opaque")
                        .build());
        ObjectMeta meta = secret.getMetadata();
        Map<String, String> labels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
        labels.putAll(Labels.forComponent(request.getSpec().cluster, Labels.KUBECONFIG_COMPONENT));
        meta.setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>(annotations(secret));
        annotations.put(Labels.KUBECONFIG_ISSUED_FOR_ANNOTATION, issuedFor);
        annotations.put(Labels.KUBECONFIG_SERIAL_ANNOTATION, serial(certificate));
        annotations.put(
                Labels.KUBECONFIG_EXPIRATION_ANNOTATION,
                Conditions.timestamp(certificate.getNotAfter().toInstant()));
        annotations.remove(Labels.KUBECONFIG_WITHDRAWN_ANNOTATION);
        meta.setAnnotations(annotations);
        // data, never stringData: the server rewrites stringData into data.
        secret.setData(new LinkedHashMap<>(SecretData.encode(Map.of(KEY, kubeconfig))));
        secret.setStringData(null);
        return secret;
    }

    /** The Secret with its data removed and the reason recorded; the Secret itself stays, as does its name. */
    static Secret withdrawn(Secret current, Withdrawal reason) {
        Secret secret = new SecretBuilder(current).build();
        Map<String, String> annotations = new LinkedHashMap<>(annotations(secret));
        annotations.put(Labels.KUBECONFIG_WITHDRAWN_ANNOTATION, reason.value());
        secret.getMetadata().setAnnotations(annotations);
        secret.setData(new LinkedHashMap<>());
        secret.setStringData(null);
        return secret;
    }

    static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

    static Optional<String> serial(Secret secret) {
        return Optional.ofNullable(annotations(secret).get(Labels.KUBECONFIG_SERIAL_ANNOTATION));
    }

    static Optional<Instant> expiration(Secret secret) {
        try {
            return Optional.ofNullable(annotations(secret).get(Labels.KUBECONFIG_EXPIRATION_ANNOTATION))
                    .map(Instant::parse);
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
    }

    static boolean wasIssuedHere(Secret secret) {
        return annotations(secret).containsKey(Labels.KUBECONFIG_ISSUED_FOR_ANNOTATION);
    }

    /** Other Secrets this request wrote before (its secretName changed): they still hold a working kubeconfig. */
    static boolean isLeftBehind(Secret secret, KubeconfigRequest request, String currentName) {
        Map<String, String> labels = secret.getMetadata().getLabels() == null
                ? Map.of()
                : secret.getMetadata().getLabels();
        return !secret.getMetadata().getName().equals(currentName)
                && Owners.isControlledBy(secret, request)
                && Labels.KUBECONFIG_COMPONENT.equals(labels.get(Labels.COMPONENT));
    }

    private static Map<String, String> annotations(Secret secret) {
        return secret.getMetadata().getAnnotations() == null
                ? Map.of()
                : secret.getMetadata().getAnnotations();
    }
}
