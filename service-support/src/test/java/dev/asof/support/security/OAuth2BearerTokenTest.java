package dev.asof.support.security;

import static dev.asof.support.security.TestTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Bearer JWTs from a configured issuer, verified against a JWK set this test serves, next to API keys. */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OAuth2BearerTokenTest {

    static final String AUDIENCE = "asof-api";

    static final TestTokens ISSUER_KEY = TestTokens.generate("issuer-key-1");
    static final JwkSetServer JWKS = JwkSetServer.start(ISSUER_KEY.jwkSet());

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SecuredTestApplication.apiKeys(registry);
        registry.add("asof.security.oauth2.issuer-uri", () -> TestTokens.ISSUER);
        registry.add("asof.security.oauth2.jwk-set-uri", () -> JWKS.jwkSetUri().toString());
        registry.add("asof.security.oauth2.audiences", () -> AUDIENCE + ",another-api");
    }

    @AfterAll
    static void stopJwks() {
        JWKS.stop();
    }

    static com.nimbusds.jwt.JWTClaimsSet.Builder valid(String scope) {
        return claims(scope).audience(AUDIENCE);
    }

    @Test
    void aValidTokenWithTheScopeIsAcceptedAndNamedAfterItsCaller() {
        HttpResponse<String> response = api().get("/probe", ISSUER_KEY.sign(valid("profile:read")));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("caller").asString()).isEqualTo("oauth2:genesys");
        assertThat(body.path("authorities").toString()).isEqualTo("[\"SCOPE_profile:read\"]");
    }

    /** A body is read before the endpoint runs, on a second dispatch; the token's authentication must reach it. */
    @Test
    void aValidTokenCarriesItsScopesToAnEndpointThatReadsABody() {
        HttpResponse<String> allowed = api().post("/probe", ISSUER_KEY.sign(valid("profile:read")), "{\"n\":1}");
        HttpResponse<String> forbidden = api().post("/probe", ISSUER_KEY.sign(valid("events:write")), "{\"n\":1}");

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(allowed.body()).path("bytes").asInt()).isEqualTo(7);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(forbidden.body()).path("type").asString()).isEqualTo("/problems/forbidden");
    }

    @Test
    void scopesMayComeAsAnScpListAndScopesAsofDoesNotKnowAreIgnored() {
        String token =
                ISSUER_KEY.sign(valid(null).claim("scp", List.of("openid", "profile:read", "admin", "metrics:read")));

        HttpResponse<String> response = api().get("/probe", token);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("authorities").toString())
                .isEqualTo("[\"SCOPE_metrics:read\",\"SCOPE_profile:read\"]");
    }

    @Test
    void aTokenOfAnotherIssuerIsRefused() {
        String token = ISSUER_KEY.sign(valid("profile:read").issuer("https://elsewhere.example.test"));

        assertInvalidToken(api().get("/probe", token), token, "The iss claim is not valid.");
    }

    @Test
    void anExpiredTokenIsRefusedPastTheClockSkew() {
        Instant now = Instant.now();
        String expired = ISSUER_KEY.sign(valid("profile:read")
                .issueTime(Date.from(now.minus(Duration.ofMinutes(10))))
                .expirationTime(Date.from(now.minus(Duration.ofMinutes(2)))));
        String withinSkew = ISSUER_KEY.sign(valid("profile:read")
                .issueTime(Date.from(now.minus(Duration.ofMinutes(5))))
                .expirationTime(Date.from(now.minusSeconds(20))));

        assertInvalidToken(api().get("/probe", expired), expired, "Jwt expired at ");
        HttpResponse<String> r = api().get("/probe", withinSkew);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        String token = ISSUER_KEY.sign(valid("profile:read").expirationTime(null));

        assertInvalidToken(api().get("/probe", token), token, "exp is required");
    }

    @Test
    void aTokenSignedByAnotherKeyWithTheSameKeyIdIsRefused() {
        String forged = TestTokens.generate("issuer-key-1").sign(valid("profile:read"));

        assertInvalidToken(
                api().get("/probe", forged), forged, "The signature does not verify with the issuer's keys.");
    }

    @Test
    void aTokenNamingAKeyTheIssuerDoesNotHaveIsRefused() {
        String foreign = TestTokens.generate("unknown-key").sign(valid("profile:read"));

        assertInvalidToken(api().get("/probe", foreign), foreign, "No RS256 key in the issuer's JWK set matches");
    }

    @Test
    void anUnsignedTokenIsRefused() {
        String unsigned = TestTokens.unsigned(valid("profile:read"));
        assertThat(unsigned).endsWith(".");

        assertInvalidToken(api().get("/probe", unsigned), unsigned, "The token is unsigned (alg none).");
    }

    @Test
    void aJwtShapedCredentialThatIsNoJwtIsRefused() {
        assertInvalidToken(api().get("/probe", "not.a.token"), "not.a.token", "The token is not a well-formed JWT.");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        String token = ISSUER_KEY.sign(claims("profile:read").audience("someone-else"));

        assertInvalidToken(api().get("/probe", token), token, "The aud claim is not valid.");
    }

    @Test
    void aTokenNamingNoCallerIsRefused() {
        String token = ISSUER_KEY.sign(valid("profile:read").subject(null).claim("client_id", null));

        assertInvalidToken(api().get("/probe", token), token, "The token names no caller (sub, client_id or azp).");
    }

    @Test
    void aValidTokenWithoutTheScopeIsForbidden() {
        HttpResponse<String> response = api().get("/probe", ISSUER_KEY.sign(valid("events:write profile:write")));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("/problems/forbidden");
        assertThat(problem.path("instance").asString()).isEqualTo("/probe");
    }

    @Test
    void apiKeysKeepWorkingAlongside() {
        HttpResponse<String> reader = api().get("/probe", SecuredTestApplication.READER_KEY);
        HttpResponse<String> unknown = api().get("/probe", "asof_not_a_configured_key");

        assertThat(reader.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(reader.body()).path("caller").asString()).isEqualTo("reader");
        assertThat(unknown.statusCode()).isEqualTo(401);
        JsonNode problem = JSON.readTree(unknown.body());
        assertThat(problem.path("type").asString()).isEqualTo("/problems/unauthorized");
        assertThat(problem.path("detail").asString())
                .isEqualTo("unknown API key. Send 'Authorization: Bearer <api key>' or"
                        + " 'Authorization: Bearer <access token>'.");
    }

    @Test
    void healthIsOpenAndMetricsNeedMetricsRead() throws Exception {
        assertThat(api().get("/actuator/health", null).statusCode()).isEqualTo(200);
        // a load balancer's HEAD too
        assertThat(java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create("http://localhost:" + port + "/actuator/health"))
                                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(200);
        assertThat(api().get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(api().get("/actuator/prometheus", ISSUER_KEY.sign(valid("profile:read")))
                        .statusCode())
                .isEqualTo(403);
        assertThat(api().get("/actuator/prometheus", ISSUER_KEY.sign(valid("metrics:read")))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void theJwkSetIsFetchedOnceAndThenServedFromTheCache() {
        assertThat(api().get("/probe", ISSUER_KEY.sign(valid("profile:read"))).statusCode())
                .isEqualTo(200);
        int fetched = JWKS.fetches();

        for (int i = 0; i < 5; i++) {
            assertThat(api().get("/probe", ISSUER_KEY.sign(valid("profile:read")))
                            .statusCode())
                    .isEqualTo(200);
        }

        assertThat(fetched).isPositive();
        assertThat(JWKS.fetches()).isEqualTo(fetched);
    }

    private void assertInvalidToken(HttpResponse<String> response, String token, String detail) {
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"asof\", error=\"invalid_token\"");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("/problems/invalid-token");
        assertThat(problem.path("status").asInt()).isEqualTo(401);
        assertThat(problem.path("detail").asString()).contains(detail);
        for (String part : token.split("\\.")) {
            if (part.length() > 8) {
                assertThat(response.body()).doesNotContain(part);
            }
        }
    }

    private ApiClient api() {
        return new ApiClient(port);
    }
}
