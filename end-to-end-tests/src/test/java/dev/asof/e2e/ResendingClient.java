package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.EventJson;
import dev.asof.testing.ApiClient;
import dev.asof.testing.TestApiKeys;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What an integrator's retry loop does: post a batch, and whenever the answer is not 202 (connection refused or
 * reset, a timeout, 503, 429) post the same body again, with the same event ids, to the next instance.
 */
final class ResendingClient {

    private ResendingClient() {}

    /**
     * Sends {@code batch} first to {@code instances.apply(first)}, then to {@code first + 1}, ... until one answers
     * 202, and records the answer in {@code accepted}.
     *
     * @param instances the intake instance for an attempt number; asked again on every attempt, so an instance that
     *     was replaced is found at its new address
     * @return how many times the batch was re-sent
     */
    static int sendUntilAnswered(
            IntFunction<ApiClient> instances, int first, List<String> batch, AcceptedEvents accepted) {
        String body = "[" + String.join(",", batch) + "]";
        for (int attempt = first; ; attempt++) {
            try {
                HttpResponse<String> response =
                        instances.apply(attempt).postJson("/api/v1/events", TestApiKeys.EVENTS_WRITE_ONLY, body);
                if (response.statusCode() == 202) {
                    accepted.answered(
                            batch, EventJson.mapper().readTree(response.body()).get("results"));
                    return attempt - first;
                }
                assertThat(response.statusCode()).as(response.body()).isIn(503, 429);
            } catch (UncheckedIOException connectionTrouble) {
                // the instance is unreachable or did not answer in time: re-send the same body
            }
            sleep(200);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
