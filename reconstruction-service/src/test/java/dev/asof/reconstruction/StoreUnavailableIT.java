package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.reconstruction.resilience.ProfileStoreGuard;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.TestApiKeys;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * DynamoDB slow or down: every read answers {@code 503 store-unavailable} with Retry-After within its time budget,
 * never hangs, and once the circuit breaker opens, at once. Its own context: DynamoDB points at a port that first
 * hangs and then is closed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreUnavailableIT {

    static final SilentStore STORE = SilentStore.start();

    /** Far more than the 1 s budget: a response slower than this is a hang. */
    static final Duration HANG = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void unreachableStore(DynamicPropertyRegistry registry) {
        AsofTestProperties.all().forEach((name, value) -> registry.add(name, () -> value));
        registry.add("spring.cloud.aws.dynamodb.endpoint", STORE::endpoint);
        registry.add("asof.dynamodb.create-tables", () -> "false");
        registry.add("asof.snapshots.enabled", () -> "false");
        registry.add("asof.reconstruction.cache.enabled", () -> "false");
        registry.add("asof.reconstruction.time-budget", () -> "1s");
        registry.add("asof.reconstruction.dynamodb.api-call-timeout", () -> "700ms");
        registry.add("asof.reconstruction.dynamodb.api-call-attempt-timeout", () -> "300ms");
        registry.add("asof.reconstruction.breaker.minimum-number-of-calls", () -> "3");
        registry.add("asof.reconstruction.breaker.sliding-window-size", () -> "3");
        registry.add("asof.reconstruction.breaker.wait-in-open-state", () -> "30s");
    }

    @LocalServerPort
    int port;

    @Autowired
    ProfileStoreGuard guard;

    @Autowired
    CircuitBreaker profileStoreCircuitBreaker;

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    @Order(1)
    void aStoreThatDoesNotAnswerIsA503WithinTheBudgetThenTheBreakerAnswersAtOnce() {
        profileStoreCircuitBreaker.reset();
        for (String path : List.of(
                "/api/v1/customers/cust_1/profile/at/2023-10-27T14:30:00Z",
                "/api/v1/customers/cust_1/profile",
                "/api/v1/customers/cust_1/history")) {
            HttpResponse<String> response = read(path);
            assertUnavailable(response, path);
            assertThat(response.headers().firstValue("Retry-After")).as(path).hasValue("1");
        }
        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);

        HttpResponse<String> open = read("/profile/at/2023-10-27T14:30:00Z?customer_id=cust_1");

        assertUnavailable(open, "breaker open");
        assertThat(open.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(open.body()).contains("circuit breaker is open");
    }

    @Test
    @Order(2)
    void aStoreThatIsDownIsA503() {
        STORE.close();
        profileStoreCircuitBreaker.reset();

        HttpResponse<String> response = read("/api/v1/customers/cust_1/profile/at/2023-10-27T14:30:00Z");

        assertUnavailable(response, "closed port");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    private HttpResponse<String> read(String path) {
        return new ApiClient("http://localhost:" + port)
                .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Authorization", "Bearer " + TestApiKeys.PROFILE_READ_ONLY)
                        .timeout(HANG)
                        .GET()
                        .build());
    }

    private static void assertUnavailable(HttpResponse<String> response, String what) {
        assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("/problems/store-unavailable");
    }
}
