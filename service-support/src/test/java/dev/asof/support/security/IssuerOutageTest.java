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

/**
 * Keys fetched once stay usable when the issuer's JWK set endpoint stops answering after the cache expired: the
 * request that finds the cache stale waits out one {@code jwk-set-timeout} and is then checked with the old keys.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IssuerOutageTest {

    static final Duration TIMEOUT = Duration.ofMillis(300);
    static final Duration CACHE_TTL = Duration.ofMillis(800);

    static final TestTokens ISSUER_KEY = TestTokens.generate("issuer-key-1");
    static final JwkSetServer JWKS = JwkSetServer.start(ISSUER_KEY.jwkSet());

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SecuredTestApplication.apiKeys(registry);
        registry.add("asof.security.oauth2.issuer-uri", () -> TestTokens.ISSUER);
        registry.add("asof.security.oauth2.jwk-set-uri", () -> JWKS.jwkSetUri().toString());
        registry.add("asof.security.oauth2.jwk-set-timeout", () -> TIMEOUT.toMillis() + "ms");
        registry.add("asof.security.oauth2.jwk-set-cache-ttl", () -> CACHE_TTL.toMillis() + "ms");
    }

    @AfterAll
    static void stopJwks() {
        JWKS.stop();
    }

    @Test
    void keysFetchedBeforeTheOutageKeepTokensWorking() throws InterruptedException {
        ApiClient api = new ApiClient(port);
        assertThat(api.get("/probe", ISSUER_KEY.sign(TestTokens.claims("profile:read")))
                        .statusCode())
                .isEqualTo(200);

        JWKS.goDown();
        Thread.sleep(CACHE_TTL.plusMillis(200).toMillis());
        long started = System.nanoTime();
        HttpResponse<String> response = api.get("/probe", ISSUER_KEY.sign(TestTokens.claims("profile:read")));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(took).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(TIMEOUT.multipliedBy(5));
    }
}
