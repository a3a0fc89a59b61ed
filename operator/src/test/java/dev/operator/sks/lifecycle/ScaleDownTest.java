package dev.operator.sks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScaleDownTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static Machine machine(String name, boolean current, boolean ready, int minute) {
        return new Machine(
                name, current, ready, T0.plus(Duration.ofMinutes(minute)), ready ? Optional.empty() : Optional.of(T0));
    }

    @Test
    void notReadyFirstThenOldRevisionThenNewest() {
        List<Machine> machines = List.of(
                machine("oldest", true, true, 1),
                machine("newest", true, true, 9),
                machine("stale", false, true, 2),
                machine("sick", true, false, 5));
        assertThat(ScaleDown.choose(machines, 4)).containsExactly("sick", "stale", "newest", "oldest");
        assertThat(ScaleDown.choose(machines, 1)).containsExactly("sick");
        assertThat(ScaleDown.choose(machines, 0)).isEmpty();
    }

    @Test
    void machinesFirstSeenTogetherGoByThePoolsOrderNewestListedFirst() {
        Machine a = machine("a", true, true, 3);
        Machine b = machine("b", true, true, 3);
        Machine c = machine("c", true, true, 3);
        Machine older = machine("older", true, true, 1);
        assertThat(ScaleDown.choose(List.of(older, a, b, c), 2)).containsExactly("c", "b");
        assertThat(ScaleDown.choose(List.of(older, c, b, a), 3)).containsExactly("a", "b", "c");
    }
}
