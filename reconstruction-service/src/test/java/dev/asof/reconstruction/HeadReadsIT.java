package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.IdentityState;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.HeadReads;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import dev.asof.support.storage.Snapshots;
import dev.asof.testing.SharedInfrastructure;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The batched first read of an identity (head, links, snapshot) and the links table, over dynalite. */
class HeadReadsIT {

    private static DynamoDbClient dynamo;
    private static AsofTables tables;

    @BeforeAll
    static void tables() {
        dynamo = SharedInfrastructure.dynamoClient();
        tables = new AsofTables("heads_" + UUID.randomUUID().toString().substring(0, 8) + "_");
        tables.ensureAll(dynamo);
    }

    @Test
    void anIdentityWithoutAnythingHasNoHeadNoLinksAndNoSnapshot() {
        HeadReads.Result result = new HeadReads(dynamo, tables).read("nobody", 1_000L, 7);

        assertThat(result.head()).isEmpty();
        assertThat(result.mergedInto()).isEmpty();
        assertThat(result.snapshot()).isEmpty();
    }

    @Test
    void oneBatchReturnsTheHeadTheLinksAndTheAskedSnapshot() {
        ProfileViews views = new ProfileViews(dynamo, tables);
        IdentityLinks links = new IdentityLinks(dynamo, tables);
        Snapshots snapshots = new Snapshots(dynamo, tables);
        views.replace(ProfileViews.View.empty("ana"), IdentityState.empty("ana"), 42, 1_000, 0b101, Instant.now());
        links.record("ana", "cleo");
        links.record("ana", "bea");
        links.record("ana", "bea"); // a redelivered merge adds nothing
        links.record("dan", "ana");
        snapshots.save(new Snapshots.Snapshot(IdentityState.empty("ana"), 900, 40, 3), Instant.now());

        HeadReads heads = new HeadReads(dynamo, tables);
        HeadReads.Result withSnapshot = heads.read("ana", 900L, 40);
        HeadReads.Result withoutSnapshot = heads.read("ana", null, 0);
        HeadReads.Result otherRectangle = heads.read("ana", 900L, 41);

        assertThat(withSnapshot.head()).contains(new ProfileViews.Head(42, 1_000, 0b101));
        assertThat(withSnapshot.mergedInto()).containsExactly("bea", "cleo");
        assertThat(withSnapshot.snapshot()).hasValueSatisfying(snapshot -> {
            assertThat(snapshot.validToMillis()).isEqualTo(900);
            assertThat(snapshot.recordedTo()).isEqualTo(40);
            assertThat(snapshot.eventsCovered()).isEqualTo(3);
        });
        assertThat(withoutSnapshot.head()).isEqualTo(withSnapshot.head());
        assertThat(withoutSnapshot.mergedInto()).containsExactly("bea", "cleo");
        assertThat(withoutSnapshot.snapshot()).isEmpty();
        assertThat(otherRectangle.snapshot()).isEmpty();
        assertThat(links.mergedInto("ana")).containsExactly("bea", "cleo");
        assertThat(links.mergedInto("dan")).containsExactly("ana");
        assertThat(heads.read("dan", null, 0).head()).isEmpty();
        assertThat(heads.read("dan", null, 0).mergedInto()).containsExactly("ana");
    }

    @Test
    void aLinksTableOfAnOlderVersionIsRefusedWithWhatToDo() {
        AsofTables old =
                new AsofTables("oldlinks_" + UUID.randomUUID().toString().substring(0, 8) + "_");
        dynamo.createTable(b -> b.tableName(old.identityLinks())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder()
                                .attributeName(AsofTables.MERGED_INTO)
                                .attributeType(ScalarAttributeType.S)
                                .build(),
                        AttributeDefinition.builder()
                                .attributeName(AsofTables.MERGED_FROM)
                                .attributeType(ScalarAttributeType.S)
                                .build())
                .keySchema(
                        KeySchemaElement.builder()
                                .attributeName(AsofTables.MERGED_INTO)
                                .keyType(KeyType.HASH)
                                .build(),
                        KeySchemaElement.builder()
                                .attributeName(AsofTables.MERGED_FROM)
                                .keyType(KeyType.RANGE)
                                .build()));

        assertThatThrownBy(() -> old.ensureAll(dynamo))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(old.identityLinks())
                .hasMessageContaining("older version of asof")
                .hasMessageContaining("./asof reset");
    }
}
