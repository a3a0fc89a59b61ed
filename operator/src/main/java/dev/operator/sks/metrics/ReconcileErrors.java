package dev.operator.sks.metrics;

import dev.operator.sks.catalog.CatalogException;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.pki.PkiException;
import dev.operator.sks.provider.ProviderException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.List;

/**
 * The reason label of {@code sks_reconcile_errors_total}: a reconcile's exception reduced to one of a closed set, so
 * no message, name or address ever becomes a label value.
 */
public final class ReconcileErrors {
    public static final List<String> REASONS = List.of(
            "Conflict",
            "NotFound",
            "Forbidden",
            "Invalid",
            "TooManyRequests",
            "ApiServerError",
            "ApiServerUnreachable",
            "ApiError",
            "ProviderError",
            "EtcdError",
            "PkiError",
            "CatalogError",
            "Internal");

    private ReconcileErrors() {}

    /** The first cause that says more than "wrapped", mapped to one of {@link #REASONS}. */
    public static String reason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                return api(k);
            }
            if (t instanceof ProviderException) {
                return "ProviderError";
            }
            if (t instanceof EtcdException) {
                return "EtcdError";
            }
            if (t instanceof PkiException) {
                return "PkiError";
            }
            if (t instanceof CatalogException) {
                return "CatalogError";
            }
        }
        return "Internal";
    }

    private static String api(KubernetesClientException e) {
        int code = e.getCode();
        if (code == 409) {
            return "Conflict";
        }
        if (code == 404 || code == 410) {
            return "NotFound";
        }
        if (code == 401 || code == 403) {
            return "Forbidden";
        }
        if (code == 400 || code == 422) {
            return "Invalid";
        }
        if (code == 429) {
            return "TooManyRequests";
        }
        if (code >= 500) {
            return "ApiServerError";
        }
        if (code <= 0 && e.getCause() instanceof IOException) {
            return "ApiServerUnreachable";
        }
        return "ApiError";
    }
}
