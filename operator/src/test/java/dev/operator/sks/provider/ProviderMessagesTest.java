package dev.operator.sks.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.InstanceTypeCatalog;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProviderMessagesTest {
    private static final String TOKEN = "abcdef.0123456789abcdef";
    private static final String USER_DATA = "#cloud-config\nwrite_files: [{content: 'token: " + TOKEN + "'}]\n";
    private final DesiredPool desired = new DesiredPool(
            "ns",
            "pool",
            "alpha",
            "ch-gva-2",
            1,
            InstanceTypeCatalog.loadDefault().find("standard.medium").orElseThrow(),
            50,
            "",
            "pool",
            List.of(),
            List.of(),
            List.of(),
            Optional.empty(),
            Map.of(),
            List.of(),
            USER_DATA,
            Optional.empty(),
            Optional.empty());

    @Test
    void whatABackendEchoesOfTheUserDataOrTokenIsWithheld() {
        String base64 = Base64.getEncoder().encodeToString(USER_DATA.getBytes(StandardCharsets.UTF_8));
        assertThat(ProviderMessages.safe("HTTP 400: invalid user-data " + base64, desired))
                .isEqualTo("HTTP 400: invalid user-data (withheld)")
                .doesNotContain(base64);
        assertThat(ProviderMessages.safe("rejected " + USER_DATA, desired)).doesNotContain(TOKEN, "cloud-config");
        assertThat(ProviderMessages.safe("bad token " + TOKEN + " in line 3", desired))
                .isEqualTo("bad token (withheld) in line 3");
        assertThat(ProviderMessages.safe("-----BEGIN EC PRIVATE KEY----- xyz", desired))
                .doesNotContain("xyz");
    }

    @Test
    void anOrdinaryMessageIsKeptAndShortened() {
        assertThat(ProviderMessages.safe("HTTP 403: quota exceeded for instance pools", desired))
                .isEqualTo("HTTP 403: quota exceeded for instance pools");
        assertThat(ProviderMessages.safe(null, desired)).isEqualTo("no message");
        assertThat(ProviderMessages.safe("x".repeat(1000), desired)).hasSize(ProviderMessages.MAX_LENGTH + 3);
    }
}
