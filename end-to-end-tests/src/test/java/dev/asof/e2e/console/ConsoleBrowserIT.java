package dev.asof.e2e.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.TestApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console in a real headless Chromium against the real services (Kafka, dynalite, each service its own JVM
 * from its built jar, the console too): sign-in, refusals, finding a customer, the timeline's marks against the
 * events written, time travel against the API's own answers, the interaction lookup, CSRF, roles, campaigns and an
 * erasure with its proof.
 */
class ConsoleBrowserIT {

    static final String AUDITOR = "audrey";
    static final String AUDITOR_PASSWORD = "auditor-" + UUID.randomUUID();
    static final String OFFICER = "otto";
    static final String OFFICER_PASSWORD = "officer-" + UUID.randomUUID();
    static final JsonMapper JSON = JsonMapper.builder().build();

    static ServiceJar ingestion;
    static ServiceJar reconstruction;
    static ServiceJar merge;
    static ServiceJar console;

    static String customer;
    static String member;
    static String interaction;
    static String email;
    /** The event posted last and stamped earlier than one already logged: late. */
    static String lateEventId;

    ChromeDriver browser;

    @BeforeAll
    static void startServicesAndWriteAStory() {
        Browser.requireInstalled();
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put("asof.privacy.key-cache-ttl", "2s");
        properties.put("asof.erasure.replica-key-cache-wait", "2s");
        properties.put("asof.erasure.in-flight-margin", "1s");
        ingestion = ServiceJar.start("ingestion-service", properties);
        reconstruction = ServiceJar.start("reconstruction-service", properties);
        Map<String, String> mergeProperties = new HashMap<>(properties);
        mergeProperties.put("asof.matching.index-group", "console-" + UUID.randomUUID());
        mergeProperties.put("asof.matching.index-start", "latest");
        merge = ServiceJar.start("merge-service", mergeProperties);
        awaitTheMatchIndexFollows();

        var encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        Map<String, String> consoleProperties = new LinkedHashMap<>();
        consoleProperties.put("asof.console.ingestion-url", "http://localhost:" + ingestion.port());
        consoleProperties.put("asof.console.reconstruction-url", "http://localhost:" + reconstruction.port());
        consoleProperties.put("asof.console.merge-url", "http://localhost:" + merge.port());
        consoleProperties.put("asof.console.api-key", TestApiKeys.CONSOLE);
        consoleProperties.put("asof.console.users[0].username", AUDITOR);
        consoleProperties.put("asof.console.users[0].password-hash", encoder.encode(AUDITOR_PASSWORD));
        consoleProperties.put("asof.console.users[0].roles", "auditor");
        consoleProperties.put("asof.console.users[1].username", OFFICER);
        consoleProperties.put("asof.console.users[1].password-hash", encoder.encode(OFFICER_PASSWORD));
        consoleProperties.put("asof.console.users[1].roles", "privacy-officer");
        console = ServiceJar.start("console", consoleProperties);

        customer = Events.newCustomerId("cust_console");
        member = Events.newCustomerId("cust_console_voice");
        interaction = "inter_" + UUID.randomUUID().toString().substring(0, 8);
        email = "ana." + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
        post(change(customer, "2026-11-01T09:00:00Z", "email", email, "genesys_cloud_cx", "voice", interaction));
        post(change(customer, "2026-11-01T10:00:00Z", "preferred_language", "es-ES", "nice_cxone", "chat", "i2"));
        post("""
                {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"2026-11-01T11:00:00Z",\
                "customer_id":"%s","source_system":"crm","metadata":{"channel":"web"},\
                "payload":{"changes":[{"attribute_key":"tier","new_value":"gold"},\
                {"attribute_key":"loyalty_points","new_value":"1200"}]}}""".formatted(UUID.randomUUID(), customer));
        awaitChanges(customer, 4);
        String late =
                change(customer, "2026-11-01T10:15:00Z", "preferred_language", "fr-FR", "nice_cxone", "email", "i3");
        lateEventId = JSON.readTree(late).path("event_id").asString();
        post(late);
        post(change(member, "2026-11-01T08:00:00Z", "phone", "+34600111333", "genesys_cloud_cx", "voice", "i4"));
        awaitChanges(customer, 5);
        awaitChanges(member, 1);
        HttpResponse<String> merged =
                merge.api().postJson("/api/v1/merges", TestApiKeys.ALL_SCOPES, """
                        {"merged_into":"%s","merged_from":"%s","reason":"same caller","decided_by":"agent_9",\
                        "effective_at":"2026-11-01T12:00:00Z"}""".formatted(customer, member));
        assertThat(merged.statusCode()).as(merged.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(history(customer))
                        .as("the timeline after the merge")
                        .anySatisfy(change ->
                                assertThat(change.path("event_type").asString()).isEqualTo("CUSTOMER_PROFILE_MERGE")));
    }

