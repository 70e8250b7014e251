package dev.asof.reconstruction.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.Hlc;
import dev.asof.events.Version;
import dev.asof.reconstruction.resilience.ProfileStoreUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TimelineMarksReader} over a stand-in history (pages cut from an in-memory timeline exactly as the history
 * walk cuts them: valid time from {@code from} to {@code to} inclusive, after the cursor, {@code limit} at most):
 * what it sums up equals {@link TimelineMarks} fed the whole timeline, or its first {@code max_changes} changes, even
 * when later ranges finish first; a range that fails stops the others; range pages in flight stay within {@code
 * marks-threads} however many reads run at once.
 */
class TimelineMarksReaderTest {

    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant KNOWN_AT = Instant.parse("2026-12-01T00:00:00Z");

    private final List<HistoryChange> timeline = new ArrayList<>();
    private final AtomicInteger rangePagesNow = new AtomicInteger();
    private final AtomicInteger rangePagesMost = new AtomicInteger();
    private final AtomicInteger pagesRead = new AtomicInteger();
    private volatile Consumer<HistoryQuery> beforePage = query -> {};
    private TimelineMarksReader reader;

    @AfterEach
    void stop() {
        if (reader != null) {
            reader.destroy();
        }
    }

    @Test
    void whatIsReadInRangesIsTheWholeTimelineOrItsBeginning() {
        Random random = new Random(Long.getLong("asof.seed", 20261204L));
        reader = reader(4, 3, 5, 7);
        for (int run = 0; run < 150; run++) {
            seed(random, 1 + random.nextInt(400));
            Instant from = random.nextInt(3) == 0
                    ? timeline.get(random.nextInt(timeline.size())).version().timestamp()
                    : null;
            Instant to = random.nextInt(3) == 0
                    ? timeline.get(random.nextInt(timeline.size())).version().timestamp()
                    : null;
            if (from != null && to != null && !from.isBefore(to)) {
                to = null;
            }
            int max = random.nextBoolean() ? 1 + random.nextInt(300) : 20_000;
            // later ranges answer first now and then
            beforePage = query -> pause(query.from() != null && random.nextInt(4) == 0 ? 3 : 0);

            TimelineMarksReader.Result result = reader.read("cust_1", from, to, KNOWN_AT, 50, max, deadline());

            List<HistoryChange> whole = timeline.stream()
                    .filter(change ->
                            from == null || !change.version().timestamp().isBefore(from))
                    .toList();
            List<HistoryChange> read = whole.subList(0, Math.min(max, whole.size()));
            TimelineMarks expected = new TimelineMarks(from, to, 50);
            read.forEach(expected::add);
            String seed = "run " + run + " (" + timeline.size() + " changes, from " + from + ", to " + to + ", max "
                    + max + ")";
            assertThat(result.marks()).as(seed).isEqualTo(expected.summary());
            Instant lastRead =
                    read.isEmpty() ? null : read.get(read.size() - 1).version().timestamp();
            boolean cutShort = whole.size() > max && (to == null || lastRead.isBefore(to));
            assertThat(result.cutShort()).as(seed).isEqualTo(cutShort);
            assertThat(result.readTo()).as(seed).isEqualTo(cutShort ? expected.lastShown() : null);
        }
    }

    @Test
    void aReadOfMaxChangesHoldsThemAllWhenLaterRangesFinishFirst() {
        // pages of 5 changes, ranges of about 25: a range is several pages
        reader = reader(8, 3, 25, 5);
        Random random = new Random(7);
        seed(random, 400);
        // the first ranges answer last: the later ones have used up what may be read by then
        Instant middle = timeline.get(200).version().timestamp();
        beforePage = query -> pause(query.from() != null && query.from().isBefore(middle) ? 30 : 0);

        TimelineMarksReader.Result result = reader.read("cust_1", null, null, KNOWN_AT, 50, 150, deadline());

        assertThat(result.marks().read()).isEqualTo(150);
        assertThat(result.cutShort()).isTrue();
        assertThat(result.readTo()).isEqualTo(timeline.get(149).version().timestamp());
    }

