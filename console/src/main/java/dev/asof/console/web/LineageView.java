package dev.asof.console.web;

import dev.asof.console.timeline.LineageGraph;
import tools.jackson.databind.JsonNode;

/**
 * The identity panel: the lineage graph and merge-service's answer at valid time {@code at} as known at {@code
 * knownAt}, or why there is none.
 */
public record LineageView(
        LineageGraph graph, JsonNode identity, java.time.Instant at, java.time.Instant knownAt, String message) {}
