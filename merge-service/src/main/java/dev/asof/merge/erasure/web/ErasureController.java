package dev.asof.merge.erasure.web;

import dev.asof.events.EventJson;
import dev.asof.events.EventValidator;
import dev.asof.events.InvalidEventException;
import dev.asof.events.RefusalKind;
import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.merge.erasure.Erasure;
import dev.asof.merge.erasure.Erasures;
import dev.asof.merge.web.PagedPasses;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import dev.asof.support.web.RequestBodies;
import dev.asof.support.web.RequestParameters;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * GDPR erasure (scope {@code gdpr:erase}): {@code POST /api/v1/customers/{id}/erasure} with {@code {"reason",
 * "requested_by"}} answers {@code 202} with {@code Location: /api/v1/erasures/{erasure_id}} once the request is
 * stored; the erasure runs in the background. {@code GET /api/v1/erasures/{erasure_id}} shows its state and, once
 * it ended, the proof; {@code GET /api/v1/customers/{id}/erasure} the latest erasure covering a customer; {@code GET
 * /api/v1/erasures} the register, newest first. A repeated request for a customer whose erasure is under way
 * answers that one.
 */
@RestController
@PreAuthorize("hasAuthority('SCOPE_gdpr:erase')")
class ErasureController {

    static final int MAX_TEXT_LENGTH = 256;
    private static final java.util.regex.Pattern ERASURE_ID =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Set<String> FIELDS = Set.of("reason", "requested_by");
    private static final int DEFAULT_LIST = 20;
    private static final int MAX_LIST = 100;
    private static final java.util.regex.Pattern LIST_POSITION = java.util.regex.Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z#" + ERASURE_ID.pattern());

    private final Erasures erasures;

    ErasureController(Erasures erasures) {
        this.erasures = erasures;
    }