    @Test
    void aRangeThatFailsFailsTheReadAndStopsTheOtherRanges() throws InterruptedException {
        reader = reader(4, 3, 5, 2);
        seed(new Random(11), 400);
        Instant second = timeline.get(20).version().timestamp();
        AtomicBoolean failed = new AtomicBoolean();
        beforePage = query -> {
            if (query.from() != null && query.from().isBefore(second)) {
                failed.set(true);
                throw new ProfileStoreUnavailableException("store down", Duration.ofSeconds(1), null);
            }
            pause(5);
        };

        assertThatThrownBy(() -> reader.read("cust_1", null, null, KNOWN_AT, 50, 20_000, deadline()))
                .isInstanceOf(ProfileStoreUnavailableException.class);
        int readWhenFailed = pagesRead.get();
        Thread.sleep(300);

        assertThat(failed).isTrue();
        // pages of 2 changes: without the stop, the other ranges would read on for about 190 more pages
        assertThat(pagesRead.get() - readWhenFailed)
                .as("pages read after the answer failed")
                .isLessThanOrEqualTo(4);
    }

    @Test
    void rangePagesInFlightStayWithinMarksThreadsHoweverManyReadsRunAtOnce() throws Exception {
        reader = reader(3, 3, 5, 4);
        seed(new Random(13), 400);
        beforePage = query -> pause(query.from() != null ? 2 : 0);
        ExecutorService requests = Executors.newFixedThreadPool(8);
        try {
            List<Future<TimelineMarksReader.Result>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(requests.submit(() -> reader.read("cust_1", null, null, KNOWN_AT, 50, 20_000, deadline())));
            }
            for (Future<TimelineMarksReader.Result> answer : answers) {
                assertThat(answer.get().marks().read()).isEqualTo(timeline.size());
            }
        } finally {
            requests.shutdownNow();
        }
        assertThat(rangePagesMost.get()).as("range pages in flight at once").isBetween(1, 3);
    }

    // ---- the stand-in ----------------------------------------------------------------------------------------

    private TimelineMarksReader reader(int threads, int firstPage, int rangeChanges, int pageSize) {
        HistoryProperties properties = new HistoryProperties(
                50, pageSize, 100, 20_000, Duration.ofSeconds(20), threads, firstPage, rangeChanges);
        return new TimelineMarksReader(this::page, this::latest, properties, new SimpleMeterRegistry());
    }

    private static long deadline() {
        return System.nanoTime() + Duration.ofSeconds(20).toNanos();
    }

    private Optional<Long> latest(String customerId) {
        return timeline.isEmpty()
                ? Optional.empty()
                : Optional.of(
                        timeline.get(timeline.size() - 1).version().timestamp().toEpochMilli());
    }

    private HistoryPage page(HistoryQuery query) {
        boolean range = query.from() != null;
        if (range) {
            rangePagesMost.accumulateAndGet(rangePagesNow.incrementAndGet(), Math::max);
        }
        try {
            beforePage.accept(query);
            pagesRead.incrementAndGet();
            List<HistoryChange> page = new ArrayList<>();
            boolean more = false;
            for (HistoryChange change : timeline) {
                Instant valid = change.version().timestamp();
                if ((query.from() != null && valid.isBefore(query.from()))
                        || (query.to() != null && valid.isAfter(query.to()))
                        || (query.after() != null && change.version().compareTo(query.after()) <= 0)) {
                    continue;
                }
                if (page.size() == query.limit()) {
                    more = true;
                    break;
                }
                page.add(change);
            }
            return new HistoryPage(page, more ? page.get(page.size() - 1).version() : null, query.knownAt());
        } finally {
            if (range) {
                rangePagesNow.decrementAndGet();
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A timeline in the total order: clustered valid times, some in one instant, bulk updates of several changes. */
    private void seed(Random random, int events) {
        timeline.clear();
        Instant valid = START;
        for (int i = 0; i < events; i++) {
            valid = valid.plusMillis(random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(600_000));
            Instant recorded = random.nextInt(20) == 0 ? valid.plusSeconds(86_400) : valid.plusMillis(40);
            int entries = random.nextInt(15) == 0 ? 2 + random.nextInt(3) : 1;
            for (int entry = 0; entry < entries; entry++) {
                String id = "e" + i;
                String attribute = "a" + random.nextInt(4);
                EventEnvelope event = new EventEnvelope(
                        id,
                        valid,
                        "cust_1",
                        random.nextBoolean() ? "crm" : "nice_cxone",
                        new EventMetadata("voice", null, null),
                        new AttributeChanged(attribute, null, new AttributeValue.Text("v" + i), null),
                        EventEnvelope.SCHEMA_VERSION);
                timeline.add(new HistoryChange(
                        event,
                        new Version(valid, Hlc.encode(recorded.toEpochMilli(), entry), id, entry),
                        attribute,
                        AttributeValue.NULL,
                        new AttributeValue.Text("v" + i),
                        null,
                        null,
                        null,
                        null,
                        false));
            }
        }
        timeline.sort(java.util.Comparator.comparing(HistoryChange::version));
    }
}
