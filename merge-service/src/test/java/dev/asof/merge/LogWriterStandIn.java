package dev.asof.merge;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.testing.SharedInfrastructure;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Logs what merge-service publishes, as the log writer in ingestion-service would, so a command's event becomes
 * visible to the next decision (and the command's wait for its event to be logged ends). Follows {@code
 * asof.profile-events} from its end at start, on a daemon thread, through {@link IdentityLogFixture}, and commits its
 * positions in consumer group {@link #GROUP} after each poll.
 */
final class LogWriterStandIn implements AutoCloseable {

    /** The consumer group it commits its positions in ({@code asof.erasure.log-writer-group} in tests that erase). */
    static final String GROUP = "asof-merge-it-log-writer";

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean paused = new AtomicBoolean(false);
    private final AtomicBoolean parked = new AtomicBoolean(false);
    private final Thread thread;

    private LogWriterStandIn(KafkaConsumer<String, String> consumer, IdentityLogFixture log) {
        thread = new Thread(
                () -> {
                    try (consumer) {
                        while (running.get()) {
                            if (paused.get()) {
                                parked.set(true);
                                sleep();
                                continue;
                            }
                            parked.set(false);
                            logEach(consumer.poll(Duration.ofMillis(50)), consumer, log);
                            // committed as the log writer commits, so an erasure's drain step sees it caught up
                            Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
                            consumer.assignment()
                                    .forEach(p -> positions.put(p, new OffsetAndMetadata(consumer.position(p))));
                            try {
                                // bounded: a fresh broker's coordinator may still be loading (a first commit waited
                                // on it while the next records went unlogged, and a CI run's MatchingIT timed out)
                                consumer.commitSync(positions, Duration.ofSeconds(1));
                            } catch (KafkaException notYet) {
                                // committed again after the next poll
                            }
                        }
                    }
                },
                "log-writer-stand-in");
        thread.setDaemon(true);
    }

    /**
     * Logs each record; one that fails (dynalite slow on a busy machine) is read again from its offset after the next
     * poll, as the log writer retries, instead of ending the thread and leaving every later event unlogged.
     */
    private static void logEach(
            ConsumerRecords<String, String> records, KafkaConsumer<String, String> consumer, IdentityLogFixture log) {
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, String> record : records.records(partition)) {
                EventEnvelope event;
                try {
                    event = EventJson.decode(record.value());
                } catch (RuntimeException notAnEvent) {
                    continue; // the log writer dead-letters it
                }
                try {
                    log.logIfNew(event, record.partition(), record.offset());
                } catch (RuntimeException failed) {
                    System.err.println("log-writer stand-in: " + partition + "@" + record.offset()
                            + " failed, read again: " + failed);
                    consumer.seek(partition, record.offset());
                    sleep();
                    break;
                }
            }
        }
    }

    /** Starts following from the current end of every partition; returns once positioned there. */
    static LogWriterStandIn start(IdentityLogFixture log) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfrastructure.kafkaBootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false",
                        ConsumerConfig.GROUP_ID_CONFIG,
                        GROUP),
                new StringDeserializer(),
                new StringDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(AsofTopics.PROFILE_EVENTS).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before any test publishes
        LogWriterStandIn standIn = new LogWriterStandIn(consumer, log);
        standIn.thread.start();
        return standIn;
    }

    /**
     * Stops logging (and committing) until {@link #resume}, as a log writer that fell behind. Returns once the stand-in
     * is parked, so nothing published after this returns is logged before {@link #resume} (a poll under way when it
     * was called has finished).
     */
    void pause() {
        paused.set(true);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!parked.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the log writer stand-in did not pause within 30 s");
            }
            Thread.onSpinWait();
        }
    }

    void resume() {
        parked.set(false);
        paused.set(false);
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(Duration.ofSeconds(5).toMillis());
    }
}
