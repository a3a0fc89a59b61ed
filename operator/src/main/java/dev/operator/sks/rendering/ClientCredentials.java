package dev.operator.sks.rendering;

/**
 * A client certificate and its private key, in PEM, for a kubeconfig. {@link #toString()} never shows the key, so a
 * log line or an exception that prints this record cannot leak it.
 */
public record ClientCredentials(String certificatePem, String privateKeyPem) {
    public ClientCredentials {
        if (certificatePem == null || !certificatePem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("the client certificate is not a PEM certificate");
        }
        if (privateKeyPem == null
                || !privateKeyPem.contains("-----BEGIN ")
                || !privateKeyPem.contains("PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the client key is not a PEM private key");
        }
    }

    @Override
    public String toString() {
        return "ClientCredentials[certificatePem=" + certificatePem.length() + " chars, privateKeyPem=(redacted)]";
    }
}