    @AfterAll
    static void stopServices() {
        System.out.println("ingestion answered 503 and the same request was sent again: "
                + ApiClient.retriedUnavailable() + " times in this JVM");
        for (ServiceJar service : new ServiceJar[] {console, merge, reconstruction, ingestion}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @BeforeEach
    void openBrowser() {
        browser = Browser.start();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anUnauthenticatedRequestIsRedirectedToSignIn() {
        browser.get(url("/customers/" + customer));
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        assertThat(browser.findElement(By.id("login-form")).isDisplayed()).isTrue();
        assertThat(browser.getPageSource()).doesNotContain(email);
    }

    @Test
    void aWrongPasswordIsRefused() {
        signIn(AUDITOR, "not-the-password");
        assertThat(browser.getCurrentUrl()).contains("/login?error");
        assertThat(browser.findElement(By.id("login-error")).getText()).isEqualTo("Wrong username or password.");
        browser.get(url("/customers/" + customer));
        assertThat(browser.getCurrentUrl()).endsWith("/login");
    }

    @Test
    void anAuditorFindsTheCustomerAndTheTimelineHasAMarkPerChange() throws IOException {
        signIn(AUDITOR, AUDITOR_PASSWORD);
        browser.findElement(By.id("q")).sendKeys(customer);
        browser.findElement(By.id("search")).click();
        waitFor(() -> browser.getCurrentUrl().contains("/customers/" + customer));

        List<JsonNode> changes = history(customer);
        List<WebElement> marks = browser.findElements(By.cssSelector("#timeline [data-event-id]"));
        List<String> markEvents = new ArrayList<>();
        marks.forEach(mark -> markEvents.add(mark.getAttribute("data-event-id")));
        List<String> apiEvents = new ArrayList<>();
        changes.forEach(change -> apiEvents.add(change.path("event_id").asString()));
        assertThat(markEvents)
                .as("one mark per change of the history API")
                .containsExactlyInAnyOrderElementsOf(apiEvents);
        assertThat(browser.findElement(By.id("change-count")).getText()).isEqualTo(Integer.toString(changes.size()));

        WebElement lateMark = browser.findElement(By.cssSelector("#timeline [data-event-id='" + lateEventId + "']"));
        assertThat(lateMark.getAttribute("class")).contains("late");
        assertThat(lateMark.getAttribute("aria-label")).contains("fr-FR", "nice_cxone", "channel email", "(late)");
        assertThat(browser.findElements(By.cssSelector("#timeline .mark.bulk"))).hasSize(2);
        WebElement mergeMark = browser.findElement(By.cssSelector("#timeline .mark.merge"));
        assertThat(mergeMark.getAttribute("aria-label")).contains("Merge: " + member + " into " + customer);
        WebElement first = browser.findElement(By.cssSelector("#timeline [data-kind='change']"));
        assertThat(first.getAttribute("tabindex")).isEqualTo("0");

        // keyboard: focusing a mark puts its details in the panel
        ((JavascriptExecutor) browser).executeScript("arguments[0].focus()", lateMark);
        waitFor(() -> browser.findElement(By.id("mark-details")).getText().contains("fr-FR"));

        // identity: the merge in the lineage graph, the member listed
        // (read once the page is shown)
        waitFor(() -> !browser.findElements(By.id("members")).isEmpty());
        assertThat(browser.findElement(By.id("members")).getText()).contains(member, customer);
        assertThat(browser.findElements(By.cssSelector("#lineage .edge"))).hasSize(1);

        saveElement(
                browser.findElement(By.cssSelector("section[aria-labelledby='timeline-title']")), "console-timeline");

        // the CSV export lists the same changes
        String csv = fetch("/customers/" + customer + "/timeline.csv");
        assertThat(csv.lines().count()).isEqualTo(1 + changes.size());
        assertThat(csv)
                .contains(lateEventId + ",CUSTOMER_PROFILE_ATTRIBUTE_CHANGE," + customer
                        + ",preferred_language,es-ES,fr-FR");
    }

    /**
     * A timeline longer than one history page is read in valid-time slices at once: the console's CSV export (the
     * same read as the drawn timeline) must list exactly the changes of the history API walked page after page, in
     * order, with the same values replaced. Seeded: 1,500 changes over 8 attributes sent in shuffled batches (so
     * many arrive late), a member with its own changes merged in half-way, and a last identity event stamped after
     * every current value's time (so past where the slices are planned to end).
     */
    @Test
    void aLongTimelineReadInSlicesListsExactlyWhatTheHistoryApiWalksPageByPage() {
        Random random = new Random(20261201L);
        String id = Events.newCustomerId("cust_console_long");
        String other = Events.newCustomerId("cust_console_long_member");
        String[] attributes = {
            "email", "phone", "tier", "preferred_language", "loyalty_points", "address.city", "name_last", "name_first"
        };
        Instant start = Instant.parse("2024-01-01T00:00:00Z");
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            Instant at = start.plusSeconds(i * 3_600L + random.nextInt(3_600));
            events.add(change(
                    i % 10 == 7 ? other : id,
                    at.toString(),
                    attributes[random.nextInt(attributes.length)],
                    "v" + i,
                    random.nextBoolean() ? "genesys_cloud_cx" : "nice_cxone",
                    random.nextBoolean() ? "voice" : "chat",
                    "long_" + i));
        }
        java.util.Collections.shuffle(events, random);
        for (int i = 0; i < events.size(); i += 300) {
            post("[" + String.join(",", events.subList(i, Math.min(events.size(), i + 300))) + "]");
        }
        await().atMost(Duration.ofSeconds(120))
                .until(() -> walk(id).size() >= 1_350 && walk(other).size() >= 150);
        HttpResponse<String> merged = merge.api().postJson("/api/v1/merges", TestApiKeys.ALL_SCOPES, """
                        {"merged_into":"%s","merged_from":"%s","reason":"same caller","decided_by":"agent_9",\
                        "effective_at":"%s"}""".formatted(
                        id, other, start.plusSeconds(750 * 3_600L)));
        assertThat(merged.statusCode()).as(merged.body()).isEqualTo(202);
        HttpResponse<String> unmerged = merge.api().postJson("/api/v1/unmerges", TestApiKeys.ALL_SCOPES, """
                        {"merged_into":"%s","merged_from":"%s","reason":"two callers","decided_by":"agent_9",\
                        "effective_at":"%s"}""".formatted(
                        id, other, start.plusSeconds(1_600 * 3_600L)));
        assertThat(unmerged.statusCode()).as(unmerged.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> walk(id).stream()
                        .anyMatch(change -> change.path("event_type").asString().equals("CUSTOMER_PROFILE_UNMERGE")));

        List<String> walked = new ArrayList<>();
        for (JsonNode change : walk(id)) {
            walked.add(String.join(
                    "|",
                    change.path("event_id").asString(),
                    change.path("attribute").asString(""),
                    change.path("old_value").asString(""),
                    change.path("new_value").asString(""),
                    Instant.parse(change.path("changed_at").asString()).toString()));
        }
        assertThat(walked.size()).as("changes walked").isGreaterThan(1_350);

        signIn(AUDITOR, AUDITOR_PASSWORD);
        List<String> exported = new ArrayList<>();
        fetch("/customers/" + id + "/timeline.csv").lines().skip(1).forEach(line -> {
            String[] cells = line.split(",", -1);
            exported.add(String.join("|", cells[0], cells[3], cells[4], cells[5], cells[6]));
        });
        assertThat(exported)
                .as("the console's sliced read against the API walked page by page")
                .isEqualTo(walked);

        // the drawing (from reconstruction-service's history/marks): every change walked is in one mark, the changes
        // drawn alone are changes walked
        double marksAnswered = marksAnswered();
        browser.get(url("/customers/" + id));
        waitFor(() -> !browser.findElements(By.id("change-count")).isEmpty());
        assertThat(marksAnswered())
                .as("the drawing was read through history/marks, not the history walk")
                .isGreaterThan(marksAnswered);
        assertThat(browser.findElement(By.id("change-count")).getText()).isEqualTo(Integer.toString(walked.size()));
        int drawn = 0;
        for (WebElement aggregate : browser.findElements(By.cssSelector("#timeline a.mark.aggregate"))) {
            drawn += Integer.parseInt(aggregate.getAttribute("data-count"));
        }
        List<WebElement> alone = browser.findElements(By.cssSelector("#timeline [data-event-id]"));
        drawn += alone.size();
        assertThat(drawn).as("changes in the marks drawn").isEqualTo(walked.size());
        Set<String> walkedEvents = new HashSet<>();
        walked.forEach(change -> walkedEvents.add(change.substring(0, change.indexOf('|'))));
        alone.forEach(mark -> assertThat(walkedEvents).contains(mark.getAttribute("data-event-id")));
        assertThat(browser.findElements(By.cssSelector("#timeline a.mark.aggregate")))
                .as("a long timeline is drawn with aggregate marks")
                .isNotEmpty();
    }

    @Test
    void movingTAndKChangesTheProfileExactlyAsTheApiAnswers() {
        signIn(AUDITOR, AUDITOR_PASSWORD);
        browser.get(url("/customers/" + customer));
        // htmx loaded from its WebJar (CSP allows it); waited for, and the page named if it never comes
        try {
            waitFor(() -> Boolean.TRUE.equals(
                    ((JavascriptExecutor) browser).executeScript("return typeof htmx !== 'undefined'")));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(
                    "htmx not loaded on " + browser.getCurrentUrl() + ": "
                            + browser.getPageSource()
                                    .substring(
                                            0,
                                            Math.min(
                                                    2_000,
                                                    browser.getPageSource().length())),
                    e);
        }
        Instant lateRecordedAt = recordedAt(customer, lateEventId);
        List<String[]> moments = List.of(
                new String[] {
                    "2026-11-01T10:30:00Z",
                    Instant.now()
                            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                            .toString()
                },
                new String[] {
                    "2026-11-01T10:30:00Z", lateRecordedAt.minusMillis(1).toString()
                },
                new String[] {"2026-11-01T09:30:00Z", lateRecordedAt.toString()},
                // after the merge's valid time, known before it was recorded: no member yet
                new String[] {"2026-11-01T12:30:00Z", lateRecordedAt.toString()},
                new String[] {
                    "2026-11-01T11:00:00Z",
                    Instant.now()
                            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                            .toString()
                },
                new String[] {
                    "2026-11-01T12:30:00Z",
                    Instant.now()
                            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                            .toString()
                },
                new String[] {
                    "2026-11-01T08:59:59Z",
                    Instant.now()
                            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                            .toString()
                });
        for (String[] moment : moments) {
            WebElement drawing = browser.findElement(By.id("timeline"));
            setField("t", moment[0]);
            setField("k", moment[1]);
            browser.findElement(By.id("travel-go")).click();
            String expectedT = Instant.parse(moment[0]).toString();
            waitFor(() -> browser.findElement(By.id("shown-t")).getText().equals(expectedT)
                    && browser.findElement(By.id("shown-k"))
                            .getText()
                            .equals(Instant.parse(moment[1]).toString()));
            assertThat(shownProfile())
                    .as("profile at %s known at %s", moment[0], moment[1])
                    .isEqualTo(apiProfile(customer, moment[0], moment[1]));
            // the identity panel, read after the page, at the same (T, K): the merge at 12:00 only from then on
            waitFor(() -> !browser.findElements(By.id("identity-t")).isEmpty()
                    && browser.findElement(By.id("identity-t")).getText().equals(expectedT));
            assertThat(browser.findElement(By.id("members")).getText())
                    .as("members at %s known at %s", moment[0], moment[1])
                    .isEqualTo(apiMembers(customer, moment[0], moment[1]));
            assertThat(browser.getCurrentUrl())
                    .as("the address bar holds the view")
                    .contains("t=", "k=");
            // the move replaced the time-travel panel only: the timeline was not read and drawn again, yet it shows
            // (T line, marks recorded after K faded, T and K in its links) what a fresh page at this address draws
            assertThat(drawing.getAttribute("id"))
                    .as("the drawing in place (a stale element would throw)")
                    .isEqualTo("timeline");
            TimelineState moved = timelineState();
            if (moment[1].equals(lateRecordedAt.minusMillis(1).toString())) {
                assertThat(moved.fadedEventIds())
                        .as("the late change, recorded after K, faded")
                        .contains(lateEventId);
            }
            browser.get(browser.getCurrentUrl());
            assertThat(moved)
                    .as("the timeline after the move against a fresh page at %s known at %s", moment[0], moment[1])
                    .isEqualTo(timelineState());
        }
        // the late change was not known just before it was recorded
        browser.get(url("/customers/" + customer + "?t=2026-11-01T10:30:00Z&k=" + lateRecordedAt.minusMillis(1)));
        assertThat(shownProfile()).containsEntry("preferred_language", "es-ES");
        assertThat(browser.findElement(By.cssSelector("tr[data-attribute='preferred_language']"))
                        .getAttribute("class"))
                .contains("differs");
        saveElement(
                browser.findElement(By.cssSelector("section[aria-labelledby='travel-title']")), "console-time-travel");
        // a shared address shows the same view after a fresh sign-in
        String shared = browser.findElement(By.id("share")).getAttribute("href");
        browser.manage().deleteAllCookies();
        browser.get(shared);
        signIn(AUDITOR, AUDITOR_PASSWORD, false);
        waitFor(() -> browser.getCurrentUrl().contains("/customers/" + customer));
        assertThat(shownProfile()).containsEntry("preferred_language", "es-ES");
    }

    /**
     * The T slider moves the T field and shows the profile there; Back returns to the view before, which the browser
     * reloads from its address (htmx keeps no page copies).
     */
    @Test
    void theSliderMovesTAndBackReturnsToTheViewBefore() {
        signIn(AUDITOR, AUDITOR_PASSWORD);
        String first = "2026-11-01T09:30:00Z";
        browser.get(url("/customers/" + customer + "?t=" + first));
        assertThat(browser.findElement(By.id("shown-t")).getText()).isEqualTo(first);

        Instant slid = Instant.parse("2026-11-01T11:30:00Z");
        WebElement slider = browser.findElement(By.id("t-slider"));
        ((JavascriptExecutor) browser)
                .executeScript(
                        "arguments[0].value = arguments[1];"
                                + "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                                + "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                        slider,
                        Long.toString(slid.toEpochMilli()));
        waitFor(() -> browser.findElement(By.id("shown-t")).getText().equals(slid.toString()));
        assertThat(browser.getCurrentUrl()).as("the pushed address").contains("t=2026-11-01T11");
        String k = browser.findElement(By.id("shown-k")).getText();
        assertThat(shownProfile()).isEqualTo(apiProfile(customer, slid.toString(), k));
        assertThat(browser.findElement(By.id("announcer")).getAttribute("textContent"))
                .as("the status line read out")
                .contains("T = " + slid);

        browser.navigate().back();
        waitFor(() -> browser.findElement(By.id("shown-t")).getText().equals(first));
        assertThat(browser.getCurrentUrl()).contains("t=" + first);
    }

    @Test
    void theInteractionLookupShowsWhatTheAgentSaw() {
        signIn(AUDITOR, AUDITOR_PASSWORD);
        browser.get(url("/customers/" + customer));
        browser.findElement(By.id("interaction")).sendKeys(interaction);
        browser.findElement(By.id("seen-go")).click();
        waitFor(() -> !browser.findElements(By.id("travel-note")).isEmpty());
        assertThat(browser.findElement(By.id("travel-note")).getText()).contains(interaction, "2026-11-01T09:00:00Z");
        String t = "2026-11-01T08:59:59.999Z";
        assertThat(browser.findElement(By.id("shown-t")).getText()).isEqualTo(t);
        // nothing was known of this customer before the interaction: the API's 404 is shown, not an empty profile
        assertThat(apiStatus(customer, t, t)).isEqualTo(404);
        assertThat(browser.findElement(By.id("at-message")).getText()).contains("No profile");

        browser.findElement(By.id("interaction")).clear();
        browser.findElement(By.id("interaction")).sendKeys("inter_nobody");
        browser.findElement(By.id("seen-go")).click();
        waitFor(() -> !browser.findElements(By.id("travel-errors")).isEmpty());
        assertThat(browser.findElement(By.id("travel-errors")).getText()).contains("no change", "inter_nobody");
    }

    /**
     * What the agent saw during an interaction, where the answer is not empty: the interaction's change is
     * stamped after an earlier change was recorded, so the profile just before it holds that earlier change.
     */
    @Test
    void theInteractionLookupMatchesTheApiForALiveInteraction() {
        String live = Events.newCustomerId("cust_console_live");
        String liveInteraction = "inter_live_" + UUID.randomUUID().toString().substring(0, 8);
        post(change(
                live,
                Instant.now().minusSeconds(2).toString(),
                "email",
                "live@example.com",
                "genesys_cloud_cx",
                "voice",
                "inter_before"));
        awaitChanges(live, 1);
        Instant during = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        post(change(live, during.toString(), "preferred_language", "de-DE", "nice_cxone", "chat", liveInteraction));
        awaitChanges(live, 2);

        signIn(AUDITOR, AUDITOR_PASSWORD);
        browser.get(url("/customers/" + live));
        browser.findElement(By.id("interaction")).sendKeys(liveInteraction);
        browser.findElement(By.id("seen-go")).click();
        String t = during.minusMillis(1).toString();
        waitFor(() -> browser.findElement(By.id("shown-t")).getText().equals(t));
        assertThat(browser.findElement(By.id("shown-k")).getText()).isEqualTo(t);
        Map<String, String> shown = shownProfile();
        assertThat(shown).isEqualTo(apiProfile(live, t, t)).containsEntry("email", "live@example.com");
        assertThat(shown).doesNotContainKey("preferred_language");
    }

    @Test
    void findingByEmailGoesThroughTheMatchApi() {
        signIn(AUDITOR, AUDITOR_PASSWORD);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            search("email", email);
            assertThat(browser.findElements(By.cssSelector("#candidates a"))).isNotEmpty();
        });
        // the search is a POST: the email is not in the address
        assertThat(browser.getCurrentUrl()).doesNotContain("example.com");
        browser.findElement(By.cssSelector("#candidates a")).click();
        waitFor(() -> browser.getCurrentUrl().contains("/customers/" + customer));
        search("id", "bad id!");
        // the form's POST may still be under way when the click returns (a CI run found the search page not yet shown)
        waitFor(() -> !browser.findElements(By.id("search-error")).isEmpty());
        assertThat(browser.findElement(By.id("search-error")).getText()).contains("Not a customer id");
    }

