package dev.operator.sks.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.naming.BackupKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The pure parts of backups: schedules, their spread, retention, object keys, and the CA bundle's encryption. */
class BackupDecisionsTest {

    static Instant at(String text) {
        return Instant.parse(text);
    }

    @Test
    void cronFindsTheNextMinuteStrictlyAfter() {
        CronSchedule daily = CronSchedule.parse("30 2 * * *");
        assertThat(daily.next(at("2026-11-30T01:00:00Z"))).contains(at("2026-11-30T02:30:00Z"));
        assertThat(daily.next(at("2026-11-30T02:30:00Z"))).contains(at("2026-12-01T02:30:00Z"));
        assertThat(daily.next(at("2026-12-31T02:30:59Z"))).contains(at("2027-01-01T02:30:00Z"));
    }

    @Test
    void cronReadsStepsRangesListsAndWeekdays() {
        assertThat(CronSchedule.parse("*/15 * * * *").next(at("2026-11-30T10:07:00Z")))
                .contains(at("2026-11-30T10:15:00Z"));
        assertThat(CronSchedule.parse("0 9-17/4 * * *").next(at("2026-11-30T13:00:00Z")))
                .contains(at("2026-11-30T17:00:00Z"));
        // 2026-11-30 is a Monday; 0 and 7 are both Sunday.
        assertThat(CronSchedule.parse("0 3 * * 0").next(at("2026-11-30T00:00:00Z")))
                .contains(at("2026-12-06T03:00:00Z"));
        assertThat(CronSchedule.parse("0 3 * * 7").next(at("2026-11-30T00:00:00Z")))
                .contains(at("2026-12-06T03:00:00Z"));
        assertThat(CronSchedule.parse("0 0 1,15 * *").next(at("2026-11-30T00:00:00Z")))
                .contains(at("2026-12-01T00:00:00Z"));
        // Both day fields restricted: either matches, as cron does.
        assertThat(CronSchedule.parse("0 0 15 * 3").next(at("2026-11-30T00:00:00Z")))
                .contains(at("2026-12-02T00:00:00Z"));
        assertThat(CronSchedule.parse("0 0 29 2 *").next(at("2026-03-01T00:00:00Z")))
                .contains(at("2028-02-29T00:00:00Z"));
        assertThat(CronSchedule.parse("0 0 30 2 *").next(at("2026-03-01T00:00:00Z")))
                .isEmpty();
    }

    @Test
    void cronRefusalsSayWhatIsWrong() {
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * *")).hasMessageContaining("has 4 fields");
        assertThatThrownBy(() -> CronSchedule.parse("60 2 * * *")).hasMessageContaining("minute 60");
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * * mon")).hasMessageContaining("day of week");
        assertThatThrownBy(() -> CronSchedule.parse("0 5-2 * * *")).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *")).hasMessageContaining("not between 1");
    }

