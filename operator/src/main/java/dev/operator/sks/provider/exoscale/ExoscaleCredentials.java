package dev.operator.sks.provider.exoscale;

import java.util.Objects;

/** An Exoscale API key and its secret. {@link #toString()} never shows the secret. */
public record ExoscaleCredentials(String apiKey, String apiSecret) {

    public ExoscaleCredentials {
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(apiSecret, "apiSecret");
        if (apiKey.isBlank() || apiSecret.isBlank()) {
            throw new IllegalArgumentException("an Exoscale API key and secret must both be set");
        }
    }

    @Override
    public String toString() {
        return "ExoscaleCredentials[apiKey=" + apiKey + ", apiSecret=***]";
    }
}
