package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.ProfileViews;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * Every event id intake answered 202 for, by customer, and the promise the end-to-end tests check about them: each
 * is in the log exactly once, nothing else of those customers is, and every view equals the fold of its log.
 */
final class AcceptedEvents {

    private static final Instant END = Instant.parse("3000-01-01T00:00:00Z");

    private final Map<String, Set<String>> byCustomer = new ConcurrentHashMap<>();

    /** Records a batch intake answered 202 for: every event of it must be {@code accepted} or {@code duplicate}. */
    void answered(List<String> batch, JsonNode results) {
        for (int i = 0; i < batch.size(); i++) {
            String status = results.get(i).get("status").asString();
            assertThat(status).as(results.get(i).toString()).isIn("accepted", "duplicate");
            JsonNode event = EventJson.mapper().readTree(batch.get(i));
            byCustomer
                    .computeIfAbsent(event.get("customer_id").asString(), k -> ConcurrentHashMap.newKeySet())
                    .add(event.get("event_id").asString());
        }
    }

    /** How many distinct events were answered 202. */
    int total() {
        return byCustomer.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * Waits up to {@code within} until at least {@link #total()} events of these customers are logged, then checks
     * each customer's log holds exactly its accepted ids, none twice, and that its view equals the fold of its log.
     *
     * @return each customer's whole log
     */
    Map<String, List<RecordedEvent>> assertLoggedExactlyOnce(EventLog log, ProfileViews views, Duration within) {
        int total = total();
        // pollDelay zero: Awaitility otherwise sleeps one poll interval before its first check, which for a check
        // that already holds costs the interval once per call (here once per customer: 50 s for 500 customers)
        await().atMost(within)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    int logged = 0;
                    for (String customer : byCustomer.keySet()) {
                        logged += log.eventsUpTo(customer, END, END).size();
                    }
                    assertThat(logged).isGreaterThanOrEqualTo(total);
                });
        Map<String, List<RecordedEvent>> logs = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> customer : byCustomer.entrySet()) {
            List<RecordedEvent> logged = log.eventsUpTo(customer.getKey(), END, END);
            List<String> ids = logged.stream().map(e -> e.event().eventId()).toList();
            assertThat(ids).as("log of %s", customer.getKey()).doesNotHaveDuplicates();
            assertThat(new HashSet<>(ids)).as("log of %s", customer.getKey()).isEqualTo(customer.getValue());
            IdentityState fold = ProfileFold.foldAt(customer.getKey(), logged, END, END);
            await().atMost(Duration.ofSeconds(30))
                    .pollDelay(Duration.ZERO)
                    .untilAsserted(() -> assertThat(
                                    views.find(customer.getKey()).orElseThrow().state())
                            .as("view of %s", customer.getKey())
                            .isEqualTo(fold));
            logs.put(customer.getKey(), logged);
        }
        return logs;
    }
}
