package dev.asof.support.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Bulk campaigns in DynamoDB ({@code campaigns} and {@code campaign_chunks}): written by the upload, advanced by the
 * runner that holds the campaign's lease, and counted by the log writer as its events reach the log. Every write
 * that moves a campaign on is conditional, so a crashed runner's successor and a redelivered Kafka batch each move
 * it exactly once.
 */
public class Campaigns {

    /** The first errors a campaign keeps; the counts say how many there were in all. */
    public static final int MAX_ERRORS = 100;

    /** The longest error detail kept, so a campaign item stays far below DynamoDB's 400 KB whatever is uploaded. */
    public static final int MAX_DETAIL = 300;

    private static final String PENDING = "1";
    private static final String LISTED = "campaign";

    public static final String ACCEPTED = "accepted";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    /** Stopped on request: lines published before stay logged, the rest never are. */
    public static final String CANCELLED = "cancelled";

    private final DynamoDbClient dynamo;
    private final String table;
    private final String chunks;

    private static final String CANCEL_REQUESTED_AT = "cancel_requested_at";
    private static final String LINES_CANCELLED = "lines_cancelled";

    /** A chunk's write time, epoch milliseconds. */
    private static final String WRITTEN_AT = "written_at";

    public Campaigns(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.campaigns();
        this.chunks = tables.campaignChunks();
    }

    /** One bad line: its 1-based line number in the upload, a rule name and a detail that quotes no value. */
    public record LineError(long line, String type, String detail) {}

    /**
     * A campaign as stored.
     *
     * @param linesAccepted lines that passed validation and go (or went) to the log; a line refused later (its
     *     customer was erased meanwhile) moves to {@code linesRejected}
     * @param eventsPublished events the runner had acknowledged by Kafka, counted once per chunk
     * @param eventsLogged events the log writer logged, each counted once
     * @param eventsFailed events the log writer could not store (dead-lettered)
     * @param nextChunk the first chunk not yet published: where a new runner resumes
     * @param cancelRequestedAt when a cancellation was asked for, or {@code null}
     * @param linesCancelled accepted lines that were never published because the campaign was cancelled
     */
    public record Campaign(
            String campaignId,
            String name,
            String owner,
            String uploadId,
            String fingerprint,
            Instant timestampUtc,
            String state,
            long linesTotal,
            long linesAccepted,
            long linesRejected,
            long eventsPublished,
            long eventsLogged,
            long eventsFailed,
            int chunksTotal,
            int nextChunk,
            List<LineError> errors,
            Instant requestedAt,
            Instant startedAt,
            Instant completedAt,
            String failure,
            byte[] stagingKey,
            Instant cancelRequestedAt,
            long linesCancelled) {

        /** Whether nothing is left to do. */
        public boolean finished() {
            return state.equals(COMPLETED) || state.equals(FAILED) || state.equals(CANCELLED);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // campaigns

    /** Stores a new campaign unless one with its id exists; {@code false} when it does. */
    public boolean create(Campaign campaign) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.CAMPAIGN_ID, s(campaign.campaignId()));
        item.put("name", s(campaign.name()));
        item.put("owner", s(campaign.owner()));
        item.put(AsofTables.UPLOAD_ID, s(campaign.uploadId()));
        item.put("fingerprint", s(campaign.fingerprint()));
        item.put("timestamp_utc", s(campaign.timestampUtc().toString()));
        item.put("state", s(campaign.state()));
        item.put("lines_total", n(campaign.linesTotal()));
        item.put("lines_accepted", n(campaign.linesAccepted()));
        item.put("lines_rejected", n(campaign.linesRejected()));
        item.put("events_published", n(0));
        item.put("events_logged", n(0));
        item.put("chunks_total", n(campaign.chunksTotal()));
        item.put("next_chunk", n(0));
        item.put("errors", errors(campaign.errors()));
        item.put(AsofTables.REQUESTED_AT, s(campaign.requestedAt().toString()));
        item.put(AsofTables.LISTED, s(LISTED));
        if (!campaign.finished()) {
            item.put(AsofTables.PENDING, s(PENDING));
        }
        if (campaign.completedAt() != null) {
            item.put("completed_at", s(campaign.completedAt().toString()));
        }
        if (campaign.stagingKey() != null) {
            item.put("staging_key", AttributeValue.fromB(SdkBytes.fromByteArray(campaign.stagingKey())));
        }
        return EventLog.putIfAbsent(dynamo, table, AsofTables.CAMPAIGN_ID, item);
    }

