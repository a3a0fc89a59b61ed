package dev.operator.sks.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS clients for tests against real servers (etcd here, kube-apiserver later), built only with
 * the JDK from what the operator stores: a client certificate and key, and a CA bundle.
 */
public final class TlsTestSupport {

    private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

    private TlsTestSupport() {}

    /**
     * An SSLContext that trusts only {@code trusted} and, if {@code clientIdentity} is not null,
     * presents it as client certificate.
     */
    public static SSLContext sslContext(IssuedCertificate clientIdentity, List<X509Certificate> trusted) {
        try {
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            if (clientIdentity != null) {
                keyStore.setKeyEntry("client", clientIdentity.privateKey(), IN_MEMORY_PASSWORD, new Certificate[] {
                    clientIdentity.certificate()
                });
            }
            keyManagers.init(keyStore, IN_MEMORY_PASSWORD);

            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                trustStore.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build SSLContext", e);
        }
    }

    /** The same, from PEM as found in a Secret or kubeconfig; {@code certificatePem} may be null. */
    public static SSLContext sslContext(String certificatePem, String privateKeyPem, String trustedCaBundlePem) {
        IssuedCertificate identity =
                certificatePem == null ? null : IssuedCertificate.fromPem(certificatePem, privateKeyPem);
        return sslContext(identity, Pem.parseCertificates(trustedCaBundlePem));
    }

    /** HTTP/1.1 keeps the handshake the only thing under test (no ALPN or h2 negotiation). */
    public static HttpClient httpClient(SSLContext sslContext) {
        return HttpClient.newBuilder()
                .sslContext(sslContext)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(3))
                .build();
    }

    public static HttpResponse<String> get(SSLContext sslContext, URI uri) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        return httpClient(sslContext).send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A port free on 127.0.0.1 right now (tiny race with other processes, acceptable in tests). */
    public static int freeLoopbackPort() {
        return freePort("127.0.0.1");
    }

    public static int freePort(String loopbackAddress) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(loopbackAddress))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isListening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes a PEM file; readable by the owner only when it holds a key, as servers expect. */
    public static Path writePem(Path directory, String fileName, String pem) {
        try {
            Path file = directory.resolve(fileName);
            Files.writeString(file, pem);
            if (pem.contains("PRIVATE KEY")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
