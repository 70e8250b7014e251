package dev.asof.bench;

import dev.asof.stack.DynaliteProcess;
import dev.asof.stack.KafkaBrokerProcess;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.kafka.TopicSettings;
import dev.asof.support.security.ApiKeys;
import dev.asof.support.storage.AsofTables;
import dev.asof.testing.SharedInfrastructure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The same parts `./asof up` runs, started fresh for one benchmark run: a KRaft Kafka broker process and dynalite
 * with its data on disk, in a temporary directory, with topics and tables created.
 */
final class BenchStack implements AutoCloseable {

    static final String API_KEY = "bench-key";
    static final int PARTITIONS = 6;

    final Path work;
    final KafkaBrokerProcess kafka;
    final DynaliteProcess dynalite;
    final AsofTables tables = new AsofTables("asof_");

    private BenchStack(Path work, KafkaBrokerProcess kafka, DynaliteProcess dynalite) {
        this.work = work;
        this.kafka = kafka;
        this.dynalite = dynalite;
    }

    static BenchStack start() throws IOException, InterruptedException {
        Path root = SharedInfrastructure.projectRoot();
        Path work = Files.createTempDirectory("asof-bench");
        KafkaBrokerProcess kafka = KafkaBrokerProcess.start(
                KafkaBrokerProcess.defaultKafkaLibs(root),
                work.resolve("kafka"),
                SharedInfrastructure.freePort(),
                SharedInfrastructure.freePort(),
                work.resolve("kafka.log"));
        DynaliteProcess dynalite = DynaliteProcess.start(
                root, SharedInfrastructure.freePort(), work.resolve("dynalite"), work.resolve("dynalite.log"));
        BenchStack stack = new BenchStack(work, kafka, dynalite);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            AsofTopics.ensureAll(admin, TopicSettings.of(PARTITIONS, (short) 1));
        }
        try (DynamoDbClient dynamo = stack.dynamoClient()) {
            stack.tables.ensureAll(dynamo);
        }
        return stack;
    }

    /** A plain AWS SDK client, as a raw-store baseline uses it. */
    DynamoDbClient dynamoClient() {
        return DynamoDbClient.builder()
                .endpointOverride(dynalite.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    /** The properties a service needs to run against this stack, with one all-scopes key and no rate limit. */
    Map<String, String> serviceProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        properties.put("spring.cloud.aws.dynamodb.endpoint", dynalite.endpoint().toString());
        properties.put("asof.security.api-keys[0].name", "bench");
        properties.put("asof.security.api-keys[0].sha256", ApiKeys.sha256Hex(API_KEY));
        properties.put(
                "asof.security.api-keys[0].scopes", "events:write,profile:read,merge:write,gdpr:erase,metrics:read");
        properties.put("asof.http.rate-limit", "100000000");
        // one key-encryption key for the run's services: values are encrypted at intake, as in production
        properties.put(
                "asof.privacy.kek-keyset-path",
                work.resolve("privacy").resolve("kek.json").toString());
        properties.put("logging.level.root", "WARN");
        return properties;
    }

    /**
     * The value cipher the run's services use (their KEK, this stack's {@code subject_keys}): a loader that writes to
     * Kafka directly encrypts with it, as intake would.
     */
    dev.asof.privacy.ValueCipher cipher(DynamoDbClient dynamo) {
        Path kek = work.resolve("privacy").resolve("kek.json");
        return new dev.asof.privacy.ValueCipher(new dev.asof.privacy.SubjectKeys(
                dynamo,
                tables,
                dev.asof.privacy.KeyEncryptionKey.local(kek),
                new dev.asof.privacy.PrivacyProperties(
                        true,
                        kek,
                        100_000,
                        java.time.Duration.ofSeconds(60),
                        null,
                        null,
                        java.time.Duration.ofSeconds(5),
                        null,
                        null,
                        null)));
    }

    @Override
    public void close() {
        dynalite.close();
        kafka.close();
    }
}