    @Test
    void anAuditorCannotReachThePrivacyPages() {
        signIn(AUDITOR, AUDITOR_PASSWORD);
        browser.get(url("/customers/" + customer));
        assertThat(browser.findElements(By.id("request-erasure"))).isEmpty();
        assertThat(browser.findElements(By.id("erasure-record"))).isEmpty();
        assertThat(browser.findElements(By.id("nav-erasures"))).isEmpty();
        assertThat(browser.findElements(By.id("export-csv")))
                .as("the page itself is shown")
                .isNotEmpty();
        browser.get(url("/privacy/customers/" + customer + "/erasure"));
        assertThat(browser.findElement(By.id("error-status")).getText()).isEqualTo("HTTP 403");
        browser.get(url("/privacy/erasures/" + UUID.randomUUID()));
        assertThat(browser.findElement(By.id("error-status")).getText()).isEqualTo("HTTP 403");
        browser.get(url("/privacy/erasures?customer=" + customer));
        assertThat(browser.findElement(By.id("error-status")).getText()).isEqualTo("HTTP 403");
        assertThat(browser.findElements(By.id("nav-erasures"))).isEmpty();
        browser.get(url("/customers/" + customer));
        // with a valid CSRF token too: the role, not the token, refuses it
        assertThat(postForm(
                        "/privacy/customers/" + customer + "/erasure",
                        "reason=test&confirm=" + customer + "&request_key=abc",
                        true))
                .isEqualTo(403);
    }

