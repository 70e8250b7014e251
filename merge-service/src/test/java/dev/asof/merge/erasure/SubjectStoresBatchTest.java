package dev.asof.merge.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.support.storage.AsofTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The batch path of the erasure's ledger deletes when DynamoDB leaves part of a batch unprocessed (throttling), which
 * dynalite never does: a store that leaves half of each batch once is retried to the end, one that never finishes
 * fails the step (to be run again) rather than report deletes that did not happen. The store here is a stand-in for
 * those two answers only; ErasureIT runs the same code against dynalite.
 */
class SubjectStoresBatchTest {

    private static final AsofTables TABLES = new AsofTables("test_");

    /** Answers reads with every key found, and leaves the second half of each write batch unprocessed n times. */
    static final class Throttling implements DynamoDbClient {
        final List<String> deleted = new ArrayList<>();
        int unprocessedAnswersLeft;
        int writeCalls;

        Throttling(int unprocessedAnswers) {
            this.unprocessedAnswersLeft = unprocessedAnswers;
        }

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            KeysAndAttributes asked = request.requestItems().get(TABLES.intakeEvents());
            return BatchGetItemResponse.builder()
                    .responses(Map.of(TABLES.intakeEvents(), asked.keys()))
                    .build();
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            writeCalls++;
            List<WriteRequest> asked = request.requestItems().get(TABLES.intakeEvents());
            int done = unprocessedAnswersLeft > 0 ? asked.size() / 2 : asked.size();
            asked.subList(0, done)
                    .forEach(write -> deleted.add(
                            write.deleteRequest().key().get(AsofTables.EVENT_ID).s()));
            if (done == asked.size()) {
                return BatchWriteItemResponse.builder().build();
            }
            unprocessedAnswersLeft--;
            return BatchWriteItemResponse.builder()
                    .unprocessedItems(Map.of(TABLES.intakeEvents(), asked.subList(done, asked.size())))
                    .build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {}
    }

    @Test
    void unprocessedDeletesAreRetriedToTheEnd() {
        Throttling store = new Throttling(3);
        List<String> ids = IntStream.range(0, 130).mapToObj(i -> "event-" + i).toList();

        SubjectStores.Count count = new SubjectStores(store, TABLES, null, null, null, null).deleteLedger(ids);

        assertThat(count.items).isEqualTo(130);
        assertThat(count.changed).isEqualTo(130);
        assertThat(store.deleted).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(store.writeCalls).isGreaterThan(130 / 25);
    }

    @Test
    void aStoreThatNeverFinishesABatchFailsTheStep() {
        Throttling store = new Throttling(Integer.MAX_VALUE);

        assertThatThrownBy(() -> new SubjectStores(store, TABLES, null, null, null, null)
                        .deleteLedger(List.of("a", "b", "c", "d")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unprocessed 5 times in a row");
        assertThat(store.writeCalls).isEqualTo(5);
    }
}
