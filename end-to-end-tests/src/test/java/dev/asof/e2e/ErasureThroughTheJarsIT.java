package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventType;
import dev.asof.events.RecordedEvent;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import tools.jackson.databind.JsonNode;

/**
 * Issue #12's end-to-end proof, through the built jars: a customer with a merged member, values written through
 * ingestion (encrypted at intake) and indexed for matching, is erased by merge-service, which is killed in the middle
 * of the erasure and started again. Then: (a) every read of either identity answers {@code 410}, at a time before the
 * erasure too; (b) raw scans of every DynamoDB table and every Kafka topic find none of the written values in clear,
 * and no log item or Kafka record of theirs opens with any key; (c) the proof reports 0 readable values everywhere;
 * (d) the restarted service finished the erasure without doubling anything: one erasure event per identity, one
 * erasure in the register, counts as for one run. And no service logged a written value.
 */
class ErasureThroughTheJarsIT {

    @Test
    void anErasureInterruptedByAKilledMergeServiceCompletesAndLeavesNothingReadable() throws Exception {
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put("logging.level.dev.asof", "DEBUG");
        // the erasure waits this long for key caches after destroying the keys: the test kills merge-service then
        properties.put("asof.privacy.key-cache-ttl", "8s");
        properties.put("asof.erasure.replica-key-cache-wait", "8s");
        properties.put("asof.erasure.in-flight-margin", "1s");
        Map<String, String> mergeProperties = new HashMap<>(properties);
        // the match index follows only what this test writes (other tests left many events in the topic), and the
        // restarted merge-service goes on from where the killed one was
        mergeProperties.put("asof.matching.index-group", "erasure-e2e-" + UUID.randomUUID());
        mergeProperties.put("asof.matching.index-start", "latest");

        String survivor = Events.newCustomerId("cust_erase_s");
        String member = Events.newCustomerId("cust_erase_m");
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String phone = "+4420794" + (10_000 + Math.floorMod(unique.hashCode(), 89_999));
        String lastName = "quixhollow" + unique.replaceAll("[0-9-]", "");
        String email = "erase-e2e-" + unique + "@example.org";
        String firstName = "ysolde" + unique.replaceAll("[0-9-]", "");
        List<String> secrets = List.of(phone, lastName, email, firstName);

        List<ServiceJar> services = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        DynamoDbClient dynamo = SharedInfrastructure.dynamoClient();
        AsofTables tables = new AsofTables("asof_");
        try {
            ServiceJar ingestion = start(services, logs, "ingestion-service", properties);
            ServiceJar reconstruction = start(services, logs, "reconstruction-service", properties);
            ServiceJar killed = start(services, logs, "merge-service", mergeProperties);

            post(ingestion, survivor, "2026-11-01T10:00:00Z", "phone", phone);
            post(ingestion, survivor, "2026-11-01T10:05:00Z", "name_last", lastName);
            post(ingestion, member, "2026-11-02T10:00:00Z", "email", email);
            post(ingestion, member, "2026-11-02T10:05:00Z", "name_first", firstName);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> get(reconstruction, "/api/v1/customers/" + member + "/profile/at/2026-11-03T00:00:00Z")
                            .body()
                            .contains(firstName));
            HttpResponse<String> merged = killed.api()
                    .postJson(
                            "/api/v1/merges",
                            TestApiKeys.ALL_SCOPES,
                            "{\"merged_into\":\"" + survivor + "\",\"merged_from\":\"" + member + "\","
                                    + "\"effective_at\":\"2026-11-05T09:00:00Z\",\"reason\":\"same caller\","
                                    + "\"decided_by\":\"agent_7\"}");
            assertThat(merged.statusCode()).as(merged.body()).isEqualTo(202);

            // before: every value readable through the services, and the match index holds them in clear
            String at = "/profile/at/2026-11-15T00:00:00Z";
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(get(reconstruction, "/api/v1/customers/" + survivor + at)
                                    .body())
                            .contains(secrets));
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(match(killed, phone).body()).contains(survivor));
            assertThat(readableInTables(dynamo, secrets))
                    .as("items holding a written value in clear before the erasure (the match index)")
                    .isPositive();
            assertThat(openingValues(dynamo, tables, List.of(survivor, member), secrets))
                    .as("logged values that open before the erasure")
                    .isEqualTo(4);
            Instant beforeErasure = Instant.now().truncatedTo(ChronoUnit.MILLIS);

            HttpResponse<String> requested = killed.api()
                    .post(
                            "/api/v1/customers/" + survivor + "/erasure",
                            TestApiKeys.ALL_SCOPES,
                            "application/json",
                            "{\"reason\":\"GDPR Art. 17\",\"requested_by\":\"dpo@example.org\"}");
            assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
            String location = requested.headers().firstValue("Location").orElseThrow();
            String erasureId = location.substring(location.lastIndexOf('/') + 1);

            // killed while it waits for the key caches: the event appended, the keys destroyed, nothing redacted yet
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() ->
                            erasure(killed, location).path("keys_destroyed_at").isString());
            JsonNode whenKilled = erasure(killed, location);
            assertThat(whenKilled.path("state").asString()).isEqualTo("running");
            killed.kill();
            services.remove(killed);
            ServiceJar merge = start(services, logs, "merge-service", mergeProperties);

            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> Set.of("completed", "failed")
                            .contains(erasure(merge, location).path("state").asString()));
            JsonNode done = erasure(merge, location);
            System.out.println("erasure through the jars: killed at step "
                    + whenKilled.path("step").asString() + ", then " + done);

            // (c) the proof
            assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("completed");
            assertThat(done.at("/proof/verified").asBoolean()).isTrue();
            assertThat(done.path("identities").toString()).contains(survivor, member);
            List<String> scanned = new ArrayList<>();
            for (String part : List.of("/proof/scan/stores", "/proof/scan/topics")) {
                for (JsonNode store : done.at(part)) {
                    scanned.add(store.path("store").asString());
                    assertThat(store.path("readable_values").asLong())
                            .as(store.toString())
                            .isZero();
                }
            }
            assertThat(scanned)
                    .contains(
                            "dynamodb:event_log",
                            "dynamodb:profile_view",
                            "dynamodb:match_records",
                            "kafka:asof.profile-events",
                            "kafka:asof.profile-events.dlt");

            // (d) nothing doubled by the restart
            assertThat(done.at("/proof/steps/append/events_logged").asInt()).isEqualTo(2);
            assertThat(done.at("/proof/steps/destroy_keys/keys_destroyed").asInt())
                    .isEqualTo(2);
            EventLog log = new EventLog(dynamo, tables);
            Instant end = Instant.parse("3000-01-01T00:00:00Z");
            for (String identity : List.of(survivor, member)) {
                assertThat(log.eventsUpTo(identity, end, end).stream()
                                .filter(event -> event.event().eventType() == EventType.CUSTOMER_PROFILE_ERASED)
                                .count())
                        .as("erasure events in the log of %s", identity)
                        .isEqualTo(1);
            }
            JsonNode register = EventJson.parse(merge.api()
                    .get("/api/v1/erasures?limit=100", TestApiKeys.ALL_SCOPES)
                    .body());
            assertThat(register.path("erasures").findValuesAsString("erasure_id").stream()
                            .filter(erasureId::equals)
                            .count())
                    .as("the erasure in the register")
                    .isEqualTo(1);

            // (a) every read of either identity: gone, at a time before the erasure too
            String knownBefore = "known_at=" + beforeErasure;
            for (String identity : List.of(survivor, member)) {
                String customer = "/api/v1/customers/" + identity;
                for (String path : List.of(
                        customer + at,
                        customer + at + "?" + knownBefore,
                        customer + at + "?view=flat",
                        "/profile/at/2026-11-15T00:00:00Z?customer_id=" + identity,
                        customer + "/profile",
                        customer + "/history",
                        customer + "/history?" + knownBefore,
                        customer + "/history/marks")) {
                    assertGone(get(reconstruction, path), path, secrets);
                }
                for (String path : List.of(
                        customer + "/identity",
                        customer + "/identity?at=2026-11-15T00:00:00Z",
                        customer + "/match-candidates")) {
                    assertGone(merge.api().get(path, TestApiKeys.ALL_SCOPES), path, secrets);
                }
            }
            for (String value : List.of(phone, email)) {
                HttpResponse<String> suggestions = match(merge, value);
                assertThat(suggestions.statusCode()).as(suggestions.body()).isEqualTo(200);
                assertThat(suggestions.body()).doesNotContain(survivor, member);
            }

            // (b) the stores themselves
            assertThat(readableInTables(dynamo, secrets))
                    .as("items holding a written value in clear, in every table")
                    .isZero();
            assertThat(readableInTopics(secrets))
                    .as("records holding a written value in clear, in every topic")
                    .isZero();
            assertThat(openingValues(dynamo, tables, List.of(survivor, member), secrets))
                    .as("logged values that still open")
                    .isZero();
            assertThat(openingRecords(tables, dynamo, Set.of(survivor, member)))
                    .as("Kafka records of theirs whose values still open")
                    .isZero();
        } finally {
            for (ServiceJar service : services) {
                service.close();
            }
            dynamo.close();
        }
        for (Path file : logs) {
            String text = Files.readString(file);
            assertThat(text).as("the log of %s", file).isNotEmpty();
            assertThat(text).as("the log of %s", file).doesNotContain(secrets);
        }
    }

    private static ServiceJar start(
            List<ServiceJar> services, List<Path> logs, String module, Map<String, String> properties) {
        ServiceJar service = ServiceJar.start(module, properties);
        services.add(service);
        logs.add(service.logFile());
        return service;
    }

    private static void post(ServiceJar ingestion, String customer, String at, String key, String value) {
        HttpResponse<String> response = ingestion
                .api()
                .postJsonRetryingUnavailable(
                        "/api/v1/events",
                        TestApiKeys.EVENTS_WRITE_ONLY,
                        Events.attributeChange(UUID.randomUUID().toString(), customer, at, key, null, value, "chat"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static HttpResponse<String> get(ServiceJar service, String path) {
        return service.api().get(path, TestApiKeys.PROFILE_READ_ONLY);
    }

    private static HttpResponse<String> match(ServiceJar merge, String value) {
        String key = value.startsWith("+") ? "phone" : "email";
        return merge.api()
                .postJson(
                        "/api/v1/match",
                        TestApiKeys.PROFILE_READ_ONLY,
                        "{\"attributes\":{\"" + key + "\":\"" + value + "\"}}");
    }

    private static JsonNode erasure(ServiceJar merge, String location) {
        return EventJson.parse(merge.api().get(location, TestApiKeys.ALL_SCOPES).body());
    }

    private static void assertGone(HttpResponse<String> response, String path, List<String> secrets) {
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(410);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).as(path).contains("/problems/erased").doesNotContain(secrets);
    }

    /** Items of every table of the store holding one of {@code secrets} in clear (any case, inflated binaries too). */
    private static long readableInTables(DynamoDbClient dynamo, List<String> secrets) {
        long found = 0;
        int tables = 0;
        long items = 0;
        for (String table : dynamo.listTablesPaginator(b -> {}).tableNames()) {
            tables++;
            for (Map<String, AttributeValue> item :
                    dynamo.scanPaginator(b -> b.tableName(table)).items()) {
                items++;
                StringBuilder text = new StringBuilder();
                item.forEach((name, value) -> texts(value, text));
                if (containsAny(text.toString(), secrets)) {
                    found++;
                }
            }
        }
        System.out.println("erasure through the jars: " + tables + " tables, " + items + " items scanned, " + found
                + " with a written value in clear");
        return found;
    }

    /** Records of every topic, from the start of its retention to its end, holding one of {@code secrets} in clear. */
    private static long readableInTopics(List<String> secrets) throws Exception {
        long[] found = {0};
        Set<String> topics = new TreeSet<>();
        long records = everyRecord(record -> {
            topics.add(record.topic());
            StringBuilder text = new StringBuilder();
            text.append(utf8(record.key())).append('\n').append(utf8(record.value()));
            for (Header header : record.headers()) {
                text.append('\n').append(header.key()).append('=').append(utf8(header.value()));
            }
            if (containsAny(text.toString(), secrets)) {
                found[0]++;
            }
        });
        System.out.println("erasure through the jars: " + records + " Kafka records of " + topics + " scanned, "
                + found[0] + " with a written value in clear");
        return found[0];
    }

    /** Values of the identities' log items that open with any key and are one of {@code secrets}. */
    private static long openingValues(
            DynamoDbClient dynamo, AsofTables tables, List<String> identities, List<String> secrets) {
        ValueCipher cipher = TestCipher.of(dynamo, tables);
        EventLog log = new EventLog(dynamo, tables);
        Instant end = Instant.parse("3000-01-01T00:00:00Z");
        long opened = 0;
        for (String identity : identities) {
            for (RecordedEvent event : log.eventsUpTo(identity, end, end)) {
                opened += openedSecrets(cipher, event.event(), secrets);
            }
        }
        return opened;
    }

    /** Records of the identities in every topic whose values open with any key. */
    private static long openingRecords(AsofTables tables, DynamoDbClient dynamo, Set<String> identities)
            throws Exception {
        ValueCipher cipher = TestCipher.of(dynamo, tables);
        long[] opened = {0};
        everyRecord(record -> {
            if (!identities.contains(utf8(record.key())) || record.value() == null) {
                return;
            }
            EventEnvelope event;
            try {
                event = EventJson.decode(utf8(record.value()));
            } catch (RuntimeException notAnEvent) {
                return;
            }
            if (event.eventType() != EventType.CUSTOMER_PROFILE_ERASED && openedSecrets(cipher, event, List.of()) > 0) {
                opened[0]++;
            }
        });
        return opened[0];
    }

    /**
     * How many of {@code event}'s values open to one of {@code secrets} (to any value when {@code secrets} is empty):
     * 0 when its keys are destroyed or its values redacted.
     */
    private static long openedSecrets(ValueCipher cipher, EventEnvelope event, List<String> secrets) {
        String opened;
        try {
            opened = EventJson.encode(cipher.decrypt(event));
        } catch (RuntimeException cannotOpen) {
            return 0;
        }
        if (opened.equals(EventJson.encode(event)) || opened.contains("asof:erased:")) {
            return 0;
        }
        if (secrets.isEmpty()) {
            return 1;
        }
        return secrets.stream().filter(opened::contains).count();
    }

    /** Hands every record of every topic, from the start of its retention to its end, to {@code each}; how many. */
    private static long everyRecord(Consumer<ConsumerRecord<byte[], byte[]>> each) throws Exception {
        long records = 0;
        String bootstrap = SharedInfrastructure.kafkaBootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                        Map.<String, Object>of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                consumer.partitionsFor(topic)
                        .forEach(partition -> partitions.add(new TopicPartition(topic, partition.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                assertThat(System.nanoTime()).as("every topic read to its end").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(record);
                    records++;
                }
            }
        }
        return records;
    }

    /** The text in {@code value}: strings, numbers, and binaries as UTF-8 and, when they inflate, inflated. */
    private static void texts(AttributeValue value, StringBuilder text) {
        if (value.s() != null) {
            text.append(value.s()).append('\n');
        }
        if (value.n() != null) {
            text.append(value.n()).append('\n');
        }
        if (value.b() != null) {
            binary(value.b(), text);
        }
        value.ss().forEach(s -> text.append(s).append('\n'));
        value.ns().forEach(n -> text.append(n).append('\n'));
        value.bs().forEach(b -> binary(b, text));
        value.m().values().forEach(inner -> texts(inner, text));
        value.l().forEach(inner -> texts(inner, text));
    }

    private static void binary(SdkBytes bytes, StringBuilder text) {
        byte[] raw = bytes.asByteArray();
        text.append(new String(raw, StandardCharsets.UTF_8)).append('\n');
        Inflater inflater = new Inflater();
        inflater.setInput(raw);
        ByteArrayOutputStream inflated = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            while (!inflater.finished() && !inflater.needsInput() && !inflater.needsDictionary()) {
                int read = inflater.inflate(buffer);
                inflated.write(buffer, 0, read);
            }
            text.append(inflated.toString(StandardCharsets.UTF_8)).append('\n');
        } catch (DataFormatException notDeflated) {
            // not a packed page: its bytes as they are
        } finally {
            inflater.end();
        }
    }

    private static boolean containsAny(String text, List<String> secrets) {
        String lower = text.toLowerCase(Locale.ROOT);
        return secrets.stream().anyMatch(secret -> lower.contains(secret.toLowerCase(Locale.ROOT)));
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
