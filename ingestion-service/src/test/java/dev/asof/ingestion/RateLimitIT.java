package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A client over its rate gets 429 with Retry-After; other clients are not affected. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"asof.http.rate-limit=3", "asof.http.rate-limit-period=1h"})
class RateLimitIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        // no campaign runner: a cached context's runner would take other test classes' campaigns
        registry.add("asof.campaigns.runner-enabled", () -> "false");
    }

    @LocalServerPort
    int port;

    @Test
    void theFourthRequestInThePeriodIsA429ForThatClientOnly() {
        ApiClient api = ApiClient.localhost(port);
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> last = null;
        for (int i = 0; i < 4; i++) {
            last = api.postJson("/api/v1/events", TestApiKeys.EVENTS_WRITE_ONLY, "[]");
            statuses.add(last.statusCode());
        }

        assertThat(statuses).containsExactly(400, 400, 400, 429);
        assertThat(last.headers().firstValue("Retry-After")).hasValue("3600");
        assertThat(last.body()).contains("/problems/rate-limited");
        assertThat(api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, "[]").statusCode())
                .isEqualTo(400);
    }
}
