package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Poison records go to the dead-letter topic with the reason in headers, and the partition keeps flowing. */
@SpringBootTest
class DeadLetterIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        // no campaign runner: a cached context's runner would take other test classes' campaigns
        registry.add("asof.campaigns.runner-enabled", () -> "false");
    }

    @Autowired
    AsofTables tables;

    @Autowired
    ValueCipher cipher;

    @Test
    void undecodableAndInvalidRecordsAreDeadLetteredAndLaterRecordsStillLand() throws Exception {
        String customer = Events.newCustomerId("cust_dlt");
        String valid = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-25T14:30:00Z", "tier", null, "gold", "voice");
        String beforeEpoch = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "1969-12-31T23:59:59Z", "tier", null, "silver", "voice");
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, "{not json"))
                    .get();
            producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, "{\"event_type\":\"NOPE\"}"))
                    .get();
            // The probe's lost event: stamped before 1970, it once blocked its partition for good.
            producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, beforeEpoch))
                    .get();
            producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, valid))
                    .get();
        }

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(SharedInfrastructure.dynamoClient()
                                .query(b -> b.tableName(tables.eventLog())
                                        .consistentRead(true)
                                        .keyConditionExpression("customer_id = :c")
                                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(customer))))
                                .items())
                        .hasSize(1));
        List<ConsumerRecord<String, String>> deadLetters = deadLettersFor(customer, 3);
        assertThat(deadLetters)
                .extracting(ConsumerRecord::value)
                .containsExactly("{not json", "{\"event_type\":\"NOPE\"}", beforeEpoch);
        String range = new String(
                deadLetters.get(2).headers().lastHeader("asof-dlt-reason").value(), StandardCharsets.UTF_8);
        assertThat(range).contains("/timestamp_utc timestamp-range").doesNotContain("silver");
        assertThat(new String(
                        deadLetters.get(2).headers().lastHeader("asof-dlt-kind").value(), StandardCharsets.UTF_8))
                .isEqualTo("invalid-event");
        String reason = new String(
                deadLetters.get(1).headers().lastHeader("asof-dlt-reason").value(), StandardCharsets.UTF_8);
        assertThat(reason).contains("/event_type");
        assertThat(deadLetters.get(0).headers().lastHeader("kafka_dlt-original-topic"))
                .isNotNull();
    }

    /**
     * The probe's jammed partition: valid events (each under the event limit) that together make a profile larger
     * than one DynamoDB item once stopped their partition for good, every later event on it answered 202 and never
     * stored. The event that would take the profile past the limit is set aside; later ones land, and the view stays
     * the fold of the log.
     */
    @Test
    void anEventThatWouldMakeTheProfileTooLargeForOneItemIsDeadLetteredAndLaterRecordsStillLand() throws Exception {
        String customer = Events.newCustomerId("cust_dlt_large");
        String fits = bulk(customer, "2026-11-25T14:30:00Z", "a");
        String tooLarge = bulk(customer, "2026-11-25T14:31:00Z", "b");
        String after = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-25T14:32:00Z", "tier", null, "gold", "voice");
        try (KafkaProducer<String, String> producer = producer()) {
            for (String event : List.of(fits, tooLarge, after)) {
                producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, event))
                        .get();
            }
        }

        EventLog log = new EventLog(SharedInfrastructure.dynamoClient(), tables);
        Instant end = Instant.parse("9999-12-31T23:59:59.999Z");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(log.eventsUpTo(customer, end, end))
                        .extracting(logged -> logged.event().timestampUtc().toString())
                        .containsExactly("2026-11-25T14:30:00Z", "2026-11-25T14:32:00Z"));
        List<ConsumerRecord<String, String>> deadLetters = deadLettersFor(customer, 1);
        assertThat(deadLetters).extracting(ConsumerRecord::value).containsExactly(tooLarge);
        assertThat(header(deadLetters.get(0), "asof-dlt-kind")).isEqualTo("unstorable");
        assertThat(header(deadLetters.get(0), "asof-dlt-reason"))
                .startsWith("profile-too-large: ")
                .contains("at most " + ProfileViews.MAX_STATE_BYTES)
                .doesNotContain("xxxx");
        ProfileViews views = new ProfileViews(SharedInfrastructure.dynamoClient(), tables);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(views.find(customer).orElseThrow().state())
                                .isEqualTo(ProfileFold.foldAt(customer, log.eventsUpTo(customer, end, end), end, end)));
        assertThat(views.find(customer).orElseThrow().state().attributes())
                .containsKeys("a0", "a59", "tier")
                .doesNotContainKey("b0");
    }

    /**
     * A new customer whose only event is set aside gets no view: an outside probe's customer read 200 with nothing
     * in it as its current profile while every other read found no event. (Intake refuses such an event before
     * answering; this one comes straight from the topic.)
     */
    @Test
    void aNewCustomerWhoseOnlyEventIsSetAsideHasNoView() throws Exception {
        String customer = Events.newCustomerId("cust_dlt_alone");
        List<String> changes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            changes.add("{\"attribute_key\":\"k" + i + "\",\"new_value\":\"" + "v".repeat(400) + "\"}");
        }
        // the probe's event, encrypted as intake publishes it (encryption grows each value by about half)
        EventEnvelope sent =
                cipher.protect(EventJson.decode("""
                {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"2026-11-25T14:30:00Z",\
                "customer_id":"%s","source_system":"probe","payload":{"changes":[%s]}}""".formatted(UUID.randomUUID(), customer, String.join(",", changes))));
        assertThat(ProfileViews.stateBytes(ProfileFold.evolve(
                        IdentityState.empty(customer), new RecordedEvent(sent, Hlc.encode(1_800_000_000_000L, 0)))))
                .as("too large for a profile on its own")
                .isGreaterThan(ProfileViews.MAX_STATE_BYTES);
        String alone = EventJson.encode(sent);
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, alone))
                    .get();
        }

        List<ConsumerRecord<String, String>> deadLetters = deadLettersFor(customer, 1);
        assertThat(header(deadLetters.get(0), "asof-dlt-reason")).startsWith("profile-too-large: ");
        assertThat(new ProfileViews(SharedInfrastructure.dynamoClient(), tables).find(customer))
                .isEmpty();
    }

    /** A bulk update of 60 attributes of 4,000 characters each (about 240 KB: under the 256 KiB event limit). */
    private static String bulk(String customer, String at, String prefix) {
        List<String> changes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            changes.add("{\"attribute_key\":\"" + prefix + i + "\",\"new_value\":\"" + "x".repeat(4_000) + "\"}");
        }
        return """
                {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"%s","customer_id":"%s",\
                "source_system":"crm","payload":{"changes":[%s]}}""".formatted(UUID.randomUUID(), at, customer, String.join(",", changes));
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<String, String>> deadLettersFor(String customer, int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "dlt-check-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(AsofTopics.PROFILE_EVENTS_DLT));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (customer.equals(record.key())) {
                        found.add(record);
                    }
                });
                return found.size() >= expected;
            });
        }
        return found;
    }

    private static KafkaProducer<String, String> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
