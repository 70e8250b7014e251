package dev.asof.submission;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A request's events for {@link ProfileEventSubmitter}.
 *
 * @param source the writer ({@code events}, {@code genesys}, {@code cxone}, {@code merge}), for metrics and the
 *     Kafka source header
 * @param elements the request's events as sent, in request order
 * @param mapping maps one element to the unified envelope shape ({@link SubmissionMapping#ENVELOPE} when it
 *     already is one) and names broken rules in the source's own fields
 * @param batch whether the request held an array: then each element gets its own result; otherwise the first
 *     problem is the answer
 * @param idempotencyScope {@code apiKeyName:Idempotency-Key}, or {@code null}
 * @param correlationId travels with the events in Kafka headers
 */
public record Submission(
        String source,
        List<JsonNode> elements,
        SubmissionMapping mapping,
        boolean batch,
        String idempotencyScope,
        String correlationId) {}
