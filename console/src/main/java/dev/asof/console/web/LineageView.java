package dev.asof.console.web;

import dev.asof.console.timeline.LineageGraph;
import tools.jackson.databind.JsonNode;

/** The identity panel: the lineage graph and merge-service's answer, or why there is none. */
public record LineageView(LineageGraph graph, JsonNode identity, String message) {}
