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
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
    /**
     * History pages of sliced reads in flight, console-wide: however many people open long timelines at once, the
     * console asks reconstruction-service (whose read capacity agents' live calls share) for at most this many.
     */
    private final Semaphore historyPages;

    /** Set once a service refused pages of {@link #HISTORY_PAGE}: later reads ask for {@link #SMALL_HISTORY_PAGE}. */
    private volatile boolean smallPages;

    public AsofApi(ConsoleProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.requestTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        // the slices of timelines being read: bounded; a full pool reads in the asking thread (a slice never waits
        // for another task, so that cannot deadlock); once stopping, refused (the reader then fails at once)
        this.slicing = ReadPool.bounded("console-timeline-slice-", properties.readThreads(), (runnable, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the console is stopping");
            }
            runnable.run();
        });
        // one reader's ranges may take them all; several readers share them
        this.historyPages = new Semaphore(Math.max(2, properties.timelineSlices()));
    }

    @PreDestroy
    void stop() {
        // running slices end at their deadline at the latest
        slicing.shutdown();
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
         * The service has no such endpoint here (an older or differently configured service): a {@code 404} that is
         * no problem+json, or asof's generic {@code not-found} for a path nothing serves (a missing resource has a
         * type of its own: {@code profile-not-found}, {@code erasure-not-found}, ...). Pages show the feature as
         * unavailable, never as empty data.
         */
        public boolean absentApi() {
            return status == 404 && (problem().isEmpty() || problem().equals("not-found"));
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

    /**
     * A timeline summed up for drawing: {@code GET /api/v1/customers/{id}/history/marks} with valid time from {@code
     * from} (inclusive) to {@code to} (exclusive; {@code null}: unbounded) in {@code buckets} buckets, at most {@code
     * asof.console.timeline-max-changes} read. One call, so within {@code request-timeout} like any other: a hanging
     * service costs a page that long and no more (reconstruction-service answers with what it read, cut short, by its
     * {@code asof.history.marks-timeout}, 8 s by default, before the console's default 10 s).
     */
    public Answer marks(String customerId, String from, String to, int buckets) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("from", from);
        query.put("to", to);
        query.put("buckets", Integer.toString(buckets));
        query.put("max_changes", Integer.toString(properties.timelineMaxChanges()));
        String pathAndQuery = path("/api/v1/customers/" + customerId + "/history/marks", query);
        return get(Service.RECONSTRUCTION, pathAndQuery);
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
     * Every change of a customer's timeline with valid time from {@code from} to {@code to} (both inclusive, as the
     * history API takes them; {@code null}: unbounded) as known at {@code knownAt}, up to {@code
     * asof.console.timeline-max-changes}, read within {@code timeline-timeout}, each turned into what the caller
     * keeps by {@code each} as its page arrives, in the thread that read it; what is returned is always the
     * timeline's beginning. A timeline longer than its first page (200 changes) is read in {@code timeline-slices}
     * valid-time ranges at once (see {@link TimelineSlices}), so the store, reconstruction-service and the console
     * work side by side instead of taking turns page after page; each range's changes are exactly the full walk's
     * changes there (every history page starts from the state just before its first valid time), all as known at
     * the first page's {@code known_at}. No page's JSON outlives its own read (10,000 changes held as JSON trees
     * until the end took a third of the console's CPU in garbage collection).
     */
    public <T> History<T> history(
            String customerId, String from, String to, String knownAt, Function<JsonNode, T> each) {
        long deadline = System.nanoTime() + properties.timelineTimeout().toNanos();
        int max = properties.timelineMaxChanges();
        String path = "/api/v1/customers/" + customerId + "/history";
        boolean slicing = properties.timelineSlices() > 1;
        // a short first page when slicing: the slices start once it is read
        Answer first = historyPage(path, slicing ? SMALL_HISTORY_PAGE : HISTORY_PAGE, from, to, knownAt, null);
        if (!first.ok()) {
            return new History<>(List.of(), false, first);
        }
        List<JsonNode> firstChanges = new ArrayList<>();
        first.body().path("changes").forEach(firstChanges::add);
        String cursor = nextCursor(first);
        if (cursor == null) {
            return new History<>(converted(firstChanges, each), false, null);
        }
        // every later read sees the log as the first page did
        String known = first.body().path("known_at").asString();
        List<Instant> starts = slicing ? sliceStarts(customerId, firstChanges, to) : List.of();
        if (starts.isEmpty()) {
            Read rest = new Read(max - firstChanges.size(), deadline);
            return walk(path, from, to, known, cursor, rest, false, each).after(converted(firstChanges, each), max);
        }
        // the first page's changes before the first range; those at its last instant are read again there
        List<T> head = new ArrayList<>();
        for (JsonNode change : firstChanges) {
            if (Instant.parse(change.path("changed_at").asString()).isBefore(starts.get(0))) {
                head.add(each.apply(change));
            }
        }
        Read read = new Read(max - head.size(), deadline);
        List<CompletableFuture<History<T>>> ranges = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            String rangeFrom = starts.get(i).toString();
            // `to` is inclusive in the history API: a range ends 1 ms before the next begins; the last ends at `to`
            String rangeTo =
                    i + 1 < starts.size() ? starts.get(i + 1).minusMillis(1).toString() : to;
            ranges.add(CompletableFuture.supplyAsync(
                    () -> walk(path, rangeFrom, rangeTo, known, null, read, true, each), this.slicing));
        }
        try {
            History<T> whole = new History<>(head, false, null);
            for (CompletableFuture<History<T>> range : ranges) {
                // a range after one cut short or refused is not part of the answer: not waited for, its failure
                // not the answer's
                History<T> part = join(range, deadline);
                whole = part.after(whole.changes(), max);
                if (whole.truncated() || whole.refused() != null) {
                    return whole;
                }
            }
            return whole;
        } finally {
            read.stop();
            ranges.forEach(range -> range.cancel(false));
        }
    }

    /**
     * Where the ranges after a first page begin: from the first page's last valid time up to the latest valid time
     * among the customer's current values, at most now, cut into as many ranges as keep each about one history page
     * by the first page's pace, up to {@code timeline-slices} ({@link TimelineSlices}); none when the current profile
     * cannot be read or gives no time, or {@code to} comes first.
     */
    private List<Instant> sliceStarts(String customerId, List<JsonNode> firstChanges, String to) {
        if (firstChanges.isEmpty()) {
            return List.of();
        }
        try {
            Instant lastRead = Instant.parse(
                    firstChanges.get(firstChanges.size() - 1).path("changed_at").asString());
            Answer current = get(Service.RECONSTRUCTION, "/api/v1/customers/" + customerId + "/profile");
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
            Instant now = Instant.now();
            latest = latest.isAfter(now) ? now : latest;
            if (to != null && Instant.parse(to).isBefore(latest)) {
                latest = Instant.parse(to);
            }
            Instant firstRead =
                    Instant.parse(firstChanges.get(0).path("changed_at").asString());
            int count =
                    TimelineSlices.count(firstChanges.size(), firstRead, lastRead, latest, properties.timelineSlices());
            return TimelineSlices.starts(lastRead, latest, count);
        } catch (Unavailable | DateTimeParseException e) {
            // no guess at the end: read page after page
            return List.of();
        }
    }

    /**
     * What one timeline read may still do, shared by its ranges: changes left to read before it is cut short, its
     * deadline, and whether it was stopped (the answer is settled without the ranges still running).
     */
    private static final class Read {

        private final AtomicInteger left;
        private final long deadline;
        private volatile boolean stopped;

        Read(int max, long deadline) {
            this.left = new AtomicInteger(max);
            this.deadline = deadline;
        }

        /**
         * Whether another page may be read: not once stopped or past the deadline, and, except for a range's first
         * page, not once the changes read reach the most one timeline reads (a range's first page may pass it; the
         * answer is cut there).
         */
        boolean mayRead(boolean rangesFirstPage) {
            return !stopped && System.nanoTime() < deadline && (rangesFirstPage || left.get() > 0);
        }

        void counted(int changes) {
            left.addAndGet(-changes);
        }

        void stop() {
            stopped = true;
        }
    }

    /**
     * The pages of one range, from its first page or from {@code cursor}, until its end or until {@code read} may
     * not go on (then truncated). A range of a sliced read waits for one of the console's {@link #historyPages}
     * before each page.
     */
    private <T> History<T> walk(
            String path,
            String from,
            String to,
            String knownAt,
            String cursor,
            Read read,
            boolean sliced,
            Function<JsonNode, T> each) {
        List<T> changes = new ArrayList<>();
        String next = cursor;
        while (true) {
            if (!read.mayRead(next == null)) {
                return new History<>(changes, true, null);
            }
            Answer page = sliced
                    ? slicePage(path, from, to, knownAt, next, read)
                    : historyPage(path, HISTORY_PAGE, from, to, knownAt, next);
            if (page == null) {
                return new History<>(changes, true, null);
            }
            if (!page.ok()) {
                return new History<>(changes, false, page);
            }
            int before = changes.size();
            page.body().path("changes").forEach(change -> changes.add(each.apply(change)));
            read.counted(changes.size() - before);
            next = nextCursor(page);
            if (next == null) {
                return new History<>(changes, false, null);
            }
        }
    }

    /** One page of a sliced read, once a permit is free; {@code null} when none came before the deadline. */
    private Answer slicePage(String path, String from, String to, String knownAt, String cursor, Read read) {
        try {
            long wait = read.deadline - System.nanoTime();
            if (wait <= 0 || !historyPages.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(Service.RECONSTRUCTION, "interrupted", e);
        }
        try {
            return historyPage(path, HISTORY_PAGE, from, to, knownAt, cursor);
        } finally {
            historyPages.release();
        }
    }

    /**
     * One history page. Later pages name their cursor, which carries {@code known_at}. A service whose {@code
     * asof.history.max-page-size} is below the console's page size is asked again, and from then on, with pages
     * of 200 (its default before pages of 1,000).
     */
    private Answer historyPage(String path, int limit, String from, String to, String knownAt, String cursor) {
        int asked = smallPages ? Math.min(limit, SMALL_HISTORY_PAGE) : limit;
        Answer page = get(Service.RECONSTRUCTION, path(path, historyQuery(asked, from, to, knownAt, cursor)));
        if (asked > SMALL_HISTORY_PAGE
                && page.status() == 400
                && page.body() != null
                && page.body().path("detail").asString().startsWith("limit:")) {
            smallPages = true;
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

    /** A range's pages; {@link Unavailable} as the service's failure, a range still running at the deadline as cut. */
    private <T> History<T> join(CompletableFuture<History<T>> range, long deadline) {
        try {
            // the ranges stop asking at the deadline; the page in flight then may take one request timeout more
            long wait =
                    deadline - System.nanoTime() + properties.requestTimeout().toNanos();
            return range.get(Math.max(wait, 0), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Unavailable unavailable) {
                throw unavailable;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            return new History<>(List.of(), true, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(Service.RECONSTRUCTION, "interrupted", e);
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
    public record History<T>(List<T> changes, boolean truncated, Answer refused) {

        /** This walk's changes after {@code before}, cut (and so truncated) past {@code max} in all. */
        History<T> after(List<T> before, int max) {
            List<T> all = new ArrayList<>(before.size() + changes.size());
            all.addAll(before);
            all.addAll(changes);
            if (all.size() > max) {
                return new History<>(all.subList(0, max), true, refused);
            }
            return new History<>(all, truncated, refused);
        }
    }

    private static <T> List<T> converted(List<JsonNode> changes, Function<JsonNode, T> each) {
        List<T> converted = new ArrayList<>(changes.size());
        changes.forEach(change -> converted.add(each.apply(change)));
        return converted;
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
