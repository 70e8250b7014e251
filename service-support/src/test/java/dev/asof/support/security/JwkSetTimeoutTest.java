package dev.asof.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An issuer whose JWK set endpoint accepts the connection and never answers: a token cannot be checked, so the
 * request gets a 503 once {@code jwk-set-timeout} has passed, instead of hanging; API keys are unaffected.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JwkSetTimeoutTest {

    static final Duration TIMEOUT = Duration.ofMillis(400);

    static final TestTokens ISSUER_KEY = TestTokens.generate("issuer-key-1");
    static final JwkSetServer JWKS = JwkSetServer.start(ISSUER_KEY.jwkSet());

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SecuredTestApplication.apiKeys(registry);
        registry.add("asof.security.oauth2.issuer-uri", () -> TestTokens.ISSUER);
        registry.add("asof.security.oauth2.jwk-set-uri", () -> JWKS.hangingUri().toString());
        registry.add("asof.security.oauth2.jwk-set-timeout", () -> TIMEOUT.toMillis() + "ms");
    }

    @AfterAll
    static void stopJwks() {
        JWKS.stop();
    }

    @Test
    void aTokenThatCannotBeCheckedGetsA503WithinTheTimeout() {
        String token = ISSUER_KEY.sign(TestTokens.claims("profile:read"));

        long started = System.nanoTime();
        HttpResponse<String> response = new ApiClient(port).get("/probe", token);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("/problems/token-keys-unavailable");
        assertThat(took).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(TIMEOUT.multipliedBy(5));
    }

    @Test
    void apiKeysWorkWhileTheIssuerIsUnreachable() {
        assertThat(new ApiClient(port)
                        .get("/probe", SecuredTestApplication.READER_KEY)
                        .statusCode())
                .isEqualTo(200);
    }
}