    /** The campaign, read consistently. */
    public Optional<Campaign> find(String campaignId) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        b -> b.tableName(table).consistentRead(true).key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(campaign(item));
    }

    /**
     * The {@code limit} most recently requested campaigns, newest first (index {@code by_requested}, eventually
     * consistent: a campaign accepted a moment ago may be missing for a moment). The index holds keys only, so the
     * log writer's counts never rewrite it; each listed campaign is then read by key.
     */
    public List<Campaign> recent(int limit) {
        List<Campaign> recent = new ArrayList<>();
        dynamo.query(b -> b.tableName(table)
                        .indexName(AsofTables.BY_REQUESTED_INDEX)
                        .keyConditionExpression("#l = :l")
                        .expressionAttributeNames(Map.of("#l", AsofTables.LISTED))
                        .expressionAttributeValues(Map.of(":l", s(LISTED)))
                        .scanIndexForward(false)
                        .limit(limit))
                .items()
                .forEach(key -> find(key.get(AsofTables.CAMPAIGN_ID).s()).ifPresent(recent::add));
        return recent;
    }

    /**
     * The ids of campaigns that still have work (accepted or running), oldest first: one query of the sparse index
     * {@code by_pending}, whose entries exist only until a campaign finishes, so its cost does not grow with history.
     */
    public List<String> unfinished() {
        List<String> ids = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder()
                    .tableName(table)
                    .indexName(AsofTables.BY_PENDING_INDEX)
                    .keyConditionExpression("#p = :p")
                    .expressionAttributeNames(Map.of("#p", AsofTables.PENDING))
                    .expressionAttributeValues(Map.of(":p", s(PENDING)));
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            QueryResponse page = dynamo.query(request.build());
            page.items()
                    .forEach(item -> ids.add(item.get(AsofTables.CAMPAIGN_ID).s()));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return ids;
    }

    /**
     * Takes or renews the lease on an unfinished campaign for {@code owner} until {@code untilMillis}, when it is
     * free, expired or already {@code owner}'s; the campaign is {@code running} from then on.
     */
    public Optional<Campaign> lease(String campaignId, String owner, long nowMillis, long untilMillis, Instant now) {
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(b -> b.tableName(table)
                            .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                            .updateExpression("SET lease_owner = :o, lease_until = :u, #s = :r,"
                                    + " started_at = if_not_exists(started_at, :t)")
                            .conditionExpression("#s IN (:a, :r) AND (attribute_not_exists(lease_owner)"
                                    + " OR lease_owner = :o OR lease_until < :now)")
                            .expressionAttributeNames(Map.of("#s", "state"))
                            .expressionAttributeValues(Map.of(
                                    ":o", s(owner),
                                    ":u", n(untilMillis),
                                    ":now", n(nowMillis),
                                    ":a", s(ACCEPTED),
                                    ":r", s(RUNNING),
                                    ":t", s(now.toString())))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(campaign(item));
        } catch (ConditionalCheckFailedException taken) {
            return Optional.empty();
        }
    }

    /**
     * Records that chunk {@code chunk} was published, if {@code owner} still holds the lease and the campaign is
     * still at that chunk; {@code false} otherwise (someone else moved it on: stop).
     *
     * @param published events of the chunk Kafka acknowledged
     * @param refused lines of the chunk the write path refused (their errors are in {@code errors})
     * @param errors the campaign's first errors, with the chunk's added
     */
    public boolean chunkPublished(
            String campaignId,
            String owner,
            int chunk,
            long untilMillis,
            long published,
            long refused,
            List<LineError> errors) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                    .updateExpression("SET next_chunk = :next, lease_until = :u, errors = :e"
                            + " ADD events_published :p, lines_accepted :minus, lines_rejected :refused")
                    .conditionExpression("next_chunk = :n AND lease_owner = :o")
                    .expressionAttributeValues(Map.of(
                            ":next", n(chunk + 1),
                            ":n", n(chunk),
                            ":o", s(owner),
                            ":u", n(untilMillis),
                            ":e", errors(errors),
                            ":p", n(published),
                            ":minus", n(-refused),
                            ":refused", n(refused))));
            return true;
        } catch (ConditionalCheckFailedException moved) {
            return false;
        }
    }

    /** Ends the campaign ({@link #COMPLETED} or {@link #FAILED}) if {@code owner} holds its lease. */
    public boolean finish(String campaignId, String owner, String state, String failure, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":s", s(state));
        values.put(":t", s(now.toString()));
        values.put(":o", s(owner));
        values.put(":f", s(failure == null ? "" : failure));
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                    .updateExpression("SET #s = :s, completed_at = :t, failure = :f REMOVE staging_key, lease_owner,"
                            + " lease_until, #p")
                    .conditionExpression("lease_owner = :o")
                    .expressionAttributeNames(Map.of("#s", "state", "#p", AsofTables.PENDING))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException moved) {
            return false;
        }
    }

    /**
     * Records that the campaign is to be cancelled (the first request's time is kept), unless it has finished or
     * published every chunk (it only waits to complete); the campaign as it is now either way, empty when there is
     * none.
     */
    public Optional<Campaign> requestCancel(String campaignId, Instant now) {
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(b -> b.tableName(table)
                            .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                            .updateExpression("SET #c = if_not_exists(#c, :t)")
                            .conditionExpression("#s IN (:a, :r) AND next_chunk < chunks_total")
                            .expressionAttributeNames(Map.of("#c", CANCEL_REQUESTED_AT, "#s", "state"))
                            .expressionAttributeValues(
                                    Map.of(":t", s(now.toString()), ":a", s(ACCEPTED), ":r", s(RUNNING)))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(campaign(item));
        } catch (ConditionalCheckFailedException finishedOrMissing) {
            return find(campaignId);
        }
    }

    /** Whether a cancellation of the campaign was asked for (a consistent read of that one attribute). */
    public boolean cancelRequested(String campaignId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                        .projectionExpression("#c")
                        .expressionAttributeNames(Map.of("#c", CANCEL_REQUESTED_AT)))
                .item();
        return item != null && item.containsKey(CANCEL_REQUESTED_AT);
    }

    /**
     * Ends a campaign whose cancellation was asked for as {@link #CANCELLED}. With an {@code owner}, only if it holds
     * the lease (a runner stopping mid-chunk: {@code published}, {@code refused} and {@code errors} are what it did of
     * the chunk it was at, as {@link #chunkPublished} takes them); without, only if no runner holds a live lease and
     * the campaign is still at {@code campaign}'s chunk; in both cases only while a chunk is left to publish (once
     * every chunk is, the campaign completes). {@code lines_cancelled} is then the accepted lines that were never
     * published. {@code false} when the condition does not hold (someone else moved it on).
     */
    public boolean cancel(
            Campaign campaign,
            String owner,
            long nowMillis,
            long published,
            long refused,
            List<LineError> errors,
            Instant now) {
        long cancelled = Math.max(0, campaign.linesAccepted() - refused - (campaign.eventsPublished() + published));
        Map<String, String> names = new HashMap<>();
        names.put("#s", "state");
        names.put("#p", AsofTables.PENDING);
        names.put("#c", CANCEL_REQUESTED_AT);
        names.put("#lc", LINES_CANCELLED);
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":s", s(CANCELLED));
        values.put(":t", s(now.toString()));
        values.put(":e", errors(errors));
        values.put(":p", n(published));
        values.put(":minus", n(-refused));
        values.put(":refused", n(refused));
        values.put(":lc", n(cancelled));
        values.put(":n", n(campaign.nextChunk()));
        values.put(":a", s(ACCEPTED));
        values.put(":r", s(RUNNING));
        String condition;
        if (owner != null) {
            condition = "attribute_exists(#c) AND #s IN (:a, :r) AND lease_owner = :o AND next_chunk = :n"
                    + " AND next_chunk < chunks_total";
            values.put(":o", s(owner));
        } else {
            condition = "attribute_exists(#c) AND #s IN (:a, :r) AND next_chunk = :n AND next_chunk < chunks_total"
                    + " AND (attribute_not_exists(lease_owner) OR lease_until < :now)";
            values.put(":now", n(nowMillis));
        }
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaign.campaignId())))
                    .updateExpression("SET #s = :s, completed_at = :t, errors = :e, #lc = :lc"
                            + " ADD events_published :p, lines_accepted :minus, lines_rejected :refused"
                            + " REMOVE staging_key, lease_owner, lease_until, #p")
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException moved) {
            return false;
        }
    }

    /**
     * Counts events of a campaign the log writer handled from one partition, each exactly once: offsets at or
     * below what was counted for the partition before (a redelivered batch) are skipped, and the count and the new
     * high mark move in one conditional write. Events the writer could not store are added to a set by event id,
     * so a copy of the same event (a chunk published again) is not counted twice; {@code events_failed} is its size.
     *
     * @param logged offsets of records whose event this writer's log item came from
     * @param failed event ids of records the writer could not store
     * @param knownMark the partition's mark as this writer last left it, or {@code null} to read it (a wrong one
     *     costs a read: the write is conditional on it)
     * @return the partition's mark now, for the next call; {@code null} when the campaign is unknown
     */
    public Long countLogged(String campaignId, int partition, List<Long> logged, List<String> failed, Long knownMark) {
        if (!failed.isEmpty()) {
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                        .updateExpression("ADD failed_events :f")
                        .conditionExpression("attribute_exists(#id)")
                        .expressionAttributeNames(Map.of("#id", AsofTables.CAMPAIGN_ID))
                        .expressionAttributeValues(Map.of(":f", AttributeValue.fromSs(failed))));
            } catch (ConditionalCheckFailedException unknown) {
                return null;
            }
        }
        if (logged.isEmpty()) {
            return knownMark;
        }
        String mark = "counted_" + partition;
        Long counted = knownMark;
        while (true) {
            if (counted == null) {
                Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                                .consistentRead(true)
                                .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                                .projectionExpression("#id, #m")
                                .expressionAttributeNames(Map.of("#id", AsofTables.CAMPAIGN_ID, "#m", mark)))
                        .item();
                if (item == null || item.isEmpty()) {
                    return null; // not a campaign this deployment knows (or deleted): nothing to count
                }
                counted = item.containsKey(mark) ? Long.parseLong(item.get(mark).n()) : -1L;
            }
            long before = counted;
            long newLogged = logged.stream().filter(offset -> offset > before).count();
            long high = logged.stream().mapToLong(Long::longValue).max().orElse(before);
            if (high <= before) {
                return before;
            }
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":l", n(newLogged));
            values.put(":high", n(high));
            String condition;
            if (before < 0) {
                condition = "attribute_exists(#id) AND attribute_not_exists(#m)";
            } else {
                condition = "attribute_exists(#id) AND #m = :counted";
                values.put(":counted", n(before));
            }
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Map.of(AsofTables.CAMPAIGN_ID, s(campaignId)))
                        .updateExpression("SET #m = :high ADD events_logged :l")
                        .conditionExpression(condition)
                        .expressionAttributeNames(Map.of("#id", AsofTables.CAMPAIGN_ID, "#m", mark))
                        .expressionAttributeValues(values));
                return high;
            } catch (ConditionalCheckFailedException moved) {
                // the known mark was stale (a zombie consumer counted meanwhile) or the campaign is gone: read it
                counted = null;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // chunks

    /**
     * Stores one chunk of validated lines (already encrypted) of the upload {@code uploadId} for the campaign {@code
     * campaignId}, written at {@code writtenAt} (so a sweep can tell a dead upload's chunks from a running one's).
     */
    public void putChunk(String uploadId, String campaignId, int chunk, byte[] sealed, int lines, Instant writtenAt) {
        dynamo.putItem(b -> b.tableName(chunks)
                .item(Map.of(
                        AsofTables.UPLOAD_ID,
                        s(uploadId),
                        AsofTables.CHUNK,
                        n(chunk),
                        AsofTables.CAMPAIGN_ID,
                        s(campaignId),
                        WRITTEN_AT,
                        n(writtenAt.toEpochMilli()),
                        "lines",
                        n(lines),
                        "data",
                        AttributeValue.fromB(SdkBytes.fromByteArray(sealed)))));
    }

    /**
     * A stored chunk, without its data.
     *
     * @param campaignId the campaign its upload was for; {@code null} for chunks written before it was kept
     * @param writtenAt when it was written; {@code null} likewise
     */
    public record StoredChunk(String uploadId, int chunk, String campaignId, Instant writtenAt) {}

    /**
     * Every stored chunk, without the data (a scan of {@code campaign_chunks}, which holds only the chunks of
     * campaigns not finished yet, and of uploads that died), at most {@code max}.
     */
    public List<StoredChunk> storedChunks(int max) {
        List<StoredChunk> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = dynamo.scan(b -> b.tableName(chunks)
                    .projectionExpression("#u, #c, #id, #w")
                    .expressionAttributeNames(Map.of(
                            "#u",
                            AsofTables.UPLOAD_ID,
                            "#c",
                            AsofTables.CHUNK,
                            "#id",
                            AsofTables.CAMPAIGN_ID,
                            "#w",
                            WRITTEN_AT))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                AttributeValue written = item.get(WRITTEN_AT);
                found.add(new StoredChunk(
                        item.get(AsofTables.UPLOAD_ID).s(),
                        Integer.parseInt(item.get(AsofTables.CHUNK).n()),
                        text(item, AsofTables.CAMPAIGN_ID),
                        written == null ? null : Instant.ofEpochMilli(Long.parseLong(written.n()))));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && found.size() < max);
        return found;
    }

    /** Deletes one chunk. */
    public void deleteChunk(String uploadId, int chunk) {
        dynamo.deleteItem(
                b -> b.tableName(chunks).key(Map.of(AsofTables.UPLOAD_ID, s(uploadId), AsofTables.CHUNK, n(chunk))));
    }

    /** A stored chunk, as sealed. */
    public byte[] chunk(String uploadId, int chunk) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(chunks)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.UPLOAD_ID, s(uploadId), AsofTables.CHUNK, n(chunk))))
                .item();
        if (item == null || item.isEmpty()) {
            throw new IllegalStateException("chunk " + chunk + " of upload " + uploadId + " is missing");
        }
        return item.get("data").b().asByteArray();
    }

    /** Deletes chunks {@code 0 .. count-1} of an upload (those that exist). */
    public void deleteChunks(String uploadId, int count) {
        // BatchWriteItem takes 25 requests at most
        for (int first = 0; first < count; first += 25) {
            List<WriteRequest> deletes = new ArrayList<>();
            for (int chunk = first; chunk < Math.min(count, first + 25); chunk++) {
                int number = chunk;
                deletes.add(WriteRequest.builder()
                        .deleteRequest(
                                d -> d.key(Map.of(AsofTables.UPLOAD_ID, s(uploadId), AsofTables.CHUNK, n(number))))
                        .build());
            }
            BatchCalls.write(dynamo, Map.of(chunks, deletes), "chunk deletes of upload " + uploadId);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Campaign campaign(Map<String, AttributeValue> item) {
        return new Campaign(
                item.get(AsofTables.CAMPAIGN_ID).s(),
                text(item, "name"),
                text(item, "owner"),
                text(item, AsofTables.UPLOAD_ID),
                text(item, "fingerprint"),
                instant(item, "timestamp_utc"),
                text(item, "state"),
                number(item, "lines_total"),
                number(item, "lines_accepted"),
                number(item, "lines_rejected"),
                number(item, "events_published"),
                number(item, "events_logged"),
                item.containsKey("failed_events")
                        ? item.get("failed_events").ss().size()
                        : 0,
                (int) number(item, "chunks_total"),
                (int) number(item, "next_chunk"),
                errorsOf(item.get("errors")),
                instant(item, "requested_at"),
                instant(item, "started_at"),
                instant(item, "completed_at"),
                item.containsKey("failure") && !item.get("failure").s().isEmpty()
                        ? item.get("failure").s()
                        : null,
                item.containsKey("staging_key") ? item.get("staging_key").b().asByteArray() : null,
                instant(item, CANCEL_REQUESTED_AT),
                number(item, LINES_CANCELLED));
    }

    private static AttributeValue errors(List<LineError> errors) {
        List<AttributeValue> list = new ArrayList<>();
        for (LineError error : errors.subList(0, Math.min(MAX_ERRORS, errors.size()))) {
            list.add(AttributeValue.fromM(Map.of(
                    "line", n(error.line()),
                    "type", s(bounded(error.type(), 64)),
                    "detail", s(bounded(error.detail(), MAX_DETAIL)))));
        }
        return AttributeValue.fromL(list);
    }

    private static List<LineError> errorsOf(AttributeValue value) {
        List<LineError> errors = new ArrayList<>();
        if (value != null && value.hasL()) {
            for (AttributeValue error : value.l()) {
                Map<String, AttributeValue> m = error.m();
                errors.add(new LineError(
                        Long.parseLong(m.get("line").n()),
                        m.get("type").s(),
                        m.get("detail").s()));
            }
        }
        return errors;
    }

    private static String bounded(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? 0 : Long.parseLong(value.n());
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : Instant.parse(value.s());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
