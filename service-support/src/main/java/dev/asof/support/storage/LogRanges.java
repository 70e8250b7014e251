package dev.asof.support.storage;

import dev.asof.events.EncryptedValues;
import dev.asof.events.EventJson;
import dev.asof.events.EventType;
import dev.asof.events.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Spliterator;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The bitemporal range reads of the immutable log that a reader starting from a snapshot needs: a valid-time
 * range bounded by a recorded bound, the late arrivals recorded in a range (through the sparse {@code by_lateness}
 * index), and a lazy valid-time scan for timelines. Every read is consistent. Recorded bounds are exact {@link
 * dev.asof.events.Hlc} values (inclusive), so a caller can ask for exactly what a snapshot covers.
 */
public class LogRanges {

    /** The item attribute holding the event's JSON. */
    static final String EVENT = "event";

    /** What decoding an item needs (with {@code #ev} and {@code #r} named): queries fetch nothing else. */
    private static final String DECODED = "#ev, #r";

    /** The item attribute naming the event's type ({@link EventLog#append} writes it). */
    static final String EVENT_TYPE = "event_type";

    /** The latest valid time the log's sort key can hold (15 digits of epoch milliseconds). */
    public static final Instant MAX_VALID_TIME = Instant.ofEpochMilli(999_999_999_999_999L);

    private final DynamoDbClient dynamo;
    private final String table;

    public LogRanges(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.eventLog();
    }

    /**
     * The events of {@code customerId} with valid time in ({@code after}, {@code upTo}] and {@code recorded_at <=
     * recordedBound}, in sort-key order. {@code after} {@code null} means from the beginning.
     */
    public List<RecordedEvent> validTimeRange(String customerId, Instant after, Instant upTo, long recordedBound) {
        List<RecordedEvent> events = new ArrayList<>();
        validTimeScan(customerId, after == null ? null : after.plusMillis(1), upTo, recordedBound, 1_000)
                .forEachRemaining(events::add);
        return events;
    }

    /**
     * The late arrivals of {@code customerId} of lateness tier {@code tier} ({@link LateTiers}) recorded in
     * ({@code recordedAfter}, {@code recordedBound}] and stamped in the tier's window before {@code validAt}. For a
     * snapshot at {@code validAt} with recorded bound {@code recordedAfter}, the union over the view's tiers is
     * exactly what the snapshot misses of the events stamped at or before {@code validAt}.
     */
    public List<RecordedEvent> lateArrivals(
            String customerId, int tier, long recordedAfter, long recordedBound, Instant validAt) {
        if (recordedAfter >= recordedBound || validAt.toEpochMilli() < 0) {
            return List.of();
        }
        String[] window = LateTiers.window(tier, validAt.isAfter(MAX_VALID_TIME) ? MAX_VALID_TIME : validAt);
        return allPages(
                        QueryRequest.builder()
                                .tableName(table)
                                .indexName(AsofTables.BY_LATENESS_INDEX)
                                .consistentRead(true)
                                .keyConditionExpression("#c = :c AND #l BETWEEN :from AND :to")
                                .filterExpression("#r BETWEEN :after AND :bound")
                                .projectionExpression(DECODED)
                                .expressionAttributeNames(names("#l", AsofTables.LATE_KEY))
                                .expressionAttributeValues(Map.of(
                                        ":c", EventLog.s(customerId),
                                        ":from", EventLog.s(window[0]),
                                        ":to", EventLog.s(window[1]),
                                        ":after", EventLog.n(recordedAfter + 1),
                                        ":bound", EventLog.n(recordedBound))),
                        Integer.MAX_VALUE)
                .orElseThrow();
    }

    /**
     * Every late arrival of {@code customerId} (all tiers of {@code by_lateness}) recorded at or before {@code
     * recordedBound}; empty when there are more than {@code limit} of them in the index.
     */
    public Optional<List<RecordedEvent>> allLateArrivals(String customerId, long recordedBound, int limit) {
        return allPages(
                QueryRequest.builder()
                        .tableName(table)
                        .indexName(AsofTables.BY_LATENESS_INDEX)
                        .consistentRead(true)
                        .keyConditionExpression("#c = :c")
                        .filterExpression("#r <= :bound")
                        .projectionExpression(DECODED)
                        .expressionAttributeNames(names())
                        .expressionAttributeValues(
                                Map.of(":c", EventLog.s(customerId), ":bound", EventLog.n(recordedBound))),
                limit);
    }

    /**
     * The late arrivals of {@code customerId} recorded in ({@code recordedAfter}, {@code recordedBound}], through
     * {@code by_recorded}: it reads every event recorded in the range and keeps the late ones, so it is meant for
     * short ranges (catching up on what was logged since an earlier read). Empty when the range holds more than
     * {@code limit} events.
     */
    public Optional<List<RecordedEvent>> lateArrivalsRecorded(
            String customerId, long recordedAfter, long recordedBound, int limit) {
        return recorded(customerId, recordedAfter, recordedBound, limit, true);
    }

