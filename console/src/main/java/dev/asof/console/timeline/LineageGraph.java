package dev.asof.console.timeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The merges and unmerges of an identity (merge-service's {@code lineage}) as a small graph over time: one row per
 * identity, an arrow from the merged identity's row to the surviving one's at the merge's valid time (dashed for an
 * unmerge).
 */
public record LineageGraph(List<Node> nodes, List<Edge> edges, int height) {

    public static final int WIDTH = 1000;
    static final int LEFT = 190;
    static final int RIGHT = 30;
    static final int ROW = 34;
    static final int TOP = 24;

    /** An identity's row. */
    public record Node(String customerId, int y, boolean member) {}

    /** A merge (solid) or an unmerge (dashed) between two rows. */
    public record Edge(double x, int fromY, int toY, boolean unmerge, String label) {}

    /** The graph of merge-service's identity answer. */
    public static LineageGraph of(JsonNode identity) {
        TreeSet<String> members = new TreeSet<>();
        identity.path("members").forEach(member -> members.add(member.asString()));
        TreeSet<String> all = new TreeSet<>(members);
        List<JsonNode> entries = new ArrayList<>();
        Instant first = null;
        Instant last = null;
        for (JsonNode entry : identity.path("lineage")) {
            entries.add(entry);
            all.add(entry.path("merged_from").asString());
            all.add(entry.path("merged_into").asString());
            Instant at = Instant.parse(entry.path("timestamp_utc").asString());
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
        }
        Map<String, Node> nodes = new LinkedHashMap<>();
        int y = TOP;
        for (String customer : all) {
            nodes.put(customer, new Node(customer, y, members.contains(customer)));
            y += ROW;
        }
        List<Edge> edges = new ArrayList<>();
        for (JsonNode entry : entries) {
            Instant at = Instant.parse(entry.path("timestamp_utc").asString());
            double span = Math.max(1, Duration.between(first, last).toMillis());
            double x = entries.size() == 1 || first.equals(last)
                    ? (LEFT + WIDTH - RIGHT) / 2.0
                    : LEFT + 20 + Duration.between(first, at).toMillis() / span * (WIDTH - LEFT - RIGHT - 40);
            boolean unmerge =
                    "CUSTOMER_PROFILE_UNMERGE".equals(entry.path("event_type").asString());
            String from = entry.path("merged_from").asString();
            String into = entry.path("merged_into").asString();
            String label = (unmerge ? "Unmerge " + from + " out of " : "Merge " + from + " into ") + into + " at " + at
                    + text(entry, "decided_by", " by ") + text(entry, "reason", ": ");
            edges.add(new Edge(
                    Math.round(x * 10) / 10.0,
                    nodes.get(from).y(),
                    nodes.get(into).y(),
                    unmerge,
                    label));
        }
        return new LineageGraph(List.copyOf(nodes.values()), edges, y + 10);
    }

    private static String text(JsonNode entry, String field, String prefix) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() ? "" : prefix + value.asString();
    }
}
