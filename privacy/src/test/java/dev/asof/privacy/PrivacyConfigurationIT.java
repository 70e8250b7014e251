package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.AttributeValue;
import dev.asof.support.storage.AsofTables;
import dev.asof.testing.SharedInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class PrivacyConfigurationIT {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PrivacyConfiguration.class))
            // a client per context: the context closes it
            .withBean(DynamoDbClient.class, SharedInfrastructure::dynamoClient)
            .withBean(AsofTables.class, () -> PrivacyFixture.TABLES);

    @BeforeAll
    static void tables() {
        PrivacyFixture.dynamo();
    }

    @Test
    void encryptsByDefaultAndCanBeTurnedOffForNewValuesOnly() {
        runner.withPropertyValues("asof.privacy.kek-keyset-path=" + dir.resolve("kek.json"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(ValueCipher.class).encryptsNewValues())
                            .isTrue();
                });
        runner.withPropertyValues(
                        "asof.privacy.enabled=false", "asof.privacy.kek-keyset-path=" + dir.resolve("kek.json"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ValueCipher cipher = context.getBean(ValueCipher.class);
                    assertThat(cipher.encryptsNewValues()).isFalse();
                    // what was encrypted while it was on stays readable
                    String customer = PrivacyFixture.newCustomerId();
                    AttributeValue encrypted = cipher.encrypt(customer, AttributeValue.text("jane@example.com"));
                    assertThat(cipher.decrypt(encrypted)).isEqualTo(AttributeValue.text("jane@example.com"));
                });
    }

    @Test
    void whenEnabledItCreatesTheKekAndEncrypts() {
        Path kek = dir.resolve(".asof/privacy/kek.json");
        runner.withPropertyValues(
                        "asof.privacy.enabled=true",
                        "asof.privacy.kek-keyset-path=" + kek,
                        "asof.privacy.key-cache-size=50",
                        "asof.privacy.key-cache-ttl=5s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PrivacyProperties properties = context.getBean(PrivacyProperties.class);
                    assertThat(properties.keyCacheSize()).isEqualTo(50);
                    assertThat(properties.keyCacheTtl()).isEqualTo(Duration.ofSeconds(5));
                    ValueCipher cipher = context.getBean(ValueCipher.class);
                    String customer = PrivacyFixture.newCustomerId();
                    AttributeValue encrypted = cipher.encrypt(customer, AttributeValue.text("jane@example.com"));
                    assertThat(cipher.decrypt(encrypted)).isEqualTo(AttributeValue.text("jane@example.com"));
                });
        assertThat(Files.exists(kek)).isTrue();
    }

    @Test
    void defaults() {
        runner.withPropertyValues("asof.privacy.enabled=true", "asof.privacy.kek-keyset-path=" + dir.resolve("k.json"))
                .run(context -> {
                    PrivacyProperties properties = context.getBean(PrivacyProperties.class);
                    assertThat(properties.keyCacheSize()).isEqualTo(10_000);
                    assertThat(properties.keyCacheTtl()).isEqualTo(Duration.ofSeconds(60));
                });
        new ApplicationContextRunner()
                .withUserConfiguration(PropertiesOnly.class)
                .run(context -> assertThat(
                                context.getBean(PrivacyProperties.class).kekKeysetPath())
                        .isEqualTo(Path.of(".asof/privacy/kek.json")));
    }

    @Test
    void invalidSettingsAreRefused() {
        runner.withPropertyValues(
                        "asof.privacy.enabled=true",
                        "asof.privacy.kek-keyset-path=" + dir.resolve("k.json"),
                        "asof.privacy.key-cache-size=0")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("keyCacheSize")
                        .hasStackTraceContaining("must be greater than or equal to 1"));
        runner.withPropertyValues(
                        "asof.privacy.enabled=true",
                        "asof.privacy.kek-keyset-path=" + dir.resolve("k.json"),
                        "asof.privacy.key-cache-ttl=0s")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("asof.privacy.key-cache-ttl must be positive"));
    }

    @Test
    void aPreviousKekUnwrapsWhatTheCurrentOneCannot() {
        Path old = dir.resolve("old.json");
        AttributeValue[] encrypted = {encryptedUnder(old)};
        runner.withPropertyValues(
                        "asof.privacy.kek-keyset-path=" + dir.resolve("new.json"),
                        "asof.privacy.previous-kek-keyset-path=" + old)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(KeyEncryptionKey.class).toString())
                            .contains("new.json", "previous", "old.json");
                    assertThat(context.getBean(ValueCipher.class).decrypt(encrypted[0]))
                            .isEqualTo(AttributeValue.text("jane@example.com"));
                });
        runner.withPropertyValues(
                        "asof.privacy.kek-keyset-path=" + dir.resolve("new.json"),
                        "asof.privacy.previous-kek-keyset-path=" + dir.resolve("missing.json"))
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("previous key-encryption keyset")
                        .hasStackTraceContaining("missing.json"));
        assertThat(Files.exists(dir.resolve("missing.json")))
                .as("a previous KEK is never created")
                .isFalse();
        runner.withPropertyValues(
                        "asof.privacy.kek-keyset-path=" + dir.resolve("new.json"),
                        "asof.privacy.previous-kek-keyset-path=" + old,
                        "asof.privacy.previous-kek-uri=aws-kms://arn:aws:kms:eu-west-1:111122223333:key/abc-123")
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("not both"));
        runner.withPropertyValues(
                        "asof.privacy.kek-keyset-path=" + dir.resolve("new.json"),
                        "asof.privacy.previous-kek-uri=aws-kms://nonsense")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("asof.privacy.previous-kek-uri must be aws-kms://"));
    }

    @Test
    void aPreviousKmsKeyGetsAClientOfItsOwnRegionAndEndpoint() {
        Path old = dir.resolve("old.json");
        AttributeValue[] encrypted = {encryptedUnder(old)};
        runner.withBean(
                        software.amazon.awssdk.auth.credentials.AwsCredentialsProvider.class,
                        () -> software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                .withPropertyValues(
                        "asof.privacy.kek-keyset-path=" + dir.resolve("new.json"),
                        "asof.privacy.kms-endpoint=http://127.0.0.1:2",
                        "asof.privacy.previous-kek-uri=aws-kms://arn:aws:kms:eu-central-1:111122223333:key/abc-123",
                        "asof.privacy.previous-kms-endpoint=http://127.0.0.1:1",
                        "asof.privacy.kms-timeout=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(KeyEncryptionKey.class).toString())
                            .contains("new.json", "previous KMS key arn:aws:kms:eu-central-1");
                    // the new KEK refuses the old key, so the previous one is asked: at its own endpoint
                    assertThatThrownBy(() -> context.getBean(ValueCipher.class).decrypt(encrypted[0]))
                            .isInstanceOf(KeyServiceUnavailableException.class)
                            .hasMessageContaining("127.0.0.1:1")
                            .hasMessageNotContaining("jane");
                    // a key made now is wrapped by the new KEK and needs no KMS
                    ValueCipher cipher = context.getBean(ValueCipher.class);
                    String newcomer = PrivacyFixture.newCustomerId();
                    assertThat(cipher.decrypt(cipher.encrypt(newcomer, AttributeValue.text("x"))))
                            .isEqualTo(AttributeValue.text("x"));
                });
    }

    /** A value encrypted by a service whose KEK is the keyset file {@code kek} (created), for a new customer. */
    private AttributeValue encryptedUnder(Path kek) {
        AttributeValue[] encrypted = new AttributeValue[1];
        runner.withPropertyValues("asof.privacy.kek-keyset-path=" + kek)
                .run(context -> encrypted[0] = context.getBean(ValueCipher.class)
                        .encrypt(PrivacyFixture.newCustomerId(), AttributeValue.text("jane@example.com")));
        return encrypted[0];
    }

    @org.springframework.boot.context.properties.EnableConfigurationProperties(PrivacyProperties.class)
    static class PropertiesOnly {}
}
