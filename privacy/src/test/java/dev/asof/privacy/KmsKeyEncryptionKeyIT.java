package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.asof.support.storage.AsofTables;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.SilentServer;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The KEK as an AWS KMS key ({@code asof.privacy.kek-uri}). There is no KMS here to answer, so what is tested is
 * what does not need one: the URI is checked at start and names the setting, the configuration builds a KMS KEK
 * for the ARN's region, and a KMS that refuses connections or accepts them and never answers fails the data-key
 * call within {@code asof.privacy.kms-timeout} as {@link KeyServiceUnavailableException}, writing no key item.
 */
class KmsKeyEncryptionKeyIT {

    private static final String KEY_URI =
            "aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static SilentServer silent;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PrivacyConfiguration.class))
            .withBean(DynamoDbClient.class, SharedInfrastructure::dynamoClient)
            .withBean(AsofTables.class, () -> PrivacyFixture.TABLES)
            .withBean(
                    AwsCredentialsProvider.class,
                    () -> StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));

    /** A KMS endpoint that hangs rather than fails. */
    @BeforeAll
    static void silentKms() {
        PrivacyFixture.dynamo();
        silent = SilentServer.start();
    }

    @AfterAll
    static void closeSilentKms() throws IOException {
        silent.close();
    }

    @Test
    void keyUrisAreCheckedAtStartNamingTheSetting() {
        assertThat(KeyEncryptionKey.kmsKeyArn(KEY_URI))
                .isEqualTo("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        assertThat(KeyEncryptionKey.kmsRegion("aws-kms://arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/asof-kek"))
                .isEqualTo("us-gov-west-1");
        for (String bad : new String[] {
            "arn:aws:kms:eu-west-1:111122223333:key/1234",
            "aws-kms://alias/asof-kek",
            "gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k",
            "aws-kms://arn:aws:s3:eu-west-1:111122223333:key/1234",
            "aws-kms://arn:aws:kms::111122223333:key/1234",
            "aws-kms://arn:aws:kms:eu-west-1:111122223333:secret/1234"
        }) {
            runner.withPropertyValues("asof.privacy.kek-uri=" + bad)
                    .run(context -> assertThat(context)
                            .getFailure()
                            .hasStackTraceContaining("asof.privacy.kek-uri must be aws-kms://"));
        }
        runner.withPropertyValues("asof.privacy.kek-uri=" + KEY_URI, "asof.privacy.kms-timeout=0s")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("asof.privacy.kms-timeout must be positive"));
    }

    @Test
    void aKmsThatRefusesConnectionsFailsTheCallAndWritesNoKey() {
        int nothingListens = SharedInfrastructure.freePort();
        runner.withPropertyValues(
                        "asof.privacy.kek-uri=" + KEY_URI,
                        "asof.privacy.kms-endpoint=http://127.0.0.1:" + nothingListens,
                        "asof.privacy.kms-timeout=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(KeyEncryptionKey.class).toString())
                            .contains("KMS key arn:aws:kms:eu-west-1:111122223333:key/");
                    assertNoKeyIsMade(context.getBean(ValueCipher.class));
                });
    }

    @Test
    void aKmsThatNeverAnswersFailsTheCallWithinTheTimeoutAndWritesNoKey() {
        runner.withPropertyValues(
                        "asof.privacy.kek-uri=" + KEY_URI,
                        "asof.privacy.kms-endpoint=http://127.0.0.1:" + silent.port(),
                        "asof.privacy.kms-timeout=2s")
                .run(context -> assertNoKeyIsMade(context.getBean(ValueCipher.class)));
    }

    private static void assertNoKeyIsMade(ValueCipher cipher) {
        String customer = PrivacyFixture.newCustomerId();
        // A bound on a hang, not a speed check: the call is cut at 2 s, retries included.
        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> assertThatThrownBy(
                                () -> cipher.encrypt(customer, dev.asof.events.AttributeValue.text("jane@example.com")))
                        .isInstanceOf(KeyServiceUnavailableException.class)
                        .hasMessageContaining("KMS encrypt with key arn:aws:kms:eu-west-1:111122223333:key/")
                        .hasMessageNotContaining("jane"));
        assertThat(PrivacyFixture.storedItem(customer)).isEmpty();
    }
}
