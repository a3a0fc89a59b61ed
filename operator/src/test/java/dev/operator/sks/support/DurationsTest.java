package dev.operator.sks.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void theSoonerOfTwoTimesIsTaken() {
        assertThat(Durations.sooner(Optional.of(Duration.ofSeconds(2)), Optional.of(Duration.ofSeconds(30))))
                .contains(Duration.ofSeconds(2));
        assertThat(Durations.sooner(Optional.empty(), Optional.of(Duration.ofSeconds(30))))
                .contains(Duration.ofSeconds(30));
        assertThat(Durations.sooner(Optional.empty(), Optional.empty())).isEmpty();
    }
}
