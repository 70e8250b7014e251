package dev.asof.reconstruction.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeValue;
import dev.asof.events.EncryptedValues;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Version;
import dev.asof.reconstruction.NaiveHistory;
import dev.asof.reconstruction.RandomFamilies;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pure walk, paged as {@link ProfileHistory} pages it (base states just before a page's first valid time, events
 * from there in the order of changes, skip up to the cursor), against {@link NaiveHistory} over many seeded random
 * families: quick, without DynamoDB, so far more families than {@code HistoryDifferentialIT} can afford. Seed: {@code
 * -Dasof.seed=...}; families: {@code -Dasof.history.unit-families=...}.
 */
class GroupTimelineTest {

    private static final String[] KEYS = {"name", "email", "tier", "consent.marketing", "phone", "preferred_language"};

    @Test
    void pagedWalksEqualTheNaiveOracle() {
        long seed = Long.getLong("asof.seed", 20261130L);
        int families = Integer.getInteger("asof.history.unit-families", 150);
        System.out.println("GroupTimelineTest seed=" + seed + " families=" + families);
        SplittableRandom seeds = new SplittableRandom(seed);
        List<String> failures = new ArrayList<>();
        int questions = 0;
        for (int f = 0; f < families && failures.size() < 3; f++) {
            long familySeed = seeds.nextLong();
            Random random = new Random(familySeed);
            RandomFamilies.Family family = RandomFamilies.generate(familySeed, "u" + f, 20 + random.nextInt(70), false);
            List<RecordedEvent> log = record(family);
            // then one identity's key destroyed: some of its events are encrypted, and ProfileHistory reads their
            // values as its erased marker; the other identities' timelines hide them
            String shredded =
                    family.identities().get(random.nextInt(family.identities().size()));
            Set<String> gone = new HashSet<>();
            for (RecordedEvent event : log) {
                if (event.event().customerId().equals(shredded) && random.nextBoolean()) {
                    gone.add(event.event().eventId());
                }
            }
            List<RecordedEvent> shreddedLog = log.stream()
                    .map(event -> gone.contains(event.event().eventId())
                            ? new RecordedEvent(
                                    event.event()
                                            .withValues(value -> value instanceof AttributeValue.Null
                                                    ? value
                                                    : AttributeValue.text(EncryptedValues.erased(shredded) + "#unit")),
                                    event.recordedAt())
                            : event)
                    .toList();
            for (int q = 0; q < 15; q++) {
                boolean afterShredding = q >= 10;
                if (afterShredding && family.identities().size() < 2) {
                    break;
                }
                questions++;
                List<String> askable = family.identities().stream()
                        .filter(identity -> !afterShredding || !identity.equals(shredded))
                        .toList();
                String identity = askable.get(random.nextInt(askable.size()));
                String attribute = random.nextInt(3) == 0 ? KEYS[random.nextInt(KEYS.length)] : null;
                Instant from = random.nextInt(3) == 0 ? someTime(log, random) : null;
                Instant to = random.nextInt(3) == 0 ? someTime(log, random) : null;
                if (from != null && to != null && from.isAfter(to)) {
                    Instant swap = from;
                    from = to;
                    to = swap;
                }
                Instant knownAt = random.nextInt(3) == 0
                        ? Hlc.toInstant(log.get(random.nextInt(log.size())).recordedAt())
                        : Instant.parse("2100-01-01T00:00:00Z");
                int limit = 1 + random.nextInt(7);
                String marker = EncryptedValues.erased(shredded) + "#unit";
                List<String> walked = afterShredding
                        ? walk(
                                shreddedLog,
                                identity,
                                attribute,
                                from,
                                to,
                                knownAt,
                                limit,
                                value -> value instanceof AttributeValue.Text text
                                        && text.value().equals(marker))
                        : walk(log, identity, attribute, from, to, knownAt, limit, value -> false);
                List<String> expected =
                        NaiveHistory.expect(
                                        log, identity, attribute, from, to, knownAt, afterShredding ? gone : Set.of())
                                .stream()
                                .map(NaiveHistory.Change::rendered)
                                .toList();
                if (!walked.equals(expected)) {
                    failures.add("family seed " + familySeed + ", " + identity
                            + (afterShredding ? " (" + shredded + "'s key destroyed)" : "") + " attribute=" + attribute
                            + " from="
                            + from + " to=" + to + " known_at=" + knownAt + " limit=" + limit + "\n  expected:\n    "
                            + String.join("\n    ", expected) + "\n  walked:\n    " + String.join("\n    ", walked));
                }
            }
        }
        System.out.println("GroupTimelineTest seed=" + seed + ": " + questions + " questions");
        assertThat(failures).as("seed %d", seed).isEmpty();
    }

