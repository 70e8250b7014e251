package dev.asof.reconstruction;

import static dev.asof.reconstruction.Stories.change;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeValue;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.privacy.SubjectKeys;
import dev.asof.testing.Events;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Reads of values encrypted at intake, and of an erased data subject (issue #12): every read path decrypts; once the
 * subject's key is destroyed, or its values redacted, every read of it answers {@code 410 erased}, at any T and K,
 * cached or not, and a read that would find nothing answers {@code 410} rather than {@code 404}.
 */
class ErasedReadsIT extends ReconstructionIT {

    @Autowired
    SubjectKeys keys;

    @Test
    void encryptedValuesAreReadInClearUntilTheKeyIsDestroyedThenEveryReadIsGone() {
        String customer = Events.newCustomerId("gone");
        String email = "jane-" + customer + "@example.test";
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        encrypted.log(
                change(customer, "2023-10-27T14:30:00Z", "email", email, "chat"),
                Instant.parse("2023-10-27T14:30:01Z"));
        encrypted.log(
                change(customer, "2023-10-27T14:31:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T14:31:01Z"));
        String at = "/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:35:00Z?known_at=2023-10-27T15:00:00Z";
        assertThat(ok(at).at("/attributes/email").asString()).isEqualTo(email);
        // asked twice: the second answer comes from the cache, which holds the values encrypted
        assertThat(ok(at).at("/attributes/email").asString()).isEqualTo(email);
        assertThat(ok("/api/v1/customers/" + customer + "/profile?view=flat").toString())
                .contains(email);
        assertThat(get("/api/v1/customers/" + customer + "/history").body()).contains(email);

        Instant destroyed = keys.destroy(customer);

        for (String path : List.of(
                at,
                "/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:30Z",
                "/api/v1/customers/" + customer + "/profile",
                "/api/v1/customers/" + customer + "/profile?view=flat",
                "/api/v1/customers/" + customer + "/history",
                "/api/v1/customers/" + customer + "/history/marks")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(410);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(response.body())
                    .contains("/problems/erased", "\"customer_id\":\"" + customer + "\"", "erased_at")
                    .doesNotContain(email);
        }
        // before the first event there is nothing to show, and still the answer is that the customer is gone
        assertThat(get("/api/v1/customers/" + customer + "/profile/at/2023-01-01T00:00:00Z")
                        .statusCode())
                .isEqualTo(410);
        assertThat(destroyed).isNotNull();
    }

    @Test
    void aProfileThatOnceHeldAnErasedIdentityShowsNothingOfIt() {
        String kept = Events.newCustomerId("kept");
        String gone = Events.newCustomerId("gone");
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        encrypted.log(
                change(kept, "2023-10-27T14:30:00Z", "tier", "gold", "voice"), Instant.parse("2023-10-27T14:30:01Z"));
        encrypted.log(
                change(gone, "2023-10-27T14:31:00Z", "email", "gone-" + gone + "@example.test", "chat"),
                Instant.parse("2023-10-27T14:31:01Z"));
        encrypted.log(Stories.merge(gone, kept, "2023-10-27T14:32:00Z"), Instant.parse("2023-10-27T14:32:01Z"));
        encrypted.log(Stories.unmerge(gone, kept, "2023-10-27T14:40:00Z"), Instant.parse("2023-10-27T14:40:01Z"));
        String merged = "/api/v1/customers/" + kept + "/profile/at/2023-10-27T14:35:00Z";
        assertThat(ok(merged).at("/attributes/email").asString()).isEqualTo("gone-" + gone + "@example.test");

        keys.destroy(gone);

        HttpResponse<String> response = get(merged);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("gone-" + gone).contains("\"tier\":\"gold\"");
        // the kept customer's timeline lists what the merge and the unmerge changed, the erased values hidden
        HttpResponse<String> history = get("/api/v1/customers/" + kept + "/history");
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        assertThat(history.body())
                .doesNotContain("gone-" + gone)
                .doesNotContain(EncryptedValues.ERASED_PREFIX)
                .contains("\"new_value\":\"gold\"");
        // the merge brought the email in and the unmerge took it out: both listed, the value hidden in both
        List<JsonNode> emailChanges = new java.util.ArrayList<>();
        for (JsonNode change : json.readTree(history.body()).get("changes")) {
            if ("email".equals(change.path("attribute").asString(null))) {
                emailChanges.add(change);
            }
        }
        assertThat(emailChanges).as(history.body()).hasSize(2);
        assertThat(emailChanges)
                .allSatisfy(change -> assertThat(change.get("redacted").asBoolean())
                        .as(change.toString())
                        .isTrue());
        assertThat(get("/api/v1/customers/" + gone + "/profile/at/2023-10-27T14:35:00Z")
                        .statusCode())
                .isEqualTo(410);
    }

    @Test
    void anErasedCustomersHistoryIsGoneEvenWhereItMeetsOnlyAMembersValues() {
        String survivor = Events.newCustomerId("erased");
        String member = Events.newCustomerId("member");
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        encrypted.log(
                change(member, "2023-10-27T14:31:00Z", "email", "m-" + member + "@example.test", "chat"),
                Instant.parse("2023-10-27T14:31:01Z"));
        encrypted.log(Stories.merge(member, survivor, "2023-10-27T14:32:00Z"), Instant.parse("2023-10-27T14:32:01Z"));
        encrypted.log(
                change(survivor, "2023-10-27T14:40:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T14:40:01Z"));
        // the erasure of the group: both keys destroyed
        keys.destroy(survivor);
        keys.destroy(member);

        // up to 14:35 the range holds the merge, which brought only the member's email: still gone
        HttpResponse<String> response = get("/api/v1/customers/" + survivor + "/history?to=2023-10-27T14:35:00Z");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(410);
        assertThat(response.body()).contains("\"customer_id\":\"" + survivor + "\"");
    }

    /**
     * A group erased as a whole whose member came back: the survivor, which did not, is gone for every profile read,
     * though its profile would now show only the returning member's values (an outside probe read it 200 while its
     * history and identity answered 410); once it comes back itself, it reads again.
     */
    @Test
    void anErasedSurvivorStaysGoneWhenOnlyAMemberCameBack() {
        String survivor = Events.newCustomerId("erased");
        String member = Events.newCustomerId("member");
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        encrypted.log(
                change(survivor, "2023-10-27T14:30:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T14:30:01Z"));
        encrypted.log(Stories.merge(member, survivor, "2023-10-27T14:32:00Z"), Instant.parse("2023-10-27T14:32:01Z"));
        keys.destroy(survivor);
        keys.destroy(member);
        Instant back = Instant.now().plusSeconds(1);
        // recorded now, stamped a second ahead (after the erasure): known to a read at once
        // the same attribute as the survivor's only one: the profile now shows the member's value alone
        encrypted.log(change(member, back.toString(), "tier", "+441632960001", "voice"), Instant.now());
        assertThat(eventLog.eventsUpTo(member, back, Instant.now()))
                .as("the member's return is logged")
                .hasSize(2);

        for (String path : List.of(
                "/api/v1/customers/" + survivor + "/profile",
                "/api/v1/customers/" + survivor + "/profile?view=flat",
                "/api/v1/customers/" + survivor + "/profile/at/" + back.plusSeconds(1))) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(410);
            assertThat(response.body()).doesNotContain("+441632960001");
        }

        Instant survivorBack = back.plusSeconds(1);
        encrypted.log(change(survivor, survivorBack.toString(), "tier", "silver", "voice"), Instant.now());
        HttpResponse<String> returned = get("/api/v1/customers/" + survivor + "/profile/at/" + survivorBack);
        assertThat(returned.statusCode()).as(returned.body()).isEqualTo(200);
        assertThat(returned.body()).contains("\"tier\":\"silver\"");
        // before it came back it was still gone, though it came back since
        HttpResponse<String> between = get("/api/v1/customers/" + survivor + "/profile/at/" + back);
        assertThat(between.statusCode()).as(between.body()).isEqualTo(410);
    }

    /**
     * A group erased as a whole (its erasure events logged, as the erasure does) whose member came back: an outside
     * probe read the member 200 at merge-service (a profile of its own) and 410 here, because the old merge into the
     * erased survivor still held. An erasure ends the erased identity's merge: the member reads as itself, with its
     * new values only; the survivor stays gone.
     */
    @Test
    void aReturningMemberOfAnErasedGroupIsAProfileOfItsOwn() {
        String survivor = Events.newCustomerId("erased");
        String member = Events.newCustomerId("member");
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        encrypted.log(
                change(survivor, "2023-10-27T14:30:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T14:30:01Z"));
        encrypted.log(
                change(member, "2023-10-27T14:31:00Z", "email", "old@example.com", "chat"),
                Instant.parse("2023-10-27T14:31:01Z"));
        encrypted.log(Stories.merge(member, survivor, "2023-10-27T14:32:00Z"), Instant.parse("2023-10-27T14:32:01Z"));
        Instant erased = Instant.now();
        encrypted.log(Stories.erase(survivor, erased.toString()), Instant.now());
        encrypted.log(Stories.erase(member, erased.toString()), Instant.now());
        keys.destroy(survivor);
        keys.destroy(member);
        // as the erasure ends: the destroyed keys it kept aside purged (while they are kept, reads answer 410)
        keys.purgeRetired(survivor, keys.retiredGenerations(survivor));
        keys.purgeRetired(member, keys.retiredGenerations(member));
        Instant back = erased.plusSeconds(1);
        encrypted.log(change(member, back.toString(), "phone", "+441632960002", "voice"), Instant.now());

        for (String path : List.of(
                "/api/v1/customers/" + member + "/profile", "/api/v1/customers/" + member + "/profile/at/" + back)) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
            assertThat(response.body())
                    .contains("+441632960002", "\"resolved_customer_id\":\"" + member + "\"")
                    .doesNotContain("old@example.com", "gold", survivor);
        }
        for (String path : List.of(
                "/api/v1/customers/" + member + "/profile/at/2023-10-27T14:33:00Z",
                "/api/v1/customers/" + survivor + "/profile",
                "/api/v1/customers/" + survivor + "/profile/at/" + back)) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(410);
            assertThat(response.body()).doesNotContain("+441632960002");
        }
    }

    /**
     * A value sent before the erasure was asked for but stamped a few seconds after it is the data subject's: the
     * erasure redacts it. While the erasure runs (its destroyed key still kept aside) the customer's reads answer 410;
     * once it is over a returning customer's profile leaves that value out and shows the rest.
     */
    @Test
    void anErasedValueStampedAfterTheErasureIsLeftOutOfAReturningCustomersProfile() {
        String customer = Events.newCustomerId("ahead");
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        // the erasure asked for a minute before its keys were destroyed (a probe's erasure waited in the queue; the
        // read compared the value with the key's destruction and answered 410 for good)
        Instant erased = Instant.now().minusSeconds(60);
        encrypted.log(change(customer, erased.plusSeconds(4).toString(), "nickname", "early", "chat"), Instant.now());
        encrypted.log(Stories.erase(customer, erased.toString()), Instant.now());
        // the tombstone keeps the erasure's time, the fold's
        keys.destroy(customer, erased);
        // a returning customer's value as the erasure leaves it: under the new key (re-encrypted, or taken by a
        // replica that knew of the erasure; intake itself takes only stamps after the erasure)
        new LogFixture(eventLog, views, identityLinks, event -> event.withValues(v -> cipher.encrypt(customer, v)))
                .log(
                        change(customer, erased.plusSeconds(1).toString(), "phone", "+441632960003", "voice"),
                        Instant.now());
        String path = "/api/v1/customers/" + customer + "/profile";
        HttpResponse<String> during = get(path);
        assertThat(during.statusCode()).as(during.body()).isEqualTo(410);
        // the history too: while the erasure runs, nothing of the customer after it is shown either (a probe read a
        // value sent before the request but stamped after it for a minute, through a replica's cached key)
        HttpResponse<String> historyDuring =
                get("/api/v1/customers/" + customer + "/history?from=" + erased.plusMillis(500));
        assertThat(historyDuring.statusCode()).as(historyDuring.body()).isEqualTo(410);

        keys.purgeRetired(customer, keys.retiredGenerations(customer));
        HttpResponse<String> after = get(path);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(after.body()).contains("+441632960003").doesNotContain("early", "nickname");
        HttpResponse<String> at = get("/api/v1/customers/" + customer + "/profile/at/" + erased.plusSeconds(5));
        assertThat(at.statusCode()).as(at.body()).isEqualTo(200);
        assertThat(at.body()).contains("+441632960003").doesNotContain("early");
        // the history after its return shows the new value and hides the early one; a range that meets the erased
        // customer's values from before the erasure is gone
        HttpResponse<String> history = get("/api/v1/customers/" + customer + "/history?from=" + erased.plusMillis(500));
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        assertThat(history.body()).contains("+441632960003").doesNotContain("\"early\"");
        HttpResponse<String> whole = get("/api/v1/customers/" + customer + "/history?attribute=phone");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
    }

    /**
     * Whether an erased customer came back is one rule for every read: a marker's text in a returning customer's
     * metadata (an interaction id may be {@code asof:erased:v1:x}) is no redaction (the history and identity reads
     * searched the stored event's text for it and answered 410 where the profile read answered 200).
     */
    @Test
    void aReturningCustomersEventWhoseInteractionIdLooksLikeAMarkerCountsAsItsReturn() {
        String customer = Events.newCustomerId("lookback");
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        Instant erased = Instant.now().minusSeconds(60);
        encrypted.log(change(customer, erased.minusSeconds(60).toString(), "email", "old@example.com", "chat"), erased);
        encrypted.log(Stories.erase(customer, erased.toString()), Instant.now());
        keys.destroy(customer, erased);
        keys.purgeRetired(customer, keys.retiredGenerations(customer));
        EventEnvelope back = change(customer, erased.plusSeconds(1).toString(), "phone", "+441632960004", "voice");
        encrypted.log(
                new EventEnvelope(
                        back.eventId(),
                        back.timestampUtc(),
                        customer,
                        back.sourceSystem(),
                        new EventMetadata("voice", EncryptedValues.erased("x"), "agent_7"),
                        back.payload(),
                        back.schemaVersion()),
                Instant.now());

        for (String path : List.of(
                "/api/v1/customers/" + customer + "/profile",
                "/api/v1/customers/" + customer + "/profile/at/" + erased.plusSeconds(2),
                "/api/v1/customers/" + customer + "/history?from=" + erased.plusMillis(500),
                "/api/v1/customers/" + customer + "/history/marks?buckets=2000&from=" + erased.plusMillis(500))) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
            assertThat(response.body()).contains("+441632960004").doesNotContain("old@example.com");
        }
    }

    @Test
    void aValueThatLooksLikeAnErasedMarkerIsShownAsSent() {
        String customer = Events.newCustomerId("lookalike");
        String lookalike = EncryptedValues.erased("someone") + "#guess";
        new LogFixture(eventLog, views, identityLinks, cipher::encrypt)
                .log(
                        Stories.changeTo(
                                customer, "2023-10-27T14:30:00Z", "nickname", AttributeValue.text(lookalike), "chat"),
                        Instant.parse("2023-10-27T14:30:01Z"));

        HttpResponse<String> history = get("/api/v1/customers/" + customer + "/history");

        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        JsonNode change = json.readTree(history.body()).get("changes").get(0);
        assertThat(change.get("new_value").asString()).isEqualTo(lookalike);
        assertThat(change.get("redacted").asBoolean()).isFalse();
    }

    @Test
    void aRedactedValueReadsAsErased() {
        String customer = Events.newCustomerId("redacted");
        EventEnvelope redacted = Stories.changeTo(
                customer,
                "2023-10-27T14:30:00Z",
                "email",
                AttributeValue.text(EncryptedValues.erased(customer)),
                "chat");
        fixture.log(redacted, Instant.parse("2023-10-27T14:30:01Z"));
        keys.destroy(customer);

        HttpResponse<String> response = get("/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:35:00Z");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(410);
        assertThat(response.body()).doesNotContain(EncryptedValues.ERASED_PREFIX);
    }

    @Test
    void aCustomerNeverSeenIsNotFoundAndAnErasedOneWithoutEventsIsGone() {
        String never = Events.newCustomerId("never");
        assertThat(get("/api/v1/customers/" + never + "/profile").statusCode()).isEqualTo(404);

        keys.destroy(never);

        assertThat(get("/api/v1/customers/" + never + "/profile").statusCode()).isEqualTo(410);
    }
}
