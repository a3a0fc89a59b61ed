package dev.operator.sks.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * When a certificate should be replaced: once less than a third of its total validity remains.
 *
 * <p>A fraction rather than a fixed margin, because validities here range from hours (short
 * kubeconfigs) through 30 days (the longest kubeconfig) and one year (leaves) to ten years (CAs);
 * a fixed "30 days before" would renew a 30-day kubeconfig at once. One third is cert-manager's
 * default; for a one-year leaf it means renewal after about eight months, with four months left to
 * notice and fix a failing renewal.
 *
 * <p>Total validity is measured between the certificate's own notBefore and notAfter, so a leaf
 * clamped to its CA's expiry renews on its own shorter schedule.
 */
public final class RenewalPolicy {

    private RenewalPolicy() {}

    /** The instant from which {@link #needsRenewal} is true. */
    public static Instant renewalTime(X509Certificate certificate) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        Duration total = Duration.between(notBefore, notAfter);
        return notAfter.minus(total.dividedBy(3));
    }

    /** True once less than a third of the validity remains, and of course once expired. */
    public static boolean needsRenewal(X509Certificate certificate, Instant now) {
        return !now.isBefore(renewalTime(certificate));
    }
}
