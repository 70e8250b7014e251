package dev.asof.reconstruction.history.web;

import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.Identifiers;
import dev.asof.events.Timestamps;
import dev.asof.events.Version;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The opaque {@code cursor} of a history page: where the next page starts, and the question it continues
 * (customer, attribute, valid-time range and {@code known_at}), so a page never mixes two questions and every page
 * of a walk sees the log as known at the same time. Base64url of a small JSON document; clients must not look
 * inside. {@code knownAt} is the system time the walk reads as of; {@code knownAtAsked} the {@code known_at} the first
 * page was asked with when that was later than its answer ({@code null} otherwise): a {@code known_at} in the future is
 * read as of the first page's now, on every page, and the caller may repeat what it asked.
 */
record HistoryCursor(
        String customerId,
        String attribute,
        Instant from,
        Instant to,
        Instant knownAt,
        Instant knownAtAsked,
        Version after) {

    private static final int FORMAT = 1;

    String encode() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("f", FORMAT);
        node.put("c", customerId);
        node.put("a", attribute);
        node.put("from", from == null ? null : Timestamps.format(from));
        node.put("to", to == null ? null : Timestamps.format(to));
        node.put("k", Timestamps.format(knownAt));
        if (knownAtAsked != null) {
            node.put("ka", Timestamps.format(knownAtAsked));
        }
        node.put("ts", Timestamps.format(after.timestamp()));
        node.put("r", after.recordedAt());
        node.put("e", after.eventId());
        node.put("i", after.index());
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(EventJson.mapper().writeValueAsBytes(node));
    }

    /**
     * The cursor, or empty when the text is not one this service could have written: besides the form, its position
     * is a change of the walk's range recorded as known at its {@code known_at} (a valid event id, a clock value from
     * 0 to that time's, an index inside a bulk update), and a {@code known_at} asked is later than the one answered.
     * A cursor is not signed: a client that builds one can only name a position of its own question (see {@link
     * #continues}), and {@link HistoryController} refuses one whose {@code known_at} is later than now.
     */
    static Optional<HistoryCursor> decode(String text) {
        return parse(text).filter(HistoryCursor::possible);
    }

    private boolean possible() {
        Instant at = after.timestamp();
        return Identifiers.isValid(customerId)
                && Identifiers.isValid(after.eventId())
                && after.recordedAt() >= 0
                && after.recordedAt() <= Hlc.upperBound(knownAt)
                && after.index() >= 0
                && after.index() < BulkProfileUpdate.MAX_CHANGES
                && (from == null || !at.isBefore(from))
                && (to == null || !at.isAfter(to))
                && (knownAtAsked == null || knownAtAsked.isAfter(knownAt));
    }

    private static Optional<HistoryCursor> parse(String text) {
        try {
            JsonNode node = EventJson.mapper()
                    .readTree(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
            if (node == null || !node.isObject() || node.path("f").asInt() != FORMAT) {
                return Optional.empty();
            }
            return Optional.of(new HistoryCursor(
                    node.get("c").asString(),
                    optionalText(node, "a"),
                    optionalText(node, "from") == null ? null : instant(node, "from"),
                    optionalText(node, "to") == null ? null : instant(node, "to"),
                    instant(node, "k"),
                    optionalText(node, "ka") == null ? null : instant(node, "ka"),
                    new Version(
                            instant(node, "ts"),
                            node.get("r").asLong(),
                            node.get("e").asString(),
                            node.get("i").asInt())));
        } catch (IllegalArgumentException | NullPointerException | JacksonException malformed) {
            return Optional.empty();
        }
    }

    /** Whether this cursor continues the given question ({@code knownAt} {@code null}: the caller did not say). */
    boolean continues(String customerId, String attribute, Instant from, Instant to, Instant knownAt) {
        return this.customerId.equals(customerId)
                && Objects.equals(this.attribute, attribute)
                && Objects.equals(this.from, from)
                && Objects.equals(this.to, to)
                && (knownAt == null || knownAt.equals(this.knownAt) || knownAt.equals(knownAtAsked));
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static Instant instant(JsonNode node, String field) {
        return Timestamps.parse(node.get(field).asString()).orElseThrow(() -> new IllegalArgumentException(field));
    }
}
