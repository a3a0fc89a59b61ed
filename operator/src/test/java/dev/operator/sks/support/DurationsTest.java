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

    @Test
    void aDurationIsWrittenAsUsersWriteItAndReadsBackTheSame() {
        assertThat(Durations.formatShort(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.formatShort(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Durations.formatShort(Duration.ofMinutes(90).plusSeconds(5))).isEqualTo("1h30m5s");
        assertThat(Durations.formatShort(Duration.ZERO)).isEqualTo("0s");
        for (Duration d : new Duration[] {Duration.ofSeconds(59), Duration.ofHours(2), Duration.ofSeconds(3661)}) {
            assertThat(Durations.parseShort(Durations.formatShort(d))).contains(d);
        }
    }
}
