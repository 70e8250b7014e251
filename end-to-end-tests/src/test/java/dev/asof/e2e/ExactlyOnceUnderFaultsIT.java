package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.stack.DynaliteProcess;
import dev.asof.stack.KafkaBrokerProcess;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.JsonNode;

/**
 * Nothing lost, nothing doubled: 20,000 events for 500 customers are streamed through intake while the log
 * writer is killed mid-batch and restarted, stopped and restarted, DynamoDB (dynalite) and then the Kafka broker
 * hang for seconds (SIGSTOP, SIGCONT), the broker is restarted and dynalite is restarted, with poison records
 * (an event before 1970, a record that is not JSON) waiting on every partition; clients re-send whatever was not answered 202. Afterwards every accepted event is in the log exactly once and every
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
        properties.put("asof.log-writer.stuck-after", "3s");
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
        List<List<String>> batches = batches(new Random(SEED));
        Map<String, Set<String>> expected = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            AtomicInteger next = new AtomicInteger();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                        sendUntilAnswered(intake.api(), batches.get(i), expected);
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
            assertThat(expected.values().stream().mapToInt(Set::size).sum()).isEqualTo(total);

            DynamoDbClient dynamo = DynamoDbClient.builder()
                    .endpointOverride(dynalite.endpoint())
                    .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                    .build();
            AsofTables tables = new AsofTables(prefix);
            EventLog log = new EventLog(dynamo, tables);
            ProfileViews views = new ProfileViews(dynamo, tables);
            Instant end = Instant.parse("3000-01-01T00:00:00Z");
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> {
                        int logged = 0;
                        for (String customer : expected.keySet()) {
                            logged += log.eventsUpTo(customer, end, end).size();
                        }
                        assertThat(logged).isGreaterThanOrEqualTo(total);
                    });
            int checkedViews = 0;
            for (Map.Entry<String, Set<String>> customer : expected.entrySet()) {
                List<RecordedEvent> logged = log.eventsUpTo(customer.getKey(), end, end);
                List<String> ids = logged.stream().map(e -> e.event().eventId()).toList();
                assertThat(ids).as("log of %s", customer.getKey()).doesNotHaveDuplicates();
                assertThat(new HashSet<>(ids))
                        .as("log of %s", customer.getKey())
                        .isEqualTo(customer.getValue());
                IdentityState fold = ProfileFold.foldAt(customer.getKey(), logged, end, end);
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(views.find(customer.getKey())
                                        .orElseThrow()
                                        .state())
                                .as("view of %s", customer.getKey())
                                .isEqualTo(fold));
                checkedViews++;
            }
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

    /** Health answers (no hang) and names {@code component} DOWN within a few of its own deadlines. */
    private static void assertHealthDown(ApiClient api, String component) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> health = api.get("/actuator/health", null);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"" + component + "\":{\"status\":\"DOWN\"");
        });
    }

    /** Re-sends the same body until intake answers 202: what an integrator's retry loop does. */
    private static void sendUntilAnswered(ApiClient api, List<String> batch, Map<String, Set<String>> expected) {
        String body = "[" + String.join(",", batch) + "]";
        while (true) {
            try {
                HttpResponse<String> response = api.postJson("/api/v1/events", TestApiKeys.EVENTS_WRITE_ONLY, body);
                if (response.statusCode() == 202) {
                    JsonNode results =
                            EventJson.mapper().readTree(response.body()).get("results");
                    for (int i = 0; i < batch.size(); i++) {
                        String status = results.get(i).get("status").asString();
                        assertThat(status).as(results.get(i).toString()).isIn("accepted", "duplicate");
                        JsonNode event = EventJson.mapper().readTree(batch.get(i));
                        expected.computeIfAbsent(
                                        event.get("customer_id").asString(), k -> ConcurrentHashMap.newKeySet())
                                .add(event.get("event_id").asString());
                    }
                    return;
                }
                assertThat(response.statusCode()).as(response.body()).isIn(503, 429);
            } catch (UncheckedIOException connectionTrouble) {
                // intake unreachable for a moment: retry the same body
            }
            sleep(200);
        }
    }

    private static List<List<String>> batches(Random random) {
        List<String> events = new ArrayList<>();
        Instant base = Instant.parse("2026-11-20T00:00:00Z");
        Map<Integer, Integer> merges = new LinkedHashMap<>();
        for (int c = 0; c < CUSTOMERS; c++) {
            String customer = "fault_" + SEED + "_" + c;
            for (int e = 0; e < EVENTS_PER_CUSTOMER; e++) {
                String id = new UUID(random.nextLong(), random.nextLong()).toString();
                // Timestamps in random order within a day, with ties, so many events arrive late.
                String ts = base.plusSeconds(random.nextInt(86_400 / 60) * 60L).toString();
                if (e == 0 && c % 50 == 1) {
                    merges.put(c, c - 1);
                    events.add("""
                            {"event_id":"%s","event_type":"CUSTOMER_PROFILE_MERGE","timestamp_utc":"%s",\
                            "customer_id":"%s","source_system":"merge_service",\
                            "payload":{"merged_into":"fault_%d_%d","merged_from":"%s"}}""".formatted(id, ts, customer, SEED, c - 1, customer));
                } else if (e % 10 == 9) {
                    events.add("""
                            {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"%s",\
                            "customer_id":"%s","source_system":"crm",\
                            "payload":{"changes":[{"attribute_key":"tier","new_value":"t%d"},\
                            {"attribute_key":"score","new_value":%d}],"change_reason":"campaign"}}""".formatted(id, ts, customer, random.nextInt(5), random.nextInt(100)));
                } else {
                    String key = List.of("preferred_language", "email", "tier", "consent.marketing")
                            .get(random.nextInt(4));
                    String value = random.nextInt(10) == 0 ? "null" : "\"v" + random.nextInt(1000) + "\"";
                    events.add("""
                            {"event_id":"%s","event_type":"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE","timestamp_utc":"%s",\
                            "customer_id":"%s","source_system":"genesys_cloud_cx","metadata":{"channel":"voice"},\
                            "payload":{"attribute_key":"%s","new_value":%s,"change_reason":"agent_update"}}""".formatted(id, ts, customer, key, value));
                }
            }
        }
        java.util.Collections.shuffle(events, random);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < events.size(); i += BATCH) {
            batches.add(events.subList(i, Math.min(events.size(), i + BATCH)));
        }
        return batches;
    }

    private static void awaitSent(AtomicInteger sent, int atLeast) {
        await().atMost(Duration.ofMinutes(5)).until(() -> sent.get() >= atLeast);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
