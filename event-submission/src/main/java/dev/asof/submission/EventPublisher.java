package dev.asof.submission;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

/**
 * Publishes accepted events to Kafka, keyed by customer id, and waits for the broker's acknowledgement
 * ({@code acks=all}, idempotent producer). A circuit breaker answers {@code 503} at once while the broker is
 * gone, instead of letting every request wait for the timeout, and lets a few calls through to find out when it
 * is back.
 */
class EventPublisher {

    private final KafkaTemplate<String, String> kafka;
    private final IntakeProperties properties;
    private final CircuitBreaker breaker;
    private final Clock clock;

    EventPublisher(
            KafkaTemplate<String, String> kafka,
            IntakeProperties properties,
            CircuitBreaker kafkaCircuitBreaker,
            Clock clock) {
        this.kafka = kafka;
        this.properties = properties;
        this.breaker = kafkaCircuitBreaker;
        this.clock = clock;
    }

    /** Sends every event and returns once all are acknowledged; {@code 503} when Kafka does not answer in time. */
    void publishAll(List<EventEnvelope> events, String source, String correlationId) {
        List<ProducerRecord<String, String>> records = records(events, source, correlationId);
        // the breaker takes the permission and records the outcome; which exceptions count is its configuration
        Callable<Void> guarded = CircuitBreaker.decorateCallable(breaker, () -> {
            send(records);
            return null;
        });
        try {
            guarded.call();
        } catch (CallNotPermittedException open) {
            throw unavailable("the event stream is unavailable (circuit open)", retryAfterSeconds());
        } catch (ExecutionException
                | TimeoutException
                | org.springframework.kafka.KafkaException
                | org.apache.kafka.common.KafkaException e) {
            throw unavailable("Kafka did not acknowledge the events in time", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for Kafka", 1);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // send throws no other checked exception
            throw new IllegalStateException(e);
        }
    }

    private List<ProducerRecord<String, String>> records(
            List<EventEnvelope> events, String source, String correlationId) {
        String acceptedAt = Long.toString(clock.millis());
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (EventEnvelope event : events) {
            ProducerRecord<String, String> record =
                    new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, event.customerId(), EventJson.encode(event));
            record.headers().add(AsofTopics.ACCEPTED_AT_HEADER, acceptedAt.getBytes(StandardCharsets.UTF_8));
            record.headers().add(AsofTopics.SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
            if (correlationId != null) {
                record.headers().add(AsofTopics.CORRELATION_HEADER, correlationId.getBytes(StandardCharsets.UTF_8));
            }
            records.add(record);
        }
        return records;
    }

    private void send(List<ProducerRecord<String, String>> records)
            throws ExecutionException, TimeoutException, InterruptedException {
        List<CompletableFuture<SendResult<String, String>>> sends = new ArrayList<>();
        for (ProducerRecord<String, String> record : records) {
            sends.add(kafka.send(record));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .get(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private long retryAfterSeconds() {
        long waitMillis = breaker.getCircuitBreakerConfig()
                .getWaitIntervalFunctionInOpenState()
                .apply(1);
        return Math.max(1, (waitMillis + 999) / 1000);
    }

    private static ApiProblemException unavailable(String why, long retryAfterSeconds) {
        return new ApiProblemException(
                Problems.of(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "event-stream-unavailable",
                        "Event stream unavailable",
                        why + "; the events may or may not have been accepted. Retry with the same event ids (or"
                                + " the same Idempotency-Key): a re-send is recognised and never doubled."),
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }
}
