package dev.asof.privacy;

import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.StorageConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Per-subject keys and the value cipher, in every service that has this module: intake encrypts with it ({@code
 * asof.privacy.enabled}, default {@code true}), readers decrypt with it whether or not new values are encrypted.
 * The {@code subject_keys} table is created with the other tables ({@link AsofTables}).
 */
@AutoConfiguration(after = StorageConfiguration.class)
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

    /** {@code 410 erased} for reads that meet an erased subject's value. */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication(
            type = org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type.SERVLET)
    ErasedProblems erasedProblems() {
        return new ErasedProblems();
    }

    @Bean
    ValueCipher valueCipher(SubjectKeys keys, PrivacyProperties properties) {
        return new ValueCipher(keys, properties.enabled());
    }
}