    @Test
    void aFormPostWithoutItsCsrfTokenIsRefused() {
        signIn(OFFICER, OFFICER_PASSWORD);
        // without the token: refused before the form is read (a complete request, so nothing else could refuse it)
        assertThat(postForm(
                        "/privacy/customers/" + customer + "/erasure",
                        "reason=test&confirm=" + customer + "&request_key=abc",
                        false))
                .isEqualTo(403);
        // the same page with the token, but a field left out: the form answers, so the 403 came from the token
        assertThat(postForm("/privacy/customers/" + customer + "/erasure", "reason=test&request_key=abc", true))
                .isEqualTo(200);
    }

    @Test
    void aPrivacyOfficerErasesACustomerAndReadsTheProof() {
        String erased = Events.newCustomerId("cust_console_erase");
        post(change(
                erased, "2026-11-02T09:00:00Z", "email", "erase.me.console@example.com", "nice_cxone", "chat", "i9"));
        awaitChanges(erased, 1);
        signIn(OFFICER, OFFICER_PASSWORD);
        browser.get(url("/customers/" + erased));
        clickAndLoad(By.id("request-erasure"));
        browser.findElement(By.id("reason")).sendKeys("data subject request 42");
        browser.findElement(By.id("confirm")).sendKeys("someone else");
        clickAndLoad(By.id("erase"));
        assertThat(browser.findElement(By.id("erasure-error")).getText()).contains("confirm");
        browser.findElement(By.id("confirm")).sendKeys(erased);
        clickAndLoad(By.id("erase"));
        waitFor(() -> browser.getCurrentUrl().contains("/privacy/erasures/"));
        // the status panel is swapped by htmx while it is read: a reference found just before a swap goes stale
        new WebDriverWait(browser, Duration.ofSeconds(120))
                .ignoring(StaleElementReferenceException.class)
                .until(driver ->
                        driver.findElement(By.id("erasure-status")).getText().equals("completed"));
        assertThat(browser.findElement(By.id("erasure-verified")).getText()).isEqualTo("true");
        assertThat(browser.findElement(By.id("erasure-proof")).getText()).contains("\"readable_values\" : 0");
        String erasurePage = browser.getCurrentUrl();
        browser.get(url("/customers/" + erased));
        assertThat(browser.findElement(By.id("at-message")).getText()).contains("Erased");
        assertThat(browser.getPageSource()).doesNotContain("erase.me.console@example.com");
        // found again later by the customer's id, from the customer's page or the privacy menu
        clickAndLoad(By.id("erasure-record"));
        waitFor(() -> browser.getCurrentUrl().equals(erasurePage));
        assertThat(browser.findElement(By.id("erasure-status")).getText()).isEqualTo("completed");
        clickAndLoad(By.id("nav-erasures"));
        assertThat(browser.findElement(By.id("register")).getText())
                .as("the register lists it")
                .contains(erased, "completed", "true", "console:" + OFFICER, "data subject request 42");
        browser.findElement(By.id("customer")).sendKeys(customer);
        clickAndLoad(By.id("find-erasure"));
        waitFor(() -> browser.getCurrentUrl().contains("customer="));
        assertThat(browser.findElement(By.id("erasure-find-error")).getText())
                .contains("no erasure covers customer " + customer);
        browser.get(url("/privacy/erasures?customer=bad%20id!"));
        assertThat(browser.findElement(By.id("erasure-find-error")).getText()).contains("Not a customer id");
    }

