package dev.asof.console.api;

import dev.asof.console.ConsoleProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    static final int HISTORY_PAGE = 200;

    private final ConsoleProperties properties;
    private final JsonMapper json;
    private final HttpClient http;

    public AsofApi(ConsoleProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.requestTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
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
     * Every change of a customer's timeline in {@code [from, to)} as known at {@code knownAt}, walking the history
     * pages, up to {@code asof.console.timeline-max-changes}.
     */
    public History history(String customerId, String from, String to, String knownAt) {
        List<JsonNode> changes = new ArrayList<>();
        String cursor = null;
        int max = properties.timelineMaxChanges();
        long deadline = System.nanoTime() + properties.timelineTimeout().toNanos();
        while (true) {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("limit", Integer.toString(HISTORY_PAGE));
            query.put("from", from);
            query.put("to", to);
            // later pages: the cursor carries known_at, so every page sees the log as known at the same time
            query.put(cursor == null ? "known_at" : "cursor", cursor == null ? knownAt : cursor);
            Answer page = get(Service.RECONSTRUCTION, path("/api/v1/customers/" + customerId + "/history", query));
            if (!page.ok()) {
                return new History(changes, false, page);
            }
            for (JsonNode change : page.body().path("changes")) {
                changes.add(change);
            }
            JsonNode next = page.body().path("next_cursor");
            if (!next.isString() || next.asString().isEmpty()) {
                return new History(changes, false, null);
            }
            if (changes.size() >= max || System.nanoTime() > deadline) {
                return new History(changes, true, null);
            }
            cursor = next.asString();
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
    public record History(List<JsonNode> changes, boolean truncated, Answer refused) {}

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
