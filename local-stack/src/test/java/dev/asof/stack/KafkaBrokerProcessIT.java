package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.kafka.TopicSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker the local stack runs, started from the jars the build copied, on free ports and a fresh directory. */
class KafkaBrokerProcessIT {

    @TempDir
    Path workDir;

    @Test
    void keepsTopicsAndRecordsAcrossARestartOnTheSameData() throws Exception {
        int port = Ports.freePort();
        int controllerPort = Ports.freePort();
        Path log = workDir.resolve("kafka.log");
        String clusterId;
        RecordMetadata written;

        try (KafkaBrokerProcess broker =
                KafkaBrokerProcess.start(kafkaLibs(), workDir.resolve("kafka"), port, controllerPort, log)) {
            clusterId = broker.clusterId();
            try (Admin admin = admin(broker)) {
                AsofTopics.ensureAll(admin, TopicSettings.of(3, (short) 1));
                AsofTopics.ensureAll(admin, TopicSettings.of(3, (short) 1));
                assertThat(admin.listTopics().names().get())
                        .contains(AsofTopics.PROFILE_EVENTS, AsofTopics.PROFILE_EVENTS_DLT);
            }
            try (KafkaProducer<String, String> producer = producer(broker)) {
                written = producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, "cust_1", "{\"n\":1}"))
                        .get();
            }
            assertThat(readAll(broker, written.partition())).containsExactly("cust_1={\"n\":1}");
        }

        try (KafkaBrokerProcess broker =
                KafkaBrokerProcess.start(kafkaLibs(), workDir.resolve("kafka"), port, controllerPort, log)) {
            assertThat(broker.clusterId()).isEqualTo(clusterId);
            try (Admin admin = admin(broker)) {
                assertThat(admin.describeTopics(List.of(AsofTopics.PROFILE_EVENTS))
                                .allTopicNames()
                                .get()
                                .get(AsofTopics.PROFILE_EVENTS)
                                .partitions())
                        .hasSize(3);
            }
            assertThat(readAll(broker, written.partition())).containsExactly("cust_1={\"n\":1}");
        }
        assertThat(Files.readString(log)).contains("Kafka Server started");
    }

    @Test
    void saysWhereToGetTheJarsWhenTheyAreMissing() {
        Path empty = workDir.resolve("no-jars");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        KafkaBrokerProcess.start(empty, workDir.resolve("kafka"), 1, 2, workDir.resolve("kafka.log")))
                .hasMessageContaining("Kafka's jars are missing from " + empty)
                .hasMessageContaining("mvnw");
    }

    private static List<String> readAll(KafkaBrokerProcess broker, int partition) {
        TopicPartition topicPartition = new TopicPartition(AsofTopics.PROFILE_EVENTS, partition);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.assign(List.of(topicPartition));
            consumer.seekToBeginning(List.of(topicPartition));
            List<String> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    records.add(record.key() + "=" + record.value());
                }
            }
            return records;
        }
    }

    private static KafkaProducer<String, String> producer(KafkaBrokerProcess broker) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.ACKS_CONFIG,
                "all"));
    }

    private static Admin admin(KafkaBrokerProcess broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    /** Set by the build (failsafe); from an IDE, the directory under the checkout. */
    private static Path kafkaLibs() {
        String configured = System.getProperty("asof.kafka-libs");
        if (configured != null) {
            return Path.of(configured);
        }
        return KafkaBrokerProcess.defaultKafkaLibs(
                Path.of(System.getProperty("asof.root", "..")).toAbsolutePath().normalize());
    }
}
