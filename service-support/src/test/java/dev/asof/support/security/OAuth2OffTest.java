package dev.asof.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Without {@code asof.security.oauth2.issuer-uri} a JWT is just a key asof does not know. */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OAuth2OffTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SecuredTestApplication.apiKeys(registry);
    }

    @Test
    void aWellSignedJwtIsRefusedAsAnUnknownApiKey() {
        String token = TestTokens.generate("issuer-key-1").sign(TestTokens.claims("profile:read"));

        HttpResponse<String> response = new ApiClient(port).get("/probe", token);

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("/problems/unauthorized");
        assertThat(problem.path("detail").asString())
                .isEqualTo("unknown API key. Send 'Authorization: Bearer <api key>'.");
    }

    @Test
    void apiKeysWork() {
        HttpResponse<String> response = new ApiClient(port).get("/probe", SecuredTestApplication.ALL_SCOPES_KEY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("caller").asString()).isEqualTo("all");
    }
}
