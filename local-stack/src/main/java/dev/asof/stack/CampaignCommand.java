package dev.asof.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./asof campaign FILE [--name NAME]}: uploads a campaign file to the running stack's ingestion-service
 * (streamed from disk, with an {@code Idempotency-Key} derived from the file and the name, so running the command
 * again after a dropped connection attaches to the same campaign instead of starting another), then shows its
 * progress until it is done and prints the summary and where to read the errors.
 */
final class CampaignCommand {

    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration PLAIN_EVERY = Duration.ofSeconds(10);
    private static final int BAR = 30;
    private static final int ERRORS_SHOWN = 10;
    private static final int MAX_ATTEMPTS = 30;

    private final StackConfig config;
    private final Map<String, String> env;
    private final PrintStream out;
    private final boolean terminal;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CampaignCommand(StackConfig config, Map<String, String> env, PrintStream out, boolean terminal) {
        this.config = config;
        this.env = env;
        this.out = out;
        this.terminal = terminal;
    }

    int run() throws StackException {
        if (config.campaignCancel() != null) {
            return cancel(config.campaignCancel().toLowerCase(Locale.ROOT));
        }
        Path file = config.campaignFile();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new StackException("cannot read " + file);
        }
        String type = contentType(file);
        String name = config.campaignName() == null ? file.getFileName().toString() : config.campaignName();
        String base = "http://localhost:" + config.ingestionPort();
        String key = apiKey();
        String idempotencyKey = "asof-cli-" + digest(file, name);
        try {
            out.printf(
                    Locale.ROOT,
                    "Uploading %s (%s) as campaign \"%s\" to %s ...%n",
                    file.getFileName(),
                    size(file),
                    name,
                    base);
            HttpResponse<String> accepted = upload(base, name, type, key, idempotencyKey, file);
            if (accepted.statusCode() != 202) {
                throw new StackException(
                        "the upload was refused: " + accepted.statusCode() + " " + problem(accepted.body()));
            }
            JsonNode campaign = json.readTree(accepted.body());
            String id = campaign.get("campaign_id").asString();
            String location = base + "/api/v1/campaigns/" + id;
            out.printf(
                    Locale.ROOT,
                    "Campaign %s %s: %,d lines, %,d to apply, %,d rejected. Ctrl-C stops watching; the campaign goes"
                            + " on; ./asof campaign --cancel %s stops it.%n",
                    id,
                    accepted.headers().firstValue("Idempotent-Replayed").isPresent() ? "(uploaded before)" : "accepted",
                    campaign.get("lines_total").asLong(),
                    campaign.get("lines_accepted").asLong(),
                    campaign.get("lines_rejected").asLong(),
                    id);
            return follow(location, key, campaign, "completed");
        } catch (IOException e) {
            throw unreachable(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /**
     * {@code ./asof campaign --cancel ID}: asks ingestion-service to cancel the campaign, then shows it until it has
     * stopped (its runner stops at its next batch) and prints the summary; 0 once it is cancelled, 1 when it had
     * finished or finishes anyway (every line was published already).
     */
    private int cancel(String id) throws StackException {
        String base = "http://localhost:" + config.ingestionPort();
        String location = base + "/api/v1/campaigns/" + id;
        String key = apiKey();
        try {
            out.printf(Locale.ROOT, "Cancelling campaign %s at %s ...%n", id, base);
            HttpResponse<String> answer;
            try {
                answer = http.send(
                        HttpRequest.newBuilder(URI.create(location + "/cancel"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + key)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpConnectTimeoutException e) {
                throw unreachable(base, e);
            } catch (java.net.http.HttpTimeoutException e) {
                throw new StackException("no answer from " + base + " within 30 s; the cancellation may have been"
                        + " recorded: run the command again (it is harmless)");
            }
            if (answer.statusCode() == 401 || answer.statusCode() == 403) {
                throw new StackException("the cancellation was refused: " + answer.statusCode()
                        + "; the API key (ASOF_API_KEY, else the dev key) needs the events:write scope");
            }
            if (answer.statusCode() == 409) {
                out.println("Not cancelled: " + problem(answer.body()));
                return 1;
            }
            if (answer.statusCode() != 200 && answer.statusCode() != 202) {
                throw new StackException(
                        "the cancellation was refused: " + answer.statusCode() + " " + problem(answer.body()));
            }
            JsonNode campaign = json.readTree(answer.body());
            if (answer.statusCode() == 202) {
                out.println("Its runner stops it at its next batch; lines published so far stay in the log."
                        + " Ctrl-C stops watching; the cancellation stands.");
            }
            return follow(location, key, campaign, "cancelled");
        } catch (IOException e) {
            throw unreachable(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Shows the campaign until it has ended, then its summary; 0 when it ended {@code wanted}, else 1. */
    private int follow(String location, String key, JsonNode campaign, String wanted)
            throws IOException, InterruptedException, StackException {
        JsonNode done = watch(location, key, campaign);
        summary(done, location);
        return done.get("state").asString().equals(wanted) ? 0 : 1;
    }

    private static StackException unreachable(String base, IOException e) {
        return new StackException("cannot reach ingestion-service at " + base + " (" + e.getMessage()
                + "); is the stack up? (./asof up)");
    }

    /**
     * Sends the file; a {@code 503} (the instance is reading its maximum of uploads, or Kafka or DynamoDB are
     * briefly unavailable) is retried after its {@code Retry-After}, with the same Idempotency-Key.
     */
    private HttpResponse<String> upload(
            String base, String name, String type, String key, String idempotencyKey, Path file)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    base + "/api/v1/campaigns?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                            .timeout(Duration.ofMinutes(10))
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", type)
                            .header("Idempotency-Key", idempotencyKey)
                            .POST(HttpRequest.BodyPublishers.ofFile(file))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 503 || attempt == MAX_ATTEMPTS) {
                return response;
            }
            long wait = response.headers()
                    .firstValue("Retry-After")
                    .map(CampaignCommand::seconds)
                    .orElse(5L);
            out.printf(
                    Locale.ROOT,
                    "The service is busy (%s); trying again in %d s ...%n",
                    problem(response.body()),
                    wait);
            Thread.sleep(wait * 1000);
        }
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(1, Math.min(60, Long.parseLong(retryAfter.trim())));
        } catch (NumberFormatException e) {
            return 5;
        }
    }

    private JsonNode watch(String location, String key, JsonNode campaign)
            throws IOException, InterruptedException, StackException {
        long startedNanos = System.nanoTime();
        long lastPlain = 0;
        long firstLogged = campaign.get("events_logged").asLong();
        JsonNode current = campaign;
        int failures = 0;
        while (!finished(current)) {
            Thread.sleep(POLL.toMillis());
            HttpResponse<String> response;
            try {
                response = http.send(
                        HttpRequest.newBuilder(URI.create(location))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + key)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                response = null;
            }
            if (response == null || response.statusCode() != 200) {
                // a restart or a moment of unavailability must not end the watch; the campaign goes on regardless
                if (++failures >= MAX_ATTEMPTS) {
                    throw new StackException("reading the campaign failed " + failures + " times in a row ("
                            + (response == null ? "no answer" : response.statusCode() + " " + problem(response.body()))
                            + "); it goes on: GET " + location);
                }
                continue;
            }
            failures = 0;
            current = json.readTree(response.body());
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            long logged = current.get("events_logged").asLong();
            double rate = seconds > 0 ? (logged - firstLogged) / seconds : 0;
            String line = progressLine(
                    logged,
                    current.get("lines_accepted").asLong(),
                    rate,
                    current.get("lines_rejected").asLong());
            if (terminal) {
                out.print("\r" + line);
                out.flush();
            } else if (System.nanoTime() - lastPlain >= PLAIN_EVERY.toNanos()) {
                out.println(line);
                lastPlain = System.nanoTime();
            }
        }
        if (terminal) {
            out.println();
        }
        return current;
    }

    private static boolean finished(JsonNode campaign) {
        String state = campaign.get("state").asString();
        return state.equals("completed") || state.equals("failed") || state.equals("cancelled");
    }

    /** {@code [#########.....] 41,200/100,000 logged  612/s  ETA 1m36s  rejected 3}. */
    static String progressLine(long logged, long total, double perSecond, long rejected) {
        double fraction = total == 0 ? 1 : Math.min(1.0, (double) logged / total);
        int filled = (int) Math.round(fraction * BAR);
        String eta = perSecond <= 0 || logged >= total ? "--" : duration(Math.round((total - logged) / perSecond));
        return String.format(
                Locale.ROOT,
                "[%s%s] %,d/%,d logged  %,.0f/s  ETA %s  rejected %,d",
                "#".repeat(filled),
                ".".repeat(BAR - filled),
                logged,
                total,
                perSecond,
                eta,
                rejected);
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return (seconds / 60) + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
        }
        return (seconds / 3600) + "h" + String.format(Locale.ROOT, "%02d", (seconds % 3600) / 60) + "m";
    }

    private void summary(JsonNode campaign, String location) {
        out.printf(
                Locale.ROOT,
                "Campaign %s %s: %,d lines, %,d to apply (%,d logged, %,d failed), %,d rejected.%n",
                campaign.get("campaign_id").asString(),
                campaign.get("state").asString(),
                campaign.get("lines_total").asLong(),
                campaign.get("lines_accepted").asLong(),
                campaign.get("events_logged").asLong(),
                campaign.get("events_failed").asLong(),
                campaign.get("lines_rejected").asLong());
        if (campaign.hasNonNull("failure")) {
            out.println("Failure: " + campaign.get("failure").asString());
        }
        if (campaign.get("state").asString().equals("cancelled")) {
            out.printf(
                    Locale.ROOT,
                    "Cancelled (asked at %s, stopped at %s): of the %,d lines to apply, %,d were published and stay"
                            + " in the log, %,d were never published.%n",
                    campaign.path("cancel_requested_at").asString("?"),
                    campaign.path("completed_at").asString("?"),
                    campaign.get("lines_accepted").asLong(),
                    campaign.get("events_published").asLong(),
                    campaign.path("lines_cancelled").asLong());
        }
        JsonNode errors = campaign.get("errors");
        if (errors != null && !errors.isEmpty()) {
            out.println("First rejected lines:");
            for (int i = 0; i < Math.min(ERRORS_SHOWN, errors.size()); i++) {
                JsonNode error = errors.get(i);
                out.printf(
                        Locale.ROOT,
                        "  line %d: %s: %s%n",
                        error.get("line").asLong(),
                        error.get("type").asString(),
                        error.get("detail").asString());
            }
            out.println("The first 100 errors: GET " + location);
        }
    }

    private String apiKey() throws StackException {
        String key = env.get("ASOF_API_KEY");
        if (key != null && !key.isBlank()) {
            return key.trim();
        }
        Path file = config.apiKeyFile();
        if (!Files.isRegularFile(file)) {
            throw new StackException("no API key: set ASOF_API_KEY, or start the stack with ./asof up (it writes the"
                    + " dev key to " + file + ")");
        }
        try {
            return DevApiKey.loadOrCreate(file).value();
        } catch (IOException e) {
            throw new StackException("cannot read the dev API key " + file + ": " + e.getMessage());
        }
    }

    private static String contentType(Path file) throws StackException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "text/csv";
        }
        if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
            return "application/x-ndjson";
        }
        throw new StackException("cannot tell the format of " + file.getFileName()
                + ": name it .csv (text/csv) or .ndjson/.jsonl (application/x-ndjson)");
    }

    private String problem(String body) {
        try {
            JsonNode problem = json.readTree(body);
            return problem.path("detail").asString(body);
        } catch (RuntimeException e) {
            return body;
        }
    }

    private static String size(Path file) {
        try {
            long bytes = Files.size(file);
            return bytes < 1024 * 1024
                    ? String.format(Locale.ROOT, "%,d KB", (bytes + 1023) / 1024)
                    : String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
        } catch (IOException e) {
            return "size unknown";
        }
    }

    /** SHA-256 of the file's bytes and the campaign name: the same upload gets the same Idempotency-Key. */
    private static String digest(Path file, String name) throws StackException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
            sha.update(("\n" + name).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 40);
        } catch (IOException e) {
            throw new StackException("cannot read " + file + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
