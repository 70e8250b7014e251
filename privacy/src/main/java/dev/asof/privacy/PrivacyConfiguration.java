package dev.asof.privacy;

import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.StorageConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * Per-subject keys and the value cipher, in every service that has this module: intake encrypts with it ({@code
 * asof.privacy.enabled}, default {@code true}), readers decrypt with it whether or not new values are encrypted.
 * The {@code subject_keys} table is created with the other tables ({@link AsofTables}).
 */
@AutoConfiguration(after = StorageConfiguration.class)
@EnableConfigurationProperties(PrivacyProperties.class)
public class PrivacyConfiguration {

    /** The KMS client when the KEK is a KMS key ({@code asof.privacy.kek-uri}); a bean so the context closes it. */
    @Bean
    @ConditionalOnExpression("!'${asof.privacy.kek-uri:}'.isBlank()")
    KmsClient asofKmsClient(PrivacyProperties properties, ObjectProvider<AwsCredentialsProvider> credentials) {
        return kmsClient(properties.kekUri(), properties.kmsEndpoint(), properties, credentials);
    }

    /** A KMS client for the previous KEK's region, when the previous KEK is a KMS key. */
    record PreviousKmsClient(KmsClient client) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    @Bean
    @ConditionalOnExpression("!'${asof.privacy.previous-kek-uri:}'.isBlank()")
    PreviousKmsClient asofPreviousKmsClient(
            PrivacyProperties properties, ObjectProvider<AwsCredentialsProvider> credentials) {
        return new PreviousKmsClient(
                kmsClient(properties.previousKekUri(), properties.previousKmsEndpoint(), properties, credentials));
    }

    private static KmsClient kmsClient(
            String keyUri,
            java.net.URI endpoint,
            PrivacyProperties properties,
            ObjectProvider<AwsCredentialsProvider> credentials) {
        KmsClientBuilder kms = KmsClient.builder()
                .region(Region.of(KeyEncryptionKey.kmsRegion(keyUri)))
                .credentialsProvider(credentials.getIfAvailable(
                        () -> DefaultCredentialsProvider.builder().build()))
                .overrideConfiguration(call -> call.apiCallTimeout(properties.kmsTimeout())
                        .apiCallAttemptTimeout(properties.kmsTimeout().dividedBy(2)));
        if (endpoint != null) {
            kms.endpointOverride(endpoint);
        }
        return kms.build();
    }

    @Bean
    @ConditionalOnMissingBean
    KeyEncryptionKey keyEncryptionKey(
            PrivacyProperties properties,
            ObjectProvider<KmsClient> kms,
            ObjectProvider<PreviousKmsClient> previousKms) {
        String uri = properties.kekUri();
        KeyEncryptionKey current = uri == null || uri.isBlank()
                ? KeyEncryptionKey.local(properties.kekKeysetPath())
                : KeyEncryptionKey.kms(uri, kms.getObject());
        String previousUri = properties.previousKekUri();
        if (previousUri != null && !previousUri.isBlank()) {
            return current.unwrappingAlsoWith(
                    KeyEncryptionKey.kms(previousUri, previousKms.getObject().client()));
        }
        if (properties.previousKekKeysetPath() != null) {
            return current.unwrappingAlsoWith(KeyEncryptionKey.existing(properties.previousKekKeysetPath()));
        }
        return current;
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
    StagingKeys stagingKeys(KeyEncryptionKey kek) {
        return new StagingKeys(kek);
    }

    @Bean
    ValueCipher valueCipher(SubjectKeys keys, PrivacyProperties properties) {
        return new ValueCipher(keys, properties.enabled());
    }
}
