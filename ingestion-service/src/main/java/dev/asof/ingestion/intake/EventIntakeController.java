package dev.asof.ingestion.intake;

import dev.asof.events.AttributeChanged;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.InvalidEventException;
import dev.asof.events.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /api/v1/events}: one unified envelope, or a JSON array of them. Answers {@code 202} once Kafka has
 * acknowledged every accepted event, with a result per event.
 */
@RestController
class EventIntakeController {

    private final EventPublisher publisher;
    private final IntakeProperties properties;

    EventIntakeController(EventPublisher publisher, IntakeProperties properties) {
        this.publisher = publisher;
        this.properties = properties;
    }

    /** The response body: one result per submitted event, in request order. */
    record IntakeResponse(List<IntakeResult> results) {}

    @PostMapping(path = "/api/v1/events", consumes = MediaType.APPLICATION_JSON_VALUE)
    @PreAuthorize("hasAuthority('SCOPE_events:write')")
    ResponseEntity<IntakeResponse> submit(@RequestBody String body) {
        JsonNode document = EventJson.parse(body);
        if (document.isArray()) {
            return submitBatch(document);
        }
        EventEnvelope event = EventJson.decode(withEventId(document));
        IntakeResult result = screen(0, event);
        if (result.status().equals("accepted")) {
            publisher.publishAll(List.of(event));
        }
        return ResponseEntity.accepted().body(new IntakeResponse(List.of(result)));
    }

    private ResponseEntity<IntakeResponse> submitBatch(JsonNode array) {
        if (array.isEmpty() || array.size() > properties.maxBatchSize()) {
            throw new InvalidEventException(List.of(new Violation(
                    "",
                    array.isEmpty() ? "minItems" : "maxItems",
                    "a batch holds 1 to " + properties.maxBatchSize() + " events; this one holds " + array.size())));
        }
        List<IntakeResult> results = new ArrayList<>();
        List<EventEnvelope> accepted = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode element = array.get(i);
            try {
                EventEnvelope event = EventJson.decode(withEventId(element));
                IntakeResult result = screen(i, event);
                if (result.status().equals("accepted")) {
                    accepted.add(event);
                }
                results.add(result);
            } catch (InvalidEventException e) {
                String eventId = element.path("event_id").isString()
                        ? element.get("event_id").asString()
                        : null;
                results.add(IntakeResult.rejected(i, eventId, errors(e.violations())));
            }
        }
        if (!accepted.isEmpty()) {
            publisher.publishAll(accepted);
        }
        return ResponseEntity.accepted().body(new IntakeResponse(results));
    }

    private static IntakeResult screen(int index, EventEnvelope event) {
        if (event.payload() instanceof AttributeChanged change && change.isNoOp()) {
            return IntakeResult.ignored(index, event.eventId(), "new_value equals previous_value");
        }
        return IntakeResult.accepted(index, event.eventId());
    }

    /**
     * A source that sends no {@code event_id} gets one derived from the body, so sending the same body again is
     * recognised as the same event rather than logged twice.
     */
    private static JsonNode withEventId(JsonNode element) {
        if (element instanceof ObjectNode object && !element.hasNonNull("event_id")) {
            ObjectNode copy = object.deepCopy();
            byte[] canonical = EventJson.mapper().writeValueAsBytes(object);
            copy.put("event_id", UUID.nameUUIDFromBytes(canonical).toString());
            return copy;
        }
        if (!(element instanceof ObjectNode)) {
            throw new InvalidEventException(
                    List.of(new Violation("", "type", "an event must be a JSON object, not " + element.getNodeType())));
        }
        return element;
    }

    private static List<Map<String, String>> errors(List<Violation> violations) {
        return violations.stream()
                .map(v -> Map.of("pointer", v.pointer(), "rule", v.rule(), "detail", v.message()))
                .toList();
    }
}