    @PostMapping(path = "/api/v1/customers/{customerId}/erasure", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> erase(@PathVariable String customerId, @RequestBody byte[] bytes) {
        String id = RequestParameters.customerId("customer_id", customerId);
        JsonNode body = EventJson.parse(RequestBodies.utf8(bytes));
        List<Violation> violations = new ArrayList<>();
        if (!body.isObject()) {
            throw new InvalidEventException(List.of(new Violation("", "type", "the body must be a JSON object")));
        }
        for (Map.Entry<String, JsonNode> property : body.properties()) {
            if (!FIELDS.contains(property.getKey())) {
                violations.add(new Violation(
                        "/" + property.getKey().replace("~", "~0").replace("/", "~1"),
                        "additionalProperties",
                        "unknown field '" + Problems.quoted(property.getKey()) + "'; allowed: reason, requested_by"));
            }
        }
        String reason = requiredText(body, "reason", violations);
        String requestedBy = requiredText(body, "requested_by", violations);
        if (!violations.isEmpty()) {
            throw new InvalidEventException(violations);
        }
        Erasures.Requested requested = erasures.request(id, reason, requestedBy)
                .orElseThrow(() -> new ApiProblemException(Problems.of(
                        HttpStatus.NOT_FOUND,
                        RefusalKind.PROFILE_NOT_FOUND.wireName(),
                        "Profile not found",
                        "customer " + id + " has no events and was never erased")));
        Erasure erasure = requested.erasure();
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/erasures/" + erasure.erasureId()))
                .body(answer(erasure));
    }

    @GetMapping("/api/v1/erasures/{erasureId}")
    Map<String, Object> erasure(@PathVariable String erasureId) {
        // erasure ids are UUIDs: anything else is unknown without asking the store (a 4,000-character id would be
        // refused by DynamoDB as a key)
        java.util.Optional<Erasure> found =
                ERASURE_ID.matcher(erasureId).matches() ? erasures.find(erasureId) : java.util.Optional.empty();
        return found.map(ErasureController::answer)
                .orElseThrow(() -> new ApiProblemException(Problems.of(
                        HttpStatus.NOT_FOUND,
                        "erasure-not-found",
                        "Erasure not found",
                        "no erasure has the id '" + Problems.quoted(erasureId) + "'")));
    }

    /**
     * The latest erasure of the customer, whatever its state (requested for it, or covering it as another identity of
     * the data subject), as {@code GET /api/v1/erasures/{id}} answers it: how a privacy officer finds the proof for a
     * data subject without keeping the erasure id. A read only: it never starts one.
     */
    @GetMapping("/api/v1/customers/{customerId}/erasure")
    Map<String, Object> latest(@PathVariable String customerId) {
        String id = RequestParameters.customerId("customer_id", customerId);
        return erasures.latestErasing(id)
                .map(ErasureController::answer)
                .orElseThrow(() -> new ApiProblemException(Problems.of(
                        HttpStatus.NOT_FOUND,
                        "erasure-not-found",
                        "Erasure not found",
                        "no erasure covers customer " + id)));
    }

    /**
     * Every erasure by request time, newest first, {@code limit} (1 to 100, default 20) per page, without their proofs
     * ({@code verified} says whether each proved nothing readable): the register a privacy officer shows an auditor.
     * Erasures requested before this list existed are not in it (they are found by id or customer).
     */
    @GetMapping("/api/v1/erasures")
    Map<String, Object> list(
            @RequestParam(name = "limit", required = false) String limitText,
            @RequestParam(name = "cursor", required = false) String cursor) {
        int limit = RequestParameters.limit(limitText, DEFAULT_LIST, MAX_LIST);
        Erasures.Listed page = erasures.recent(limit, cursor == null ? null : after(cursor));
        List<Map<String, Object>> listed = new ArrayList<>();
        for (Erasure erasure : page.erasures()) {
            Map<String, Object> entry = answer(erasure);
            Object proof = entry.remove("proof");
            entry.put(
                    "verified",
                    // null until the verification scan ran (a running erasure is not "unverified")
                    proof instanceof JsonNode node && node.path("verified").isBoolean()
                            ? node.get("verified").booleanValue()
                            : null);
            listed.add(entry);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("erasures", listed);
        answer.put(
                "next_cursor",
                page.after() == null
                        ? null
                        : Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(page.after().getBytes(StandardCharsets.UTF_8)));
        return answer;
    }

    /** The list position a cursor this endpoint answered names; a {@code 400} for anything else. */
    private static String after(String cursor) {
        if (cursor.isEmpty() || cursor.length() > 128) {
            throw PagedPasses.badCursor();
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PagedPasses.badCursor();
        }
        if (!LIST_POSITION.matcher(decoded).matches()) {
            throw PagedPasses.badCursor();
        }
        return decoded;
    }

    static Map<String, Object> answer(Erasure erasure) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("erasure_id", erasure.erasureId());
        answer.put("customer_id", erasure.customerId());
        answer.put("identities", erasure.identities());
        answer.put("state", erasure.state());
        answer.put("step", erasure.step().name().toLowerCase(java.util.Locale.ROOT));
        answer.put("reason", erasure.reason());
        answer.put("requested_by", erasure.requestedBy());
        answer.put("requested_at", Timestamps.format(erasure.requestedAt()));
        answer.put(
                "keys_destroyed_at",
                erasure.keysDestroyedAt() == null ? null : Timestamps.format(erasure.keysDestroyedAt()));
        answer.put("completed_at", erasure.completedAt() == null ? null : Timestamps.format(erasure.completedAt()));
        answer.put("proof", erasure.proof() == null ? null : EventJson.parse(erasure.proof()));
        answer.put("error", erasure.error());
        return answer;
    }

    private static String requiredText(JsonNode body, String field, List<Violation> violations) {
        JsonNode node = body.get(field);
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
        if (value.isBlank()) {
            violations.add(new Violation(pointer, "minLength", field + " must not be blank"));
            return null;
        }
        if (EventValidator.hasUnpairedSurrogate(value)) {
            violations.add(new Violation(pointer, "unicode", field + " holds an unpaired UTF-16 surrogate"));
            return null;
        }
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c >= 0x7f && c <= 0x9f)) {
            // kept in the erasure register and shown to auditors: no NUL or other control character
            violations.add(new Violation(pointer, "characters", field + " holds a control character"));
            return null;
        }
        if (value.codePointCount(0, value.length()) > MAX_TEXT_LENGTH) {
            violations.add(
                    new Violation(pointer, "maxLength", field + " has more than " + MAX_TEXT_LENGTH + " characters"));
            return null;
        }
        return value;
    }
}
