package dev.asof.reconstruction;

import static dev.asof.reconstruction.Stories.bulk;
import static dev.asof.reconstruction.Stories.change;
import static dev.asof.reconstruction.Stories.changeClaiming;
import static dev.asof.reconstruction.Stories.erase;
import static dev.asof.reconstruction.Stories.merge;
import static dev.asof.reconstruction.Stories.unmerge;
import static dev.asof.reconstruction.Stories.withId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeValue;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.testing.Events;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The change timeline: old values from the fold, the claimed previous value, pagination, filters, erasure. */
class HistoryIT extends ReconstructionIT {

    String customer;
    String survivor;

    /**
     * tier gold at 10:00, a bulk update at 10:05 (tier silver, name Ana, tier platinum), tier removed at 10:10, the
     * customer merged into another at 10:15, and a change stamped 10:02 (tier bronze) that only arrives at 10:20.
     */
    @BeforeEach
    void story() {
        customer = Events.newCustomerId("cust");
        survivor = Events.newCustomerId("survivor");
        fixture.log(
                withId(change(customer, "2023-10-27T10:00:00Z", "tier", "gold", "voice"), "h1"),
                Instant.parse("2023-10-27T10:00:01Z"));
        fixture.log(
                withId(
                        bulk(
                                customer,
                                "2023-10-27T10:05:00Z",
                                List.of(
                                        new BulkProfileUpdate.Change("tier", null, AttributeValue.text("silver")),
                                        new BulkProfileUpdate.Change("name", null, AttributeValue.text("Ana")),
                                        new BulkProfileUpdate.Change("tier", null, AttributeValue.text("platinum")))),
                        "h2"),
                Instant.parse("2023-10-27T10:05:01Z"));
        fixture.log(
                withId(changeClaiming(customer, "2023-10-27T10:10:00Z", "tier", "platinum", null, "chat"), "h3"),
                Instant.parse("2023-10-27T10:10:01Z"));
        fixture.log(
                withId(merge(customer, survivor, "2023-10-27T10:15:00Z"), "h5"), Instant.parse("2023-10-27T10:15:01Z"));
        fixture.log(
                withId(changeClaiming(customer, "2023-10-27T10:02:00Z", "tier", "gold", "bronze", "voice"), "h4"),
                Instant.parse("2023-10-27T10:20:00Z"));
    }

    @Test
    void changesAreInValidTimeOrderWithTheValueTheyReplacedInTheFold() {
        JsonNode page = ok(history(""));

        assertThat(summaries(page))
                .containsExactly(
                        "h1 tier null->gold",
                        "h4 tier gold->bronze",
                        "h2 tier bronze->silver",
                        "h2 name null->Ana",
                        "h2 tier silver->platinum",
                        "h3 tier platinum->null",
                        "h5 null null->null");
        JsonNode late = page.at("/changes/1");
        assertThat(late.at("/claimed_previous_value").asString()).isEqualTo("gold");
        assertThat(late.at("/changed_at").asString()).isEqualTo("2023-10-27T10:02:00.000Z");
        assertThat(late.at("/recorded_at").asString()).isEqualTo("2023-10-27T10:20:00.000Z");
        assertThat(late.at("/channel").asString()).isEqualTo("voice");
        assertThat(late.at("/agent_id").asString()).isEqualTo("agent_7");
        assertThat(late.at("/source_system").asString()).isEqualTo("genesys_cloud_cx");
        assertThat(late.at("/reason").asString()).isEqualTo("agent_update");
        assertThat(page.at("/changes/6/event_type").asString()).isEqualTo("CUSTOMER_PROFILE_MERGE");
        assertThat(page.at("/changes/6/merged_into").asString()).isEqualTo(survivor);
        assertThat(page.at("/next_cursor").isNull()).isTrue();
    }

    @Test
    void aBatchWhoseViewIsNotWrittenYetIsNotInTheTimeline() {
        // logged, but the writer has not written the view of its batch yet: no read shows any of it
        fixture.append(
                withId(change(customer, "2023-10-27T10:30:00Z", "tier", "diamond", "voice"), "h6"),
                Instant.parse("2023-10-27T10:30:01Z").toEpochMilli());
        assertThat(summaries(ok(history("?attribute=tier")))).doesNotContain("h6 tier null->diamond");

        fixture.flush();
        assertThat(summaries(ok(history("?attribute=tier")))).contains("h6 tier null->diamond");
    }

