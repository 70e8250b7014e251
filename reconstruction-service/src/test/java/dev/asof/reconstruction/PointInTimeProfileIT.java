package dev.asof.reconstruction;

import static dev.asof.reconstruction.Stories.change;
import static dev.asof.reconstruction.Stories.erase;
import static dev.asof.reconstruction.Stories.merge;
import static dev.asof.reconstruction.Stories.unmerge;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.support.storage.Snapshots;
import dev.asof.testing.Events;
import dev.asof.testing.TestApiKeys;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Point-in-time and current profiles over real HTTP from a real dynalite log. */
class PointInTimeProfileIT extends ReconstructionIT {

    @Autowired
    Snapshots snapshots;

    @Test
    void theLaterStampedVoiceUpdateWinsAlthoughTheChatUpdateArrivedAfterIt() {
        String customer = Events.newCustomerId("cust");
        // The voice update stamped 14:30:01 is recorded first; the chat update stamped 14:30:00 arrives later.
        fixture.log(
                change(customer, "2023-10-27T14:30:01.000Z", "preferred_language", "fr-FR", "voice"),
                Instant.parse("2023-10-27T14:30:02Z"));
        fixture.log(
                change(customer, "2023-10-27T14:30:00.000Z", "preferred_language", "es-ES", "chat"),
                Instant.parse("2023-10-27T14:30:03Z"));

        JsonNode profile = profileAt(customer, "2023-10-27T14:30:05Z", null);

        assertThat(profile.at("/attributes/preferred_language").asString()).isEqualTo("fr-FR");
        assertThat(profile.at("/provenance/preferred_language/updated_at").asString())
                .isEqualTo("2023-10-27T14:30:01.000Z");
        assertThat(profile.at("/provenance/preferred_language/recorded_at").asString())
                .isEqualTo("2023-10-27T14:30:02.000Z");
        assertThat(profile.at("/events_applied").asInt()).isEqualTo(2);
        assertThat(profile.at("/as_of").asString()).isEqualTo("2023-10-27T14:30:05.000Z");
        assertThat(profile.at("/resolved_customer_id").asString()).isEqualTo(customer);
    }

