package dev.asof.submission;

import dev.asof.events.AttributeChanged;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventValidator;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.InvalidEventException;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.privacy.ErasedBeforeException;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.Digests;
import dev.asof.support.storage.ProfileViews;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one write path every writer shares (ingestion's endpoints, merge-service's commands): give each event a
 * deterministic id, validate it, refuse clock skew, drop noise, encrypt its attribute values with the key of its
 * customer ({@link ValueCipher#protect}; the ledger's fingerprint is of the plaintext, so a re-send is still
 * recognised), recognise re-sends through the intake ledger, publish the rest to Kafka ({@code acks=all}, behind the circuit breaker) and wait for the acknowledgement.
 *
 * <p>Failures are {@link InvalidEventException} (400, the broken rules named) and {@link ApiProblemException}
 * ({@code 422 event-id-reused} for a single event; {@code 503 event-stream-unavailable} with {@code Retry-After}
 * when Kafka does not acknowledge or the breaker is open). A request's {@code Idempotency-Key} is handled around
 * this by {@link IdempotentRequests}.
 */
public final class ProfileEventSubmitter {

    private final EventPublisher publisher;
    private final IntakeLedger ledger;
    private final IntakeProperties properties;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final ValueCipher cipher;
    private final Executor claimers;

    ProfileEventSubmitter(
            EventPublisher publisher,
            IntakeLedger ledger,
            IntakeProperties properties,
            Clock clock,
            MeterRegistry metrics,
            ValueCipher cipher,
            Executor intakeClaimers) {
        this.cipher = cipher;
        this.claimers = intakeClaimers;
        this.publisher = publisher;
        this.ledger = ledger;
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * The same write path claiming on {@code claimers} instead of the intake pool: a writer of large batches in the
     * background (campaigns) uses a pool of its own so it never makes a live caller's claim wait.
     */
    public ProfileEventSubmitter withClaimers(Executor claimers) {
        return new ProfileEventSubmitter(publisher, ledger, properties, clock, metrics, cipher, claimers);
    }

    /**
     * Typed events from a command (merge, unmerge, erase): each gets its own result, in order, exactly as the
     * elements of a batch sent to {@code POST /api/v1/events}.
     *
     * @param events 1 to {@code asof.intake.max-batch-size} events
     * @param source the writer, for metrics and the Kafka source header (e.g. {@code merge})
     * @param idempotencyScope {@code apiKeyName:Idempotency-Key}, or {@code null}
     * @param correlationId travels with the events in Kafka headers, or {@code null}
     */
    public List<SubmissionResult> submit(
            List<EventEnvelope> events, String source, String idempotencyScope, String correlationId) {
        List<JsonNode> elements = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            elements.add(EventJson.toTree(event));
        }
        return submit(
                new Submission(source, elements, SubmissionMapping.ENVELOPE, true, idempotencyScope, correlationId));
    }

    /** Events as sent (raw JSON elements), mapped to the envelope by the submission's mapping. */
    public List<SubmissionResult> submit(Submission submission) {
        if (submission.batch()
                && (submission.elements().isEmpty() || submission.elements().size() > properties.maxBatchSize())) {
            throw new InvalidEventException(List.of(new Violation(
                    "",
                    submission.elements().isEmpty() ? "minItems" : "maxItems",
                    "a batch holds 1 to " + properties.maxBatchSize() + " events; this one holds "
                            + submission.elements().size())));
        }
        Instant now = clock.instant();
        SubmissionResult[] results = new SubmissionResult[submission.elements().size()];
        Map<Integer, EventEnvelope> toClaim = new LinkedHashMap<>();
        for (int i = 0; i < submission.elements().size(); i++) {
            JsonNode sent = submission.elements().get(i);
            JsonNode element = sent;
            try {
                JsonNode envelope = submission.mapping().toEnvelope(sent);
                boolean idFromContent = submission.idempotencyScope() == null
                        && envelope instanceof ObjectNode
                        && !envelope.hasNonNull("event_id");
                element = withEventId(envelope, submission.idempotencyScope(), i);
                EventEnvelope event;
                SubmissionResult refused;
                try {
                    event = EventJson.decode(element);
                    if (idFromContent) {
                        event = withContentId(event);
                    }
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
                results[i] = SubmissionResult.rejected(
                        i, eventIdOf(element), e.violations().get(0).rule(), errors(e.violations()));
            }
        }
        List<EventEnvelope> toPublish = new ArrayList<>();
        claimAll(toClaim, now).forEach((index, claimed) -> {
            if (claimed.result().status().equals("rejected")) {
                // rules found only now (once encrypted, erased, too large), named as the platform's own fields too
                results[index] = inSourceTerms(
                        claimed.result(),
                        submission.mapping(),
                        submission.elements().get(index));
            } else {
                results[index] = claimed.result();
                toPublish.add(claimed.stored());
            }
        });
        if (!submission.batch() && results[0].status().equals("rejected")) {
            count(submission.source(), "rejected", results[0].reason());
            if (results[0].reason().equals("event-id-reused")) {
                throw conflict(results[0].eventId());
            }
            if (results[0].reason().equals("erased")) {
                throw new ApiProblemException(Problems.of(
                        HttpStatus.CONFLICT,
                        "erased",
                        "Erased",
                        results[0].errors().get(0).get("detail")));
            }
            throw new InvalidEventException(violations(results[0]));
        }
        if (!toPublish.isEmpty()) {
            publisher.publishAll(toPublish, submission.source(), submission.correlationId());
        }
        for (SubmissionResult result : results) {
            count(submission.source(), result.status(), result.reason() == null ? "none" : result.reason());
        }
        return List.of(results);
    }

    /**
     * Claims every event in the intake ledger, in parallel: each claim is a round trip to DynamoDB, and a batch of
     * a hundred done one after the other would make the caller wait for a hundred round trips. An event id that
     * comes again later in the request is claimed after its first: the request's order decides (the first is
     * accepted; a later copy is {@code duplicate}, or {@code rejected} as {@code event-id-reused} when its content
     * differs), not which claim reaches the ledger first.
     */
    private Map<Integer, Claimed> claimAll(Map<Integer, EventEnvelope> events, Instant now) {
        Map<Integer, CompletableFuture<Claimed>> claims = new LinkedHashMap<>();
        Set<String> firsts = new HashSet<>();
        List<Integer> repeats = new ArrayList<>();
        events.forEach((index, event) -> {
            if (firsts.add(event.eventId())) {
                claims.put(index, CompletableFuture.supplyAsync(() -> claim(index, event, now), claimers));
            } else {
                repeats.add(index);
            }
        });
        Map<Integer, Claimed> results = new TreeMap<>();
        claims.forEach((index, claim) -> results.put(index, join(claim)));
        for (int index : repeats) {
            results.put(index, claim(index, events.get(index), now));
        }
        return results;
    }

    /** The result for one event and, unless it was rejected, the event as it is published (values encrypted). */
    private record Claimed(SubmissionResult result, EventEnvelope stored) {}

    /**
     * Encrypts the event, checks that the encrypted form is still one the log can store (encryption grows values),
     * then claims it: an event refused here leaves no ledger entry.
     */
    private Claimed claim(int index, EventEnvelope event, Instant now) {
        EventEnvelope stored;
        try {
            stored = cipher.protect(event);
        } catch (ErasedBeforeException late) {
            return new Claimed(
                    SubmissionResult.rejected(
                            index,
                            event.eventId(),
                            "erased",
                            List.of(Map.of(
                                    "pointer",
                                    "/timestamp_utc",
                                    "rule",
                                    "erased",
                                    "detail",
                                    "customer " + late.customerId() + " was erased at "
                                            + Timestamps.format(late.erasedAt())
                                            + "; an event stamped at or before the erasure cannot be taken (a"
                                            + " returning customer's events come after it)"))),
                    null);
        }
        if (stored != event) {
            List<Violation> broken = EventValidator.validate(EventJson.toTree(stored));
            if (!broken.isEmpty()) {
                return new Claimed(
                        SubmissionResult.rejected(
                                index,
                                event.eventId(),
                                broken.get(0).rule(),
                                errors(broken.stream()
                                        .map(ProfileEventSubmitter::onceEncrypted)
                                        .toList())),
                        null);
            }
        }
        Violation tooLarge = tooLargeOnItsOwn(stored, now);
        if (tooLarge != null) {
            return new Claimed(
                    SubmissionResult.rejected(index, event.eventId(), tooLarge.rule(), errors(List.of(tooLarge))),
                    null);
        }
        return new Claimed(ledgerClaim(index, event, now), stored);
    }

    /**
     * A bulk update whose values alone would take a profile past what one view item holds ({@link
     * ProfileViews#MAX_STATE_BYTES}, measured as the log writer measures a profile, folded into an empty one): refused
     * here, not answered {@code 202} and then dead-lettered by the log writer (an outside probe's 500 values of 400
     * characters were). Stricter than the log writer for an existing customer whose newer values the update would not
     * replace (backdated): intake does not read the profile, so it is refused too. A profile that grows past the limit
     * over many events is still the log writer's to refuse (docs/ingestion.md).
     */
    private static Violation tooLargeOnItsOwn(EventEnvelope stored, Instant now) {
        if (!(stored.payload() instanceof BulkProfileUpdate)) {
            return null; // one value is far below the limit
        }
        IdentityState alone = ProfileFold.evolve(
                IdentityState.empty(stored.customerId()), new RecordedEvent(stored, Hlc.encode(now.toEpochMilli(), 0)));
        int bytes = ProfileViews.stateBytes(alone);
        if (bytes <= ProfileViews.MAX_STATE_BYTES) {
            return null;
        }
        return new Violation(
                "/payload/changes",
                "profile-too-large",
                "these changes alone would take a profile of " + bytes + " bytes once their values are encrypted; a"
                        + " profile may take at most " + ProfileViews.MAX_STATE_BYTES
                        + " (asof keeps a profile in one DynamoDB item): send fewer or shorter values");
    }

    /** A rule broken only by the encrypted form, said so (the message names sizes, never values). */
    private static Violation onceEncrypted(Violation violation) {
        return new Violation(
                violation.pointer(), violation.rule(), violation.message() + " (once its values are encrypted)");
    }

    private static SubmissionResult inSourceTerms(SubmissionResult rejected, SubmissionMapping mapping, JsonNode sent) {
        return SubmissionResult.rejected(
                rejected.index(),
                rejected.eventId(),
                rejected.reason(),
                errors(mapping.inSourceTerms(sent, violations(rejected))));
    }

    private static List<Violation> violations(SubmissionResult rejected) {
        return rejected.errors().stream()
                .map(error -> new Violation(error.get("pointer"), error.get("rule"), error.get("detail")))
                .toList();
    }

    private SubmissionResult ledgerClaim(int index, EventEnvelope event, Instant now) {
        return switch (ledger.claim(event.eventId(), fingerprint(event), event.customerId())) {
            case NEW -> SubmissionResult.accepted(index, event.eventId(), isLate(event, now));
            case SEEN -> SubmissionResult.duplicate(index, event.eventId());
            case CONFLICT ->
                SubmissionResult.rejected(
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

    private static <T> T join(CompletableFuture<T> claim) {
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
    private SubmissionResult screen(int index, EventEnvelope event, Instant now) {
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
            return SubmissionResult.ignored(index, event.eventId(), "new_value equals previous_value");
        }
        return null;
    }

    private boolean isLate(EventEnvelope event, Instant now) {
        return event.timestampUtc().isBefore(now.minus(properties.lateAfter()));
    }

    /**
     * An event without {@code event_id} gets one derived from the Idempotency-Key and its position, or else from
     * its own content, so a re-send maps to the same id (once valid, from its canonical form: {@link
     * #withContentId}; this raw-content id names it only in a refusal).
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

    /**
     * {@code event} with the id its content gives, read as the log stores it: the same change sent again with its time
     * written another way ({@code Z}, {@code .000Z}, {@code +01:00}), a default spelled out ({@code
     * "schema_version": 1}), a {@code null} left out, fields in another order or through another endpoint, is the
     * same event (the raw JSON once gave each a new id, so each was stored).
     */
    static EventEnvelope withContentId(EventEnvelope event) {
        String unnamed = EventJson.encode(event.withEventId(""));
        return event.withEventId(UUID.nameUUIDFromBytes(("content#" + unnamed).getBytes(StandardCharsets.UTF_8))
                .toString());
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
