package dev.operator.sks.autoscaling;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The server as the operator runs it: the CA from the operator's namespace, a server certificate for the host of
     * {@code --autoscaler-grpc-address} (and loopback), on {@code --autoscaler-grpc-port}. Empty when turned off, or
     * when it cannot start (the CA Secret is out of reach, the port taken): the operator's other work goes on, and the
     * log says why autoscaling has no provider.
     */
    public static Optional<AutoscalerGrpcServer> startFor(KubernetesClient client, OperatorServices services) {
        OperatorConfig config = services.config();
        if (!config.servesAutoscalers()) {
            return Optional.empty();
        }
        try {
            AutoscalerAuthority authority = AutoscalerAuthority.loadOrCreate(
                    client, config.operatorNamespace(), new BouncyCastlePki(services.clock()));
            String address = config.autoscalerGrpcAddress();
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? address : address.substring(0, colon);
            List<String> dnsNames = new ArrayList<>(List.of("localhost"));
            List<String> ips = new ArrayList<>(List.of("127.0.0.1"));
            if (host.matches("[0-9.]+")) {
                ips.add(host);
            } else if (!host.isEmpty()) {
                dnsNames.add(host);
            }
            return Optional.of(start(
                    config.autoscalerGrpcPort(),
                    authority,
                    authority.serverCertificate(dnsNames, ips),
                    new ExternalGrpcProvider(client, services)));
        } catch (RuntimeException e) {
            LOG.error(
                    "the cluster-autoscaler provider is not served: {}; autoscaled nodepools keep their size",
                    e.getMessage());
            return Optional.empty();
        }
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
