package dev.asof.privacy;

import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.StorageConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Per-subject keys and the value cipher, when {@code asof.privacy.enabled=true} (default {@code false}: nothing
 * uses them yet). The {@code subject_keys} table is created with the other tables ({@link AsofTables}).
 */
@AutoConfiguration(after = StorageConfiguration.class)
@ConditionalOnProperty(prefix = "asof.privacy", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(PrivacyProperties.class)
public class PrivacyConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KeyEncryptionKey keyEncryptionKey(PrivacyProperties properties) {
        return KeyEncryptionKey.local(properties.kekKeysetPath());
    }

    @Bean
    SubjectKeys subjectKeys(
            DynamoDbClient dynamo, AsofTables tables, KeyEncryptionKey kek, PrivacyProperties properties) {
        return new SubjectKeys(dynamo, tables, kek, properties);
    }

    @Bean
    ValueCipher valueCipher(SubjectKeys keys) {
        return new ValueCipher(keys);
    }
}
