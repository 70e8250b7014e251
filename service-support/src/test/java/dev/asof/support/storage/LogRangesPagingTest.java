package dev.asof.support.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.ProfileErased;
import dev.asof.events.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** How the log's range reads page through a query: lazily, and stopping where their budget says. */
class LogRangesPagingTest {

    static final AsofTables TABLES = new AsofTables("t_");

    @Test
    void aScanAsksForEachPageOnlyWhenTheItemsBeforeItAreUsedUp() {
        PagedStore store = new PagedStore(List.of(
                page(List.of(item("e1", 1), item("e2", 2)), 2),
                page(List.of(), 3), // every item of this page filtered out: the scan goes on
                page(List.of(item("e3", 3)), 1)));

        Iterator<RecordedEvent> scan =
                new LogRanges(store, TABLES).validTimeScan("cust_1", null, Instant.parse("2030-01-01T00:00:00Z"), 9, 2);

        assertThat(store.asked).isEmpty();
        assertThat(scan.hasNext()).isTrue();
        assertThat(store.asked).hasSize(1);
        assertThat(scan.next().event().eventId()).isEqualTo("e1");
        assertThat(scan.next().event().eventId()).isEqualTo("e2");
        assertThat(store.asked).hasSize(1);
        assertThat(scan.next().event().eventId()).isEqualTo("e3");
        assertThat(scan.hasNext()).isFalse();
        assertThat(store.asked).hasSize(3);
        assertThat(store.asked.get(0).hasExclusiveStartKey()).isFalse();
        assertThat(store.asked.get(1).exclusiveStartKey()).isEqualTo(PagedStore.startOf(1));
        assertThat(store.asked.get(2).exclusiveStartKey()).isEqualTo(PagedStore.startOf(2));
    }

    @Test
    void readingEveryPageStopsOnceMoreThanTheLimitWasReadWithoutAskingForTheNextPage() {
        PagedStore store = new PagedStore(List.of(
                page(List.of(item("e1", 1)), 3), page(List.of(item("e2", 2)), 3), page(List.of(item("e3", 3)), 3)));

        assertThat(new LogRanges(store, TABLES).allLateArrivals("cust_1", 9, 5)).isEmpty();
        assertThat(store.asked).hasSize(2);
    }

    @Test
    void readingEveryPageWithinTheLimitReturnsEveryItem() {
        PagedStore store = new PagedStore(List.of(page(List.of(item("e1", 1)), 1), page(List.of(item("e2", 2)), 1)));

        assertThat(new LogRanges(store, TABLES).allLateArrivals("cust_1", 9, 5))
                .hasValueSatisfying(events -> assertThat(events)
                        .extracting(event -> event.event().eventId())
                        .containsExactly("e1", "e2"));
        assertThat(store.asked).hasSize(2);
    }

    static QueryResponse page(List<Map<String, AttributeValue>> items, int scanned) {
        return QueryResponse.builder()
                .items(items)
                .count(items.size())
                .scannedCount(scanned)
                .build();
    }

    static Map<String, AttributeValue> item(String eventId, long recordedAt) {
        EventEnvelope event = new EventEnvelope(
                eventId,
                Instant.ofEpochMilli(1_000 * recordedAt),
                "cust_1",
                null,
                null,
                new ProfileErased(null),
                EventEnvelope.SCHEMA_VERSION);
        return Map.of(
                LogRanges.EVENT, EventLog.s(EventJson.encode(event)), AsofTables.RECORDED_AT, EventLog.n(recordedAt));
    }

    /** A DynamoDB whose query answers page {@code n} for the start key {@link #startOf}{@code (n)}. */
    static final class PagedStore implements DynamoDbClient {

        final List<QueryResponse> pages;
        final List<QueryRequest> asked = new ArrayList<>();

        PagedStore(List<QueryResponse> pages) {
            this.pages = pages;
        }

        static Map<String, AttributeValue> startOf(int page) {
            return Map.of(AsofTables.EVENT_KEY, EventLog.s("page-" + page));
        }

        @Override
        public QueryResponse query(QueryRequest request) {
            asked.add(request);
            int n = request.hasExclusiveStartKey()
                    ? Integer.parseInt(request.exclusiveStartKey()
                            .get(AsofTables.EVENT_KEY)
                            .s()
                            .substring("page-".length()))
                    : 0;
            QueryResponse page = pages.get(n);
            return n + 1 < pages.size()
                    ? page.toBuilder().lastEvaluatedKey(startOf(n + 1)).build()
                    : page;
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {}
    }
}
