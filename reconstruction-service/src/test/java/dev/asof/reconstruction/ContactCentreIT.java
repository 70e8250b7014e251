package dev.asof.reconstruction;

import static dev.asof.reconstruction.Stories.change;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.testing.Events;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The contact-centre formats: the flat view under 32 KB, and the Genesys data action generated from the catalog. */
class ContactCentreIT extends ReconstructionIT {

    @Test
    void theFlatViewIsOneObjectOfStringsNamedForArchitect() {
        String customer = Events.newCustomerId("cust");
        fixture.log(
                change(customer, "2023-10-27T14:00:00Z", "consent.marketing", "granted", "voice"),
                Instant.parse("2023-10-27T14:00:01Z"));
        fixture.log(
                change(customer, "2023-10-27T14:01:00Z", "preferred_language", "es-ES", "chat"),
                Instant.parse("2023-10-27T14:01:01Z"));
        fixture.log(
                change(customer, "2023-10-27T14:02:00Z", "favourite.colour", "teal", "chat"),
                Instant.parse("2023-10-27T14:02:01Z"));

        JsonNode flat = ok("/api/v1/customers/" + customer
                + "/profile/at/2023-10-27T14:30:05Z?view=flat&known_at=2026-01-01T00:00:00Z");

        assertThat(flat.get("customer_id").asString()).isEqualTo(customer);
        assertThat(flat.get("as_of").asString()).isEqualTo("2023-10-27T14:30:05.000Z");
        assertThat(flat.get("consent_marketing").asString()).isEqualTo("granted");
        assertThat(flat.get("preferred_language").asString()).isEqualTo("es-ES");
        assertThat(flat.get("favourite_colour").asString()).isEqualTo("teal");
        for (Iterator<Map.Entry<String, JsonNode>> fields = flat.properties().iterator(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            assertThat(field.getValue().isString()).as(field.getKey()).isTrue();
        }
        assertThat(flat.has("truncated")).isFalse();
        // The short form gives the same flat answer.
        JsonNode shortForm = ok("/profile/at/2023-10-27T14:30:05Z?customer_id=" + customer
                + "&view=flat&known_at=2026-01-01T00:00:00Z");
        assertThat(shortForm).isEqualTo(flat);
    }

    @Test
    void aProfileTooLargeForStudioIsCutBelowTheLimitKeepingCatalogAttributes() {
        String customer = Events.newCustomerId("cust");
        String big = "x".repeat(3_000);
        for (int i = 0; i < 15; i++) {
            fixture.log(
                    change(customer, "2023-10-27T14:00:0" + (i % 10) + "Z", "note.n" + i, big, "voice"),
                    Instant.parse("2023-10-27T14:00:30Z").plusMillis(i));
        }
        fixture.log(
                change(customer, "2023-10-27T14:01:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T14:01:01Z"));

        HttpResponse<String> response =
                get("/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:05Z?view=flat");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(30_000);
        JsonNode flat = json.readTree(response.body());
        assertThat(flat.get("truncated").asString()).isEqualTo("true");
        assertThat(Integer.parseInt(flat.get("omitted_attributes").asString())).isPositive();
        assertThat(flat.get("tier").asString()).isEqualTo("gold");
    }

    /**
     * An outside probe's profile whose keys meet in the flat view: reserved names, a non-catalog key equal to a
     * catalog attribute's flat name, and three keys that are all {@code a_b_c}. Nine vanished unsaid and {@code
     * a_b_c} showed {@code a.b_c}'s value; now each attribute shows under its own name or is counted as left out.
     */
    @Test
    void attributesWhoseFlatNamesMeetAreLeftOutAndCountedNeverShownUnderAnotherName() {
        String customer = Events.newCustomerId("cust");
        String[][] attributes = {
            {"customer_id", "EVIL"},
            {"resolved_customer_id", "EVIL2"},
            {"as_of", "1999"},
            {"known_at", "1999"},
            {"truncated", "no"},
            {"omitted_attributes", "42"},
            {"consent.marketing", "granted"},
            {"consent_marketing", "revoked"},
            {"a.b_c", "dot"},
            {"a_b.c", "dot2"},
            {"a_b_c", "us"}
        };
        for (int i = 0; i < attributes.length; i++) {
            fixture.log(
                    change(customer, "2023-10-27T14:00:00Z", attributes[i][0], attributes[i][1], "voice"),
                    Instant.parse("2023-10-27T14:00:01Z").plusMillis(i));
        }

        JsonNode flat = ok("/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:05Z?view=flat");

        assertThat(flat.get("customer_id").asString()).isEqualTo(customer);
        assertThat(flat.get("resolved_customer_id").asString()).isEqualTo(customer);
        assertThat(flat.get("consent_marketing").asString())
                .as("the catalog's consent.marketing")
                .isEqualTo("granted");
        assertThat(flat.get("a_b_c").asString()).as("the attribute named so").isEqualTo("us");
        assertThat(flat.get("truncated").asString()).isEqualTo("true");
        // six reserved names, consent_marketing, a.b_c and a_b.c
        assertThat(flat.get("omitted_attributes").asString()).isEqualTo("9");
        assertThat(flat.toString()).doesNotContain("EVIL", "revoked", "dot");

        // a catalog attribute's name stays its own when it is not set; two dotted keys share a name, neither has it
        String other = Events.newCustomerId("cust");
        String[][] more = {{"consent_marketing", "revoked"}, {"x.y_z", "one"}, {"x_y.z", "two"}, {"tier", "gold"}};
        for (int i = 0; i < more.length; i++) {
            fixture.log(
                    change(other, "2023-10-27T14:00:00Z", more[i][0], more[i][1], "voice"),
                    Instant.parse("2023-10-27T14:00:01Z").plusMillis(i));
        }
        JsonNode otherFlat = ok("/api/v1/customers/" + other + "/profile/at/2023-10-27T14:30:05Z?view=flat");
        assertThat(otherFlat.has("consent_marketing")).as(otherFlat.toString()).isFalse();
        assertThat(otherFlat.has("x_y_z")).isFalse();
        assertThat(otherFlat.get("tier").asString()).isEqualTo("gold");
        assertThat(otherFlat.get("omitted_attributes").asString()).isEqualTo("3");
    }

    @Test
    void anUnknownViewIsA400NamingTheParameter() {
        HttpResponse<String> response = get("/api/v1/customers/c1/profile/at/2023-10-27T14:30:05Z?view=compact");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"pointer\":\"view\"", "flat");
    }