    /**
     * Every event of {@code customerId} recorded in ({@code recordedAfter}, {@code recordedBound}], late or not,
     * through {@code by_recorded}, in {@code recorded_at} order: for short ranges (bringing a copy of the log read
     * earlier up to date). Empty when the range holds more than {@code limit} events.
     */
    public Optional<List<RecordedEvent>> recordedBetween(
            String customerId, long recordedAfter, long recordedBound, int limit) {
        return recorded(customerId, recordedAfter, recordedBound, limit, false);
    }

    private Optional<List<RecordedEvent>> recorded(
            String customerId, long recordedAfter, long recordedBound, int limit, boolean lateOnly) {
        if (recordedAfter >= recordedBound) {
            return Optional.of(List.of());
        }
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .indexName(AsofTables.BY_RECORDED_INDEX)
                .consistentRead(true)
                .keyConditionExpression("#c = :c AND #r BETWEEN :after AND :bound")
                .projectionExpression(DECODED)
                .expressionAttributeValues(Map.of(
                        ":c", EventLog.s(customerId),
                        ":after", EventLog.n(recordedAfter + 1),
                        ":bound", EventLog.n(recordedBound)))
                .limit(Math.min(limit + 1, 1_000));
        if (lateOnly) {
            query.filterExpression("attribute_exists(#l)").expressionAttributeNames(names("#l", AsofTables.LATE_KEY));
        } else {
            query.expressionAttributeNames(names());
        }
        return allPages(query, limit);
    }

    /**
     * The merges, unmerges and erasures of {@code customerId} at any valid time, recorded at or before {@code
     * recordedBound}, in sort-key order: what decides who an identity is and whether it was erased, without its
     * attribute changes. The store still reads the customer's items (a filter, not a key), but no other event
     * crosses the wire or is decoded.
     */
    public Scanned identityEvents(String customerId, long recordedBound) {
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .consistentRead(true)
                .keyConditionExpression("#c = :c")
                .filterExpression("#r <= :bound AND #t IN (:merge, :unmerge, :erased)")
                .projectionExpression(DECODED)
                .expressionAttributeNames(names("#t", EVENT_TYPE))
                .expressionAttributeValues(Map.of(
                        ":c", EventLog.s(customerId),
                        ":bound", EventLog.n(recordedBound),
                        ":merge", EventLog.s(EventType.CUSTOMER_PROFILE_MERGE.wireName()),
                        ":unmerge", EventLog.s(EventType.CUSTOMER_PROFILE_UNMERGE.wireName()),
                        ":erased", EventLog.s(EventType.CUSTOMER_PROFILE_ERASED.wireName())))
                .build();
        List<RecordedEvent> events = new ArrayList<>();
        long scanned = 0;
        for (QueryResponse page : dynamo.queryPaginator(query)) {
            scanned += page.scannedCount();
            page.items().forEach(item -> events.add(toEvent(item)));
        }
        return new Scanned(events, scanned);
    }

    /**
     * Events a filtered read kept, and how many items the store read for them (what a bound on the work of a read
     * counts).
     */
    public record Scanned(List<RecordedEvent> events, long scanned) {}

    /**
     * Whether {@code customerId} has an event with valid time after {@code after} ({@code null}: at any valid time),
     * recorded at or before {@code recordedBound}; erasures, and events an erasure redacted, count only when {@code
     * countErasures} (without them: whether an erased customer came back). Stops at the first such event.
     */
    public boolean anyEvent(String customerId, Instant after, long recordedBound, boolean countErasures) {
        return anyEvent(customerId, after, MAX_VALID_TIME, recordedBound, countErasures);
    }

