package dev.asof.console.timeline;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import tools.jackson.databind.JsonNode;

/**
 * One change of a customer's timeline as the history API lists it, in the fields the console draws.
 *
 * @param late the event reached the log after an event with a later valid time had: it was recorded out of order
 */
public record Change(
        String eventId,
        String eventType,
        String memberCustomerId,
        String attribute,
        String oldValue,
        String newValue,
        Instant changedAt,
        Instant recordedAt,
        String sourceSystem,
        String channel,
        String agentId,
        String interactionId,
        String reason,
        String mergedFrom,
        String mergedInto,
        boolean redacted,
        boolean late) {

    /** A change of the history API's JSON, {@code late} not yet known. */
    public static Change of(JsonNode json) {
        return new Change(
                text(json, "event_id"),
                text(json, "event_type"),
                text(json, "member_customer_id"),
                text(json, "attribute"),
                value(json.get("old_value")),
                value(json.get("new_value")),
                instant(json.path("changed_at").asString()),
                instant(json.path("recorded_at").asString()),
                text(json, "source_system"),
                text(json, "channel"),
                text(json, "agent_id"),
                text(json, "interaction_id"),
                text(json, "reason"),
                text(json, "merged_from"),
                text(json, "merged_into"),
                json.path("redacted").asBoolean(false),
                false);
    }

    /** Where each character of the services' time form goes: {@code d} a digit, anything else itself. */
    private static final String TIME_FORM = "dddd-dd-ddTdd:dd:dd.dddZ";

    /**
     * A time as the services write it ({@code 2024-01-01T00:55:02.000Z}), read without java.time's general parser:
     * two per change, 20,000 for a long timeline, were the largest part of the console's CPU drawing it, under the
     * quick start's C1 compiler. Anything else (no real time, another form) goes to {@link Instant#parse}, which
     * answers or refuses it as before ({@code ChangeTest} compares the two on generated texts).
     */
    static Instant instant(String text) {
        if (text.length() != TIME_FORM.length()) {
            return Instant.parse(text);
        }
        // year, month, day, hour, minute, second, millisecond: read in the same pass that checks the form
        int[] fields = new int[7];
        int field = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char expected = TIME_FORM.charAt(i);
            if (expected != 'd' && c == expected) {
                field++;
            } else if (expected == 'd' && c >= '0' && c <= '9') {
                fields[field] = fields[field] * 10 + (c - '0');
            } else {
                return Instant.parse(text);
            }
        }
        int year = fields[0];
        int month = fields[1];
        int day = fields[2];
        if (month < 1
                || month > 12
                || day < 1
                || day > YearMonth.of(year, month).lengthOfMonth()
                || fields[3] > 23
                || fields[4] > 59
                || fields[5] > 59) {
            return Instant.parse(text);
        }
        long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L
                + fields[3] * 3_600L
                + fields[4] * 60L
                + fields[5];
        return Instant.ofEpochSecond(seconds, fields[6] * 1_000_000L);
    }

    Change withLate(boolean value) {
        return new Change(
                eventId,
                eventType,
                memberCustomerId,
                attribute,
                oldValue,
                newValue,
                changedAt,
                recordedAt,
                sourceSystem,
                channel,
                agentId,
                interactionId,
                reason,
                mergedFrom,
                mergedInto,
                redacted,
                value);
    }

    /** What kind of mark this change gets. */
    public Kind kind() {
        if (eventType == null) {
            return Kind.CHANGE;
        }
        switch (eventType) {
            case "CUSTOMER_PROFILE_MERGE":
                return Kind.MERGE;
            case "CUSTOMER_PROFILE_UNMERGE":
                return Kind.UNMERGE;
            case "CUSTOMER_PROFILE_ERASED":
                return Kind.ERASURE;
            case "BULK_PROFILE_UPDATE":
                return Kind.BULK;
            default:
                return Kind.CHANGE;
        }
    }

    /** Kinds of marks. */
    public enum Kind {
        CHANGE,
        BULK,
        MERGE,
        UNMERGE,
        ERASURE
    }

    /** What changed, in words: "email: a → b", "Merge: x into y". */
    public String summary() {
        StringBuilder text = new StringBuilder();
        switch (kind()) {
            case MERGE ->
                text.append("Merge: ").append(mergedFrom).append(" into ").append(mergedInto);
            case UNMERGE ->
                text.append("Unmerge: ").append(mergedFrom).append(" out of ").append(mergedInto);
            case ERASURE -> text.append("Erasure of ").append(memberCustomerId);
            default ->
                text.append(attribute)
                        .append(": ")
                        .append(shown(oldValue))
                        .append(" \u2192 ")
                        .append(shown(newValue))
                        .append(kind() == Kind.BULK ? " (bulk update)" : "");
        }
        return text.toString();
    }

    /** The change in words, for a mark's tooltip, its accessible name and the details panel. */
    public String describe() {
        StringBuilder text = new StringBuilder(summary());
        text.append(" | valid ").append(changedAt).append(" | recorded ").append(recordedAt);
        text.append(late ? " (late)" : " (in order)");
        append(text, "source", sourceSystem);
        append(text, "channel", channel);
        append(text, "agent", agentId);
        append(text, "interaction", interactionId);
        append(text, "reason", reason);
        if (memberCustomerId != null) {
            text.append(" | identity ").append(memberCustomerId);
        }
        return text.toString();
    }

    private String shown(String value) {
        if (redacted) {
            return "[erased]";
        }
        return value == null ? "(none)" : value;
    }

    private static void append(StringBuilder text, String label, String value) {
        if (value != null) {
            text.append(" | ").append(label).append(' ').append(value);
        }
    }

    static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? null : node.asString();
    }

    /** A value as people read it: strings as they are, numbers and booleans in their JSON form. */
    static String value(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isString() ? node.asString() : node.toString();
    }
}
