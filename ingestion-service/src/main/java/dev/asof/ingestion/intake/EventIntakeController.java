package dev.asof.ingestion.intake;

import dev.asof.events.EventJson;
import dev.asof.submission.IdempotentRequests;
import dev.asof.submission.Submission;
import dev.asof.support.web.RequestBodies;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The intake endpoints. {@code POST /api/v1/events} takes the unified envelope (or an array of up to 500);
 * {@code /api/v1/ingest/genesys} and {@code /api/v1/ingest/cxone} take what those platforms send and map it to
 * the envelope first (see {@code docs/ingestion.md}). All answer {@code 202} once Kafka acknowledged every
 * accepted event, with a result per event.
 */
@RestController
@PreAuthorize("hasAuthority('SCOPE_events:write')")
class EventIntakeController {

    private final IdempotentRequests intake;

    EventIntakeController(IdempotentRequests intake) {
        this.intake = intake;
    }

    @PostMapping(path = "/api/v1/events", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> events(
            Authentication caller,
            @RequestBody(required = false) byte[] body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestHeader(name = "X-Correlation-Id", required = false) String correlationId) {
        return submit(caller, "/api/v1/events", "events", SourceMapping.UNIFIED, body, idempotencyKey, correlationId);
    }

    @PostMapping(path = "/api/v1/ingest/genesys", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> genesys(
            Authentication caller,
            @RequestBody(required = false) byte[] body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestHeader(name = "X-Correlation-Id", required = false) String correlationId) {
        return submit(
                caller,
                "/api/v1/ingest/genesys",
                "genesys",
                GenesysMapping.INSTANCE,
                body,
                idempotencyKey,
                correlationId);
    }

    @PostMapping(path = "/api/v1/ingest/cxone", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> cxone(
            Authentication caller,
            @RequestBody(required = false) byte[] body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestHeader(name = "X-Correlation-Id", required = false) String correlationId) {
        return submit(
                caller, "/api/v1/ingest/cxone", "cxone", CxoneMapping.INSTANCE, body, idempotencyKey, correlationId);
    }

    /** What every endpoint does: parse, then run the write path under the request's Idempotency-Key. */
    private ResponseEntity<String> submit(
            Authentication caller,
            String path,
            String source,
            SourceMapping mapping,
            byte[] bytes,
            String idempotencyKey,
            String correlationId) {
        // no body at all is read as an empty document: refused as not JSON, naming the rule, like a blank one
        String body = RequestBodies.utf8(bytes == null ? new byte[0] : bytes);
        JsonNode document = EventJson.parse(body);
        return intake.handle(
                caller,
                path,
                body,
                idempotencyKey,
                correlationId,
                context -> new Submission(
                        source,
                        elements(document),
                        mapping,
                        document.isArray(),
                        context.idempotencyScope(),
                        context.correlationId()));
    }

    private static List<JsonNode> elements(JsonNode document) {
        List<JsonNode> elements = new ArrayList<>();
        if (document.isArray()) {
            document.forEach(elements::add);
        } else {
            elements.add(document);
        }
        return elements;
    }
}
