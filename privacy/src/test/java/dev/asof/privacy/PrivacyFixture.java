package dev.asof.privacy;

import dev.asof.support.storage.AsofTables;
import dev.asof.testing.SharedInfrastructure;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The shared dynalite with asof's tables, fresh KEKs and customer ids, and a look at the stored key items. */
final class PrivacyFixture {

    static final AsofTables TABLES = new AsofTables("asof_");

    private static DynamoDbClient dynamo;

    private PrivacyFixture() {}

    static synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            DynamoDbClient client = SharedInfrastructure.dynamoClient();
            TABLES.ensureAll(client);
            dynamo = client;
        }
        return dynamo;
    }

    static KeyEncryptionKey newKek() {
        try {
            return KeyEncryptionKey.of(Tink.aead(Tink.newAes256GcmKeyset()), "test keyset");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SubjectKeys subjectKeys(KeyEncryptionKey kek) {
        return subjectKeys(kek, 10_000, Duration.ofSeconds(60));
    }

    static SubjectKeys subjectKeys(KeyEncryptionKey kek, int cacheSize, Duration ttl) {
        return new SubjectKeys(dynamo(), TABLES, kek, cacheSize, ttl, Clock.systemUTC());
    }

    static String newCustomerId() {
        return "privacy-" + UUID.randomUUID();
    }

    /** The stored item of a subject's key, as the table holds it. */
    static Map<String, AttributeValue> storedItem(String customerId) {
        return dynamo().getItem(b -> b.tableName(TABLES.subjectKeys())
                        .key(Map.of(AsofTables.CUSTOMER_ID, AttributeValue.fromS(customerId)))
                        .consistentRead(true))
                .item();
    }
}
