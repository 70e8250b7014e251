package dev.asof.ingestion.intake;

import dev.asof.events.EventJson;
import dev.asof.submission.IdempotentRequests;
import dev.asof.submission.Submission;
import dev.asof.support.web.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
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

    static final String ENVELOPE_EXAMPLE = "{\"event_id\": \"3f2b8c1e-5d1a-4e7b-9f43-0c2a1d6e8b71\","
            + " \"event_type\": \"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\", \"timestamp_utc\": \"2026-11-26T14:30:05.123Z\","
            + " \"customer_id\": \"cust_88291023\", \"source_system\": \"genesys_cloud_cx\", \"metadata\": {\"channel\":"
            + " \"voice\", \"interaction_id\": \"conv-7f3e\", \"agent_id\": \"agent_12\"}, \"payload\": {\"attribute_key\":"
            + " \"email\", \"new_value\": \"jane@example.com\", \"change_reason\": \"agent_update\"}}";

    static final String RESULTS_EXAMPLE = "{\"results\": [{\"index\": 0, \"event_id\":"
            + " \"3f2b8c1e-5d1a-4e7b-9f43-0c2a1d6e8b71\", \"status\": \"accepted\"}, {\"index\": 1,"
            + " \"event_id\": \"9a0c...\", \"status\": \"duplicate\", \"reason\": \"already accepted\"}, {\"index\": 2,"
            + " \"status\": \"rejected\", \"reason\": \"required\", \"errors\": [{\"pointer\": \"/customer_id\","
            + " \"rule\": \"required\", \"detail\": \"customer_id is required\"}]}]}";

    static final String ACCEPTED = "Kafka acknowledged every accepted event: one result per event, in request order:"
            + " `accepted` (with `late: true` when stamped long before now), `duplicate` of an event already taken,"
            + " `ignored` when it changes nothing, or, in a batch, `rejected` with its errors (a batch is never refused"
            + " as a whole for one bad event; a single bad event is a 4xx).";

    static final String IDEMPOTENCY = " Send `Idempotency-Key` (1 to 255 characters, kept 24 h) to make a retried"
            + " request answer what the first answered (`Idempotent-Replayed: true`); the same key with another body is"
            + " `422 idempotency-key-reused`, and while the first runs `409 request-in-progress`.";

    @Operation(
            summary = "Submit one event, or an array of up to 500",
            description = "The unified envelope (JSON Schema: `common-events/src/main/resources/schema/"
                    + "event-envelope.schema.json`, described in docs/events.md); at most 256 KiB per event."
                    + IDEMPOTENCY,
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            schema =
                                                    @Schema(
                                                            type = "object",
                                                            description = "an event envelope, or an array of them"),
                                            examples = @ExampleObject(name = "one event", value = ENVELOPE_EXAMPLE))),
            responses =
                    @ApiResponse(
                            responseCode = "202",
                            description = ACCEPTED,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            examples = @ExampleObject(value = RESULTS_EXAMPLE))))
    @PostMapping(path = "/api/v1/events", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> events(
            Authentication caller,
            @RequestBody(required = false) byte[] body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestHeader(name = "X-Correlation-Id", required = false) String correlationId) {
        return submit(caller, "/api/v1/events", "events", SourceMapping.UNIFIED, body, idempotencyKey, correlationId);
    }

    @Operation(
            summary = "Submit what Genesys Cloud sends: the envelope, or the EventBridge shape",
            description = "The unified envelope, or `{id, detail-type, source, time, detail}` as Genesys Cloud's"
                    + " EventBridge integration sends it (docs/ingestion.md); one or an array." + IDEMPOTENCY,
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            schema = @Schema(type = "object"),
                                            examples = @ExampleObject(name = "envelope", value = ENVELOPE_EXAMPLE))),
            responses =
                    @ApiResponse(
                            responseCode = "202",
                            description = ACCEPTED,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            examples = @ExampleObject(value = RESULTS_EXAMPLE))))
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

    @Operation(
            summary = "Submit the flat JSON a CXone Studio REST action posts",
            description = "`customerId`, `attribute`, `oldValue`, `newValue`, `contactId`, `agentId`, `channel`,"
                    + " `timestamp` (docs/ingestion.md); one or an array. Studio retries twice: writes are idempotent."
                    + IDEMPOTENCY,
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            schema = @Schema(type = "object"),
                                            examples =
                                                    @ExampleObject(
                                                            name = "a Studio action",
                                                            value =
                                                                    "{\"customerId\": \"cust_88291023\", \"attribute\": \"tier\","
                                                                            + " \"oldValue\": \"silver\", \"newValue\": \"gold\", \"contactId\":"
                                                                            + " \"584930211\", \"agentId\": \"agent_12\", \"channel\": \"voice\","
                                                                            + " \"timestamp\": \"2026-11-26T14:30:05Z\"}"))),
            responses =
                    @ApiResponse(
                            responseCode = "202",
                            description = ACCEPTED,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            examples = @ExampleObject(value = RESULTS_EXAMPLE))))
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
