package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.RecordedEvent;
import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.state.PagedLog;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.LogPages;
import dev.asof.support.storage.LogRanges;
import dev.asof.testing.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Packed log pages ({@link LogPages}, written by {@link LogPageWriter}, read by {@link PagedLog}) against the log
 * itself, over real dynalite: a log with many events per millisecond grows in rounds, many of its events late (stamped
 * before the latest already logged), pages are written between rounds, and random scans (ranges, recorded bounds,
 * scans stopped early) must return exactly what the log's own range query returns. Seeded: {@code -Dasof.seed}.
 */
class PagedLogIT extends ReconstructionIT {

    private static final long SEED = Long.getLong("asof.seed", 20261204L);

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    PagedLog paged;

    @Autowired
    LogPageWriter writer;

    @Autowired
    LogPages pages;

    @Autowired
    LogRanges logRanges;

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    AsofTables tables;

    @Test
    void scansOfPagesWithTheirLateArrivalsEqualTheLog() {
        System.out.println("PagedLogIT seed=" + SEED + " (rerun with -Dasof.seed=" + SEED + ")");
        Random random = new Random(SEED);
        String identity = Events.newCustomerId("cust_paged");
        long clock = System.currentTimeMillis();
        double pagesReadBefore = pagesRead();
        int lateInPages = 0;
        int n = 0;
        for (int round = 0; round < 6; round++) {
            // each round reaches further along valid time; a third of its events land before what is logged
            int span = 60 + round * 60;
            for (int i = 0; i < 40; i++) {
                int millis = random.nextInt(3) == 0 ? random.nextInt(span) : span - 60 + random.nextInt(60);
                fixture.append(change(identity, millis, n++, "v" + n), clock++);
            }
            fixture.flush();
            long watermark = watermark(identity);
            lateInPages += lateInsidePages(identity);
            for (int q = 0; q < 60; q++) {
                ask(random, identity, watermark, span);
            }
            writer.extend(identity);
        }
        assertThat(pages.last(identity)).as("pages written").isPresent();
        assertThat(lateInPages).as("late arrivals inside pages, joined to them").isPositive();
        assertThat(pagesRead() - pagesReadBefore).as("pages read").isGreaterThan(50);
        assertChain(identity);
    }

