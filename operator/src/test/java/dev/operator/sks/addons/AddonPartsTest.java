package dev.operator.sks.addons;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddonPartsTest {

    @Test
    void theConfigDigestIsTheOneEarlierReleasesPutOnPodsSoAnUpgradeOfTheOperatorRollsNothing() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("Corefile", ".:53 {\n    errors\n}\n");
        files.put("a.conf", "ä");

        // What AddonParts computed before it used support/Digests: name, NUL, content, NUL in name order, 8 bytes in
        // hex.
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (String name : new String[] {"Corefile", "a.conf"}) {
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(files.get(name).getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
        }
        String before = HexFormat.of().formatHex(sha256.digest()).substring(0, 16);

        assertThat(AddonParts.digest(files)).isEqualTo(before).hasSize(16);
    }

    @Test
    void movingTextBetweenNameAndContentChangesTheDigest() {
        assertThat(AddonParts.digest(Map.of("ab", "c"))).isNotEqualTo(AddonParts.digest(Map.of("a", "bc")));
    }
}
