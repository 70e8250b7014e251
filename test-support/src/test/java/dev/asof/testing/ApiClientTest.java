package dev.asof.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiClientTest {

    private HttpServer server;
    private final AtomicInteger unavailableLeft = new AtomicInteger();
    private final List<String> bodies = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/api/v1/events", exchange -> {
            synchronized (bodies) {
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            }
            int status = unavailableLeft.getAndDecrement() > 0 ? 503 : 202;
            if (status == 503) {
                exchange.getResponseHeaders().add("Retry-After", "0");
            }
            byte[] body = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aBusyAnswerIsSentAgainUnchangedUntilAccepted() {
        unavailableLeft.set(2);
        int retriedBefore = ApiClient.retriedUnavailable();

        HttpResponse<String> answer = ApiClient.localhost(server.getAddress().getPort())
                .postJsonRetryingUnavailable("/api/v1/events", "key", "{\"event_id\":\"e1\"}");

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(bodies).containsExactly("{\"event_id\":\"e1\"}", "{\"event_id\":\"e1\"}", "{\"event_id\":\"e1\"}");
        assertThat(ApiClient.retriedUnavailable() - retriedBefore).isEqualTo(2);
    }

    @Test
    void theFifthBusyAnswerIsReturnedAsItIs() {
        unavailableLeft.set(10);

        HttpResponse<String> answer = ApiClient.localhost(server.getAddress().getPort())
                .postJsonRetryingUnavailable("/api/v1/events", "key", "{}");

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(bodies).hasSize(5);
    }
}
