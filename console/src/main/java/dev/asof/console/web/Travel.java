package dev.asof.console.web;

import dev.asof.console.api.AsofApi;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The time-travel panel: the profile at (T, K) beside the current one, attribute by attribute, differences marked.
 *
 * @param at the profile at (T, K), or {@code null} with {@code atMessage} saying why (not found, erased,
 *     unavailable)
 * @param current the current profile, or {@code null} with {@code currentMessage}
 */
public record Travel(
        String customerId,
        Instant t,
        Instant k,
        JsonNode at,
        String atMessage,
        JsonNode current,
        String currentMessage,
        List<Row> rows,
        String note) {

    /**
     * One attribute.
     *
     * @param differs the value at (T, K) is not the current one (one of them may be absent)
     */
    public record Row(
            String attribute, String atValue, String currentValue, boolean differs, String source, String updatedAt) {}

    static Travel of(String customerId, Instant t, Instant k, AsofApi.Answer at, AsofApi.Answer current, String note) {
        JsonNode atBody = at != null && at.ok() ? at.body() : null;
        JsonNode currentBody = current != null && current.ok() ? current.body() : null;
        TreeSet<String> attributes = new TreeSet<>();
        for (JsonNode body : new JsonNode[] {atBody, currentBody}) {
            if (body != null) {
                body.path("attributes").propertyNames().forEach(attributes::add);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String attribute : attributes) {
            String atValue = value(atBody, attribute);
            String currentValue = value(currentBody, attribute);
            JsonNode provenance =
                    atBody == null ? null : atBody.path("provenance").path(attribute);
            rows.add(new Row(
                    attribute,
                    atValue,
                    currentValue,
                    !Objects.equals(atValue, currentValue),
                    provenance == null ? null : text(provenance.get("source_system")),
                    provenance == null ? null : text(provenance.get("updated_at"))));
        }
        return new Travel(
                customerId,
                t,
                k,
                atBody,
                at == null ? null : at.ok() ? null : message(at),
                currentBody,
                current == null ? null : current.ok() ? null : message(current),
                rows,
                note);
    }

    /** The shareable address of this view. */
    public String shareUrl() {
        return AsofApi.path("/customers/" + customerId, Map.of("t", Inputs.iso(t), "k", Inputs.iso(k)));
    }

    /** T and K in epoch milliseconds, for the sliders. */
    public long tMillis() {
        return t.toEpochMilli();
    }

    public long kMillis() {
        return k.toEpochMilli();
    }

    public long differences() {
        return rows.stream().filter(Row::differs).count();
    }

    private static String message(AsofApi.Answer answer) {
        switch (answer.problem()) {
            case "profile-not-found":
                return "No profile: nothing about this customer was valid at T as known at K.";
            case "erased":
                return "Erased: " + answer.detail();
            default:
                return answer.detail() + " (HTTP " + answer.status() + ")";
        }
    }

    private static String value(JsonNode body, String attribute) {
        if (body == null) {
            return null;
        }
        JsonNode value = body.path("attributes").get(attribute);
        return text(value);
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        return value.isString() ? value.asString() : value.toString();
    }
}
