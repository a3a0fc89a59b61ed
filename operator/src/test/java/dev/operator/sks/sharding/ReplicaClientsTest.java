package dev.operator.sks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** fabric8's token refresh, with the management configuration as the operator builds it. */
class ReplicaClientsTest {

    @Test
    void aCertificateOnlyConfigurationIsNotReReadBeforeEachRequest() {
        CountingConfig plain = CountingConfig.withCertificate();
        CountingConfig built = CountingConfig.withCertificate();
        ReplicaClients.withoutEmptyTokenRefresh(built);

        for (int request = 0; request < 3; request++) {
            before(plain);
            before(built);
        }
        // As fabric8 does it: with no token ever found, every request past the first minute re-reads the kubeconfig.
        assertThat(plain.refreshed.get()).isEqualTo(3);
        assertThat(built.refreshed.get()).isZero();
    }

    @Test
    void aConfigurationWithATokenKeepsItsRefresh() {
        CountingConfig token = CountingConfig.withCertificate();
        token.setAutoOAuthToken("from-a-token-file");
        ReplicaClients.withoutEmptyTokenRefresh(token);
        assertThat(token.getOauthTokenProvider()).isNull();

        CountingConfig basic = CountingConfig.withCertificate();
        basic.setUsername("admin");
        ReplicaClients.withoutEmptyTokenRefresh(basic);
        assertThat(basic.getOauthTokenProvider()).isNull();

        CountingConfig none = new CountingConfig();
        ReplicaClients.withoutEmptyTokenRefresh(none);
        assertThat(none.getOauthTokenProvider()).isNull();
    }

    /** One request's interceptor pass, with the last refresh long ago (as a minute after start). */
    private static void before(Config config) {
        TokenRefreshInterceptor interceptor =
                new TokenRefreshInterceptor(config, Instant.EPOCH, c -> CompletableFuture.completedFuture(null));
        StandardHttpRequest.Builder builder = new StandardHttpRequest.Builder();
        builder.uri(URI.create("https://127.0.0.1:6443/api"));
        interceptor.before(builder, builder.build(), null);
    }

    /** A configuration that counts its refreshes (each a re-read of the kubeconfig in a real one). */
    static final class CountingConfig extends Config {
        final AtomicInteger refreshed = new AtomicInteger();

        CountingConfig() {
            super(false);
        }

        static CountingConfig withCertificate() {
            CountingConfig config = new CountingConfig();
            config.setClientCertData("Y2VydGlmaWNhdGU=");
            config.setClientKeyData("a2V5");
            return config;
        }

        @Override
        public Config refresh() {
            refreshed.incrementAndGet();
            return this;
        }
    }
}
