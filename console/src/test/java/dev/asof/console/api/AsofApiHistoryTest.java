package dev.asof.console.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asof.console.ConsolePropertiesFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link AsofApi#history}'s sliced read against a stand-in history API over seeded timelines (changes stamped to
 * the millisecond, many on slice borders and at one instant across the first page's end): the changes read equal the
 * whole timeline in order, whatever the number of slices; a read cut short is the timeline's beginning; a refusal
 * and an unavailable service in a range are the answer.
 */
class AsofApiHistoryTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KNOWN_AT = "2026-12-01T12:00:00Z";

    private HttpServer server;
    private java.util.concurrent.ExecutorService serverThreads;
    private AsofApi api;
    private final List<Instant> timeline = new ArrayList<>();
    private final AtomicInteger rangedPages = new AtomicInteger();
    private Instant latestCurrentValue;
    private Predicate<String> refuseFrom = from -> false;
    private Predicate<String> failFrom = from -> false;

    @AfterEach
    void stop() {
        if (api != null) {
            api.stop();
        }
        if (server != null) {
            server.stop(0);
            serverThreads.shutdownNow();
        }
    }

    @Test
    void slicedReadsListTheWholeTimelineInOrderForSeededTimelines() throws IOException {
        Random random = new Random(Long.getLong("asof.seed", 20261201L));
        for (int run = 0; run < 12; run++) {
            timeline.clear();
            Instant start = Instant.parse("2024-01-01T00:00:00Z");
            // up to about 4 ranges' worth, or up to past the most allowed
            int size = 201 + random.nextInt(random.nextBoolean() ? 3_000 : 15_000);
            for (int i = 0; i < size; i++) {
                // clustered: runs of changes at one instant, and milliseconds apart
                start = start.plusMillis(
                        random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 3 : 50_000));
                timeline.add(start);
            }
            // the last changes stamped after every current value (an identity event, a removal)
            latestCurrentValue = timeline.get(size - 1 - random.nextInt(Math.min(size - 1, 400)));
            int slices = 1 + random.nextInt(16);
            start(slices, 20_000);
            rangedPages.set(0);
            AsofApi.History<JsonNode> read = api.history("cust_1", null, null, null, Function.identity());
            assertThat(read.refused()).isNull();
            assertThat(read.truncated()).isFalse();
            assertThat(times(read))
                    .as("run %d: %d changes, %d slices", run, size, slices)
                    .isEqualTo(ids(timeline));
            // as many ranges as keep each to about a page at the first page's pace, at most `slices`
            int ranges = TimelineSlices.count(200, timeline.get(0), timeline.get(199), latestCurrentValue, slices);
            if (slices > 1
                    && latestCurrentValue.toEpochMilli() - timeline.get(199).toEpochMilli() >= ranges) {
                // each range's first page names its `from` (the ones after it, a cursor)
                assertThat(rangedPages.get())
                        .as("run %d read in %d ranges", run, ranges)
                        .isEqualTo(ranges);
            }
            stop();
        }
    }

    @Test
    void aReadCutShortIsTheTimelinesBeginning() throws IOException {
        fill(5_000);
        start(8, 1_300);
        AsofApi.History<JsonNode> read = api.history("cust_1", null, null, null, Function.identity());
        assertThat(read.truncated()).isTrue();
        assertThat(read.changes()).hasSize(1_300);
        assertThat(times(read)).isEqualTo(ids(timeline.subList(0, 1_300)));
    }

    @Test
    void aRangeRefusedIsTheAnswerWithWhatCameBefore() throws IOException {
        fill(5_000);
        Instant border = timeline.get(2_500);
        refuseFrom = from -> from != null && !Instant.parse(from).isBefore(border);
        start(8, 20_000);
        AsofApi.History<JsonNode> read = api.history("cust_1", null, null, null, Function.identity());
        assertThat(read.refused()).isNotNull();
        assertThat(read.refused().status()).isEqualTo(410);
        List<String> before = times(read);
        assertThat(before).isEqualTo(ids(timeline.subList(0, before.size())));
    }

    @Test
    void aRangeWhoseServiceFailsMakesTheTimelineUnavailable() throws IOException {
        fill(5_000);
        Instant border = timeline.get(2_500);
        failFrom = from -> from != null && !Instant.parse(from).isBefore(border);
        start(8, 20_000);
        assertThatThrownBy(() -> api.history("cust_1", null, null, null, Function.identity()))
                .isInstanceOf(AsofApi.Unavailable.class)
                .hasMessageContaining("reconstruction-service is unavailable");
    }

    private void fill(int size) {
        Instant at = Instant.parse("2024-01-01T00:00:00Z");
        for (int i = 0; i < size; i++) {
            at = at.plusMillis(i % 3 == 0 ? 0 : 997);
            timeline.add(at);
        }
        latestCurrentValue = timeline.get(size - 1);
    }

    private void start(int slices, int maxChanges) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/customers/cust_1/history", this::history);
        server.createContext("/api/v1/customers/cust_1/profile", exchange -> {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("provenance").putObject("tier").put("updated_at", latestCurrentValue.toString());
            send(exchange, 200, body);
        });
        serverThreads = java.util.concurrent.Executors.newFixedThreadPool(8);
        server.setExecutor(serverThreads);
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        api = new AsofApi(ConsolePropertiesFixture.properties(base, maxChanges, 4, slices, "roles", 0), JSON);
    }

    /** The history API's paging over {@link #timeline}: from and to inclusive, a cursor to the next position. */
    private void history(HttpExchange exchange) throws IOException {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            String[] parts = pair.split("=", 2);
            query.put(parts[0], URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        String from = query.get("from");
        String to = query.get("to");
        int offset = 0;
        if (query.containsKey("cursor")) {
            String[] cursor = query.get("cursor").split("\\|", -1);
            offset = Integer.parseInt(cursor[0]);
            from = cursor[1].isEmpty() ? null : cursor[1];
            to = cursor[2].isEmpty() ? null : cursor[2];
        } else if (from != null) {
            rangedPages.incrementAndGet();
        }
        if (failFrom.test(from)) {
            send(exchange, 503, JSON.createObjectNode().put("type", "/problems/unavailable"));
            return;
        }
        if (refuseFrom.test(from)) {
            send(
                    exchange,
                    410,
                    JSON.createObjectNode().put("type", "/problems/erased").put("detail", "erased"));
            return;
        }
        int limit = Integer.parseInt(query.get("limit"));
        List<Integer> inRange = new ArrayList<>();
        for (int i = 0; i < timeline.size(); i++) {
            Instant at = timeline.get(i);
            if ((from == null || !at.isBefore(Instant.parse(from))) && (to == null || !at.isAfter(Instant.parse(to)))) {
                inRange.add(i);
            }
        }
        ObjectNode body = JSON.createObjectNode().put("known_at", KNOWN_AT);
        ArrayNode changes = body.putArray("changes");
        int end = Math.min(inRange.size(), offset + limit);
        for (int i = offset; i < end; i++) {
            int index = inRange.get(i);
            changes.addObject()
                    .put("event_id", "e" + index)
                    .put("changed_at", timeline.get(index).toString());
        }
        if (end == offset + limit) {
            body.put("next_cursor", end + "|" + (from == null ? "" : from) + "|" + (to == null ? "" : to));
        } else {
            body.putNull("next_cursor");
        }
        send(exchange, 200, body);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static List<String> times(AsofApi.History<JsonNode> read) {
        List<String> ids = new ArrayList<>();
        read.changes().forEach(change -> ids.add(change.path("event_id").asString()));
        return ids;
    }

    private static List<String> ids(List<Instant> changes) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            ids.add("e" + i);
        }
        return Collections.unmodifiableList(ids);
    }
}