    /** Recorded times as the log writer stamps them: its hybrid clock, monotonic per customer. */
    private static List<RecordedEvent> record(RandomFamilies.Family family) {
        Map<String, Long> last = new HashMap<>();
        List<RecordedEvent> log = new ArrayList<>();
        for (RandomFamilies.Arrival arrival : family.arrivals()) {
            String customer = arrival.event().customerId();
            long recordedAt = Hlc.next(last.getOrDefault(customer, 0L), arrival.arrivalMillis());
            last.put(customer, recordedAt);
            log.add(new RecordedEvent(arrival.event(), recordedAt));
        }
        return log;
    }

    /** Every page of one question, as {@link ProfileHistory} reads them, rendered as the oracle renders changes. */
    private static List<String> walk(
            List<RecordedEvent> log,
            String customerId,
            String attribute,
            Instant from,
            Instant to,
            Instant knownAt,
            int limit,
            java.util.function.Predicate<AttributeValue> gone) {
        long bound = Hlc.upperBound(knownAt);
        List<RecordedEvent> known =
                log.stream().filter(e -> e.recordedAt() <= bound).toList();
        Map<String, IdentityState> whole = new HashMap<>();
        for (RecordedEvent event : known) {
            String identity = event.event().customerId();
            whole.put(identity, ProfileFold.evolve(whole.getOrDefault(identity, IdentityState.empty(identity)), event));
        }
        Map<String, Version> erasures = new HashMap<>();
        whole.forEach((identity, state) -> {
            if (state.erasedAt() != null) {
                erasures.put(identity, state.erasedAt());
            }
        });
        List<String> walked = new ArrayList<>();
        Version after = null;
        for (int pages = 0; pages < 1_000; pages++) {
            Instant start = after != null ? after.timestamp() : from;
            Map<String, IdentityState> before = new HashMap<>();
            whole.keySet().forEach(identity -> before.put(identity, IdentityState.empty(identity)));
            List<RecordedEvent> scanned = new ArrayList<>();
            for (RecordedEvent event : known) {
                Instant at = event.event().timestampUtc();
                String identity = event.event().customerId();
                if (start != null && at.isBefore(start)) {
                    before.put(identity, ProfileFold.evolve(before.get(identity), event));
                } else if (to == null || !at.isAfter(to)) {
                    scanned.add(event);
                }
            }
            scanned.sort(Comparator.comparing(RecordedEvent::version));
            GroupTimeline timeline = new GroupTimeline(customerId, before, erasures, attribute, gone);
            List<HistoryChange> page = new ArrayList<>();
            Version next = null;
            scan:
            for (RecordedEvent event : scanned) {
                for (HistoryChange change : timeline.apply(event)) {
                    if (change.version().isAfter(after)) {
                        page.add(change);
                        if (page.size() == limit) {
                            next = change.version();
                            break scan;
                        }
                    }
                }
            }
            page.forEach(change -> walked.add(NaiveHistory.render(
                    change.event(),
                    change.version(),
                    change.attribute(),
                    change.oldValue(),
                    change.newValue(),
                    change.claimedPreviousValue(),
                    change.reason(),
                    change.mergedFrom(),
                    change.mergedInto(),
                    change.redacted())));
            if (next == null) {
                return walked;
            }
            after = next;
        }
        throw new AssertionError("more than 1000 pages");
    }

    private static Instant someTime(List<RecordedEvent> log, Random random) {
        Instant at = log.get(random.nextInt(log.size())).event().timestampUtc();
        return random.nextBoolean() ? at : at.plusMillis(random.nextInt(2_000) - 1_000);
    }
}
