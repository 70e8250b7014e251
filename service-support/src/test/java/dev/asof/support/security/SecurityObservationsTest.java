package dev.asof.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring Security's own observations are off (they wrapped every filter of every request in a timer): a request,
 * accepted or refused, leaves no {@code spring.security.*} meter, and is still timed as a whole.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SecurityObservationsTest {

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry metrics;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SecuredTestApplication.apiKeys(registry);
    }

    @Test
    void requestsLeaveNoSpringSecurityMeters() {
        HttpResponse<String> accepted = new ApiClient(port).get("/probe", SecuredTestApplication.ALL_SCOPES_KEY);
        HttpResponse<String> refused = new ApiClient(port).get("/probe", "not-a-key");

        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(metrics.getMeters())
                .extracting(meter -> meter.getId().getName())
                .noneMatch(name -> name.startsWith("spring.security"));
        assertThat(metrics.find("http.server.requests").meters())
                .extracting(Meter::getId)
                .isNotEmpty();
    }
}