    @Test
    void defaultSchedulesAreDailyStableAndSpreadOverTheDay() {
        String uid = "0b6f2a34-5c1e-4d7a-9f00-1234567890ab";
        assertThat(BackupSchedules.dailyFor(uid))
                .isEqualTo(BackupSchedules.dailyFor(uid))
                .matches("\\d+ \\d+ \\* \\* \\*");
        Set<Integer> hours = new HashSet<>();
        Set<String> times = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String schedule =
                    BackupSchedules.dailyFor(UUID.nameUUIDFromBytes(("c" + i).getBytes(StandardCharsets.UTF_8))
                            .toString());
            CronSchedule.parse(schedule); // always valid
            hours.add(Integer.parseInt(schedule.split(" ")[1]));
            times.add(schedule);
        }
        assertThat(hours).hasSizeGreaterThan(20);
        assertThat(times).hasSizeGreaterThan(180);
    }

    @Test
    void retentionKeepsTheNewestCountAndDropsWhatIsTooOldButNeverTheNewest() {
        Instant now = at("2026-11-30T00:00:00Z");
        List<Instant> taken = new ArrayList<>();
        for (int day = 0; day < 10; day++) {
            taken.add(now.minus(Duration.ofDays(day)));
        }
        assertThat(Retention.expired(taken, Optional.of(7), Optional.empty(), now))
                .containsExactly(
                        now.minus(Duration.ofDays(9)), now.minus(Duration.ofDays(8)), now.minus(Duration.ofDays(7)));
        assertThat(Retention.expired(taken, Optional.empty(), Optional.of(Duration.ofDays(3)), now))
                .hasSize(6)
                .allSatisfy(t -> assertThat(t).isBefore(now.minus(Duration.ofDays(3))));
        assertThat(Retention.expired(taken, Optional.of(5), Optional.of(Duration.ofDays(2)), now))
                .hasSize(7);
        // The newest is kept even past maxAge, and with a count of 0.
        List<Instant> old = List.of(now.minus(Duration.ofDays(40)), now.minus(Duration.ofDays(41)));
        assertThat(Retention.expired(old, Optional.of(0), Optional.of(Duration.ofDays(30)), now))
                .containsExactly(now.minus(Duration.ofDays(41)));
        assertThat(Retention.expired(List.of(), Optional.of(1), Optional.empty(), now))
                .isEmpty();
    }

    @Test
    void objectKeysReadBackOnlyWhenTheNamingMadeThem() {
        Instant taken = at("2026-11-30T02:17:05Z");
        String uid = "0b6f2a34-5c1e-4d7a-9f00-1234567890ab";
        String snapshot = BackupKeys.snapshot("/sks/backups/", "team-a", "prod", uid, taken);
        assertThat(snapshot).isEqualTo("sks/backups/team-a/prod/" + uid + "/20261130T021705Z/etcd.snapshot");
        assertThat(BackupKeys.caBundleOf(snapshot))
                .isEqualTo("sks/backups/team-a/prod/" + uid + "/20261130T021705Z/ca-bundle.enc");
        assertThat(BackupKeys.snapshot("", "ns", "c", uid, taken)).startsWith("ns/c/");
        String prefix = BackupKeys.clusterPrefix("sks/backups", "team-a", "prod");
        assertThat(BackupKeys.parse(prefix, snapshot)).contains(new BackupKeys.Parsed(uid, taken, BackupKeys.SNAPSHOT));
        assertThat(BackupKeys.parse(prefix, prefix + uid + "/20261130T021705Z/notes.txt"))
                .isEmpty();
        assertThat(BackupKeys.parse(prefix, prefix + uid + "/20261130T021705Z/sub/etcd.snapshot"))
                .isEmpty();
        assertThat(BackupKeys.parse(prefix, prefix + uid + "/20261399T021705Z/etcd.snapshot"))
                .isEmpty();
        // prod-2's backups are not prod's, though their keys share a prefix of characters.
        assertThat(BackupKeys.parse(prefix, BackupKeys.snapshot("sks/backups", "team-a", "prod-2", uid, taken)))
                .isEmpty();
    }

    @Test
    void theCaBundleRoundTripsAndAnyTamperingFails() throws Exception {
        byte[] key = new byte[32];
        key[0] = 7;
        CaBundleCipher cipher = new CaBundleCipher(key);
        byte[] plain = "{\"secrets\":\"ca keys\"}".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = cipher.encrypt(plain, "uid-1", "k/ca-bundle.enc");
        assertThat(cipher.decrypt(sealed, "uid-1", "k/ca-bundle.enc")).isEqualTo(plain);
        assertThat(cipher.encrypt(plain, "uid-1", "k/ca-bundle.enc")).isNotEqualTo(sealed); // a fresh nonce each time

        byte[] flipped = sealed.clone();
        flipped[flipped.length - 20] ^= 1;
        assertThatThrownBy(() -> cipher.decrypt(flipped, "uid-1", "k/ca-bundle.enc"))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("does not decrypt");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "uid-2", "k/ca-bundle.enc"))
                .hasMessageContaining("does not decrypt");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "uid-1", "other/ca-bundle.enc"))
                .hasMessageContaining("does not decrypt");
        byte[] otherKey = new byte[32];
        assertThatThrownBy(() -> new CaBundleCipher(otherKey).decrypt(sealed, "uid-1", "k/ca-bundle.enc"))
                .hasMessageContaining("does not decrypt");
        assertThatThrownBy(() -> cipher.decrypt(new byte[5], "uid-1", "k")).hasMessageContaining("unknown format");
        assertThatThrownBy(() -> new CaBundleCipher(new byte[16])).hasMessageContaining("32 bytes");
    }
}
