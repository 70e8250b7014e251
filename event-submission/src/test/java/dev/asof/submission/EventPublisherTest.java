package dev.asof.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.EventEnvelope;
import dev.asof.events.ProfileErased;
import dev.asof.support.web.ApiProblemException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

/** The circuit breaker around publishing, as configured, against a broker whose answers the test decides. */
class EventPublisherTest {

    static final List<EventEnvelope> EVENTS = List.of(new EventEnvelope(
            "evt-1",
            Instant.parse("2024-01-01T00:00:00Z"),
            "cust_1",
            null,
            null,
            new ProfileErased(null),
            EventEnvelope.SCHEMA_VERSION));

    final CircuitBreaker breaker = new KafkaCircuitBreakerConfiguration()
            .kafkaCircuitBreaker(
                    new KafkaCircuitBreakerConfiguration.KafkaBreakerProperties(50, 2, 2, Duration.ofMillis(6_500)),
                    new SimpleMeterRegistry());
    final AtomicInteger sends = new AtomicInteger();

    EventPublisher publisher(Supplier<CompletableFuture<SendResult<String, String>>> broker) {
        KafkaTemplate<String, String> kafka = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of())) {
            @Override
            public CompletableFuture<SendResult<String, String>> send(ProducerRecord<String, String> record) {
                sends.incrementAndGet();
                return broker.get();
            }
        };
        return new EventPublisher(
                kafka,
                new IntakeProperties(500, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(60), 32),
                breaker,
                Clock.systemUTC());
    }

    @Test
    void anAcknowledgedPublishIsASuccess() {
        publisher(() -> CompletableFuture.completedFuture(null)).publishAll(EVENTS, "test", null);

        assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    }

    @Test
    void failedAndUnacknowledgedPublishesOpenTheBreakerThenItAnswersAtOnceWithItsWait() {
        EventPublisher failing = publisher(() -> CompletableFuture.failedFuture(new KafkaException("broker gone")));
        EventPublisher hanging = publisher(CompletableFuture::new);

        assertThatThrownBy(() -> failing.publishAll(EVENTS, "test", null))
                .satisfies(e -> assertUnavailable(e, "1", "did not acknowledge"));
        assertThatThrownBy(() -> hanging.publishAll(EVENTS, "test", null))
                .satisfies(e -> assertUnavailable(e, "1", "did not acknowledge"));

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(2);
        assertThatThrownBy(() -> failing.publishAll(EVENTS, "test", null))
                .satisfies(e -> assertUnavailable(e, "7", "circuit open"));
        assertThat(sends).hasValue(2);
    }

    @Test
    void anInterruptIsA503ThatDoesNotCountAgainstKafkaAndFreesTheTrialPermission() {
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        EventPublisher hanging = publisher(CompletableFuture::new);

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> hanging.publishAll(EVENTS, "test", null))
                .satisfies(e -> assertUnavailable(e, "1", "interrupted"));

        assertThat(Thread.interrupted()).isTrue();
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        // the one trial call of the half-open breaker is free again
        assertThat(breaker.tryAcquirePermission()).isTrue();
    }

    private static void assertUnavailable(Throwable thrown, String retryAfter, String why) {
        assertThat(thrown).isInstanceOf(ApiProblemException.class);
        ApiProblemException problem = (ApiProblemException) thrown;
        assertThat(problem.problem().getStatus()).isEqualTo(503);
        assertThat(problem.problem().getType().toString()).endsWith("event-stream-unavailable");
        assertThat(problem.headers()).containsEntry("Retry-After", retryAfter);
        assertThat(problem.getMessage()).contains(why);
    }
}
