package dev.asof.merge.identity.web;

import dev.asof.events.MergeProfiles;
import dev.asof.events.Timestamps;
import dev.asof.events.UnmergeProfiles;
import dev.asof.merge.identity.IdentityCommands;
import dev.asof.submission.IdempotentRequests;
import dev.asof.submission.IntakeProperties;
import dev.asof.support.web.RequestBodies;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/merges} and {@code /api/v1/unmerges}: {@code 202 {event_id, merged_into, merged_from,
 * effective_at}} once Kafka acknowledged the event; {@code Idempotency-Key} behaves as on the intake endpoints.
 */
@RestController
@PreAuthorize("hasAuthority('SCOPE_merge:write')")
class MergeController {

    private static final String MERGES = "/api/v1/merges";
    private static final String UNMERGES = "/api/v1/unmerges";

    private final IdempotentRequests requests;
    private final IdentityCommands commands;
    private final IntakeProperties intake;
    private final Clock clock;

    MergeController(IdempotentRequests requests, IdentityCommands commands, IntakeProperties intake, Clock clock) {
        this.requests = requests;
        this.commands = commands;
        this.intake = intake;
        this.clock = clock;
    }

    @PostMapping(path = MERGES, consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> merge(
            Authentication caller,
            @RequestBody byte[] bytes,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestHeader(name = "X-Correlation-Id", required = false) String correlationId) {
        return handle(
                caller,
                MERGES,
                bytes,
                idempotencyKey,
                correlationId,
                (eventId, body, effectiveAt, context) -> commands.merge(
                        new MergeProfiles(
                                eventId,
                                body.mergedInto(),
                                body.mergedFrom(),
                                effectiveAt,
                                body.reason(),
                                body.decidedBy(),
                                body.evidence()),
                        body.effectiveAt() == null,
                        context.idempotencyScope(),
                        context.correlationId()));
    }

    @PostMapping(path = UNMERGES, consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> unmerge(
            Authentication caller,
            @RequestBody byte[] bytes,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestHeader(name = "X-Correlation-Id", required = false) String correlationId) {
        return handle(
                caller,
                UNMERGES,
                bytes,
                idempotencyKey,
                correlationId,
                (eventId, body, effectiveAt, context) -> commands.unmerge(
                        new UnmergeProfiles(
                                eventId,
                                body.mergedInto(),
                                body.mergedFrom(),
                                effectiveAt,
                                body.reason(),
                                body.decidedBy(),
                                body.evidence()),
                        body.effectiveAt() == null,
                        context.idempotencyScope(),
                        context.correlationId()));
    }

    /** One command once its body is read and checked: decide and write it. */
    private interface Command {
        Object run(String eventId, CommandBody body, Instant effectiveAt, IdempotentRequests.Context context);
    }

    /** What both endpoints do: strict body, then the command under the request's Idempotency-Key. */
    private ResponseEntity<String> handle(
            Authentication caller,
            String path,
            byte[] bytes,
            String idempotencyKey,
            String correlationId,
            Command command) {
        String body = RequestBodies.utf8(bytes);
        Instant now = clock.instant();
        CommandBody parsed = CommandBody.parse(body, now, intake.futureTolerance());
        String eventId = eventId(caller, path, idempotencyKey);
        return requests.handleCommand(
                caller,
                path,
                body,
                idempotencyKey,
                correlationId,
                context -> command.run(eventId, parsed, effectiveAt(parsed, now), context));
    }

    private static Instant effectiveAt(CommandBody command, Instant now) {
        return command.effectiveAt() != null ? command.effectiveAt() : Timestamps.truncate(now);
    }

    /**
     * With an Idempotency-Key, the same caller, endpoint and key always name the same event, so a contact centre's
     * retry after the key's stored answer expired is still recognised by the ledger; without one, a new id.
     */
    static String eventId(Authentication caller, String path, String idempotencyKey) {
        if (idempotencyKey == null) {
            return UUID.randomUUID().toString();
        }
        return UUID.nameUUIDFromBytes(
                        (caller.getName() + "\n" + path + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