    @Test
    void campaignsShowTheirProgressAndRejectedLines() {
        String csv = "customer_id,tier\n" + Events.newCustomerId("cust_console_campaign") + ",silver\nbad id!,gold\n";
        HttpResponse<String> uploaded = ingestion
                .api()
                .post(
                        "/api/v1/campaigns?name=console-test-" + UUID.randomUUID(),
                        TestApiKeys.ALL_SCOPES,
                        "text/csv",
                        csv);
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(202);
        String campaignId = JSON.readTree(uploaded.body()).path("campaign_id").asString();
        signIn(AUDITOR, AUDITOR_PASSWORD);
        browser.get(url("/campaigns"));
        browser.findElement(By.cssSelector("#campaigns a[href$='" + campaignId + "']"))
                .click();
        new WebDriverWait(browser, Duration.ofSeconds(90))
                .ignoring(StaleElementReferenceException.class)
                .until(driver ->
                        driver.findElement(By.id("campaign-state")).getText().equals("completed"));
        assertThat(browser.findElement(By.id("campaign-rejected")).getText()).isEqualTo("1");
        assertThat(browser.findElement(By.id("campaign-errors")).getText()).contains("3");
    }

    // ---- helpers

    /** Waits until merge-service's match index follows the topic, so the story's events are indexed. */
    private static void awaitTheMatchIndexFollows() {
        String probe = Events.newCustomerId("cust_console_probe");
        String probeEmail = "probe." + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    post(change(probe, Instant.now().toString(), "email", probeEmail + "", "crm", "web", "probe"));
                    assertThat(merge.api()
                                    .postJson(
                                            "/api/v1/match",
                                            TestApiKeys.PROFILE_READ_ONLY,
                                            "{\"attributes\":{\"email\":\"" + probeEmail + "\"}}")
                                    .body())
                            .contains(probe);
                });
    }

    private void search(String by, String text) {
        browser.get(url("/"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("by"))).selectByValue(by);
        browser.findElement(By.id("q")).sendKeys(text);
        browser.findElement(By.id("search")).click();
    }

    /** POSTs a form body from the signed-in page with or without the page's CSRF token; returns the status. */
    private int postForm(String path, String body, boolean withToken) {
        Object status = ((JavascriptExecutor) browser)
                .executeAsyncScript(
                        "var done = arguments[arguments.length - 1];"
                                + "var token = document.querySelector('input[name=_csrf]');"
                                + "var body = arguments[1] + (arguments[2] && token ? '&_csrf=' + encodeURIComponent(token.value) : '');"
                                + "fetch(arguments[0], {method: 'POST', redirect: 'manual',"
                                + " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: body})"
                                + ".then(function (r) { done(r.status); });",
                        path,
                        body,
                        withToken);
        return ((Number) status).intValue();
    }

    private void signIn(String username, String password) {
        browser.get(url("/login"));
        signIn(username, password, true);
    }

    private void signIn(String username, String password, boolean waitForHome) {
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
        if (waitForHome) {
            waitFor(() -> !browser.getCurrentUrl().endsWith("/login"));
        }
    }

    private void setField(String id, String value) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    /** What a move of T or K changes in the timeline, as the browser shows it. */
    private record TimelineState(
            String tLineX,
            String tLineVisibility,
            java.util.Set<String> fadedEventIds,
            String reportT,
            String reportK,
            String zoomInT,
            String zoomInK,
            String fieldT,
            String fieldK) {}

    private TimelineState timelineState() {
        WebElement line = browser.findElement(By.id("t-line"));
        java.util.Set<String> faded = new java.util.TreeSet<>();
        for (WebElement mark : browser.findElements(By.cssSelector("#timeline .mark.unknown-at-k"))) {
            faded.add(mark.getAttribute("data-event-id"));
        }
        Map<String, String> report =
                queryOf(browser.findElement(By.id("report")).getAttribute("href"));
        Map<String, String> zoomIn =
                queryOf(browser.findElement(By.id("zoom-in")).getAttribute("href"));
        return new TimelineState(
                String.valueOf(Double.parseDouble(line.getAttribute("x1"))),
                line.getAttribute("visibility"),
                faded,
                report.get("t"),
                report.get("k"),
                zoomIn.get("t"),
                zoomIn.get("k"),
                browser.findElement(By.id("t")).getAttribute("value"),
                browser.findElement(By.id("k")).getAttribute("value"));
    }

    private static Map<String, String> queryOf(String href) {
        Map<String, String> query = new HashMap<>();
        String raw = java.net.URI.create(href).getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            String[] nameValue = pair.split("=", 2);
            query.put(
                    java.net.URLDecoder.decode(nameValue[0], java.nio.charset.StandardCharsets.UTF_8),
                    nameValue.length < 2
                            ? ""
                            : java.net.URLDecoder.decode(nameValue[1], java.nio.charset.StandardCharsets.UTF_8));
        }
        return query;
    }

    private Map<String, String> shownProfile() {
        Map<String, String> shown = new LinkedHashMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#profiles tbody tr"))) {
            String value = row.findElement(By.cssSelector("td.at")).getText();
            if (!value.equals("\u2014")) {
                shown.put(row.getAttribute("data-attribute"), value);
            }
        }
        return shown;
    }

    /** The members of {@code id}'s identity at {@code t} as known at {@code k}, as merge-service answers them. */
    private static String apiMembers(String id, String t, String k) {
        HttpResponse<String> answer = merge.api()
                .get("/api/v1/customers/" + id + "/identity?at=" + t + "&known_at=" + k, TestApiKeys.PROFILE_READ_ONLY);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).path("members").toString();
    }

    private static Map<String, String> apiProfile(String id, String t, String k) {
        HttpResponse<String> answer = reconstruction
                .api()
                .get("/api/v1/customers/" + id + "/profile/at/" + t + "?known_at=" + k, TestApiKeys.PROFILE_READ_ONLY);
        Map<String, String> profile = new LinkedHashMap<>();
        if (answer.statusCode() == 200) {
            JSON.readTree(answer.body())
                    .path("attributes")
                    .properties()
                    .forEach(entry -> profile.put(
                            entry.getKey(),
                            entry.getValue().isString()
                                    ? entry.getValue().asString()
                                    : entry.getValue().toString()));
        }
        return profile;
    }

    private static int apiStatus(String id, String t, String k) {
        return reconstruction
                .api()
                .get("/api/v1/customers/" + id + "/profile/at/" + t + "?known_at=" + k, TestApiKeys.PROFILE_READ_ONLY)
                .statusCode();
    }

    private String fetch(String path) {
        return (String) ((JavascriptExecutor) browser)
                .executeAsyncScript(
                        "var done = arguments[arguments.length - 1];"
                                + "fetch(arguments[0]).then(function (r) { return r.text(); }).then(done);",
                        path);
    }

    private static void saveElement(WebElement element, String name) {
        try {
            Path directory = Path.of("target", "screenshots");
            Files.createDirectories(directory);
            Files.write(directory.resolve(name + ".png"), element.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Clicks a link or a form's button that loads a new page, and waits until the old page is gone. A click can
     * return before the browser has left the page (a CI run found the form's error looked for on the page before
     * the POST's answer), so what is read next is read from the new page.
     */
    private void clickAndLoad(By target) {
        WebElement page = browser.findElement(By.tagName("html"));
        browser.findElement(target).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.stalenessOf(page));
    }

    private void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(StaleElementReferenceException.class)
                .until(driver -> condition.getAsBoolean());
    }

    private static String url(String path) {
        return "http://localhost:" + console.port() + path;
    }

    /** history/marks requests reconstruction-service has answered, from its metrics. */
    private static double marksAnswered() {
        HttpResponse<String> metrics = reconstruction.api().get("/actuator/prometheus", TestApiKeys.ALL_SCOPES);
        assertThat(metrics.statusCode()).isEqualTo(200);
        return metrics.body()
                .lines()
                .filter(line -> line.startsWith("asof_reconstruction_marks_seconds_count"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static List<JsonNode> history(String id) {
        HttpResponse<String> answer = reconstruction
                .api()
                .get("/api/v1/customers/" + id + "/history?limit=200", TestApiKeys.PROFILE_READ_ONLY);
        List<JsonNode> changes = new ArrayList<>();
        if (answer.statusCode() == 200) {
            JSON.readTree(answer.body()).path("changes").forEach(changes::add);
        }
        return changes;
    }

    /** Every change of the timeline of {@code id}, walked page after page (200 each) with the cursor. */
    private static List<JsonNode> walk(String id) {
        List<JsonNode> changes = new ArrayList<>();
        String cursor = null;
        do {
            HttpResponse<String> answer = reconstruction
                    .api()
                    .get(
                            "/api/v1/customers/" + id + "/history?limit=200"
                                    + (cursor == null ? "" : "&cursor=" + cursor),
                            TestApiKeys.PROFILE_READ_ONLY);
            if (answer.statusCode() != 200) {
                return changes;
            }
            JsonNode page = JSON.readTree(answer.body());
            page.path("changes").forEach(changes::add);
            cursor = page.path("next_cursor").isString()
                    ? page.path("next_cursor").asString()
                    : null;
        } while (cursor != null);
        return changes;
    }

    private static Instant recordedAt(String id, String eventId) {
        for (JsonNode change : history(id)) {
            if (change.path("event_id").asString().equals(eventId)) {
                return Instant.parse(change.path("recorded_at").asString());
            }
        }
        throw new AssertionError("no change of event " + eventId);
    }

    /** Waits until the history of {@code id} lists {@code changes} changes (a bulk update lists one per entry). */
    private static void awaitChanges(String id, int changes) {
        await().atMost(Duration.ofSeconds(60)).until(() -> history(id).size() >= changes);
    }

    private static void post(String event) {
        HttpResponse<String> answer =
                ingestion.api().postJsonRetryingUnavailable("/api/v1/events", TestApiKeys.ALL_SCOPES, event);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }

    private static String change(
            String id, String at, String key, String value, String source, String channel, String interactionId) {
        return """
                {"event_id":"%s","event_type":"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE","timestamp_utc":"%s",\
                "customer_id":"%s","source_system":"%s",\
                "metadata":{"channel":"%s","interaction_id":"%s","agent_id":"agent_7"},\
                "payload":{"attribute_key":"%s","new_value":"%s","change_reason":"agent_update"}}""".formatted(UUID.randomUUID(), at, id, source, channel, interactionId, key, value);
    }
}