    /**
     * The design guide's consent case: consent granted, a call starts at T, consent revoked after. The profile at T
     * still shows consent granted, and so does the profile at T as known before the revocation was recorded.
     */
    @Test
    void consentRevokedAfterTheCallStartedStillShowsGrantedAtTheCallsStart() {
        String customer = Events.newCustomerId("cust");
        fixture.log(
                change(customer, "2025-11-26T14:00:00Z", "consent.marketing", "granted", "voice"),
                Instant.parse("2025-11-26T14:00:01Z"));
        String callStart = "2025-11-26T14:30:05Z";
        fixture.log(
                change(customer, "2025-11-26T14:45:00Z", "consent.marketing", "revoked", "chat"),
                Instant.parse("2025-11-26T14:45:02Z"));

        assertThat(profileAt(customer, callStart, null)
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("granted");
        assertThat(profileAt(customer, callStart, "2025-11-26T14:45:01Z")
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("granted");
        assertThat(profileAt(customer, "2025-11-26T14:46:00Z", null)
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("revoked");
    }

    @Test
    void knownAtHidesWhatWasRecordedLater() {
        String customer = Events.newCustomerId("cust");
        fixture.log(
                change(customer, "2023-10-27T14:00:00Z", "consent.marketing", "granted", "voice"),
                Instant.parse("2023-10-27T14:00:01Z"));
        // stamped 14:20, but only recorded at 15:00 (a late event)
        fixture.log(
                change(customer, "2023-10-27T14:20:00Z", "consent.marketing", "revoked", "chat"),
                Instant.parse("2023-10-27T15:00:00Z"));

        assertThat(profileAt(customer, "2023-10-27T14:30:00Z", null)
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("revoked");
        assertThat(profileAt(customer, "2023-10-27T14:30:00Z", "2023-10-27T14:45:00Z")
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("granted");
        assertThat(profileAt(customer, "2023-10-27T14:10:00Z", null)
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("granted");
    }

    /**
     * A K in the future is answered as now (it was echoed as asked while the answer moved on), and the answer says
     * the K it is exact for: nothing was recorded for the customer after its one change, so that change's recording.
     */
    @Test
    void aKnownAtInTheFutureIsAnsweredAsNow() {
        String customer = goldAt1400();
        Instant before = Instant.now();

        JsonNode answer = profileAt(customer, "2023-10-27T14:30:00Z", "9999-12-31T23:59:59.999Z");

        assertThat(answer.at("/known_at").asString()).isEqualTo("2023-10-27T14:00:01.000Z");
        assertThat(answer.at("/attributes/tier").asString()).isEqualTo("gold");
        // a change recorded now: K now is after it, and the answer is exact as of now
        fixture.log(change(customer, "2023-10-27T14:10:00Z", "tier", "silver", "voice"), Instant.now());
        JsonNode later = profileAt(customer, "2023-10-27T14:30:00Z", "9999-12-31T23:59:59.999Z");
        assertThat(Instant.parse(later.at("/known_at").asString()))
                .isBetween(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), Instant.now());
        assertThat(later.at("/attributes/tier").asString()).isEqualTo("silver");
    }

    /**
     * An outside differential check asked {@code profile/at} while a customer's batch was being logged: the read cut
     * K to the view (the batch was in the log, not yet in the view) and left the batch out, as it must, but answered
     * {@code known_at} = now; asked again later with that K, it folded 7 more events and showed another e-mail. The
     * answer now says the K it is exact for: the view's latest recording.
     */
    @Test
    void anAnswerWhileABatchIsBeingLoggedIsTheSameAskedAgainWithItsKnownAt() {
        String customer = goldAt1400();
        // logged a moment ago, its view not written yet
        fixture.append(
                change(customer, "2023-10-27T14:10:00Z", "tier", "silver", "voice"),
                Instant.now().minusMillis(100).toEpochMilli());

        JsonNode during = profileAt(customer, "2023-10-27T14:30:00Z", null);
        fixture.flush();

        assertThat(during.at("/attributes/tier").asString()).isEqualTo("gold");
        assertThat(during.at("/known_at").asString()).isEqualTo("2023-10-27T14:00:01.000Z");
        JsonNode again = profileAt(
                customer, "2023-10-27T14:30:00Z", during.at("/known_at").asString());
        assertThat(again.at("/attributes")).isEqualTo(during.at("/attributes"));
        assertThat(again.at("/known_at")).isEqualTo(during.at("/known_at"));
        assertThat(profileAt(customer, "2023-10-27T14:30:00Z", null)
                        .at("/attributes/tier")
                        .asString())
                .isEqualTo("silver");
        // the current profile says the same of its views
        JsonNode current = ok("/api/v1/customers/" + customer + "/profile");
        assertThat(current.at("/attributes/tier").asString()).isEqualTo("silver");
        assertThat(Instant.parse(current.at("/known_at").asString()))
                .isBefore(Instant.now())
                .isAfter(Instant.parse("2023-10-27T14:00:01Z"));
    }

    /**
     * An Accept header naming nothing the service answers gets a 406 problem+json (it came with an empty body), and
     * YAML is not an answer (an undocumented camelCase YAML form came back): outside probes.
     */
    @Test
    void anAcceptOfNothingAnsweredIsA406ProblemAndThereIsNoYaml() {
        String customer = goldAt1400();
        for (String accept : List.of("garbage///", "application/yaml", "text/csv")) {
            HttpResponse<String> answer =
                    api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port
                                    + "/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:00Z"))
                            .header("Authorization", "Bearer " + TestApiKeys.ALL_SCOPES)
                            .header("Accept", accept)
                            .GET()
                            .build());

            assertThat(answer.statusCode()).as(accept).isEqualTo(406);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(answer.body()).contains("\"type\":\"/problems/not-acceptable\"", "application/json");
        }
    }

    @Test
    void epochMillisecondsAndOffsetsAreAcceptedToo() {
        String customer = goldAt1400();

        JsonNode byMillis = profileAt(
                customer, Long.toString(Instant.parse("2023-10-27T14:00:00Z").toEpochMilli()), null);
        JsonNode byOffset = profileAt(customer, "2023-10-27T15:00:00%2B01:00", null);

        assertThat(byMillis.at("/attributes/tier").asString()).isEqualTo("gold");
        assertThat(byOffset.at("/as_of").asString()).isEqualTo("2023-10-27T14:00:00.000Z");
        assertThat(byOffset.at("/attributes/tier").asString()).isEqualTo("gold");
    }

    @Test
    void theShortFormTakesTheCustomerAsAQueryParameter() {
        String customer = goldAt1400();
        fixture.log(
                change(customer, "2023-10-27T15:00:00Z", "tier", "platinum", "voice"),
                Instant.parse("2023-10-27T15:00:01Z"));

        JsonNode shortForm = ok("/profile/at/2023-10-27T14:30:00Z?customer_id=" + customer);
        JsonNode longForm = profileAt(customer, "2023-10-27T14:30:00Z", null);
        JsonNode knownEarlier =
                ok("/profile/at/2023-10-27T15:30:00Z?customer_id=" + customer + "&known_at=2023-10-27T14:30:00Z");

        assertThat(shortForm.at("/attributes")).isEqualTo(longForm.at("/attributes"));
        assertThat(shortForm.at("/attributes/tier").asString()).isEqualTo("gold");
        assertThat(knownEarlier.at("/attributes/tier").asString()).isEqualTo("gold");
        HttpResponse<String> missing = get("/profile/at/2023-10-27T14:30:00Z");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("\"pointer\":\"customer_id\"", "/problems/invalid-request");
    }

    @Test
    void aCustomerWithNoEventsYetIsA404Problem() {
        String customer = goldAt1400();

        HttpResponse<String> before = get("/api/v1/customers/" + customer + "/profile/at/2023-10-27T13:59:59Z");
        HttpResponse<String> notRecordedYet =
                get("/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:00Z?known_at=2023-10-27T14:00:00Z");
        HttpResponse<String> unknown = get("/api/v1/customers/" + Events.newCustomerId("nobody") + "/profile");
        HttpResponse<String> beforeEpoch = get("/api/v1/customers/" + customer + "/profile/at/1969-07-20T20:17:40Z");

        for (HttpResponse<String> response : List.of(before, notRecordedYet, unknown, beforeEpoch)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("/problems/profile-not-found");
        }
    }

    @Test
    void aMalformedTimeIsA400ThatShowsTheAcceptedForms() {
        HttpResponse<String> noOffset = get("/api/v1/customers/cust_1/profile/at/2023-10-27T14:30:00");
        HttpResponse<String> badKnownAt =
                get("/api/v1/customers/cust_1/profile/at/2023-10-27T14:30:00Z?known_at=yesterday");
        HttpResponse<String> tooLate = get("/api/v1/customers/cust_1/profile/at/+12023-10-27T14:30:00Z");

        assertThat(noOffset.statusCode()).isEqualTo(400);
        assertThat(noOffset.body()).contains("ISO-8601", "epoch milliseconds", "\"pointer\":\"ts\"");
        assertThat(badKnownAt.statusCode()).isEqualTo(400);
        assertThat(badKnownAt.body()).contains("\"pointer\":\"known_at\"");
        assertThat(tooLate.statusCode()).isEqualTo(400);
        assertThat(tooLate.body()).contains("\"pointer\":\"ts\"", "supported range");
    }

    @Test
    void readingNeedsTheProfileReadScope() {
        for (String path : List.of(
                "/api/v1/customers/cust_1/profile/at/2023-10-27T14:30:00Z",
                "/profile/at/2023-10-27T14:30:00Z?customer_id=cust_1",
                "/api/v1/customers/cust_1/profile",
                "/api/v1/customers/cust_1/history")) {
            HttpResponse<String> anonymous = api.get(path, null);
            HttpResponse<String> writer = api.get(path, TestApiKeys.EVENTS_WRITE_ONLY);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.body()).contains("/problems/unauthorized");
            assertThat(writer.statusCode()).as(path).isEqualTo(403);
            assertThat(writer.body()).contains("/problems/forbidden");
        }
    }

    @Test
    void aMergedProfileIncludesTheWholeHistoryOfTheMergedIdentityAndAnUnmergeRestoresIt() {
        String a = Events.newCustomerId("cust_a");
        String b = Events.newCustomerId("cust_b");
        fixture.log(
                change(a, "2023-10-27T10:00:00Z", "email", "a@example.com", "email"),
                Instant.parse("2023-10-27T10:00:01Z"));
        fixture.log(change(b, "2023-10-27T11:00:00Z", "tier", "gold", "voice"), Instant.parse("2023-10-27T11:00:01Z"));
        fixture.log(merge(a, b, "2023-10-27T12:00:00Z"), Instant.parse("2023-10-27T12:00:01Z"));
        // after the merge, A's own later change still counts for B
        fixture.log(
                change(a, "2023-10-27T13:00:00Z", "phone", "+33 1 23", "voice"), Instant.parse("2023-10-27T13:00:01Z"));
        fixture.log(unmerge(a, b, "2023-10-27T14:00:00Z"), Instant.parse("2023-10-27T14:00:01Z"));

        JsonNode bBefore = profileAt(b, "2023-10-27T11:30:00Z", null);
        JsonNode bMerged = profileAt(b, "2023-10-27T13:30:00Z", null);
        JsonNode aMerged = profileAt(a, "2023-10-27T13:30:00Z", null);
        JsonNode bAfter = profileAt(b, "2023-10-27T14:30:00Z", null);
        JsonNode aAfter = profileAt(a, "2023-10-27T14:30:00Z", null);

        assertThat(bBefore.at("/attributes").has("email")).isFalse();
        assertThat(bMerged.at("/attributes/email").asString()).isEqualTo("a@example.com");
        assertThat(bMerged.at("/attributes/phone").asString()).isEqualTo("+33 1 23");
        assertThat(bMerged.at("/provenance/email/updated_at").asString()).isEqualTo("2023-10-27T10:00:00.000Z");
        assertThat(bMerged.at("/members").toString()).contains(a, b);
        assertThat(aMerged.at("/resolved_customer_id").asString()).isEqualTo(b);
        assertThat(aMerged.at("/attributes")).isEqualTo(bMerged.at("/attributes"));
        assertThat(bAfter.at("/attributes").has("email")).isFalse();
        assertThat(aAfter.at("/resolved_customer_id").asString()).isEqualTo(a);
        assertThat(aAfter.at("/attributes/email").asString()).isEqualTo("a@example.com");
        assertThat(aAfter.at("/attributes/phone").asString()).isEqualTo("+33 1 23");
    }

    @Test
    void theCurrentProfileIsTheViewOfEveryMemberResolvedAcrossMerges() {
        String a = Events.newCustomerId("cust_a");
        String b = Events.newCustomerId("cust_b");
        fixture.log(
                change(a, "2023-10-27T10:00:00Z", "email", "a@example.com", "email"),
                Instant.parse("2023-10-27T10:00:01Z"));
        fixture.log(change(b, "2023-10-27T11:00:00Z", "tier", "gold", "voice"), Instant.parse("2023-10-27T11:00:01Z"));
        fixture.log(merge(a, b, "2023-10-27T12:00:00Z"), Instant.parse("2023-10-27T12:00:01Z"));
        fixture.log(
                change(b, "2023-10-27T12:30:00Z", "tier", (String) null, "voice"),
                Instant.parse("2023-10-27T12:30:01Z"));

        JsonNode current = ok("/api/v1/customers/" + a + "/profile");
        JsonNode atNow = profileAt(a, Instant.now().toString(), null);

        assertThat(current.at("/resolved_customer_id").asString()).isEqualTo(b);
        assertThat(current.at("/attributes/email").asString()).isEqualTo("a@example.com");
        assertThat(current.at("/attributes").has("tier")).isFalse();
        assertThat(current.at("/attributes")).isEqualTo(atNow.at("/attributes"));
        assertThat(current.at("/provenance")).isEqualTo(atNow.at("/provenance"));
        assertThat(current.at("/events_applied").isNull()).isTrue();
        assertThat(current.at("/snapshot_at").isNull()).isTrue();
    }

    @Test
    void anErasureHidesWhatWasSetBeforeItFromThenOn() {
        String customer = Events.newCustomerId("cust");
        fixture.log(
                change(customer, "2023-10-27T10:00:00Z", "email", "x@example.com", "email"),
                Instant.parse("2023-10-27T10:00:01Z"));
        fixture.log(erase(customer, "2023-10-27T11:00:00Z"), Instant.parse("2023-10-27T11:00:01Z"));
        fixture.log(
                change(customer, "2023-10-27T12:00:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T12:00:01Z"));

        assertThat(profileAt(customer, "2023-10-27T10:30:00Z", null)
                        .at("/attributes/email")
                        .asString())
                .isEqualTo("x@example.com");
        JsonNode after = profileAt(customer, "2023-10-27T12:30:00Z", null);
        assertThat(after.at("/attributes").has("email")).isFalse();
        assertThat(after.at("/attributes/tier").asString()).isEqualTo("gold");
    }

    @Test
    void readsArePure() {
        String customer = Events.newCustomerId("cust");
        for (int i = 0; i < 30; i++) {
            fixture.log(
                    change(customer, "2023-10-27T10:00:%02dZ".formatted(i), "counter", Integer.toString(i), "voice"),
                    Instant.parse("2023-10-27T10:01:00Z").plusSeconds(i));
        }
        long revision = views.find(customer).orElseThrow().revision();

        profileAt(customer, "2023-10-27T10:00:15Z", null);
        profileAt(customer, "2023-10-27T10:00:15Z", "2023-10-27T10:01:10Z");
        ok("/api/v1/customers/" + customer + "/profile");
        ok("/api/v1/customers/" + customer + "/history");

        assertThat(snapshots.count(customer)).isZero();
        assertThat(views.find(customer).orElseThrow().revision()).isEqualTo(revision);
    }

    /** The response shape is part of the contract: a wire change shows up as a diff of the golden file. */
    @Test
    void theResponseMatchesTheGoldenFile() throws IOException {
        String customer = Events.newCustomerId("cust");
        String other = Events.newCustomerId("other");
        fixture.log(
                golden(
                        "golden-1",
                        customer,
                        "2026-11-26T14:30:00.123Z",
                        "genesys_cloud_cx",
                        "voice",
                        new AttributeChanged(
                                "preferred_language",
                                AttributeValue.text("en-US"),
                                AttributeValue.text("es-ES"),
                                "agent_update")),
                Instant.parse("2026-11-26T14:30:01Z"));
        fixture.log(
                golden(
                        "golden-2",
                        customer,
                        "2026-11-26T14:30:02Z",
                        "nice_cxone",
                        "chat",
                        new BulkProfileUpdate(
                                List.of(
                                        new BulkProfileUpdate.Change(
                                                "loyalty.points",
                                                null,
                                                new AttributeValue.Numeric(new BigDecimal("1200.50"))),
                                        new BulkProfileUpdate.Change("vip", null, new AttributeValue.Bool(true))),
                                "campaign")),
                Instant.parse("2026-11-26T14:30:03Z"));
        fixture.log(
                golden(
                        "golden-3",
                        other,
                        "2026-11-26T14:00:00Z",
                        "nice_cxone",
                        "email",
                        new AttributeChanged("email", null, AttributeValue.text("maria@example.com"), null)),
                Instant.parse("2026-11-26T14:00:01Z"));
        fixture.log(
                golden(
                        "golden-4",
                        other,
                        "2026-11-26T14:20:00Z",
                        null,
                        null,
                        new dev.asof.events.ProfileMerged(customer, other)),
                Instant.parse("2026-11-26T14:20:01Z"));

        String body = get("/api/v1/customers/" + customer
                        + "/profile/at/2026-11-26T14:30:05Z?known_at=2026-11-26T15:00:00Z")
                .body()
                .replace(customer, "CUSTOMER")
                .replace(other, "OTHER");

        assertThat(json.readTree(body)).isEqualTo(json.readTree(resource("/golden/profile-at.json")));
    }

    private static EventEnvelope golden(
            String id,
            String customer,
            String timestamp,
            String source,
            String channel,
            dev.asof.events.ProfileEvent payload) {
        return new EventEnvelope(
                id,
                Instant.parse(timestamp),
                customer,
                source,
                channel == null ? EventMetadata.EMPTY : new EventMetadata(channel, "inter_9928374", "agent_12345"),
                payload,
                EventEnvelope.SCHEMA_VERSION);
    }

    static String resource(String path) throws IOException {
        try (InputStream in = PointInTimeProfileIT.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A new customer whose one change, tier gold at 14:00, was recorded at 14:00:01 on 2023-10-27. */
    private String goldAt1400() {
        String customer = Events.newCustomerId("cust");
        fixture.log(
                change(customer, "2023-10-27T14:00:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T14:00:01Z"));
        return customer;
    }
}