    /**
     * {@link #anyEvent(String, Instant, long, boolean)} with valid time at most {@code upTo}: the one rule of whether
     * an erased customer had come back by a time, for every read that asks. Without erasures, an event counts unless
     * one of its values is a redaction marker ({@link EncryptedValues#redacted}: sent before the erasure, stamped
     * after it, and redacted with the rest), decided on the decoded event: a marker's text elsewhere in an event
     * (an interaction id may be {@code asof:erased:v1:x}) is no redaction.
     */
    public boolean anyEvent(String customerId, Instant after, Instant upTo, long recordedBound, boolean countErasures) {
        long fromMillis = after == null ? 0 : Math.max(0, after.toEpochMilli() + 1);
        Instant to = upTo.isAfter(MAX_VALID_TIME) ? MAX_VALID_TIME : upTo;
        if (to.toEpochMilli() < 0 || fromMillis > to.toEpochMilli()) {
            return false;
        }
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":c", EventLog.s(customerId),
                ":lower", EventLog.s(LogKeys.eventKey(Instant.ofEpochMilli(fromMillis), "")),
                ":upper", EventLog.s(LogKeys.upperBound(to)),
                ":bound", EventLog.n(recordedBound)));
        Map<String, String> names;
        String filter = "#r <= :bound";
        if (countErasures) {
            // keys only: any item answers
            names = new HashMap<>(
                    Map.of("#c", AsofTables.CUSTOMER_ID, "#k", AsofTables.EVENT_KEY, "#r", AsofTables.RECORDED_AT));
        } else {
            names = names("#k", AsofTables.EVENT_KEY, "#t", EVENT_TYPE);
            filter += " AND #t <> :erased";
            values.put(":erased", EventLog.s(EventType.CUSTOMER_PROFILE_ERASED.wireName()));
        }
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .consistentRead(true)
                .keyConditionExpression("#c = :c AND #k BETWEEN :lower AND :upper")
                .filterExpression(filter)
                .projectionExpression(countErasures ? "#k" : DECODED)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                // the first query short (the first item usually answers), the later ones as large as the store
                // allows (1 MB), so a range whose items are all filtered out costs few round trips
                .limit(25);
        while (true) {
            QueryResponse page = dynamo.query(query.build());
            for (Map<String, AttributeValue> item : page.items()) {
                if (countErasures || !EncryptedValues.redacted(toEvent(item).event())) {
                    return true;
                }
            }
            if (!page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty()) {
                return false;
            }
            query.exclusiveStartKey(page.lastEvaluatedKey()).limit(null);
        }
    }

    /** Every page of {@code query}, decoded; empty once more than {@code limit} items were read (before filtering). */
    private Optional<List<RecordedEvent>> allPages(QueryRequest.Builder query, int limit) {
        List<RecordedEvent> events = new ArrayList<>();
        long scanned = 0;
        // page by page, not item by item: the limit counts what DynamoDB read, and stops before the next page
        for (QueryResponse page : dynamo.queryPaginator(query.build())) {
            scanned += page.scannedCount();
            if (scanned > limit) {
                return Optional.empty();
            }
            page.items().forEach(item -> events.add(toEvent(item)));
        }
        return Optional.of(events);
    }

    /**
     * The events of {@code customerId} with valid time in [{@code from}, {@code upTo}] and {@code recorded_at <=
     * recordedBound}, in sort-key order (valid time, then event id), fetched lazily {@code pageSize} items at a
     * time. {@code from} {@code null} means from the beginning.
     */
    public Iterator<RecordedEvent> validTimeScan(
            String customerId, Instant from, Instant upTo, long recordedBound, int pageSize) {
        Instant to = upTo.isAfter(MAX_VALID_TIME) ? MAX_VALID_TIME : upTo;
        long fromMillis = from == null ? 0 : Math.max(0, from.toEpochMilli());
        if (to.toEpochMilli() < 0 || fromMillis > to.toEpochMilli()) {
            return List.<RecordedEvent>of().iterator();
        }
        String lower = LogKeys.eventKey(Instant.ofEpochMilli(fromMillis), "");
        String upper = LogKeys.upperBound(to);
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .consistentRead(true)
                .keyConditionExpression("#c = :c AND #k BETWEEN :lower AND :upper")
                .filterExpression("#r <= :bound")
                .projectionExpression(DECODED)
                .expressionAttributeNames(names("#k", AsofTables.EVENT_KEY))
                .expressionAttributeValues(Map.of(
                        ":c", EventLog.s(customerId),
                        ":lower", EventLog.s(lower),
                        ":upper", EventLog.s(upper),
                        ":bound", EventLog.n(recordedBound)))
                .limit(pageSize)
                .build();
        // Lazy: the first page is asked for at the first hasNext() (so after the caller checked its deadline), not
        // here, and each later page only once the items before it are used up.
        Supplier<Spliterator<Map<String, AttributeValue>>> items =
                () -> dynamo.queryPaginator(query).items().spliterator();
        return StreamSupport.stream(items, Spliterator.ORDERED, false)
                .map(LogRanges::toEvent)
                .iterator();
    }

    /**
     * The attribute names of a log query: {@code #c} the customer, {@code #r} {@code recorded_at} and {@code #ev}
     * the event (for {@link #DECODED}), plus {@code name, attribute} pairs of its own.
     */
    private static Map<String, String> names(String... more) {
        Map<String, String> names = new HashMap<>();
        names.put("#c", AsofTables.CUSTOMER_ID);
        names.put("#r", AsofTables.RECORDED_AT);
        names.put("#ev", EVENT);
        for (int i = 0; i < more.length; i += 2) {
            names.put(more[i], more[i + 1]);
        }
        return names;
    }

    /** The event a log item holds (fetched with at least {@link #DECODED}). */
    static RecordedEvent toEvent(Map<String, AttributeValue> item) {
        return new RecordedEvent(
                EventJson.decodeLogged(item.get(EVENT).s()),
                Long.parseLong(item.get(AsofTables.RECORDED_AT).n()));
    }
}
