package dev.asof.console.api;

import dev.asof.console.ConsoleProperties;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The console's only way to data: the services' public HTTP APIs, with the console's API key. An answer is handed
 * back as it came (status and JSON); a service that cannot be reached, or does not answer within
 * {@code asof.console.request-timeout}, is {@link Unavailable}, which pages show as such, never as empty data.
 */
@Component
public class AsofApi {

    /** The most changes the history endpoint gives per page. */
    static final int HISTORY_PAGE = 1000;

    /** The page size asked of a service that refuses {@link #HISTORY_PAGE}. */
    static final int SMALL_HISTORY_PAGE = 200;

    private final ConsoleProperties properties;
    private final JsonMapper json;
    private final HttpClient http;
    private final ExecutorService slicing;

    public AsofApi(ConsoleProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.requestTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        // the slices of timelines being read; bounded, and a full pool reads in the asking thread (a slice never
        // waits for another task, so that cannot deadlock)
        AtomicInteger count = new AtomicInteger();
        int threads = properties.readThreads();
        this.slicing = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(threads * 4),
                runnable -> {
                    Thread thread = new Thread(runnable, "console-timeline-slice-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
    }

    @PreDestroy
    void stop() {
        slicing.shutdownNow();
    }

    /** Which service a call goes to. */
    public enum Service {
        INGESTION("ingestion-service"),
        RECONSTRUCTION("reconstruction-service"),
        MERGE("merge-service");

        private final String label;

        Service(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A service's answer: its status and its JSON body ({@code null} when it had none or it was not JSON). */
    public record Answer(int status, JsonNode body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The problem type's last segment ({@code erased}, {@code profile-not-found}), or "" for a non-problem. */
        public String problem() {
            if (body == null || !body.path("type").isString()) {
                return "";
            }
            String type = body.path("type").asString();
            return type.substring(type.lastIndexOf('/') + 1);
        }

        /**
         * The service has no such endpoint here: a {@code 404} that is no problem+json of asof's (an older or
         * differently configured service). Pages show the feature as unavailable, never as empty data.
         */
        public boolean absentApi() {
            return status == 404 && problem().isEmpty();
        }

        /** The problem's detail, or its title, for people to read. */
        public String detail() {
            if (body == null) {
                return "HTTP " + status;
            }
            String detail = body.path("detail").asString("");
            return detail.isEmpty() ? body.path("title").asString("HTTP " + status) : detail;
        }
    }

    /** A service that could not be reached or did not answer in time. */
    public static final class Unavailable extends RuntimeException {
        private final Service service;

        Unavailable(Service service, String reason, Throwable cause) {
            super(service.label() + " is unavailable: " + reason, cause);
            this.service = service;
        }

        public Service service() {
            return service;
        }
    }

    /** {@code GET} a path (with its query already encoded) of a service. */
    public Answer get(Service service, String pathAndQuery) {
        return send(service, HttpRequest.newBuilder(uri(service, pathAndQuery)).GET());
    }

    /** {@code POST} a JSON body; {@code idempotencyKey} makes a repeated submission the same request. */
    public Answer post(Service service, String path, JsonNode body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(service, path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body), StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(service, request);
    }

    /** An empty JSON object to fill for {@link #post}. */
    public ObjectNode object() {
        return json.createObjectNode();
    }

    /** A path with query parameters, encoded; {@code null} values are left out. */
    public static String path(String path, Map<String, String> query) {
        UriComponentsBuilder builder = UriComponentsBuilder.fromPath(path);
        Map<String, String> values = new LinkedHashMap<>();
        query.forEach((name, value) -> {
            if (value != null && !value.isEmpty()) {
                builder.queryParam(name, "{" + name + "}");
                values.put(name, value);
            }
        });
        return builder.encode().buildAndExpand(values).toUriString();
    }

    /**
     * Every change of a customer's timeline in {@code [from, to)} as known at {@code knownAt}, up to {@code
     * asof.console.timeline-max-changes}, read within {@code timeline-timeout}. A timeline longer than one history
     * page is read in {@code timeline-slices} valid-time ranges at once (see {@link TimelineSlices}), so the store,
     * reconstruction-service and the console work side by side instead of taking turns page after page; each range's
     * changes are exactly the full walk's changes in that range (every history page starts from the state just
     * before its first valid time), all as known at the first page's {@code known_at}.
     */
    public History history(String customerId, String from, String to, String knownAt) {
        long deadline = System.nanoTime() + properties.timelineTimeout().toNanos();
        int max = properties.timelineMaxChanges();
        String path = "/api/v1/customers/" + customerId + "/history";
        // a short first page when slicing: the slices start once it is read
        int firstLimit = properties.timelineSlices() > 1 ? SMALL_HISTORY_PAGE : HISTORY_PAGE;
        Answer first = historyPage(path, firstLimit, from, to, knownAt, null);
        if (!first.ok()) {
            return new History(List.of(), false, first);
        }
        List<JsonNode> firstChanges = new ArrayList<>();
        first.body().path("changes").forEach(firstChanges::add);
        String cursor = nextCursor(first);
        if (cursor == null) {
            return new History(firstChanges, false, null);
        }
        // every later read sees the log as the first page did
        String known = first.body().path("known_at").asString();
        List<Instant> bounds = sliceBounds(customerId, firstChanges, to);
        if (bounds.isEmpty()) {
            History rest = walk(path, from, to, known, cursor, max - firstChanges.size(), deadline);
            return rest.after(firstChanges, max);
        }
        // the first page's changes before the first slice; the changes at its last instant are read again there
        List<JsonNode> head = new ArrayList<>();
        for (JsonNode change : firstChanges) {
            if (Instant.parse(change.path("changed_at").asString()).isBefore(bounds.get(0))) {
                head.add(change);
            }
        }
        List<CompletableFuture<History>> slices = new ArrayList<>();
        for (int i = 0; i < bounds.size(); i++) {
            String sliceFrom = bounds.get(i).toString();
            // `to` is inclusive in the history API: a slice ends 1 ms before the next begins; the last ends at `to`
            String sliceTo =
                    i + 1 < bounds.size() ? bounds.get(i + 1).minusMillis(1).toString() : to;
            int budget = max - head.size();
            slices.add(CompletableFuture.supplyAsync(
                    () -> walk(path, sliceFrom, sliceTo, known, null, budget, deadline), slicing));
        }
        History whole = new History(head, false, null);
        for (CompletableFuture<History> slice : slices) {
            History part = join(slice);
            if (whole.truncated() || whole.refused() != null) {
                continue;
            }
            whole = part.after(whole.changes(), max);
        }
        return whole;
    }

    /**
     * Where the slices after a first page begin: from the first page's last valid time to the latest valid time
     * among the customer's current values ({@link TimelineSlices}); none when slicing is off, the page's range ends
     * there, or the current profile cannot be read.
     */
    private List<Instant> sliceBounds(String customerId, List<JsonNode> firstChanges, String to) {
        if (properties.timelineSlices() < 2 || firstChanges.isEmpty()) {
            return List.of();
        }
        Instant lastRead = Instant.parse(
                firstChanges.get(firstChanges.size() - 1).path("changed_at").asString());
        Answer current;
        try {
            current = get(Service.RECONSTRUCTION, "/api/v1/customers/" + customerId + "/profile");
        } catch (Unavailable e) {
            return List.of();
        }
        if (!current.ok()) {
            return List.of();
        }
        Instant latest = null;
        for (JsonNode provenance : current.body().path("provenance")) {
            String updated = provenance.path("updated_at").asString();
            if (!updated.isEmpty()) {
                Instant at = Instant.parse(updated);
                latest = latest == null || at.isAfter(latest) ? at : latest;
            }
        }
        if (latest == null) {
            return List.of();
        }
        if (to != null && Instant.parse(to).isBefore(latest)) {
            latest = Instant.parse(to);
        }
        return TimelineSlices.starts(lastRead, latest, properties.timelineSlices());
    }

    /** The pages of one range, from its first page or from {@code cursor}, until its end, {@code max} or the deadline. */
    private History walk(String path, String from, String to, String knownAt, String cursor, int max, long deadline) {
        List<JsonNode> changes = new ArrayList<>();
        String next = cursor;
        while (true) {
            if (next != null && (changes.size() >= max || System.nanoTime() > deadline)) {
                return new History(changes, true, null);
            }
            Answer page = historyPage(path, HISTORY_PAGE, from, to, knownAt, next);
            if (!page.ok()) {
                return new History(changes, false, page);
            }
            page.body().path("changes").forEach(changes::add);
            next = nextCursor(page);
            if (next == null) {
                return new History(changes, false, null);
            }
        }
    }

    /**
     * One history page. Later pages name their cursor, which carries {@code known_at}. A service whose {@code
     * asof.history.max-page-size} is below the console's page size is asked again with pages of 200 (its default
     * before pages of 1,000).
     */
    private Answer historyPage(String path, int limit, String from, String to, String knownAt, String cursor) {
        Answer page = get(Service.RECONSTRUCTION, path(path, historyQuery(limit, from, to, knownAt, cursor)));
        if (limit > SMALL_HISTORY_PAGE
                && page.status() == 400
                && page.body() != null
                && page.body().path("detail").asString().startsWith("limit:")) {
            page = get(Service.RECONSTRUCTION, path(path, historyQuery(SMALL_HISTORY_PAGE, from, to, knownAt, cursor)));
        }
        return page;
    }

    private static Map<String, String> historyQuery(int limit, String from, String to, String knownAt, String cursor) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("limit", Integer.toString(limit));
        query.put("from", from);
        query.put("to", to);
        query.put(cursor == null ? "known_at" : "cursor", cursor == null ? knownAt : cursor);
        return query;
    }

    private static String nextCursor(Answer page) {
        JsonNode next = page.body().path("next_cursor");
        return next.isString() && !next.asString().isEmpty() ? next.asString() : null;
    }

    private static History join(CompletableFuture<History> slice) {
        try {
            return slice.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Unavailable unavailable) {
                throw unavailable;
            }
            throw e;
        }
    }

    /**
     * A walk of a timeline.
     *
     * @param changes the changes read, in the timeline's order
     * @param truncated more changes exist than were read: {@code asof.console.timeline-max-changes} or
     *     {@code timeline-timeout} was reached
     * @param refused the service's refusal ({@code 404}, {@code 410}, ...), or {@code null}
     */
    public record History(List<JsonNode> changes, boolean truncated, Answer refused) {

        /** This walk's changes after {@code before}, cut (and so truncated) past {@code max} in all. */
        History after(List<JsonNode> before, int max) {
            List<JsonNode> all = new ArrayList<>(before.size() + changes.size());
            all.addAll(before);
            all.addAll(changes);
            if (all.size() > max) {
                return new History(all.subList(0, max), true, refused);
            }
            return new History(all, truncated, refused);
        }
    }

    private URI uri(Service service, String pathAndQuery) {
        URI base = switch (service) {
            case INGESTION -> properties.ingestionUrl();
            case RECONSTRUCTION -> properties.reconstructionUrl();
            case MERGE -> properties.mergeUrl();
        };
        String root = base.toString().replaceAll("/+$", "");
        return URI.create(root + pathAndQuery);
    }

    private Answer send(Service service, HttpRequest.Builder request) {
        HttpRequest built = request.timeout(properties.requestTimeout())
                .header("Authorization", "Bearer " + properties.apiKey())
                .header("Accept", "application/json, application/problem+json")
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new Unavailable(
                    service, "no answer within " + properties.requestTimeout().toMillis() + " ms", e);
        } catch (IOException e) {
            throw new Unavailable(service, "cannot connect", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(service, "interrupted", e);
        }
        JsonNode body = null;
        if (response.body().length > 0) {
            try {
                body = json.readTree(response.body());
            } catch (JacksonException e) {
                body = null;
            }
        }
        if (response.statusCode() == 429 || response.statusCode() >= 500) {
            // overloaded or failing: a pause to show and retry, not an answer about the customer
            throw new Unavailable(service, "HTTP " + response.statusCode(), null);
        }
        if (response.statusCode() >= 200 && response.statusCode() < 300 && (body == null || !body.isObject())) {
            throw new Unavailable(
                    service, "HTTP " + response.statusCode() + " without the JSON object it should send", null);
        }
        return new Answer(response.statusCode(), body);
    }
}
