package dev.asof.support.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/** What a batch leaves unprocessed is asked for again, a bounded number of times, against a scripted store. */
class HeadReadsTest {

    static final AsofTables TABLES = new AsofTables("t_");

    @Test
    void keysLeftUnprocessedAreAskedForAgainUntilAnswered() {
        ScriptedStore store = new ScriptedStore(asked -> asked.size() == 2
                ? BatchGetItemResponse.builder()
                        .responses(Map.of(TABLES.profileView(), List.of()))
                        .unprocessedKeys(Map.of(TABLES.identityLinks(), asked.get(TABLES.identityLinks())))
                        .build()
                : BatchGetItemResponse.builder()
                        .responses(Map.of(
                                TABLES.identityLinks(),
                                List.of(Map.of(
                                        AsofTables.MERGED_INTO, EventLog.s("ana"),
                                        AsofTables.MERGED_FROM, AttributeValue.fromSs(List.of("bea"))))))
                        .build());

        HeadReads.Result result = new HeadReads(store, TABLES).read("ana", null, 0);

        assertThat(result.mergedInto()).containsExactly("bea");
        assertThat(result.head()).isEmpty();
        assertThat(store.asked).hasSize(2);
        assertThat(store.asked.get(1)).containsOnlyKeys(TABLES.identityLinks());
    }

    @Test
    void keysLeftUnprocessedFiveTimesInARowFailTheRead() {
        ScriptedStore store = new ScriptedStore(
                asked -> BatchGetItemResponse.builder().unprocessedKeys(asked).build());

        assertThatThrownBy(() -> new HeadReads(store, TABLES).read("ana", null, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unprocessed 5 times in a row");
        assertThat(store.asked).hasSize(5);
    }

    /** A DynamoDB that answers each {@code BatchGetItem} with what the script makes of the keys asked for. */
    static final class ScriptedStore implements DynamoDbClient {

        final List<Map<String, KeysAndAttributes>> asked = new ArrayList<>();
        final Function<Map<String, KeysAndAttributes>, BatchGetItemResponse> script;

        ScriptedStore(Function<Map<String, KeysAndAttributes>, BatchGetItemResponse> script) {
            this.script = script;
        }

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            asked.add(request.requestItems());
            return script.apply(request.requestItems());
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {}
    }
}
