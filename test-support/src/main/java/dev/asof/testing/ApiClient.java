package dev.asof.testing;

import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A plain HTTP client for tests that call a running service the way an integrator would. */
public final class ApiClient {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private static final AtomicInteger retriedUnavailable = new AtomicInteger();

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A client for {@code http://localhost:port}. */
    public static ApiClient localhost(int port) {
        return new ApiClient("http://localhost:" + port);
    }

    public HttpResponse<String> get(String path, String apiKey) {
        return send(request(path, apiKey).GET().build());
    }

    public HttpResponse<String> postJson(String path, String apiKey, String json) {
        return post(path, apiKey, "application/json", json);
    }

    /**
     * Posts JSON the way the API asks a client to: a {@code 503} (store or broker busy; nothing was half-written,
     * every write is idempotent) is sent again, unchanged, after its {@code Retry-After}, up to five attempts in
     * all. Any other answer, or the fifth {@code 503}, is returned as it is. For tests that load a service and
     * must not fail because a loaded CI machine made one store call miss its timeout.
     */
    public HttpResponse<String> postJsonRetryingUnavailable(String path, String apiKey, String json) {
        Retry retry = Retry.of(
                "post " + path,
                RetryConfig.<HttpResponse<String>>custom()
                        .maxAttempts(5)
                        .retryOnResult(response -> response.statusCode() == 503)
                        .intervalBiFunction((attempt, outcome) -> retryAfterMillis(outcome))
                        .consumeResultBeforeRetryAttempt((attempt, response) -> retriedUnavailable.incrementAndGet())
                        .build());
        return Retry.decorateSupplier(retry, () -> postJson(path, apiKey, json)).get();
    }

    /** How many times {@link #postJsonRetryingUnavailable} sent a request again after a {@code 503}, in this JVM. */
    public static int retriedUnavailable() {
        return retriedUnavailable.get();
    }

    private static long retryAfterMillis(Either<Throwable, HttpResponse<String>> outcome) {
        if (outcome.isRight()) {
            String seconds = outcome.get().headers().firstValue("Retry-After").orElse("1");
            if (seconds.matches("[0-9]{1,2}")) {
                return Long.parseLong(seconds) * 1_000L;
            }
        }
        return 1_000L;
    }

    public HttpResponse<String> post(String path, String apiKey, String contentType, String body) {
        return send(request(path, apiKey)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private HttpRequest.Builder request(String path, String apiKey) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        return builder;
    }

    /** Sends any request, for tests that need headers of their own. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