    /**
     * An outside differential check walked a timeline while a batch was being logged: the first page left the batch
     * out (its view was not written yet) but answered {@code known_at} = now, the cursor carried that K, and the later
     * pages read the batch: a change before the cursor was skipped and the walk matched no single K. The first page
     * now answers the K it is exact for (the view's latest recording), and every page reads as of it.
     */
    @Test
    void aWalkWhileABatchIsBeingLoggedIsExactAtTheKnownAtItAnswers() {
        // logged a moment ago, its view not written yet: stamped before every other change
        fixture.append(
                withId(change(customer, "2023-10-27T09:00:00Z", "tier", "early", "voice"), "h7"),
                Instant.now().minusMillis(100).toEpochMilli());

        JsonNode first = ok(history("?limit=1"));
        fixture.flush();
        List<String> walked = new ArrayList<>(summaries(first));
        String cursor = first.at("/next_cursor").asString();
        while (cursor != null) {
            JsonNode page = ok(history("?limit=1&cursor=" + cursor));
            assertThat(page.at("/known_at")).isEqualTo(first.at("/known_at"));
            walked.addAll(summaries(page));
            cursor = page.at("/next_cursor").isNull()
                    ? null
                    : page.at("/next_cursor").asString();
        }

        assertThat(first.at("/known_at").asString()).isEqualTo("2023-10-27T10:20:00.000Z");
        assertThat(walked)
                .isEqualTo(summaries(ok(history("?known_at=2023-10-27T10:20:00.000Z"))))
                .doesNotContain("h7 tier null->early");
        assertThat(summaries(ok(history("")))).contains("h7 tier null->early");
    }

    /** A K after the latest recording is answered as that recording; the next pages may repeat the K asked. */
    @Test
    void aWalkAskedAfterTheLatestRecordingMayRepeatTheKnownAtItAsked() {
        JsonNode first = ok(history("?limit=2&known_at=2024-01-01T00:00:00Z"));
        JsonNode second = ok(history("?limit=2&known_at=2024-01-01T00:00:00Z&cursor="
                + first.at("/next_cursor").asString()));

        assertThat(first.at("/known_at").asString()).isEqualTo("2023-10-27T10:20:00.000Z");
        assertThat(second.at("/known_at").asString()).isEqualTo("2023-10-27T10:20:00.000Z");
        assertThat(summaries(second)).containsExactly("h2 tier bronze->silver", "h2 name null->Ana");
    }

    @Test
    void knownAtLeavesOutWhatWasRecordedLater() {
        JsonNode page = ok(history("?attribute=tier&known_at=2023-10-27T10:19:00Z"));

        assertThat(summaries(page))
                .containsExactly(
                        "h1 tier null->gold",
                        "h2 tier gold->silver",
                        "h2 tier silver->platinum",
                        "h3 tier platinum->null");
        assertThat(page.at("/known_at").asString()).isEqualTo("2023-10-27T10:19:00.000Z");
    }

