package dev.asof.merge.erasure.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads what a Kafka topic still holds for some record keys, from the start of its retention to its end as of the
 * call: the erasure's verification scan of the profile topic and its dead-letter topic. Only the partitions the
 * keys hash to are read (keyed records land there; the dead-letter topic keeps the source partition), with a
 * consumer of its own that commits nothing.
 */
public final class TopicScan {

    private final Map<String, Object> clientConfig;

    /** @param clientConfig the service's Kafka client settings (bootstrap servers, security); deserializers are set */
    public TopicScan(Map<String, Object> clientConfig) {
        this.clientConfig = Map.copyOf(clientConfig);
    }

    /** What was read: the values of the records with one of the keys, and how many records were read in all. */
    public record Found(List<String> values, long recordsRead, boolean complete) {}

    public Found valuesOf(String topic, Collection<String> keys, Duration timeout) {
        Properties config = new Properties();
        config.putAll(clientConfig);
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "asof-erasure-scan-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return new Found(List.of(), 0, true);
            }
            Set<Integer> partitions = new TreeSet<>();
            for (String key : keys) {
                partitions.add(partitionOf(key, infos.size()));
            }
            List<TopicPartition> assigned =
                    partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(assigned));
            Set<String> wanted = Set.copyOf(keys);
            List<String> values = new ArrayList<>();
            long read = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    return new Found(values, read, false);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    read++;
                    if (record.key() != null && wanted.contains(record.key()) && record.value() != null) {
                        values.add(record.value());
                    }
                }
            }
            return new Found(values, read, true);
        }
    }

    /**
     * Waits until the consumer group {@code group} (the log writer) has committed offsets past everything the
     * partitions of {@code keys} held when this was called: every record published for those keys before then has
     * been processed. Reads the group's committed offsets only (it never joins the group).
     *
     * @return whether it got there within {@code timeout}
     */
    public boolean awaitConsumed(String topic, String group, Collection<String> keys, Duration timeout)
            throws InterruptedException {
        Properties config = new Properties();
        config.putAll(clientConfig);
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return true;
            }
            Set<TopicPartition> partitions = new HashSet<>();
            for (String key : keys) {
                partitions.add(new TopicPartition(topic, partitionOf(key, infos.size())));
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        consumer.committed(partitions, Duration.ofSeconds(30));
                boolean consumed = true;
                for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
                    var offset = committed.get(partition.getKey());
                    if (partition.getValue() > 0 && (offset == null || offset.offset() < partition.getValue())) {
                        consumed = false;
                    }
                }
                if (consumed) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(200);
            }
        }
    }

    /** The end offset of every partition of {@code topic} now (empty when it has none). */
    public Map<Integer, Long> endOffsets(String topic) {
        Properties config = new Properties();
        config.putAll(clientConfig);
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            Map<Integer, Long> ends = new TreeMap<>();
            if (infos == null || infos.isEmpty()) {
                return ends;
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.endOffsets(partitions, Duration.ofSeconds(10))
                    .forEach((partition, offset) -> ends.put(partition.partition(), offset));
            return ends;
        }
    }

    /** The partition a record keyed {@code key} goes to, with the producer's default partitioner. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static boolean caughtUp(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey()) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }
}
