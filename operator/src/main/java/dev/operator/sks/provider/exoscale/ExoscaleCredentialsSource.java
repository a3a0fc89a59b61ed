package dev.operator.sks.provider.exoscale;

import dev.operator.sks.provider.ProviderException;

/** Where the provider gets its credentials for each request, so a rotated key is picked up without a restart. */
@FunctionalInterface
public interface ExoscaleCredentialsSource {

    ExoscaleCredentials get() throws ProviderException;

    static ExoscaleCredentialsSource of(ExoscaleCredentials credentials) {
        return () -> credentials;
    }
}
