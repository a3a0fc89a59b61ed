package dev.operator.sks.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    @Test
    void transitionTimeMovesOnlyWhenTheStatusFlips() {
        List<Condition> conditions = new ArrayList<>();
        Clock t0 = Clock.fixed(Instant.parse("2026-01-01T00:00:00.123Z"), ZoneOffset.UTC);
        Clock t1 = Clock.fixed(Instant.parse("2026-01-01T01:00:00Z"), ZoneOffset.UTC);
        Clock t2 = Clock.fixed(Instant.parse("2026-01-01T02:00:00Z"), ZoneOffset.UTC);
        Conditions.set(conditions, Conditions.READY, false, "Provisioning", "wait", 1L, t0);
        Conditions.set(conditions, Conditions.READY, false, "StillProvisioning", "wait more", 2L, t1);
        assertThat(conditions).singleElement().satisfies(c -> {
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
            assertThat(c.getReason()).isEqualTo("StillProvisioning");
            assertThat(c.getObservedGeneration()).isEqualTo(2L);
        });
        Conditions.set(conditions, Conditions.READY, true, "Ready", "ok", 2L, t2);
        assertThat(conditions.get(0).getLastTransitionTime()).isEqualTo("2026-01-01T02:00:00Z");
        assertThat(Conditions.isTrue(conditions, Conditions.READY)).isTrue();
        assertThat(Conditions.isTrue(conditions, Conditions.ACCEPTED)).isFalse();
    }
}
