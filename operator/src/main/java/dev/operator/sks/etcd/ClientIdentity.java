package dev.operator.sks.etcd;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The one client certificate an etcd client presents, handed to TLS as it is. The JDK's way there (a PKCS#12 key store
 * and a KeyManagerFactory) encrypts the key into the store and decrypts it out again with PBKDF2: a tenth of a second
 * of CPU for each client opened, for a key that never leaves memory, and at a thousand clusters opened after a restart
 * that was minutes of CPU.
 */
final class ClientIdentity extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";

    private final X509Certificate[] chain;
    private final PrivateKey key;

    ClientIdentity(List<X509Certificate> chain, PrivateKey key) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a client certificate is needed");
        }
        this.chain = chain.toArray(new X509Certificate[0]);
        this.key = key;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseFor(keyTypes);
    }

    /** The identity when the server accepts its key type (TLS 1.2 may name "EC_EC"-style types; 1.3 plain ones). */
    private String chooseFor(String[] keyTypes) {
        String algorithm = key.getAlgorithm();
        boolean accepted = keyTypes == null
                || Arrays.stream(keyTypes).anyMatch(type -> type.equals(algorithm) || type.startsWith(algorithm + "_"));
        return accepted ? ALIAS : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return chooseFor(new String[] {keyType}) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null; // a client only
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String toString() {
        return "ClientIdentity[" + chain[0].getSubjectX500Principal().getName() + "]";
    }
}
