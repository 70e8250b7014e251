package dev.asof.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.console.api.AsofApi;
import dev.asof.console.timeline.Change;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** A walk that stopped is "cut short" only when it stopped before the end of the range asked for. */
class CutShortTest {

    static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aWalkThatStoppedPastTheRangeReadAllOfIt() {
        assertThat(CustomerController.cutShort(walk(true, "2026-02-01T00:00:00Z"), TO))
                .isFalse();
        assertThat(CustomerController.cutShort(walk(true, "2025-12-31T23:59:59.999Z"), TO))
                .isTrue();
        assertThat(CustomerController.cutShort(walk(true, "2026-02-01T00:00:00Z"), null))
                .isTrue();
        assertThat(CustomerController.cutShort(walk(false, "2025-01-01T00:00:00Z"), TO))
                .isFalse();
    }

    private static AsofApi.History<Change> walk(boolean truncated, String lastChangedAt) {
        JsonNode change = JsonNodeFactory.instance
                .objectNode()
                .put("changed_at", lastChangedAt)
                .put("recorded_at", "2026-03-01T00:00:00.000Z");
        return new AsofApi.History<>(List.of(Change.of(change)), truncated, null);
    }
}
