package dev.asof.ingestion.log;

import dev.asof.support.kafka.AsofTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * Sends a record that breaks the contract to {@code asof.profile-events.dlt} (same partition, same key) with
 * the reason and its origin in headers, and waits for the acknowledgement, so the batch can move on without
 * losing it.
 */
@Component
class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final KafkaTemplate<String, String> kafka;
    private final Counter count;

    DeadLetters(KafkaTemplate<String, String> kafka, MeterRegistry metrics) {
        this.kafka = kafka;
        this.count = metrics.counter("asof.log.dead_letters");
    }

    /**
     * @param kind {@code invalid-event}, {@code unreadable}, {@code partition-key} or {@code unstorable}
     * @param reason what is wrong, naming fields and rules but quoting no attribute value
     */
    void send(ConsumerRecord<String, String> record, String kind, String reason) {
        ProducerRecord<String, String> dead =
                new ProducerRecord<>(AsofTopics.PROFILE_EVENTS_DLT, record.partition(), record.key(), record.value());
        record.headers().forEach(header -> dead.headers().add(header));
        dead.headers().add("asof-dlt-reason", bytes(reason));
        dead.headers().add("asof-dlt-kind", bytes(kind));
        dead.headers().add(KafkaHeaders.DLT_ORIGINAL_TOPIC, bytes(record.topic()));
        dead.headers().add(KafkaHeaders.DLT_ORIGINAL_PARTITION, bytes(Integer.toString(record.partition())));
        dead.headers().add(KafkaHeaders.DLT_ORIGINAL_OFFSET, bytes(Long.toString(record.offset())));
        try {
            kafka.send(dead).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not dead-letter " + origin(record) + "; will retry", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering " + origin(record), e);
        }
        count.increment();
        log.warn("dead-lettered {} ({}): {}", origin(record), kind, reason);
    }

    private static String origin(ConsumerRecord<String, String> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
