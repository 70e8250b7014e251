package dev.asof.support.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs and POSTs to the test app, with or without a bearer credential. */
record ApiClient(int port) {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    HttpResponse<String> get(String path, String bearer) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)), bearer);
    }

    /** POSTs {@code json} to {@code path}. */
    HttpResponse<String> post(String path, String bearer, String json) {
        return send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)),
                bearer);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String bearer) {
        request.timeout(Duration.ofSeconds(20));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
