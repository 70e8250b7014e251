package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.stack.DynaliteProcess;
import dev.asof.stack.KafkaBrokerProcess;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.kafka.TopicSettings;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.LateTiers;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Nothing lost, nothing doubled: 8,000 events for 200 customers are streamed through intake while the log
 * writer is killed mid-batch and restarted, stopped and restarted, DynamoDB (dynalite) and then the Kafka broker hang
 * for seconds (SIGSTOP, SIGCONT), the broker is restarted and dynalite is restarted, with poison records (an event
 * before 1970, a record that is not JSON) waiting on every partition; clients re-send whatever was not answered 202.
 * Afterwards every accepted event is in the log exactly once, every view equals the fold of its log, and every log item
 * is stamped (recorded time, lateness tier) as in partition order.
 */
class ExactlyOnceUnderFaultsIT {

    private static final long SEED = Long.getLong("asof.seed", 20261126L);
    private static final int CUSTOMERS = 200;
    private static final int EVENTS_PER_CUSTOMER = 40;
    private static final int BATCH = 100;
    private static final int CLIENTS = 4;

    /** How long the broker waits for a killed writer's heartbeats before it moves its partitions (default 45 s). */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);

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
            AsofTopics.ensureAll(admin, TopicSettings.of(6, (short) 1));
        }
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
        properties.put("asof.dynamodb.table-prefix", prefix);
        properties.put("spring.cloud.aws.dynamodb.endpoint", dynalite.endpoint().toString());
        properties.put("asof.log-writer.stuck-after", "3s");
        properties.put(
                "spring.kafka.consumer.properties.session.timeout.ms", Long.toString(SESSION_TIMEOUT.toMillis()));
        // heartbeats well within the short session timeout, also on a busy machine running two test JVMs
        properties.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        Map<String, String> intakeOnly = new HashMap<>(properties);
        intakeOnly.put("spring.kafka.listener.auto-startup", "false");

        // Poison records ahead of the stream, on partitions everyone's events share: they must be dead-lettered,
        // not block their partitions.
        String poisoned = "fault_" + SEED + "_poison";
        try (org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
                new org.apache.kafka.clients.producer.KafkaProducer<>(
                        Map.of("bootstrap.servers", broker.bootstrapServers()),
                        new org.apache.kafka.common.serialization.StringSerializer(),
                        new org.apache.kafka.common.serialization.StringSerializer())) {
            for (int p = 0; p < 6; p++) {
                String beforeEpoch = """
                        {"event_id":"%s","event_type":"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE",\
                        "timestamp_utc":"1969-12-31T23:59:59Z","customer_id":"%s",\
                        "payload":{"attribute_key":"tier","new_value":"x"}}""".formatted(UUID.randomUUID(), poisoned);
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                                AsofTopics.PROFILE_EVENTS, p, poisoned, beforeEpoch))
                        .get();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                                AsofTopics.PROFILE_EVENTS, p, poisoned, "{not json"))
                        .get();
            }
        }
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
            awaitSent(sent, total * 60 / 100);
            // A store that hangs instead of failing: health says so within its own deadline, intake answers 503s.
            SharedInfrastructure.signal(dynalite.handle(), "STOP");
            try {
                assertHealthDown(writer.api(), "dynamoDbHealth");
                assertHealthDown(intake.api(), "dynamoDbHealth");
                Thread.sleep(4_000);
            } finally {
                SharedInfrastructure.signal(dynalite.handle(), "CONT");
            }
            awaitSent(sent, total * 65 / 100);
            // A broker that hangs: intake answers 503 within its publish timeout, health says so.
            SharedInfrastructure.signal(broker.handle(), "STOP");
            try {
                assertHealthDown(intake.api(), "kafkaHealth");
                Thread.sleep(4_000);
            } finally {
                SharedInfrastructure.signal(broker.handle(), "CONT");
            }
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
            phase("every event answered 202");
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
            Map<String, List<dev.asof.events.RecordedEvent>> logs =
                    expected.assertLoggedExactlyOnce(log, views, Duration.ofMinutes(5));
            int checkedViews = logs.size();
            phase("every event logged exactly once");
            int[] stamped = assertStampedInPartitionOrder(dynamo, tables, logs.keySet());
            phase("every log item stamped in partition order (" + stamped[0] + " items, " + stamped[1] + " late)");
            assertThat(stamped[1]).as("late arrivals among them").isPositive();
            Instant end = Instant.parse("3000-01-01T00:00:00Z");
            assertThat(log.eventsUpTo(poisoned, end, end))
                    .as("poison records logged")
                    .isEmpty();
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

    /**
     * What reads through pages and snapshots rely on (docs/reconstruction.md): taken in the order of the records that
     * created them, each customer's log items have rising recorded times, and an item is listed as late (its {@code
     * late_key}, with the tier of its lateness) exactly when its valid time is at or before the latest valid time of
     * the items created before it. Returns how many items were checked, and how many of them were late.
     */
    private static int[] assertStampedInPartitionOrder(
            DynamoDbClient dynamo, AsofTables tables, Set<String> customers) {
        int checked = 0;
        int late = 0;
        for (String customer : customers) {
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            dynamo.queryPaginator(b -> b.tableName(tables.eventLog())
                            .consistentRead(true)
                            .keyConditionExpression("#c = :c")
                            .expressionAttributeNames(Map.of("#c", AsofTables.CUSTOMER_ID))
                            .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(customer))))
                    .items()
                    .forEach(items::add);
            items.sort(Comparator.comparingLong(
                    item -> Long.parseLong(item.get("kafka_offset").n())));
            long lastRecordedAt = Long.MIN_VALUE;
            long head = Long.MIN_VALUE;
            for (Map<String, AttributeValue> item : items) {
                String what = customer + " " + item.get(AsofTables.EVENT_KEY).s() + " (offset "
                        + item.get("kafka_offset").n() + ")";
                long recordedAt =
                        Long.parseLong(item.get(AsofTables.RECORDED_AT).n());
                long timestamp = Long.parseLong(item.get("timestamp_ms").n());
                assertThat(recordedAt).as("recorded time of %s", what).isGreaterThan(lastRecordedAt);
                if (timestamp <= head) {
                    assertThat(item.get(AsofTables.LATE_KEY))
                            .as("late_key of %s", what)
                            .isNotNull();
                    assertThat(LateTiers.tierOf(item.get(AsofTables.LATE_KEY).s()))
                            .as("lateness tier of %s", what)
                            .isEqualTo(LateTiers.tier(head - timestamp));
                    late++;
                } else {
                    assertThat(item.get(AsofTables.LATE_KEY))
                            .as("late_key of %s", what)
                            .isNull();
                }
                lastRecordedAt = recordedAt;
                head = Math.max(head, timestamp);
                checked++;
            }
        }
        return new int[] {checked, late};
    }

    /** Health answers (no hang) and names {@code component} DOWN within a few of its own deadlines. */
    private static void assertHealthDown(ApiClient api, String component) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> health = api.get("/actuator/health", null);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"" + component + "\":{\"status\":\"DOWN\"");
        });
    }

    private static void awaitSent(AtomicInteger sent, int atLeast) {
        await().atMost(Duration.ofMinutes(5)).until(() -> sent.get() >= atLeast);
        phase(atLeast + " events sent");
    }

    private static final long STARTED = System.nanoTime();

    /** Where the test's time goes, in its output. */
    private static void phase(String reached) {
        System.out.printf(
                java.util.Locale.ROOT,
                "exactly-once fault test: %s at +%.1f s%n",
                reached,
                (System.nanoTime() - STARTED) / 1e9);
    }
}
