package dev.operator.sks.pki;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.support.Digests;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which cluster CA the machines of a pool trust, and whether a cluster-CA rotation may let the new CA sign. Kubelets
 * keep the CA bundle they booted with (they never read cluster-info again after joining), so machines that joined
 * before a rotation would stop trusting the API server once its serving certificate is issued under the new CA. The
 * answer is to replace them: the machine revision depends on the newest CA in the bundle (its {@link #anchor}), so
 * phase 1 of a rotation rolls every pool, and the rotation stays in phase 1 until every pool is replaced. Pure.
 */
public final class NodeTrust {
    private NodeTrust() {}

    /**
     * A short digest of the newest CA (latest notBefore) in a PEM trust bundle. The newest one, not the whole bundle:
     * during a rotation the bundle goes from old to old+new to new+old to new, and machines made at old+new already
     * trust what signs from phase 2 on, so only the first change must replace them.
     *
     * @return empty when the text holds no certificate that parses
     */
    public static Optional<String> anchor(String bundlePem) {
        if (bundlePem == null || bundlePem.isBlank()) {
            return Optional.empty();
        }
        List<X509Certificate> certificates;
        try {
            certificates = Pem.parseCertificates(bundlePem);
        } catch (PkiException unparsable) {
            return Optional.empty();
        }
        return certificates.stream()
                .max(Comparator.comparing(X509Certificate::getNotBefore).thenComparing(NodeTrust::hex))
                .map(certificate -> hex(certificate).substring(0, 16));
    }

    private static String hex(X509Certificate certificate) {
        try {
            return Digests.sha256Hex(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new PkiException("cannot encode certificate", e);
        }
    }

    /**
     * What a Nodepool accepted for the cluster reports.
     *
     * @param generation         the Nodepool's metadata.generation
     * @param observedGeneration its status.observedGeneration
     * @param anchor             its status.trustedCA: the anchor its current revision was made with
     * @param size               its status.size (machines it has)
     * @param updated            its status.updatedMachines (machines of the current revision)
     * @param onDelete           its upgrade strategy is OnDelete: old machines go only when someone evicts them
     */
    public record Pool(
            String name,
            Long generation,
            Long observedGeneration,
            Optional<String> anchor,
            int size,
            int updated,
            boolean onDelete) {
        public Pool {
            Objects.requireNonNull(name, "name");
            anchor = anchor == null ? Optional.empty() : anchor;
        }
    }

    /**
     * Why the new CA may not sign yet, or empty when every pool's machines boot with a bundle that trusts it.
     *
     * @param anchor the anchor of the bundle that trusts the new CA (the rotation's phase 1 bundle)
     */
    public static Optional<String> holdBack(String anchor, List<Pool> pools) {
        List<String> waits = new ArrayList<>();
        for (Pool pool : pools.stream().sorted(Comparator.comparing(Pool::name)).toList()) {
            boolean caughtUp = pool.generation() == null || pool.generation().equals(pool.observedGeneration());
            if (!caughtUp || !pool.anchor().equals(Optional.of(anchor))) {
                waits.add("pool " + pool.name() + " to make its machines' revision with the new CA bundle");
                continue;
            }
            int old = Math.max(0, pool.size() - pool.updated());
            if (old == 0) {
                continue;
            }
            waits.add(old + " of " + pool.size() + " machines of pool " + pool.name()
                    + " to be replaced with the new CA bundle"
                    + (pool.onDelete()
                            ? " (upgradeStrategy OnDelete: evict its old machines with the Nodepool annotation "
                                    + Labels.EVICT_ANNOTATION + ")"
                            : ""));
        }
        return waits.isEmpty()
                ? Optional.empty()
                : Optional.of("waiting for " + String.join(", ", waits)
                        + "; the new CA signs only once no kubelet is left that trusts the old CA alone");
    }
}
