package dev.asof.merge.identity.web;

import dev.asof.events.EventJson;
import dev.asof.events.EventValidator;
import dev.asof.events.Identifiers;
import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.support.web.ApiExceptionHandler;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/merges} and {@code /unmerges}, checked strictly: every broken rule is named with
 * the field's JSON pointer, all in one 400.
 *
 * @param effectiveAt {@code null} when the body leaves it out (the caller substitutes now)
 * @param evidence the {@code evidence} object as compact JSON, or {@code null}
 */
record CommandBody(
        String mergedInto, String mergedFrom, String reason, String decidedBy, Instant effectiveAt, String evidence) {

    /** Longest {@code reason} and {@code decided_by}, in characters. */
    static final int MAX_TEXT_LENGTH = 256;

    /** Largest {@code evidence} object, in bytes of compact UTF-8 JSON. */
    static final int MAX_EVIDENCE_BYTES = 4096;

    private static final Set<String> FIELDS =
            Set.of("merged_into", "merged_from", "reason", "decided_by", "effective_at", "evidence");

    /**
     * Parses and checks {@code body}.
     *
     * @param now this server's clock
     * @param futureTolerance how far ahead of {@code now} {@code effective_at} may lie (the intake's clock skew)
     */
    static CommandBody parse(String body, Instant now, Duration futureTolerance) {
        JsonNode document = EventJson.parse(body);
        List<Violation> violations = new ArrayList<>();
        if (!document.isObject()) {
            violations.add(new Violation("", "type", "the body must be a JSON object"));
            throw invalid(violations);
        }
        for (Map.Entry<String, JsonNode> property : document.properties()) {
            if (!FIELDS.contains(property.getKey())) {
                violations.add(new Violation(
                        "/" + pointerEscaped(property.getKey()),
                        "additionalProperties",
                        "unknown field '" + Problems.quoted(property.getKey()) + "'; allowed: merged_into, merged_from,"
                                + " reason, decided_by, effective_at, evidence"));
            }
        }
        String mergedInto = identifier(document, "merged_into", violations);
        String mergedFrom = identifier(document, "merged_from", violations);
        String reason = text(document, "reason", violations);
        String decidedBy = text(document, "decided_by", violations);
        Instant effectiveAt = effectiveAt(document, now, futureTolerance, violations);
        String evidence = evidence(document, violations);
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
        return new CommandBody(mergedInto, mergedFrom, reason, decidedBy, effectiveAt, evidence);
    }

    private static String identifier(JsonNode document, String field, List<Violation> violations) {
        JsonNode node = document.get(field);
        String pointer = "/" + field;
        if (node == null || node.isNull()) {
            violations.add(new Violation(pointer, "required", field + " is required"));
            return null;
        }
        if (!node.isString()) {
            violations.add(new Violation(pointer, "type", field + " must be a string"));
            return null;
        }
        String value = node.stringValue();
        if (value.length() > Identifiers.MAX_LENGTH) {
            violations.add(new Violation(
                    pointer, "maxLength", field + " has more than " + Identifiers.MAX_LENGTH + " characters"));
            return null;
        }
        if (!Identifiers.isValid(value)) {
            violations.add(new Violation(
                    pointer,
                    "pattern",
                    field + " '" + Problems.quoted(value) + "' must match the pattern " + Identifiers.PATTERN
                            + " (ASCII letters, digits and . _ - : @ + =)"));
            return null;
        }
        return value;
    }

    private static String text(JsonNode document, String field, List<Violation> violations) {
        JsonNode node = document.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            violations.add(new Violation("/" + field, "type", field + " must be a string"));
            return null;
        }
        String value = node.stringValue();
        if (EventValidator.hasUnpairedSurrogate(value)) {
            // here, before the identities are read: an outside probe got 409 already-merged for such a reason
            violations.add(new Violation("/" + field, "unicode", field + " holds an unpaired UTF-16 surrogate"));
            return null;
        }
        if (value.codePointCount(0, value.length()) > MAX_TEXT_LENGTH) {
            violations.add(new Violation(
                    "/" + field, "maxLength", field + " has more than " + MAX_TEXT_LENGTH + " characters"));
            return null;
        }
        return value;
    }

    private static Instant effectiveAt(
            JsonNode document, Instant now, Duration futureTolerance, List<Violation> violations) {
        JsonNode node = document.get("effective_at");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            violations.add(new Violation("/effective_at", "type", "effective_at must be an ISO-8601 string"));
            return null;
        }
        Instant instant = Timestamps.parse(node.stringValue()).orElse(null);
        if (instant == null) {
            violations.add(new Violation(
                    "/effective_at",
                    "timestamp-offset",
                    "effective_at '" + Problems.quoted(node.stringValue())
                            + "' must be an ISO-8601 instant with Z or an offset (2026-11-26T14:30:05Z)"));
            return null;
        }
        if (!Timestamps.inRange(instant)) {
            violations.add(new Violation(
                    "/effective_at",
                    "timestamp-range",
                    "effective_at " + node.stringValue() + " is outside " + Timestamps.range()));
            return null;
        }
        if (Duration.between(now, instant).compareTo(futureTolerance) > 0) {
            violations.add(new Violation(
                    "/effective_at",
                    "future-timestamp",
                    "effective_at " + Timestamps.format(instant) + " is ahead of the server clock ("
                            + Timestamps.format(now) + ") by more than " + futureTolerance.toSeconds() + " s"));
            return null;
        }
        return Timestamps.truncate(instant);
    }

    private static String evidence(JsonNode document, List<Violation> violations) {
        JsonNode node = document.get("evidence");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            violations.add(new Violation("/evidence", "type", "evidence must be a JSON object"));
            return null;
        }
        List<Violation> unpaired = EventValidator.unpairedSurrogates(node, "/evidence");
        if (!unpaired.isEmpty()) {
            violations.addAll(unpaired);
            return null;
        }
        String json = node.toString();
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_EVIDENCE_BYTES) {
            violations.add(new Violation(
                    "/evidence",
                    "value-size",
                    "evidence takes more than " + MAX_EVIDENCE_BYTES + " bytes as compact JSON"));
            return null;
        }
        return json;
    }

    private static String pointerEscaped(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static ApiProblemException invalid(List<Violation> violations) {
        return new ApiProblemException(ApiExceptionHandler.invalid(violations));
    }
}
