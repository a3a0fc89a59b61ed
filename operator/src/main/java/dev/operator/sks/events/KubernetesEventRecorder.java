package dev.operator.sks.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events, as client-go's recorder does, on threads of its own: a reconcile only queues. There are
 * {@link #WRITERS} writers, each with its own share of the objects (by UID), so one object's events are written in the
 * order recorded (its count patches follow its create) while a burst of many objects' is written side by side: with
 * one writer, the ~700 Events of 100 clusters made at once were still being written a minute after they converged.
 *
 * <ul>
 *   <li>The same event for the same object (type, reason and message) within {@link #AGGREGATION_WINDOW} raises the
 *       count of the Event already written instead of writing another, so a repeated refusal is one Event.
 *   <li>Each object may record at most {@link #BURST} events, refilled one per {@link #REFILL}: whatever a
 *       reconciler does wrong, events cannot become a hot loop of writes. What is dropped is counted and logged.
 *   <li>A full queue drops, never blocks: events are the story, not the state.
 *   <li>A message that looks like key material is withheld, whoever made it.
 * </ul>
 */
public final class KubernetesEventRecorder implements EventRecorder, AutoCloseable {
    static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);
    static final int BURST = 25;
    static final Duration REFILL = Duration.ofSeconds(20);
    /**
     * Writers side by side: each waits on the API server most of the time, so a few multiply the pace of a burst,
     * while the API server's own client limits keep a few from becoming a flood.
     */
    static final int WRITERS = 4;

    /** Events waiting, over all writers. */
    private static final int QUEUE = 2_000;

    private static final int MAX_MESSAGE = 1_024;
    private static final int MAX_REMEMBERED = 20_000;
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);

    private record Key(String namespace, String uid, EventType type, String reason, String message) {}

    private record Written(String name, int count, Instant last) {}

    private record Budget(double tokens, Instant at) {}

    private final KubernetesClient client;
    private final Clock clock;
    private final String component;
    private final String instance;
    private final List<ThreadPoolExecutor> writers;
    private final Map<Key, Written> written = new ConcurrentHashMap<>();
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param component the reporting controller, shown as the Event's source
     * @param instance  this replica (its pod name), so events of two replicas can be told apart
     */
    public KubernetesEventRecorder(KubernetesClient client, Clock clock, String component, String instance) {
        this.client = client;
        this.clock = clock;
        this.component = component;
        this.instance = instance;
        List<ThreadPoolExecutor> pool = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            String threadName = "sks-events-" + i;
            pool.add(new ThreadPoolExecutor(
                    1,
                    1,
                    0,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(QUEUE / WRITERS),
                    r -> {
                        Thread thread = new Thread(r, threadName);
                        thread.setDaemon(true);
                        return thread;
                    },
                    (task, executor) -> drop("the event queue is full")));
        }
        this.writers = List.copyOf(pool);
    }

    @Override
    public void record(HasMetadata regarding, EventType type, String reason, String message) {
        if (regarding.getMetadata() == null || regarding.getMetadata().getUid() == null) {
            return;
        }
        ThreadPoolExecutor writer = writerOf(regarding.getMetadata().getUid());
        if (writer.isShutdown()) {
            return;
        }
        if (!take(regarding.getMetadata().getUid())) {
            drop(regarding.getKind() + " " + regarding.getMetadata().getName() + " recorded too many events");
            return;
        }
        String safe = safeMessage(message);
        writer.execute(() -> write(regarding, type, reason, safe));
    }

    /** The one writer of an object's events, so they are written in the order recorded. */
    private ThreadPoolExecutor writerOf(String uid) {
        return writers.get(Math.floorMod(uid.hashCode(), writers.size()));
    }

    /** How many events were dropped (rate limit or full queue) since start. */
    public long dropped() {
        return dropped.get();
    }

    private void drop(String why) {
        long count = dropped.incrementAndGet();
        if (count == 1 || count % 100 == 0) {
            LOG.warn("dropped an event ({} dropped so far): {}", count, why);
        }
    }

    private boolean take(String uid) {
        Instant now = clock.instant();
        Budget after = budgets.compute(uid, (k, budget) -> {
            double tokens = budget == null
                    ? BURST
                    : Math.min(
                            BURST,
                            budget.tokens()
                                    + (double) Duration.between(budget.at(), now)
                                                    .toMillis()
                                            / REFILL.toMillis());
            return new Budget(tokens - 1, now);
        });
        if (after.tokens() < 0) {
            budgets.put(uid, new Budget(0, now));
            return false;
        }
        if (budgets.size() > MAX_REMEMBERED) {
            // An object quiet for a whole refill has its full burst again: forgetting it changes nothing, and keeps
            // deleted objects from piling up here.
            Duration full = REFILL.multipliedBy(BURST);
            budgets.values().removeIf(b -> Duration.between(b.at(), now).compareTo(full) >= 0);
        }
        return true;
    }

    static String safeMessage(String message) {
        String text = message == null ? "" : message;
        if (text.contains("-----BEGIN") || text.contains("PRIVATE KEY") || text.contains("client-key-data")) {
            return "(message withheld: it held key material)";
        }
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text;
    }

    private void write(HasMetadata regarding, EventType type, String reason, String message) {
        String namespace = regarding.getMetadata().getNamespace() == null
                ? "default"
                : regarding.getMetadata().getNamespace();
        Key key = new Key(namespace, regarding.getMetadata().getUid(), type, reason, message);
        Instant now = clock.instant();
        try {
            Written before = written.get(key);
            if (before != null && Duration.between(before.last(), now).compareTo(AGGREGATION_WINDOW) < 0) {
                int count = before.count() + 1;
                client.v1()
                        .events()
                        .inNamespace(namespace)
                        .withName(before.name())
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                "{\"count\":" + count + ",\"lastTimestamp\":\"" + timestamp(now) + "\"}");
                written.put(key, new Written(before.name(), count, now));
                return;
            }
            // client-go's name (object and time), plus a sequence: two events in one clock tick must not collide.
            String name = regarding.getMetadata().getName() + "."
                    + HexFormat.of().toHexDigits(now.getEpochSecond() * 1_000_000_000L + now.getNano())
                    + HexFormat.of().toHexDigits((short) sequence.incrementAndGet());
            Event event = new EventBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder()
                            .withApiVersion(regarding.getApiVersion())
                            .withKind(regarding.getKind())
                            .withName(regarding.getMetadata().getName())
                            .withNamespace(regarding.getMetadata().getNamespace())
                            .withUid(regarding.getMetadata().getUid())
                            .withResourceVersion(regarding.getMetadata().getResourceVersion())
                            .build())
                    .withType(type.name())
                    .withReason(reason)
                    .withMessage(message)
                    .withCount(1)
                    .withFirstTimestamp(timestamp(now))
                    .withLastTimestamp(timestamp(now))
                    .withNewSource()
                    .withComponent(component)
                    .endSource()
                    .withReportingComponent(component)
                    .withReportingInstance(instance)
                    .build();
            client.v1().events().inNamespace(namespace).resource(event).create();
            if (written.size() > MAX_REMEMBERED) {
                written.entrySet()
                        .removeIf(
                                e -> Duration.between(e.getValue().last(), now).compareTo(AGGREGATION_WINDOW) >= 0);
            }
            written.put(key, new Written(name, 1, now));
        } catch (RuntimeException e) {
            // The namespace may be terminating, or the Event gone: the story loses a line, the operator goes on.
            written.remove(key);
            LOG.debug(
                    "could not record event {} for {} {}/{}: {}",
                    reason,
                    regarding.getKind(),
                    namespace,
                    regarding.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Lets queued events be written (for a few seconds at most), then stops. */
    @Override
    public void close() {
        writers.forEach(ThreadPoolExecutor::shutdown);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (ThreadPoolExecutor writer : writers) {
                writer.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
