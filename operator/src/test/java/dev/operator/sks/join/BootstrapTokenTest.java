package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BootstrapTokenTest {
    private static final String KUBEADM_FORMAT = "^[a-z0-9]{6}\\.[a-z0-9]{16}$";

    @Test
    void generatedTokensHaveKubeadmsFormatAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            BootstrapToken token = BootstrapToken.generate();
            assertThat(token.value()).matches(KUBEADM_FORMAT);
            assertThat(seen.add(token.value())).as("token %d is new", i).isTrue();
        }
    }

    @Test
    void everyCharacterOfTheAlphabetIsAboutEquallyLikely() {
        // 8000 secrets of 16 characters: each of the 36 characters expected 3556 times, standard deviation 59; the
        // bounds
        // are 5 deviations. A byte taken modulo 36 (4063 for the first 4 characters) or a narrowed alphabet falls
        // outside.
        Map<Character, Integer> counts = new HashMap<>();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 8000; i++) {
            for (char c : BootstrapToken.generate(random).secret().toCharArray()) {
                counts.merge(c, 1, Integer::sum);
            }
        }
        assertThat(counts).hasSize(36);
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(3262, 3850));
    }

    @Test
    void parsesItsOwnFormatOnly() {
        BootstrapToken token = BootstrapToken.parse("abcdef.0123456789abcdef").orElseThrow();
        assertThat(token.id()).isEqualTo("abcdef");
        assertThat(token.secret()).isEqualTo("0123456789abcdef");
        assertThat(BootstrapToken.parse(token.value())).contains(token);
        for (String invalid : new String[] {
            null,
            "",
            "abcdef",
            "abcdef.",
            ".0123456789abcdef",
            "ABCDEF.0123456789abcdef",
            "abcde.0123456789abcdef",
            "abcdefg.0123456789abcdef",
            "abcdef.0123456789abcde",
            "abcdef.0123456789abcdefa",
            "abcdef-0123456789abcdef",
            "abcdef.0123456789abcde_",
            "abcdef.0123.456789abcde",
            " abcdef.0123456789abcdef"
        }) {
            assertThat(BootstrapToken.parse(invalid))
                    .as(String.valueOf(invalid))
                    .isEmpty();
            assertThat(BootstrapToken.isValid(invalid)).isFalse();
        }
    }

    @Test
    void theConstructorRefusesMalformedPartsWithoutQuotingThem() {
        assertThatThrownBy(() -> new BootstrapToken("abcdef", "0123456789ABCDEF"))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("0123456789ABCDEF");
        assertThatThrownBy(() -> new BootstrapToken("abc", "0123456789abcdef"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsTheIdButNeverTheSecret() {
        BootstrapToken token = new BootstrapToken("abcdef", "0123456789abcdef");
        assertThat(token.toString()).contains("abcdef").doesNotContain("0123456789abcdef");
        assertThat(new JoinToken(token, java.time.Instant.EPOCH).toString()).doesNotContain("0123456789abcdef");
    }
}
