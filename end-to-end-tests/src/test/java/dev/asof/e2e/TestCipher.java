package dev.asof.e2e;

import dev.asof.privacy.KeyEncryptionKey;
import dev.asof.privacy.PrivacyProperties;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import dev.asof.testing.AsofTestProperties;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The value cipher the services under test use: their key-encryption key and their subject_keys table. */
final class TestCipher {

    private TestCipher() {}

    static ValueCipher of(DynamoDbClient dynamo, AsofTables tables) {
        Path kek = Path.of(AsofTestProperties.all().get("asof.privacy.kek-keyset-path"));
        return new ValueCipher(new SubjectKeys(
                dynamo,
                tables,
                KeyEncryptionKey.local(kek),
                new PrivacyProperties(
                        true,
                        kek,
                        10_000,
                        Duration.ofSeconds(60),
                        null,
                        null,
                        Duration.ofSeconds(5),
                        null,
                        null,
                        null)));
    }
}
