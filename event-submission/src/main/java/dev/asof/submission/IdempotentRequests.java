package dev.asof.submission;

import dev.asof.support.Digests;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every write endpoint does around {@link ProfileEventSubmitter}: honour {@code Idempotency-Key} (same key
 * and same body: the stored answer again, marked {@code Idempotent-Replayed}; another body: {@code 422
 * idempotency-key-reused}; still running: {@code 409 request-in-progress}), carry a correlation id, and answer
 * {@code 202} with one result per event.
 */
public final class IdempotentRequests {

    static final int MAX_KEY_LENGTH = 255;

    private final ProfileEventSubmitter pipeline;
    private final IdempotencyKeys keys;
    private final JsonMapper json;

    IdempotentRequests(ProfileEventSubmitter pipeline, IdempotencyKeys keys, JsonMapper json) {
        this.pipeline = pipeline;
        this.keys = keys;
        this.json = json;
    }

    /** The response body: one result per submitted event, in request order. */
    public record IntakeResponse(List<SubmissionResult> results) {}

    /**
     * Runs {@code submission} (built from the scope) under the request's Idempotency-Key, if any.
     *
     * @param path the endpoint, part of the request fingerprint
     * @param body the raw request body
     * @param idempotencyKey the header value, or {@code null}
     * @param correlationId the {@code X-Correlation-Id} header, or {@code null} (one is generated)
     * @param submission builds the pipeline input from the idempotency scope and the correlation id
     */
    public ResponseEntity<String> handle(
            Authentication caller,
            String path,
            String body,
            String idempotencyKey,
            String correlationId,
            Function<Context, Submission> submission) {
        return handleCommand(
                caller,
                path,
                body,
                idempotencyKey,
                correlationId,
                context -> new IntakeResponse(pipeline.submit(submission.apply(context))));
    }

    /**
     * Runs a command under the request's Idempotency-Key, if any, exactly as {@link #handle} does; {@code command}
     * decides, submits through {@link ProfileEventSubmitter} and returns the {@code 202} body. It runs only when
     * there is no stored answer to replay, so a retry is answered from the store, never decided again; a command
     * that throws leaves no answer behind.
     */
    /**
     * Refuses an {@code Idempotency-Key} that is blank or longer than 255 characters with {@code 400
     * invalid-idempotency-key}: the one rule for every endpoint that honours the header.
     */
    public static void requireValidKey(String idempotencyKey) {
        if (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_KEY_LENGTH) {
            throw new ApiProblemException(Problems.of(
                    HttpStatus.BAD_REQUEST,
                    "invalid-idempotency-key",
                    "Invalid Idempotency-Key",
                    "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " characters."));
        }
    }

    public ResponseEntity<String> handleCommand(
            Authentication caller,
            String path,
            String body,
            String idempotencyKey,
            String correlationId,
            Function<Context, ?> command) {
        String correlation = correlationId == null || correlationId.isBlank()
                ? UUID.randomUUID().toString()
                : correlationId;
        if (idempotencyKey == null) {
            return respond(command.apply(new Context(null, correlation)), correlation);
        }
        requireValidKey(idempotencyKey);
        String scope = caller.getName() + ":" + idempotencyKey;
        IdempotencyKeys.Outcome outcome = keys.begin(scope, Digests.sha256Hex(path + "\n" + body));
        if (outcome instanceof IdempotencyKeys.Replay replay) {
            return ResponseEntity.status(replay.status())
                    .contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotent-Replayed", "true")
                    .header("X-Correlation-Id", correlation)
                    .body(replay.body());
        }
        if (outcome instanceof IdempotencyKeys.Mismatch) {
            throw new ApiProblemException(Problems.of(
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    "idempotency-key-reused",
                    "Idempotency-Key reused",
                    "This Idempotency-Key was used with a different request (another endpoint or another body); use a new"
                            + " key for a new request."));
        }
        if (outcome instanceof IdempotencyKeys.InFlight) {
            throw new ApiProblemException(
                    Problems.of(
                            HttpStatus.CONFLICT,
                            "request-in-progress",
                            "Request in progress",
                            "A request with this Idempotency-Key is still being processed; retry shortly."),
                    Map.of("Retry-After", "1"));
        }
        try {
            ResponseEntity<String> response = respond(command.apply(new Context(scope, correlation)), correlation);
            keys.complete(scope, response.getStatusCode().value(), response.getBody());
            return response;
        } catch (RuntimeException e) {
            try {
                keys.abandon(scope);
            } catch (RuntimeException abandonFailed) {
                // The key's lease runs out by itself; the original failure is what the client needs to see.
                e.addSuppressed(abandonFailed);
            }
            throw e;
        }
    }

    /** What a submission may depend on: the idempotency scope ({@code null} without a key) and correlation id. */
    public record Context(String idempotencyScope, String correlationId) {}

    private ResponseEntity<String> respond(Object answer, String correlationId) {
        return ResponseEntity.accepted()
                .contentType(MediaType.APPLICATION_JSON)
                .header("X-Correlation-Id", correlationId)
                .body(json.writeValueAsString(answer));
    }
}
