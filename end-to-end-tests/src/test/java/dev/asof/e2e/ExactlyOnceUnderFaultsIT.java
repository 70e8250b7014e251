package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.stack.DynaliteProcess;
import dev.asof.stack.KafkaBrokerProcess;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Nothing lost, nothing doubled: 20,000 events for 500 customers are streamed through intake while the log
 * writer is killed mid-batch and restarted, stopped and restarted, the Kafka broker is restarted and DynamoDB
 * (dynalite) is restarted; clients re-send whatever was not answered 202. Afterwards every accepted event is in the log exactly once and every
 * view equals the fold of its log.
 */
class ExactlyOnceUnderFaultsIT {

    private static final long SEED = Long.getLong("asof.seed", 20261126L);
    private static final int CUSTOMERS = 500;
    private static final int EVENTS_PER_CUSTOMER = 40;
    private static final int BATCH = 100;
    private static final int CLIENTS = 4;

    @Test
    void everyAcceptedEventIsLoggedExactlyOnceAndEveryViewIsTheFoldOfItsLog() throws Exception {
        System.out.println("exactly-once fault test: seed=" + SEED);
        Path work = Files.createTempDirectory("asof-faults");
        int kafkaPort = SharedInfrastructure.freePort();
        int controllerPort = SharedInfrastructure.freePort();
        Path kafkaLibs = KafkaBrokerProcess.defaultKafkaLibs(SharedInfrastructure.projectRoot());
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(
                kafkaLibs, work.resolve("kafka"), kafkaPort, controllerPort, work.resolve("kafka.log"));
        int dynamoPort = SharedInfrastructure.freePort();
        Path root = SharedInfrastructure.projectRoot();
        DynaliteProcess dynalite =
                DynaliteProcess.start(root, dynamoPort, work.resolve("dynalite"), work.resolve("dynalite.log"));
        String prefix = "faults_";
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            AsofTopics.ensureAll(admin, 6, (short) 1);
        }
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
        properties.put("asof.dynamodb.table-prefix", prefix);
        properties.put("spring.cloud.aws.dynamodb.endpoint", dynalite.endpoint().toString());
        Map<String, String> intakeOnly = new HashMap<>(properties);
        intakeOnly.put("spring.kafka.listener.auto-startup", "false");

        ServiceJar intake = ServiceJar.start("ingestion-service", intakeOnly);
        ServiceJar writer = ServiceJar.start("ingestion-service", properties);
        List<List<String>> batches = RandomEventBatches.generate(SEED, "fault", CUSTOMERS, EVENTS_PER_CUSTOMER, BATCH)
                .batches();
        AcceptedEvents expected = new AcceptedEvents();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            AtomicInteger next = new AtomicInteger();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                        ResendingClient.sendUntilAnswered(attempt -> intake.api(), 0, batches.get(i), expected);
                        sent.addAndGet(batches.get(i).size());
                    }
                }));
            }
            int total = CUSTOMERS * EVENTS_PER_CUSTOMER;
            awaitSent(sent, total * 15 / 100);
            writer.kill();
            writer = ServiceJar.start("ingestion-service", properties);
            awaitSent(sent, total * 35 / 100);
            writer.close();
            writer = ServiceJar.start("ingestion-service", properties);
            awaitSent(sent, total * 50 / 100);
            broker.close();
            Thread.sleep(2_000);
            broker = KafkaBrokerProcess.start(
                    kafkaLibs, work.resolve("kafka"), kafkaPort, controllerPort, work.resolve("kafka.log"));
            awaitSent(sent, total * 70 / 100);
            writer.kill();
            writer = ServiceJar.start("ingestion-service", properties);
            awaitSent(sent, total * 85 / 100);
            dynalite.close();
            Thread.sleep(2_000);
            dynalite = DynaliteProcess.start(root, dynamoPort, work.resolve("dynalite"), work.resolve("dynalite.log"));
            for (Future<?> client : running) {
                client.get();
            }
            assertThat(expected.total()).isEqualTo(total);

            DynamoDbClient dynamo = DynamoDbClient.builder()
                    .endpointOverride(dynalite.endpoint())
                    .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                    .build();
            AsofTables tables = new AsofTables(prefix);
            EventLog log = new EventLog(dynamo, tables);
            ProfileViews views = new ProfileViews(dynamo, tables);
            int checkedViews = expected.assertLoggedExactlyOnce(log, views, Duration.ofMinutes(5))
                    .size();
            System.out.println("exactly-once fault test: " + total + " events, " + checkedViews
                    + " views equal to the fold of their log, seed=" + SEED);
        } finally {
            clients.shutdownNow();
            writer.close();
            intake.close();
            broker.close();
            dynalite.close();
        }
    }

    private static void awaitSent(AtomicInteger sent, int atLeast) {
        await().atMost(Duration.ofMinutes(5)).until(() -> sent.get() >= atLeast);
    }
}
