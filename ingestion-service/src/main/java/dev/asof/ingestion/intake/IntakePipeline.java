package dev.asof.ingestion.intake;

import dev.asof.events.AttributeChanged;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.InvalidEventException;
import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.support.Digests;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one intake path every endpoint shares: give each event a deterministic id, validate it, refuse clock skew,
 * drop noise, recognise re-sends, publish the rest to Kafka and wait for the acknowledgement.
 */
@Component
class IntakePipeline {

    private final EventPublisher publisher;
    private final IntakeLedger ledger;
    private final IntakeProperties properties;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Executor claimers;

    IntakePipeline(
            EventPublisher publisher,
            IntakeLedger ledger,
            IntakeProperties properties,
            Clock clock,
            MeterRegistry metrics,
            @Qualifier("intakeClaimers") Executor intakeClaimers) {
        this.claimers = intakeClaimers;
        this.publisher = publisher;
        this.ledger = ledger;
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * A request's events, already in the unified envelope shape.
     *
     * @param source the endpoint ({@code events}, {@code genesys}, {@code cxone}), for metrics
     * @param elements the request's events as sent, in request order
     * @param mapping maps one element to the unified envelope shape ({@link SourceMapping#UNIFIED} for {@code
     *     /api/v1/events}) and names broken rules in the source's own fields
     * @param batch whether the request held an array: then each element gets its own result; otherwise the first
     *     problem is the answer
     * @param idempotencyScope {@code apiKeyName:Idempotency-Key}, or {@code null}
     * @param correlationId travels with the events in Kafka headers
     */
    record Submission(
            String source,
            List<JsonNode> elements,
            SourceMapping mapping,
            boolean batch,
            String idempotencyScope,
            String correlationId) {}

    List<IntakeResult> submit(Submission submission) {
        if (submission.batch()
                && (submission.elements().isEmpty() || submission.elements().size() > properties.maxBatchSize())) {
            throw new InvalidEventException(List.of(new Violation(
                    "",
                    submission.elements().isEmpty() ? "minItems" : "maxItems",
                    "a batch holds 1 to " + properties.maxBatchSize() + " events; this one holds "
                            + submission.elements().size())));
        }
        Instant now = clock.instant();
        IntakeResult[] results = new IntakeResult[submission.elements().size()];
        Map<Integer, EventEnvelope> toClaim = new LinkedHashMap<>();
        for (int i = 0; i < submission.elements().size(); i++) {
            JsonNode sent = submission.elements().get(i);
            JsonNode element = sent;
            try {
                element = withEventId(submission.mapping().toEnvelope(sent), submission.idempotencyScope(), i);
                EventEnvelope event;
                IntakeResult refused;
                try {
                    event = EventJson.decode(element);
                    refused = screen(i, event, now);
                } catch (InvalidEventException e) {
                    // the envelope's rules, named as the platform's own fields
                    throw new InvalidEventException(submission.mapping().inSourceTerms(sent, e.violations()));
                }
                if (refused == null) {
                    toClaim.put(i, event);
                } else {
                    results[i] = refused;
                }
            } catch (InvalidEventException e) {
                if (!submission.batch()) {
                    count(submission.source(), "rejected", e.violations().get(0).rule());
                    throw e;
                }
                results[i] = IntakeResult.rejected(
                        i, eventIdOf(element), e.violations().get(0).rule(), errors(e.violations()));
            }
        }
        List<EventEnvelope> toPublish = new ArrayList<>();
        claimAll(toClaim, now).forEach((index, result) -> {
            results[index] = result;
            if (!result.status().equals("rejected")) {
                toPublish.add(toClaim.get(index));
            }
        });
        if (!submission.batch() && results[0].status().equals("rejected")) {
            count(submission.source(), "rejected", "event-id-reused");
            throw conflict(results[0].eventId());
        }
        if (!toPublish.isEmpty()) {
            publisher.publishAll(toPublish, submission.source(), submission.correlationId());
        }
        for (IntakeResult result : results) {
            count(submission.source(), result.status(), result.reason() == null ? "none" : result.reason());
        }
        return List.of(results);
    }

    /**
     * Claims every event in the intake ledger, in parallel: each claim is a round trip to DynamoDB, and a batch of
     * a hundred done one after the other would make the caller wait for a hundred round trips.
     */
    private Map<Integer, IntakeResult> claimAll(Map<Integer, EventEnvelope> events, Instant now) {
        Map<Integer, CompletableFuture<IntakeResult>> claims = new LinkedHashMap<>();
        events.forEach((index, event) ->
                claims.put(index, CompletableFuture.supplyAsync(() -> claim(index, event, now), claimers)));
        Map<Integer, IntakeResult> results = new LinkedHashMap<>();
        claims.forEach((index, claim) -> results.put(index, join(claim)));
        return results;
    }

    private IntakeResult claim(int index, EventEnvelope event, Instant now) {
        return switch (ledger.claim(event.eventId(), fingerprint(event), event.customerId())) {
            case NEW -> IntakeResult.accepted(index, event.eventId(), isLate(event, now));
            case SEEN -> IntakeResult.duplicate(index, event.eventId());
            case CONFLICT ->
                IntakeResult.rejected(
                        index,
                        event.eventId(),
                        "event-id-reused",
                        List.of(Map.of(
                                "pointer", "/event_id",
                                "rule", "event-id-reused",
                                "detail",
                                        "event_id " + event.eventId()
                                                + " was accepted before with different content")));
        };
    }

    private static IntakeResult join(CompletableFuture<IntakeResult> claim) {
        try {
            return claim.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The result for a valid event that goes no further (noise), or {@code null} when it goes on to the ledger. */
    private IntakeResult screen(int index, EventEnvelope event, Instant now) {
        Duration ahead = Duration.between(now, event.timestampUtc());
        if (ahead.compareTo(properties.futureTolerance()) > 0) {
            throw new InvalidEventException(List.of(new Violation(
                    "/timestamp_utc",
                    "future-timestamp",
                    "timestamp_utc " + Timestamps.format(event.timestampUtc()) + " is " + seconds(ahead)
                            + " s ahead of the server clock (" + Timestamps.format(now) + "); at most "
                            + seconds(properties.futureTolerance()) + " s of clock skew is accepted")));
        }
        if (event.payload() instanceof AttributeChanged change && change.isNoOp()) {
            return IntakeResult.ignored(index, event.eventId(), "new_value equals previous_value");
        }
        return null;
    }

    private boolean isLate(EventEnvelope event, Instant now) {
        return event.timestampUtc().isBefore(now.minus(properties.lateAfter()));
    }

    /**
     * An event without {@code event_id} gets one derived from the Idempotency-Key and its position, or else from
     * its own content, so a re-send maps to the same id.
     */
    private static JsonNode withEventId(JsonNode element, String idempotencyScope, int index) {
        if (!(element instanceof ObjectNode object)) {
            return element;
        }
        if (element.hasNonNull("event_id")) {
            return element;
        }
        ObjectNode copy = object.deepCopy();
        byte[] seed = idempotencyScope != null
                ? (idempotencyScope + "#" + index).getBytes(StandardCharsets.UTF_8)
                : EventJson.mapper().writeValueAsBytes(object);
        copy.put("event_id", UUID.nameUUIDFromBytes(seed).toString());
        return copy;
    }

    private static String eventIdOf(JsonNode element) {
        JsonNode id = element.path("event_id");
        return id.isString() ? id.asString() : null;
    }

    /** A fingerprint of what the event says, independent of JSON formatting. */
    static String fingerprint(EventEnvelope event) {
        return Digests.sha256Hex(EventJson.encode(event));
    }

    private static ApiProblemException conflict(String eventId) {
        return new ApiProblemException(Problems.of(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "event-id-reused",
                "Event id reused",
                "event_id " + eventId + " was accepted before with different content; an event is immutable, so"
                        + " send a correction as a new event with a new id."));
    }

    static List<Map<String, String>> errors(List<Violation> violations) {
        return violations.stream()
                .map(v -> Map.of("pointer", v.pointer(), "rule", v.rule(), "detail", v.message()))
                .toList();
    }

    private static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
    }

    private void count(String source, String status, String reason) {
        metrics.counter("asof.intake.events", "source", source, "status", status, "reason", reason)
                .increment();
    }
}
