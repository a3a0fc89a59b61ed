package dev.operator.sks.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.etcd.EtcdException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a real etcd holding 100 MiB, through the operator's code into S3Proxy: prints the time and the peak
 * heap in use while it runs (sampled every 20 ms after a GC before), which stays near the part size, not the
 * snapshot's: the snapshot streams. Opt-in:
 * {@code mvn -B test -Dtest=EtcdBackupBenchmarkTest -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class EtcdBackupBenchmarkTest {
    static final int MIB = 1024 * 1024;

    @TempDir
    Path directory;

    @Test
    void backsUp100MiBWithoutHoldingIt() throws Exception {
        BackupFixtures fixtures = new BackupFixtures(Files.createDirectories(directory.resolve("etcd")));
        try (LocalS3 s3 = LocalS3.start(directory.resolve("s3"), "backups", "bench", "bench-secret-key");
                S3ObjectStore store = new S3ObjectStore(
                        new S3ObjectStore.Settings(s3.endpoint(), LocalS3.REGION, "backups", true),
                        s3.accessKeyId(),
                        s3.secretAccessKey())) {
            fixtures.start();
            var kv = fixtures.kv(fixtures.member);
            byte[] value = new byte[MIB];
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < 100; i++) {
                random.nextBytes(value);
                kv.put("/registry/bench/" + i, value);
            }
            byte[] key = new byte[32];
            EtcdBackupJob job = new EtcdBackupJob(store, new CaBundleCipher(key), Clock.systemUTC());
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long baseline = memory.getHeapMemoryUsage().getUsed();
            AtomicLong peak = new AtomicLong(baseline);
            AtomicLong peakAfterGc = new AtomicLong(0);
            var pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null)
                    .toList();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    // What the last collections left: the live data, garbage not counted.
                    long afterGc = pools.stream()
                            .mapToLong(p -> p.getCollectionUsage().getUsed())
                            .sum();
                    peakAfterGc.accumulateAndGet(afterGc, Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            long started = System.nanoTime();
            EtcdBackupJob.Result result = job.run(
                    new EtcdBackupJob.Target("bench", "ns", "big", "uid", Optional.empty(), Optional.empty()),
                    () -> {
                        try {
                            return fixtures.maintenance(fixtures.member).snapshot();
                        } catch (EtcdException e) {
                            throw new BackupException("EtcdUnreachable", e.getMessage(), e);
                        }
                    },
                    EtcdBackupRoundTripTest.caBundle());
            long millis = (System.nanoTime() - started) / 1_000_000;
            sampler.interrupt();
            sampler.join();
            System.out.printf(
                    "BENCHMARK etcd backup: %d MiB snapshot in %d ms (%.1f MiB/s); heap in use: %d MiB before, "
                            + "peak %d MiB during (+%d MiB, garbage included); largest heap left by a collection "
                            + "during it %d MiB; max heap %d MiB%n",
                    result.size() / MIB,
                    millis,
                    result.size() / (double) MIB / (millis / 1000.0),
                    baseline / MIB,
                    peak.get() / MIB,
                    (peak.get() - baseline) / MIB,
                    peakAfterGc.get() / MIB,
                    Runtime.getRuntime().maxMemory() / MIB);
            assertThat(result.size()).isGreaterThan(100L * MIB);
            assertThat(store.metadata(result.snapshotKey())).containsEntry("sha256", result.sha256());
        } finally {
            fixtures.etcd.close();
        }
    }
}