    @Test
    void twoWritersAtOnceLeaveOneChainWithoutOverlaps() throws Exception {
        String identity = Events.newCustomerId("cust_paged_race");
        long clock = System.currentTimeMillis();
        for (int i = 0; i < 200; i++) {
            fixture.append(change(identity, i / 3, i, "v" + i), clock++);
        }
        fixture.flush();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> written = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                written.add(writers.submit((Callable<Integer>) () -> writer.extend(identity)));
            }
            int total = 0;
            for (Future<Integer> each : written) {
                total += each.get();
            }
            assertThat(total).as("pages written by all writers").isBetween(1, 19);
        } finally {
            writers.shutdownNow();
        }
        assertChain(identity);
        assertWholeLogFromPages(identity, 50);
    }

    @Test
    void aPageThatDoesNotUnpackIsReadFromTheLog() {
        String identity = Events.newCustomerId("cust_paged_damaged");
        long clock = System.currentTimeMillis();
        for (int i = 0; i < 60; i++) {
            fixture.append(change(identity, i, i, "v" + i), clock++);
        }
        fixture.flush();
        while (writer.extend(identity) > 0) {
            // at most 10 pages a call
        }
        List<LogPages.Head> heads = new ArrayList<>();
        pages.covering(identity, 0, LogRanges.MAX_VALID_TIME.toEpochMilli())
                .forEachRemaining(page -> heads.add(page.head()));
        assertThat(heads).as("pages of 10 events").hasSizeGreaterThanOrEqualTo(3);
        // the second page's packed events replaced by bytes that do not inflate (a damaged item)
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> damaged =
                new HashMap<>(dynamo.getItem(get -> get.tableName(tables.logPages())
                                .key(Map.of(
                                        AsofTables.CUSTOMER_ID,
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(identity),
                                        AsofTables.PAGE_KEY,
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                                LogPages.key(heads.get(1).fromMillis())))))
                        .item());
        assertThat(damaged).as("the second page's item").containsKey(LogPages.EVENTS);
        damaged.put(
                LogPages.EVENTS,
                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromB(
                        SdkBytes.fromUtf8String("not deflated")));
        dynamo.putItem(put -> put.tableName(tables.logPages()).item(damaged));

        // the whole log, and ranges beginning before, in and after the damaged page: exactly the log
        assertWholeLogFromPages(identity, 7);
        long watermark = watermark(identity);
        for (long from : new long[] {
            heads.get(0).fromMillis() + 3,
            heads.get(1).fromMillis() + 3,
            heads.get(2).fromMillis() + 3
        }) {
            Instant start = Instant.ofEpochMilli(from);
            assertThat(read(
                            paged.scan(identity, true, start, LogRanges.MAX_VALID_TIME, watermark, 7),
                            Integer.MAX_VALUE))
                    .as("from %d", from)
                    .containsExactlyElementsOf(read(
                            logRanges.validTimeScan(identity, start, LogRanges.MAX_VALID_TIME, watermark, 1000),
                            Integer.MAX_VALUE));
        }
    }

    @Test
    void eventsTooLargeForOnePageAreSplitOverSeveral() {
        String identity = Events.newCustomerId("cust_paged_large");
        Random random = new Random(SEED);
        long clock = System.currentTimeMillis();
        for (int i = 0; i < 25; i++) {
            // 100,000 random letters pack to about 60 KB: ten such events are more than one item holds
            StringBuilder value = new StringBuilder(100_000);
            for (int c = 0; c < 100_000; c++) {
                value.append((char) ('a' + random.nextInt(26)));
            }
            fixture.append(change(identity, i, i, value.toString()), clock++);
        }
        fixture.flush();
        assertThat(writer.extend(identity)).as("pages written").isGreaterThanOrEqualTo(3);
        assertThat(metrics.counter("asof.reconstruction.log_pages.written", "result", "too_large")
                        .count())
                .isPositive();
        assertChain(identity);
        assertWholeLogFromPages(identity, 7);
    }

    @Test
    void aFirstMillisecondOfMoreThanHalfAPageIsAPageOfItsOwn() {
        String identity = Events.newCustomerId("cust_paged_first_ms");
        Random random = new Random(SEED);
        long clock = System.currentTimeMillis();
        // six events of one millisecond pack to about 316 KB; with four small ones after them, ten are too many for
        // one item, and the half (five) would split the first millisecond
        for (int i = 0; i < 6; i++) {
            fixture.append(change(identity, 0, i, letters(random, 80_000)), clock++);
        }
        for (int i = 6; i < 11; i++) {
            fixture.append(change(identity, i, i, letters(random, 30_000)), clock++);
        }
        fixture.flush();
        assertThat(writer.extend(identity)).as("pages written").isEqualTo(1);
        assertThat(pages.last(identity).orElseThrow().toMillis()).isEqualTo(T0.toEpochMilli());
        assertChain(identity);
    }

    @Test
    void aMillisecondTooLargeForAnyPageStopsTheChainBeforeIt() {
        String identity = Events.newCustomerId("cust_paged_stuck");
        Random random = new Random(SEED);
        long clock = System.currentTimeMillis();
        for (int i = 0; i < 12; i++) {
            fixture.append(change(identity, i, i, "v" + i), clock++);
        }
        // more than 2 MB of text at one millisecond
        for (int i = 12; i < 37; i++) {
            fixture.append(change(identity, 12, i, letters(random, 100_000)), clock++);
        }
        fixture.append(change(identity, 13, 37, "after"), clock++);
        fixture.flush();
        double tooLarge = metrics.counter("asof.reconstruction.log_pages.written", "result", "too_large")
                .count();
        // ten events, then the two before the millisecond
        assertThat(writer.extend(identity))
                .as("the pages before the millisecond")
                .isEqualTo(2);
        assertThat(pages.last(identity).orElseThrow().toMillis()).isEqualTo(T0.toEpochMilli() + 11);
        assertThat(metrics.counter("asof.reconstruction.log_pages.written", "result", "too_large")
                        .count())
                .isGreaterThan(tooLarge);
        assertThat(writer.extend(identity)).as("not tried again at once").isZero();
        assertChain(identity);
        assertWholeLogFromPages(identity, 9);
    }

    private static String letters(Random random, int count) {
        StringBuilder value = new StringBuilder(count);
        for (int c = 0; c < count; c++) {
            value.append((char) ('a' + random.nextInt(26)));
        }
        return value.toString();
    }

    /** The whole log read through the pages, {@code pageSize} items per query of the log, equals the log. */
    private void assertWholeLogFromPages(String identity, int pageSize) {
        long watermark = watermark(identity);
        assertThat(read(
                        paged.scan(identity, true, null, LogRanges.MAX_VALID_TIME, watermark, pageSize),
                        Integer.MAX_VALUE))
                .containsExactlyElementsOf(read(
                        logRanges.validTimeScan(identity, null, LogRanges.MAX_VALID_TIME, watermark, 1000),
                        Integer.MAX_VALUE));
    }

    /** The pages run from 0 without gaps or overlaps, each holding its range's events in log order. */
    private void assertChain(String identity) {
        Iterator<LogPages.Page> chain = pages.covering(identity, 0, LogRanges.MAX_VALID_TIME.toEpochMilli());
        long expectedFrom = 0;
        int count = 0;
        while (chain.hasNext()) {
            LogPages.Page page = chain.next();
            assertThat(page.head().fromMillis())
                    .as("page %d begins where the one before ended", count)
                    .isEqualTo(expectedFrom);
            List<String> stored = read(
                    logRanges.validTimeScan(
                            identity,
                            Instant.ofEpochMilli(page.head().fromMillis()),
                            Instant.ofEpochMilli(page.head().toMillis()),
                            page.head().recordedTo(),
                            1000),
                    Integer.MAX_VALUE);
            assertThat(read(page.events().iterator(), Integer.MAX_VALUE)).containsExactlyElementsOf(stored);
            expectedFrom = page.head().toMillis() + 1;
            count++;
        }
        assertThat(pages.last(identity).orElseThrow().toMillis()).isEqualTo(expectedFrom - 1);
    }

    /** How many logged events lie inside a page's range but were recorded after it (late arrivals it misses). */
    private int lateInsidePages(String identity) {
        int late = 0;
        Iterator<LogPages.Page> chain = pages.covering(identity, 0, LogRanges.MAX_VALID_TIME.toEpochMilli());
        while (chain.hasNext()) {
            LogPages.Head head = chain.next().head();
            for (RecordedEvent event : fixture.logged()) {
                long millis = event.event().timestampUtc().toEpochMilli();
                if (event.event().customerId().equals(identity)
                        && event.recordedAt() > head.recordedTo()
                        && millis >= head.fromMillis()
                        && millis <= head.toMillis()) {
                    late++;
                }
            }
        }
        return late;
    }

    /** One random scan, stopped after a random number of events, against the same scan of the log. */
    private void ask(Random random, String identity, long watermark, int span) {
        List<RecordedEvent> logged = fixture.logged();
        Instant from = random.nextInt(4) == 0 ? null : T0.plusMillis(random.nextInt(span + 10) - 5);
        Instant to = random.nextInt(3) == 0 ? LogRanges.MAX_VALID_TIME : T0.plusMillis(random.nextInt(span + 10));
        if (random.nextInt(8) == 0) {
            // one millisecond (the console's and the bench's look-ups of one change)
            from = T0.plusMillis(random.nextInt(span + 10));
            to = from;
        }
        long bound = random.nextInt(3) == 0
                ? Math.min(watermark, logged.get(random.nextInt(logged.size())).recordedAt())
                : watermark;
        int stopAfter = random.nextInt(3) == 0 ? Integer.MAX_VALUE : random.nextInt(60);
        int pageSize = 1 + random.nextInt(60);
        List<String> scanned = read(paged.scan(identity, true, from, to, bound, pageSize), stopAfter);
        List<String> stored = read(logRanges.validTimeScan(identity, from, to, bound, 1000), stopAfter);
        assertThat(scanned)
                .as("seed %d: [%s, %s] bound %d (watermark %d), first %d", SEED, from, to, bound, watermark, stopAfter)
                .containsExactlyElementsOf(stored);
    }

    private double pagesRead() {
        return metrics.counter("asof.reconstruction.log_pages.read").count();
    }

    private long watermark(String identity) {
        return views.find(identity).orElseThrow().lastRecordedAt();
    }

    private static List<String> read(Iterator<RecordedEvent> events, int count) {
        List<String> taken = new ArrayList<>();
        while (taken.size() < count && events.hasNext()) {
            RecordedEvent event = events.next();
            taken.add(event.event().eventId() + "@" + event.recordedAt() + ":"
                    + event.event().payload());
        }
        return taken;
    }

    /** A change stamped {@code millis} after T0: many share a millisecond. */
    private static EventEnvelope change(String identity, int millis, int n, String value) {
        return new EventEnvelope(
                UUID.randomUUID().toString(),
                T0.plusMillis(millis),
                identity,
                "test",
                EventMetadata.EMPTY,
                new AttributeChanged("tier", null, AttributeValue.text(value), "test"),
                EventEnvelope.SCHEMA_VERSION);
    }
}
