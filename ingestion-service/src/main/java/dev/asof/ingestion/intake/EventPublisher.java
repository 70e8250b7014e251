package dev.asof.ingestion.intake;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/** Publishes accepted events to Kafka, keyed by customer id, and waits for the broker's acknowledgement. */
@Component
class EventPublisher {

    private final KafkaTemplate<String, String> kafka;
    private final IntakeProperties properties;

    EventPublisher(KafkaTemplate<String, String> kafka, IntakeProperties properties) {
        this.kafka = kafka;
        this.properties = properties;
    }

    /** Sends every event and returns once all are acknowledged (acks=all); 503 when Kafka does not answer. */
    void publishAll(List<EventEnvelope> events) {
        List<CompletableFuture<SendResult<String, String>>> sends = new ArrayList<>();
        for (EventEnvelope event : events) {
            sends.add(kafka.send(AsofTopics.PROFILE_EVENTS, event.customerId(), EventJson.encode(event)));
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .get(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
    }

    private static ApiProblemException unavailable() {
        return new ApiProblemException(
                Problems.of(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "event-stream-unavailable",
                        "Event stream unavailable",
                        "Kafka did not acknowledge the events in time; they may or may not have been accepted."
                                + " Retry with the same event ids: a re-send is recognised and never doubled."),
                Map.of("Retry-After", "1"));
    }
}
