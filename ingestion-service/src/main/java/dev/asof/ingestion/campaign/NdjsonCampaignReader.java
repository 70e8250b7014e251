package dev.asof.ingestion.campaign;

import dev.asof.events.EventJson;
import java.io.IOException;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * An {@code application/x-ndjson} campaign: one JSON object per line, {@code {"customer_id": "...", "changes":
 * [{"attribute_key": "...", "new_value": ...}, ...]}}, the changes exactly as in a {@code BULK_PROFILE_UPDATE}
 * (so a value may be any JSON value the envelope takes, and {@code null} removes the attribute).
 */
final class NdjsonCampaignReader implements CampaignLine.Reader {

    private static final Set<String> FIELDS = Set.of("customer_id", "changes");

    private final PhysicalLines lines;
    private final int maxLineBytes;

    NdjsonCampaignReader(PhysicalLines lines, int maxLineBytes) {
        this.lines = lines;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public CampaignLine next() throws IOException {
        while (true) {
            PhysicalLines.Line line = lines.next();
            if (line == null) {
                return null;
            }
            long number = line.number();
            if (line.tooLong()) {
                return Utf8Lines.tooLong(number, maxLineBytes);
            }
            String text = Utf8Lines.decode(line.bytes());
            if (text == null) {
                return Utf8Lines.notUtf8(number);
            }
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = EventJson.mapper().readTree(text);
            } catch (JacksonException e) {
                return CampaignLine.bad(number, "json", "line " + number + " is not a JSON value");
            } catch (NumberFormatException e) {
                return CampaignLine.bad(number, "json", "line " + number + ": " + EventJson.NUMBER_OUT_OF_RANGE);
            }
            if (node == null || !node.isObject()) {
                return CampaignLine.bad(number, "type", "line " + number + " must be a JSON object");
            }
            for (java.util.Map.Entry<String, JsonNode> field : node.properties()) {
                if (!FIELDS.contains(field.getKey())) {
                    return CampaignLine.bad(
                            number,
                            "additionalProperties",
                            "line " + number + " has a field that is not part of a campaign line (customer_id,"
                                    + " changes)");
                }
            }
            JsonNode customer = node.get("customer_id");
            if (customer == null || customer.isNull()) {
                return CampaignLine.bad(number, "required", "customer_id (a string) is required");
            }
            if (!customer.isString()) {
                return CampaignLine.bad(number, "type", "customer_id must be a string, not " + kind(customer));
            }
            JsonNode changes = node.get("changes");
            if (changes == null || changes.isNull()) {
                return CampaignLine.bad(number, "required", "changes (an array) is required");
            }
            if (!(changes instanceof ArrayNode array)) {
                return CampaignLine.bad(number, "type", "changes must be an array, not " + kind(changes));
            }
            return CampaignLine.good(number, customer.asString(), array);
        }
    }

    /** The JSON type of a value, never the value. */
    private static String kind(JsonNode value) {
        return value.isNumber()
                ? "a number"
                : value.isBoolean()
                        ? "a boolean"
                        : value.isArray() ? "an array" : value.isObject() ? "an object" : "text";
    }

    @Override
    public String where(String pointer, ArrayNode changes) {
        if (pointer.startsWith("/payload/")) {
            return pointer.substring("/payload".length());
        }
        return pointer.isEmpty() ? "the line" : pointer;
    }
}
