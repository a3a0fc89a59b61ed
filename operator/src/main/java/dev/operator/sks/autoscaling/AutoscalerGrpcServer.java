package dev.operator.sks.autoscaling;

import dev.operator.sks.pki.IssuedCertificate;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The externalgrpc provider's gRPC server: TLS with a required client certificate from the operator's autoscaler CA
 * (a client without one, or with one from any other CA, fails the handshake before any call), and every call run as
 * the cluster that certificate names ({@link ExternalGrpcProvider#CALLER}). A certificate of the CA that names no
 * cluster is refused with Unauthenticated.
 */
public final class AutoscalerGrpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AutoscalerGrpcServer.class);

    private final Server server;

    private AutoscalerGrpcServer(Server server) {
        this.server = server;
    }

    /**
     * Starts serving {@code provider} on {@code port} (0: any free port).
     *
     * @param serverCertificate this server's certificate, issued by {@code authority}
     */
    public static AutoscalerGrpcServer start(
            int port,
            AutoscalerAuthority authority,
            IssuedCertificate serverCertificate,
            CloudProviderService.CloudProvider provider) {
        TlsServerCredentials.Builder credentials;
        try {
            credentials = TlsServerCredentials.newBuilder()
                    .keyManager(pem(serverCertificate.certificatePem()), pem(serverCertificate.privateKeyPem()))
                    .trustManager(pem(authority.caPem()))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        } catch (IOException e) {
            throw new UncheckedIOException("the autoscaler provider's TLS material is unreadable", e);
        }
        Server server = Grpc.newServerBuilderForPort(port, credentials.build())
                .addService(ServerInterceptors.intercept(CloudProviderService.bind(provider), new Identify()))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not serve the cluster-autoscaler provider on port " + port, e);
        }
        LOG.info("serving the cluster-autoscaler externalgrpc provider on port {} (mutual TLS)", server.getPort());
        return new AutoscalerGrpcServer(server);
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ByteArrayInputStream pem(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads the caller's cluster from its verified certificate into the call's context. */
    static final class Identify implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Optional<AutoscalerIdentity> identity =
                    identity(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            if (identity.isEmpty()) {
                call.close(
                        Status.UNAUTHENTICATED.withDescription(
                                "the client certificate names no cluster (CN <namespace>/<cluster>, O <cluster uid>)"),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
            Context context = Context.current().withValue(ExternalGrpcProvider.CALLER, identity.get());
            return Contexts.interceptCall(context, call, headers, next);
        }

        private static Optional<AutoscalerIdentity> identity(SSLSession session) {
            if (session == null) {
                return Optional.empty();
            }
            try {
                Certificate[] chain = session.getPeerCertificates();
                if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                    return Optional.empty();
                }
                return AutoscalerIdentity.of(leaf);
            } catch (SSLPeerUnverifiedException e) {
                return Optional.empty();
            }
        }
    }
}
