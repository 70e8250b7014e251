package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.EventEnvelope;
import dev.asof.events.ProfileErased;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.merge.identity.Identity;
import dev.asof.merge.identity.IdentityLog;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The identity answer and match candidates read only merges, unmerges and erasures ({@link
 * IdentityLog#identityGroup}) and ask the log whether a customer has events ({@link IdentityLog#hasEvents}). Checked
 * against the whole histories ({@link IdentityLog#group}) on seeded groups of identities with attribute changes,
 * merges, unmerges and erasures: the same identity (resolved id, members, lineage) at every valid time and known-at
 * time asked, and the same answers to "has it events" and "has it come back after its erasure".
 */
@SpringBootTest
class IdentityGroupIT {

    private static final long SEED = Long.getLong("asof.seed", 20261201L);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
    }

    @Autowired
    EventLog eventLog;

    @Autowired
    IdentityLinks identityLinks;

    @Autowired
    IdentityLog identityLog;

    @Test
    void identityEventsAloneGiveTheIdentityTheWholeHistoriesGive() {
        Random random = new Random(SEED);
        IdentityLogFixture fixture = new IdentityLogFixture(eventLog, identityLinks);
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        int checks = 0;
        for (int group = 0; group < 6; group++) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = Events.newCustomerId("group" + group + "_" + i);
                ids.add(id);
                for (int change = 0; change < 3 + random.nextInt(8); change++) {
                    fixture.seed(id, day(start, random.nextInt(300)));
                }
            }
            List<Instant> knownAts = new ArrayList<>();
            for (int step = 0; step < 8; step++) {
                String from = ids.get(random.nextInt(ids.size()));
                String into = ids.get(random.nextInt(ids.size()));
                String at = day(start, random.nextInt(300));
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        if (!from.equals(into)) {
                            fixture.merged(from, into, at);
                        }
                    }
                    case 2 -> {
                        if (!from.equals(into)) {
                            fixture.unmerged(from, into, at);
                        }
                    }
                    default -> fixture.erased(from, at);
                }
                knownAts.add(Instant.now());
            }
            knownAts.add(Timestamps.LATEST);
            for (String id : ids) {
                for (int ask = 0; ask < 6; ask++) {
                    Instant validAt = Instant.parse(day(start, random.nextInt(320)));
                    Instant knownAt = knownAts.get(random.nextInt(knownAts.size()));
                    List<RecordedEvent> whole = identityLog.group(id, validAt, knownAt);
                    List<RecordedEvent> identityOnly = identityLog.identityGroup(id, validAt, knownAt);
                    assertThat(Identity.of(id, validAt, identityOnly))
                            .as("seed %d, %s at %s known at %s", SEED, id, validAt, knownAt)
                            .isEqualTo(Identity.of(id, validAt, whole));
                    List<EventEnvelope> own = whole.stream()
                            .map(RecordedEvent::event)
                            .filter(event -> event.customerId().equals(id))
                            .toList();
                    assertThat(identityLog.hasEvents(id, null, knownAt, true))
                            .as("seed %d, %s has events known at %s", SEED, id, knownAt)
                            .isEqualTo(!own.isEmpty());
                    Instant after = Instant.parse(day(start, random.nextInt(320)));
                    assertThat(identityLog.hasEvents(id, after, knownAt, false))
                            .as(
                                    "seed %d, %s has events other than erasures after %s known at %s",
                                    SEED, id, after, knownAt)
                            .isEqualTo(own.stream()
                                    .anyMatch(event -> !(event.payload() instanceof ProfileErased)
                                            && event.timestampUtc().isAfter(after)));
                    checks++;
                }
            }
        }
        assertThat(checks).isEqualTo(6 * 4 * 6);
    }

    private static String day(Instant start, int days) {
        return start.plusSeconds(days * 86_400L + 3_600L).toString();
    }
}