    @Test
    void pagesWalkTheWholeTimelineWithAnOpaqueCursor() {
        List<String> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = ok(history("?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)));
            assertThat(page.at("/changes").size()).isLessThanOrEqualTo(2);
            walked.addAll(summaries(page));
            cursor = page.at("/next_cursor").isNull()
                    ? null
                    : page.at("/next_cursor").asString();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(4);
        assertThat(walked).isEqualTo(summaries(ok(history(""))));
    }

    @Test
    void aWalkStaysAsKnownAtItsFirstPage() {
        JsonNode first = ok(history("?attribute=tier&limit=1&known_at=2023-10-27T10:19:00Z"));
        String cursor = first.at("/next_cursor").asString();

        // known_at left out on the next page: the cursor carries it
        JsonNode second = ok(history("?attribute=tier&limit=5&cursor=" + cursor));

        assertThat(second.at("/known_at").asString()).isEqualTo("2023-10-27T10:19:00.000Z");
        assertThat(summaries(second))
                .containsExactly("h2 tier gold->silver", "h2 tier silver->platinum", "h3 tier platinum->null");
    }

    /**
     * A {@code known_at} in the future is read as of the first page's now, on every page: an outside probe walked
     * with K = 9999 while late events arrived between pages, and the walk skipped changes its later pages saw moved.
     */
    @Test
    void aWalkAskedAsKnownInTheFutureStaysAsKnownAtItsFirstPage() {
        String future = "9999-12-31T23:59:59.999Z";
        List<String> whole = summaries(ok(history("")));
        List<String> walked = new ArrayList<>();
        JsonNode page = ok(history("?limit=1&known_at=" + future));
        String knownAt = page.at("/known_at").asString();
        assertThat(Instant.parse(knownAt)).isBefore(Instant.now().plusSeconds(1));
        int late = 0;
        while (true) {
            walked.addAll(summaries(page));
            if (page.at("/next_cursor").isNull()) {
                break;
            }
            // a late change (stamped before everything) recorded between the pages: after the walk's K
            fixture.log(
                    withId(change(customer, "2023-10-27T09:00:00Z", "tier", "late" + late, "voice"), "late" + late++),
                    Instant.now().plusMillis(5));
            page = ok(history("?limit=1&known_at=" + future + "&cursor="
                    + page.at("/next_cursor").asString()));
            assertThat(page.at("/known_at").asString()).isEqualTo(knownAt);
        }

        assertThat(walked).isEqualTo(whole);
        assertThat(summaries(ok(history(""))))
                .as("the late changes are there now")
                .hasSize(whole.size() + late);
    }

    @Test
    void filtersByAttributeAndValidTime() {
        JsonNode names = ok(history("?attribute=name"));
        JsonNode window = ok(history("?from=2023-10-27T10:02:00Z&to=2023-10-27T10:05:00Z"));

        assertThat(summaries(names)).containsExactly("h2 name null->Ana");
        assertThat(summaries(window))
                .containsExactly(
                        "h4 tier gold->bronze",
                        "h2 tier bronze->silver",
                        "h2 name null->Ana",
                        "h2 tier silver->platinum");
    }

    @Test
    void valuesErasedLaterAreRedacted() {
        String erased = Events.newCustomerId("cust");
        fixture.log(
                change(erased, "2023-10-27T09:00:00Z", "email", "old@example.com", "email"),
                Instant.parse("2023-10-27T09:00:01Z"));
        fixture.log(erase(erased, "2023-10-27T09:30:00Z"), Instant.parse("2023-10-27T09:30:01Z"));
        fixture.log(
                change(erased, "2023-10-27T10:00:00Z", "email", "new@example.com", "email"),
                Instant.parse("2023-10-27T10:00:01Z"));

        HttpResponse<String> response = get("/api/v1/customers/" + erased + "/history?attribute=email");
        JsonNode page = json.readTree(response.body());

        assertThat(page.at("/changes").size()).isEqualTo(3);
        assertThat(page.at("/changes/0/redacted").asBoolean()).isTrue();
        assertThat(page.at("/changes/0/new_value").isNull()).isTrue();
        assertThat(response.body()).doesNotContain("old@example.com");
        assertThat(page.at("/changes/1/event_type").asString()).isEqualTo("CUSTOMER_PROFILE_ERASED");
        assertThat(page.at("/changes/1/reason").asString()).isEqualTo("gdpr_article_17");
        assertThat(page.at("/changes/2/redacted").asBoolean()).isFalse();
        assertThat(page.at("/changes/2/old_value").isNull()).isTrue();
        assertThat(page.at("/changes/2/new_value").asString()).isEqualTo("new@example.com");
    }

    @Test
    void badParametersAre400sThatNameThem() {
        String cursor = ok(history("?limit=1")).at("/next_cursor").asString();

        assertBadRequest(history("?limit=0"), "limit");
        assertBadRequest(history("?limit=100000"), "limit");
        assertBadRequest(history("?attribute=Not-A-Key"), "attribute");
        assertBadRequest(history("?from=2023-10-27T11:00:00Z&to=2023-10-27T10:00:00Z"), "from");
        assertBadRequest(history("?from=yesterday"), "from");
        assertBadRequest(history("?cursor=not-a-cursor"), "cursor");
        assertBadRequest(history("?attribute=tier&cursor=" + cursor), "cursor");
        assertBadRequest(history("?known_at=2023-10-27T10:19:00Z&cursor=" + cursor), "cursor");
        for (String limit : new String[] {"0x10", "+5", "-0", "1e3", "1.5", "", "%205", "%EF%BC%95"}) {
            assertBadRequest(history("?limit=" + limit), "limit");
        }
        // paths Spring Security's firewall refuses name the path and the rule (they were a bare "malformed")
        for (String path : new String[] {"cust;x=1", "%2e%2e", "cust%252Fprobe"}) {
            assertBadRequest("/api/v1/customers/" + path + "/history", "path");
        }
        // a cursor made up by the client: the known_at it carries is later than now (an outside probe sent 2099 and
        // got it echoed, past the rule that reads a future known_at as of now)
        String made = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                .replaceFirst("\"k\":\"[^\"]+\"", "\"k\":\"2099-01-01T00:00:00.000Z\"");
        assertThat(made).contains("2099");
        assertBadRequest(
                history("?cursor="
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(made.getBytes(StandardCharsets.UTF_8))),
                "cursor");
    }

    @Test
    void aPageMatchesTheGoldenFile() throws IOException {
        String body = get(history("?limit=3&known_at=2023-10-27T12:00:00Z"))
                .body()
                .replace(customer, "CUSTOMER")
                .replace(survivor, "SURVIVOR");
        JsonNode page = json.readTree(body);
        String cursor = page.at("/next_cursor").asString();

        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        ((tools.jackson.databind.node.ObjectNode) page).put("next_cursor", "CURSOR");
        assertThat(page).isEqualTo(json.readTree(PointInTimeProfileIT.resource("/golden/history-page.json")));
    }

    /**
     * The survivor has tier gold at 09:00. Its member-to-be has tier silver at 08:00 and an email at 08:30, is merged
     * into the survivor at 10:00, changes tier at 10:30, is unmerged at 11:00 and changes tier again at 11:30.
     */
    private List<String> mergedStory(String survivor, String member) {
        fixture.log(
                withId(change(member, "2023-10-27T08:00:00Z", "tier", "silver", "voice"), member + "-m1"),
                Instant.parse("2023-10-27T08:00:01Z"));
        fixture.log(
                withId(change(member, "2023-10-27T08:30:00Z", "email", "m@example.com", "email"), member + "-m2"),
                Instant.parse("2023-10-27T08:30:01Z"));
        fixture.log(
                withId(change(survivor, "2023-10-27T09:00:00Z", "tier", "gold", "voice"), survivor + "-s1"),
                Instant.parse("2023-10-27T09:00:01Z"));
        fixture.log(
                withId(merge(member, survivor, "2023-10-27T10:00:00Z"), member + "-merge"),
                Instant.parse("2023-10-27T10:00:01Z"));
        fixture.log(
                withId(change(member, "2023-10-27T10:30:00Z", "tier", "platinum", "chat"), member + "-m3"),
                Instant.parse("2023-10-27T10:30:01Z"));
        fixture.log(
                withId(unmerge(member, survivor, "2023-10-27T11:00:00Z"), member + "-unmerge"),
                Instant.parse("2023-10-27T11:00:01Z"));
        fixture.log(
                withId(change(member, "2023-10-27T11:30:00Z", "tier", "diamond", "chat"), member + "-m4"),
                Instant.parse("2023-10-27T11:30:01Z"));
        return List.of(survivor, member);
    }

    @Test
    void aSurvivorsTimelineListsItsMembersChangesWhileTheyWereMerged() {
        String alone = Events.newCustomerId("survivor");
        String member = Events.newCustomerId("member");
        mergedStory(alone, member);

        JsonNode page = ok("/api/v1/customers/" + alone + "/history");

        assertThat(summaries(page))
                .containsExactly(
                        alone + "-s1 tier null->gold",
                        member + "-merge null null->null",
                        member + "-merge email null->m@example.com",
                        member + "-m3 tier gold->platinum",
                        member + "-unmerge null null->null",
                        member + "-unmerge email m@example.com->null",
                        member + "-unmerge tier platinum->gold");
        assertThat(page.at("/changes/0/member_customer_id").asString()).isEqualTo(alone);
        assertThat(page.at("/changes/1/member_customer_id").asString()).isEqualTo(member);
        assertThat(page.at("/changes/1/merged_from").asString()).isEqualTo(member);
        assertThat(page.at("/changes/1/merged_into").asString()).isEqualTo(alone);
        assertThat(page.at("/changes/3/member_customer_id").asString()).isEqualTo(member);
        // the profile read agrees with the timeline just before and after the merge
        assertThat(profileAt(alone, "2023-10-27T10:29:59Z", null)
                        .at("/attributes/email")
                        .asString())
                .isEqualTo("m@example.com");
        assertThat(profileAt(alone, "2023-10-27T10:29:59Z", null)
                        .at("/attributes/tier")
                        .asString())
                .isEqualTo("gold");

        // filtered: the merge's change of the attribute is listed, the merge itself is not
        assertThat(summaries(ok("/api/v1/customers/" + alone + "/history?attribute=email")))
                .containsExactly(
                        member + "-merge email null->m@example.com", member + "-unmerge email m@example.com->null");
        // the member's own timeline still lists all its changes, with its own fold's old values
        assertThat(summaries(ok("/api/v1/customers/" + member + "/history?attribute=tier")))
                .containsExactly(
                        member + "-m1 tier null->silver",
                        member + "-m3 tier silver->platinum",
                        member + "-m4 tier platinum->diamond");
        // known before the merge was recorded: the survivor's own changes only
        assertThat(summaries(ok("/api/v1/customers/" + alone + "/history?known_at=2023-10-27T09:59:00Z")))
                .containsExactly(alone + "-s1 tier null->gold");
    }

    @Test
    void aMergedPageMatchesTheGoldenFile() throws IOException {
        String alone = Events.newCustomerId("survivor");
        String member = Events.newCustomerId("member");
        mergedStory(alone, member);

        String body = get("/api/v1/customers/" + alone + "/history?limit=4&known_at=2023-10-27T12:00:00Z")
                .body()
                .replace(alone, "SURVIVOR")
                .replace(member, "MEMBER");
        JsonNode page = json.readTree(body);
        assertThat(page.at("/next_cursor").asString()).matches("[A-Za-z0-9_-]+");
        ((tools.jackson.databind.node.ObjectNode) page).put("next_cursor", "CURSOR");
        assertThat(page).isEqualTo(json.readTree(PointInTimeProfileIT.resource("/golden/history-merged-page.json")));
    }

    @Test
    void moreMembersThanTheBoundIsA422ThatNamesTheCustomer() {
        String crowded = Events.newCustomerId("crowded");
        fixture.log(
                change(crowded, "2023-10-27T09:00:00Z", "tier", "gold", "voice"),
                Instant.parse("2023-10-27T09:00:01Z"));
        // only the links: who would be read is decided by identity_links, before any member is read
        for (int i = 0; i <= 100; i++) {
            identityLinks.record(crowded, crowded + "-m" + i);
        }

        HttpResponse<String> response = get("/api/v1/customers/" + crowded + "/history");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.at("/type").asString()).isEqualTo("/problems/too-many-members");
        assertThat(problem.at("/pointer").asString()).isEqualTo("customer_id");
        assertThat(problem.at("/max_members").asInt()).isEqualTo(100);
    }

    @Test
    void aMarksReadCountsOnceAsMarksAndNeverAsHistoryRequests() {
        long historyBefore = historyReads();
        long marksBefore = metrics.find("asof.reconstruction.marks").timer().count();
        double rangesBefore = counter("asof.reconstruction.marks.ranges", null, null);

        ok("/api/v1/customers/" + customer + "/history/marks");

        // a first page of 3 changes, then ranges (ReconstructionIT's marks settings): pages no history request asked
        // for
        assertThat(counter("asof.reconstruction.marks.ranges", null, null) - rangesBefore)
                .isGreaterThan(0);
        assertThat(metrics.find("asof.reconstruction.marks").timer().count() - marksBefore)
                .isEqualTo(1);
        assertThat(historyReads() - historyBefore).isZero();

        ok(history(""));

        assertThat(historyReads() - historyBefore).isEqualTo(1);
    }

    /** History requests answered, whatever their outcome. */
    private long historyReads() {
        return metrics.find("asof.reconstruction.latency").tag("endpoint", "history").timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    private String history(String query) {
        return "/api/v1/customers/" + customer + "/history" + query;
    }

    private void assertBadRequest(String path, String pointer) {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"pointer\":\"" + pointer + "\"", "/problems/invalid-request");
    }

    /** "event attribute old->new" per change. */
    private static List<String> summaries(JsonNode page) {
        List<String> summaries = new ArrayList<>();
        for (JsonNode change : page.get("changes")) {
            summaries.add(change.get("event_id").asString() + " " + text(change.get("attribute")) + " "
                    + text(change.get("old_value")) + "->" + text(change.get("new_value")));
        }
        return summaries;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? "null" : node.asString();
    }
}
