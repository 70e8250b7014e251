package dev.asof.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The requests dynalite has answered, per operation, from the counts its preload keeps when {@code bench/run} sets
 * {@code ASOF_DYNALITE_REQUEST_COUNTS=1} (docs/local-stack.md). Two samples around a phase tell what it asked of the
 * store: for one, that a floor makes the same requests as the service it is compared with. Without the counts (a
 * benchmark started otherwise) every sample is empty and the line says so.
 */
final class StoreRequests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI counts;

    StoreRequests(URI dynalite) {
        this.counts = dynalite.resolve("/asof/request-counts");
    }

    /** The counts so far: per operation, requests, request bytes and answer bytes; empty when dynalite keeps none. */
    Map<String, long[]> sample() {
        Map<String, long[]> sample = new TreeMap<>();
        HttpResponse<String> answer;
        try {
            answer = http.send(
                    HttpRequest.newBuilder(counts)
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not read dynalite's request counts", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading dynalite's request counts", e);
        }
        // without the counts, dynalite answers the path as an unknown request (not JSON of counts)
        if (answer.statusCode() != 200
                || !answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return sample;
        }
        for (Map.Entry<String, JsonNode> operation :
                JSON.readTree(answer.body()).properties()) {
            JsonNode count = operation.getValue();
            sample.put(operation.getKey(), new long[] {
                count.path("requests").asLong(),
                count.path("request_bytes").asLong(),
                count.path("answer_bytes").asLong()
            });
        }
        return sample;
    }

    /**
     * "store requests/read: BatchGetItem 1.00 Query 1.00 | 0.8 KB asked, 13.1 KB answered" between two samples, with
     * {@code reads} the phase's reads.
     */
    static String perRead(Map<String, long[]> before, Map<String, long[]> after, int reads) {
        if (after.isEmpty()) {
            return "store requests/read: not counted (dynalite was started without ASOF_DYNALITE_REQUEST_COUNTS=1)";
        }
        StringBuilder line = new StringBuilder("store requests/read:");
        long asked = 0;
        long answered = 0;
        for (Map.Entry<String, long[]> entry : after.entrySet()) {
            long[] then = before.getOrDefault(entry.getKey(), new long[3]);
            long[] now = entry.getValue();
            if (now[0] == then[0]) {
                continue;
            }
            line.append(String.format(Locale.ROOT, " %s %.2f", entry.getKey(), (now[0] - then[0]) / (double) reads));
            asked += now[1] - then[1];
            answered += now[2] - then[2];
        }
        return line.append(String.format(
                        Locale.ROOT,
                        " | %.1f KB asked, %.1f KB answered",
                        asked / 1024.0 / reads,
                        answered / 1024.0 / reads))
                .toString();
    }
}
