package dev.asof.support.storage;

import dev.asof.events.EventJson;
import dev.asof.events.RecordedEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Packed pages of identities' logs, in the {@code log_pages} table, so that a timeline reads a few large items
 * instead of one item per event: a page holds every event of one identity with a valid time in {@code [from, to]}
 * (whole milliseconds) recorded at or before its {@code recorded_to}, deflated, in log order. Copies of log items,
 * values still encrypted as they are in the log; an erasure deletes them with the snapshots.
 *
 * <p>An identity's pages form a chain along valid time from 0: each page begins the millisecond after the one before
 * it ends. The sort key is the page's {@code from} ({@code v<format, 4 digits>#<from, 15 digits>}) and a page is
 * written only if no page has that key, so two writers extending the same chain cannot both succeed, and the loser
 * stops: no two pages overlap. Items are never updated.
 *
 * <p>What a page misses of its range is what was logged after its {@code recorded_to}: every such event is late (its
 * valid time is at or before the latest the identity had then), so it is in {@code by_lateness} ({@link
 * LogRanges#allLateArrivals}).
 */
public class LogPages {

    private static final Logger log = LoggerFactory.getLogger(LogPages.class);

    /** The page format; pages of another are ignored (a reader of an older version never sees them). */
    static final int FORMAT = 1;

    /** The most a page's packed events may take: a DynamoDB item holds at most 400 KB. */
    public static final int MAX_PACKED_BYTES = 350_000;

    /** About the most text a writer puts in one page before it cuts it (at the next change of valid time). */
    public static final int PAGE_TEXT_BYTES = 1_000_000;

    /** The most text a page may hold unpacked, so reading one takes bounded memory however well it packs. */
    public static final int MAX_TEXT_BYTES = 4_000_000;

    private static final String FROM_MS = "from_ms";
    private static final String TO_MS = "to_ms";
    private static final String RECORDED_TO = "recorded_to";
    /** The item attribute holding the page's packed events ({@link #pack}). */
    public static final String EVENTS = "events";

    private static final String EVENT_COUNT = "event_count";
    private static final String CREATED_AT = "created_at";
    private static final String HEAD = "#c, #k, " + FROM_MS + ", " + TO_MS + ", " + RECORDED_TO;

    private final DynamoDbClient dynamo;
    private final String table;

    public LogPages(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.logPages();
    }

    /** Where a page lies, without its events. */
    public record Head(long fromMillis, long toMillis, long recordedTo) {}

    /**
     * A page: its events in log order (valid time, then event id), every logged event of the identity in {@code
     * [fromMillis, toMillis]} recorded at or before {@code recordedTo} (as {@link #covering} reads them: only those
     * in the range asked for).
     */
    public record Page(Head head, List<RecordedEvent> events) {}

    /** What {@link #save} did. */
    public enum Saved {
        /** The page was written. */
        WRITTEN,
        /** A page beginning at the same valid time exists. */
        EXISTS,
        /** The events pack to more than {@link #MAX_PACKED_BYTES}, or are more than {@link #MAX_TEXT_BYTES} of text. */
        TOO_LARGE
    }

    /** The sort key of a page beginning at {@code fromMillis}. */
    public static String key(long fromMillis) {
        return String.format("v%04d#%015d", FORMAT, fromMillis);
    }

    /**
     * The identity of one page in the table, whichever a one-item scan meets first; empty when there is no page. (A
     * service warming its read path up on real data: {@code ReadWarmUp} in reconstruction-service.)
     */
    public Optional<String> anyIdentity() {
        ScanRequest scan = ScanRequest.builder()
                .tableName(table)
                .limit(1)
                .projectionExpression("#c")
                .expressionAttributeNames(Map.of("#c", AsofTables.CUSTOMER_ID))
                .build();
        return dynamo.scan(scan).items().stream()
                .findFirst()
                .map(item -> item.get(AsofTables.CUSTOMER_ID).s());
    }

    /** The last page of {@code customerId}'s chain (the one with the latest {@code from}), if any. */
    public Optional<Head> last(String customerId) {
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .consistentRead(true)
                .keyConditionExpression("#c = :c AND begins_with(#k, :prefix)")
                .expressionAttributeNames(names())
                .expressionAttributeValues(Map.of(":c", EventLog.s(customerId), ":prefix", EventLog.s(prefix())))
                .projectionExpression(HEAD)
                .scanIndexForward(false)
                .limit(1)
                .build();
        return dynamo.query(query).items().stream().findFirst().map(LogPages::head);
    }

    /**
     * The pages of {@code customerId} that hold valid times in [{@code fromMillis}, {@code toMillis}], in chain
     * order, fetched lazily a few at a time: the one {@code fromMillis} falls in (if the chain reaches it), then each
     * after it that begins at or before {@code toMillis}. Each holds only its events in that range, the others left
     * undecoded. A page that does not unpack ends them there, like a gap in the chain (the caller reads the log).
     */
    public Iterator<Page> covering(String customerId, long fromMillis, long toMillis) {
        QueryRequest first = keyRange(customerId, prefix(), key(fromMillis))
                // where it lies only: most often it ends before the range (a read after the last page)
                .projectionExpression(HEAD)
                .scanIndexForward(false)
                .limit(1)
                .build();
        QueryRequest rest = keyRange(customerId, key(fromMillis + 1), key(toMillis))
                // about 1 MB a response: DynamoDB's own limit per query call
                .limit(3)
                .build();
        return new Iterator<>() {
            private Iterator<Map<String, AttributeValue>> items;
            private Page next;
            private long expectedFrom = -1;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (ended) {
                    return false;
                }
                if (items == null) {
                    Optional<Map<String, AttributeValue>> containing =
                            dynamo.query(first).items().stream().findFirst();
                    Map<String, AttributeValue> whole =
                            containing.isPresent() && head(containing.get()).toMillis() >= fromMillis
                                    ? dynamo.getItem(b -> b.tableName(table)
                                                    .consistentRead(true)
                                                    .key(Map.of(
                                                            AsofTables.CUSTOMER_ID,
                                                            EventLog.s(customerId),
                                                            AsofTables.PAGE_KEY,
                                                            containing.get().get(AsofTables.PAGE_KEY))))
                                            .item()
                                    : null;
                    if (whole == null || whole.isEmpty() || head(whole).toMillis() < fromMillis) {
                        // no page holds the range's start (or it was deleted, or replaced by a shorter one, since the
                        // query): the caller reads the log
                        ended = true;
                        return false;
                    }
                    next = readable(customerId, whole, fromMillis, toMillis);
                    if (next == null) {
                        ended = true;
                        return false;
                    }
                    expectedFrom = next.head().toMillis() + 1;
                    // a range of one millisecond has no pages after the one it falls in (and BETWEEN refuses a lower
                    // bound above the upper one)
                    items = fromMillis >= toMillis
                            ? java.util.Collections.<Map<String, AttributeValue>>emptyIterator()
                            : dynamo.queryPaginator(rest).items().iterator();
                    return true;
                }
                if (items.hasNext()) {
                    Map<String, AttributeValue> item = items.next();
                    Head head = head(item);
                    // a chain that has a gap here (not the page after the last one) is not used past it: the caller
                    // reads the rest from the log
                    if (head.fromMillis() == expectedFrom) {
                        next = readable(customerId, item, fromMillis, toMillis);
                        if (next != null) {
                            expectedFrom = head.toMillis() + 1;
                            return true;
                        }
                    }
                }
                ended = true;
                return false;
            }

            @Override
            public Page next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Page page = next;
                next = null;
                return page;
            }
        };
    }

    /**
     * Saves the page of {@code customerId} holding {@code events} (every logged event of {@code [fromMillis,
     * toMillis]} recorded at or before {@code recordedTo}, in log order) unless a page beginning at {@code
     * fromMillis} exists.
     */
    public Saved save(
            String customerId,
            long fromMillis,
            long toMillis,
            long recordedTo,
            List<RecordedEvent> events,
            Instant createdAt) {
        byte[] packed = pack(events);
        if (packed == null || packed.length > MAX_PACKED_BYTES) {
            return Saved.TOO_LARGE;
        }
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.CUSTOMER_ID, EventLog.s(customerId));
        item.put(AsofTables.PAGE_KEY, EventLog.s(key(fromMillis)));
        item.put(FROM_MS, EventLog.n(fromMillis));
        item.put(TO_MS, EventLog.n(toMillis));
        item.put(RECORDED_TO, EventLog.n(recordedTo));
        item.put(EVENT_COUNT, EventLog.n(events.size()));
        item.put(EVENTS, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(packed)));
        item.put(CREATED_AT, EventLog.s(createdAt.toString()));
        return EventLog.putIfAbsent(dynamo, table, AsofTables.CUSTOMER_ID, item) ? Saved.WRITTEN : Saved.EXISTS;
    }

    /**
     * Packs {@code events}: one line each, {@code <recorded_at> <valid time, epoch ms> <event JSON as logged>},
     * deflated. The valid time leads so a reader decodes only the events of the range it wants. {@code null} when
     * the text is more than {@link #MAX_TEXT_BYTES}.
     */
    public static byte[] pack(List<RecordedEvent> events) {
        StringBuilder lines = new StringBuilder(events.size() * 512);
        for (RecordedEvent event : events) {
            lines.append(line(event));
        }
        byte[] text = lines.toString().getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_TEXT_BYTES) {
            return null;
        }
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(text);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 2);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** The bytes {@code event} takes in a page's text, before packing. */
    public static long textBytes(RecordedEvent event) {
        String line = line(event);
        long bytes = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            // UTF-8: a surrogate pair is 4 bytes, 2 per half
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** One event's line: {@code <recorded_at> <valid time, epoch ms> <event JSON as logged>}. */
    private static String line(RecordedEvent event) {
        // the logged JSON escapes every line break inside its strings: one line per event
        return event.recordedAt() + " " + event.event().timestampUtc().toEpochMilli() + " "
                + EventJson.encode(event.event()) + "\n";
    }

    /** The events {@link #pack} packed, in the same order. */
    public static List<RecordedEvent> unpack(byte[] packed) {
        return unpack(packed, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * The events {@link #pack} packed with a valid time in [{@code fromMillis}, {@code toMillis}], in the same order:
     * only those are decoded.
     */
    public static List<RecordedEvent> unpack(byte[] packed, long fromMillis, long toMillis) {
        Inflater inflater = new Inflater();
        ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 3);
        try {
            inflater.setInput(packed);
            byte[] buffer = new byte[64 * 1024];
            while (!inflater.finished()) {
                int inflated = inflater.inflate(buffer);
                if (inflated == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("a log page ends before its packed events do");
                }
                out.write(buffer, 0, inflated);
                if (out.size() > MAX_TEXT_BYTES) {
                    throw new IllegalStateException("a log page unpacks to more than " + MAX_TEXT_BYTES + " bytes");
                }
            }
        } catch (DataFormatException e) {
            throw new UncheckedIOException(new IOException("a log page's events do not inflate", e));
        } finally {
            inflater.end();
        }
        String lines = out.toString(StandardCharsets.UTF_8);
        List<RecordedEvent> events = new ArrayList<>();
        int start = 0;
        while (start < lines.length()) {
            int space = lines.indexOf(' ', start);
            int second = lines.indexOf(' ', space + 1);
            int end = lines.indexOf('\n', second);
            long validMillis = Long.parseLong(lines, space + 1, second, 10);
            if (validMillis > toMillis) {
                break;
            }
            if (validMillis >= fromMillis) {
                events.add(new RecordedEvent(
                        EventJson.decodeLogged(lines.substring(second + 1, end)),
                        Long.parseLong(lines, start, space, 10)));
            }
            start = end + 1;
        }
        return events;
    }

    /** A consistent query of {@code customerId}'s pages with keys in [{@code lower}, {@code upper}]. */
    private QueryRequest.Builder keyRange(String customerId, String lower, String upper) {
        return QueryRequest.builder()
                .tableName(table)
                .consistentRead(true)
                .keyConditionExpression("#c = :c AND #k BETWEEN :lower AND :upper")
                .expressionAttributeNames(names())
                .expressionAttributeValues(
                        Map.of(":c", EventLog.s(customerId), ":lower", EventLog.s(lower), ":upper", EventLog.s(upper)));
    }

    private static String prefix() {
        return String.format("v%04d#", FORMAT);
    }

    private static Map<String, String> names() {
        return Map.of("#c", AsofTables.CUSTOMER_ID, "#k", AsofTables.PAGE_KEY);
    }

    private static Head head(Map<String, AttributeValue> item) {
        return new Head(
                Long.parseLong(item.get(FROM_MS).n()),
                Long.parseLong(item.get(TO_MS).n()),
                Long.parseLong(item.get(RECORDED_TO).n()));
    }

    /** The page an item holds, with only its events in [{@code fromMillis}, {@code toMillis}] decoded. */
    /**
     * The page {@code item} holds, or {@code null} when it does not unpack (damaged, or of a writer with another
     * idea of the format): the chain is not used from there, like a gap, and the caller reads the log instead of
     * failing the read. Logged with the page's key, the customer id and the failure's class (no event text).
     */
    private static Page readable(String customerId, Map<String, AttributeValue> item, long fromMillis, long toMillis) {
        try {
            return new Page(head(item), unpack(item.get(EVENTS).b().asByteArrayUnsafe(), fromMillis, toMillis));
        } catch (RuntimeException unreadable) {
            log.warn(
                    "log page {} of {} does not unpack ({}); read from the log from there",
                    item.get(AsofTables.PAGE_KEY).s(),
                    customerId,
                    unreadable.getClass().getSimpleName());
            return null;
        }
    }
}