    @Test
    void theGenesysDataActionCarriesTheCatalogAsItsFlatOutputContract() {
        JsonNode action = ok("/api/v1/integrations/genesys/data-action");

        assertThat(action.at("/integrationType").asString()).isEqualTo("custom-rest-actions");
        assertThat(action.at("/config/request/requestType").asString()).isEqualTo("GET");
        assertThat(action.at("/config/request/requestUrlTemplate").asString())
                .contains("${input.customerId}", "${input.timestamp}", "view=flat");
        assertThat(action.at("/config/request/headers/Authorization").asString())
                .isEqualTo("Bearer ${credentials.apiKey}");
        assertThat(action.at("/contract/input/inputSchema/required").toString()).contains("customerId", "timestamp");
        JsonNode outputs = action.at("/contract/output/successSchema/properties");
        assertThat(outputs.has("preferred_language")).isTrue();
        assertThat(outputs.has("consent_marketing")).isTrue();
        assertThat(outputs.at("/email/description").asString()).contains("personal data");
        assertThat(outputs.at("/tier/type").asString()).isEqualTo("string");
        assertThat(action.at("/secure").asBoolean()).isTrue();
    }

    @Test
    void theDataActionCanAuthenticateWithAnOAuthIntegrationsToken() {
        assertThat(ok("/api/v1/integrations/genesys/data-action?credentials=oauth")
                        .at("/config/request/headers/Authorization")
                        .asString())
                .isEqualTo("Bearer ${authResponse.access_token}");
        assertThat(ok("/api/v1/integrations/genesys/data-action?credentials=api-key")
                        .at("/config/request/headers/Authorization")
                        .asString())
                .isEqualTo("Bearer ${credentials.apiKey}");
        var refused = api.get(
                "/api/v1/integrations/genesys/data-action?credentials=basic", dev.asof.testing.TestApiKeys.ALL_SCOPES);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("\"pointer\":\"credentials\"", "api-key", "oauth");
    }

    @Test
    void theDataActionNeedsTheProfileReadScope() {
        assertThat(api.get("/api/v1/integrations/genesys/data-action", null).statusCode())
                .isEqualTo(401);
        assertThat(api.get("/api/v1/integrations/genesys/data-action", dev.asof.testing.TestApiKeys.EVENTS_WRITE_ONLY)
                        .statusCode())
                .isEqualTo(403);
    }
}
