package dev.asof.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random event histories that are hard on the fold: few identities and keys (so changes collide), valid
 * times on whole seconds (so they tie), late and early recording (so arrival order differs from valid-time order),
 * equal recorded_at, bulk updates with repeated keys, removals, merges into identities with and without events,
 * unmerges, chains, cycles, erasures and records delivered twice. The same seed always gives the same history.
 */
final class RandomHistories {

    static final Instant BASE = Instant.parse("2023-10-27T14:00:00Z");

    /** Valid times fall in [BASE, BASE + SPAN_SECONDS). */
    static final int SPAN_SECONDS = 40;

    private static final String[] KEYS = {"name", "email", "tier", "consent.marketing", "phone", "preferred_language"};
    private static final String[] SOURCES = {"genesys_cloud_cx", "nice_cxone"};

    private RandomHistories() {}

    /** The identities a history may address: two to five. */
    static List<String> identities(Random random) {
        int count = 2 + random.nextInt(4);
        List<String> identities = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            identities.add("cust_" + (char) ('a' + i));
        }
        return identities;
    }

    /** One random history. */
    static List<RecordedEvent> history(long seed) {
        Random random = new Random(seed);
        List<String> identities = identities(random);
        int keyCount = 1 + random.nextInt(KEYS.length);
        int eventCount = 1 + random.nextInt(random.nextInt(4) == 0 ? 60 : 25);
        Set<String> ids = new HashSet<>();
        List<RecordedEvent> events = new ArrayList<>();
        for (int n = 0; n < eventCount; n++) {
            if (!events.isEmpty() && random.nextInt(25) == 0) {
                // the log delivers the same record twice (a consumer replay)
                events.add(events.get(random.nextInt(events.size())));
                continue;
            }
            String customer = identities.get(random.nextInt(identities.size()));
            Instant timestamp;
            long recordedAt;
            if (!events.isEmpty() && random.nextInt(10) == 0) {
                // an exact tie with an earlier event: same valid time and, often, the same recorded_at
                RecordedEvent twin = events.get(random.nextInt(events.size()));
                timestamp = twin.event().timestampUtc();
                recordedAt = random.nextBoolean() ? twin.recordedAt() : recordedAfter(timestamp, random);
            } else {
                timestamp = BASE.plusSeconds(random.nextInt(SPAN_SECONDS));
                if (random.nextInt(4) == 0) {
                    timestamp = timestamp.plusMillis(random.nextInt(1000));
                }
                recordedAt = recordedAfter(timestamp, random);
            }
            String id;
            do {
                id = "evt-" + Integer.toHexString(0x100 + random.nextInt(0xF00));
            } while (!ids.add(id));
            ProfileEvent payload = payload(customer, identities, keyCount, random);
            String source = random.nextInt(5) == 0 ? null : SOURCES[random.nextInt(SOURCES.length)];
            EventMetadata metadata = random.nextBoolean()
                    ? EventMetadata.EMPTY
                    : new EventMetadata(random.nextBoolean() ? "voice" : "chat", "inter_" + n, null);
            events.add(new RecordedEvent(
                    new EventEnvelope(id, timestamp, customer, source, metadata, payload, EventEnvelope.SCHEMA_VERSION),
                    recordedAt));
        }
        return events;
    }

    /** Usually recorded soon after, sometimes much later (a late event), sometimes before (a skewed source clock). */
    private static long recordedAfter(Instant timestamp, Random random) {
        int roll = random.nextInt(10);
        long delayMillis;
        if (roll < 6) {
            delayMillis = random.nextInt(2000);
        } else if (roll < 9) {
            delayMillis = 5_000 + random.nextInt(60_000);
        } else {
            delayMillis = -random.nextInt(3000);
        }
        // the logical counter is mostly small, and sometimes the last of its millisecond (the known-at edge)
        int logical = random.nextInt(8) == 0 ? 0xFFFF : random.nextInt(3);
        return Hlc.encode(timestamp.toEpochMilli() + delayMillis, logical);
    }

    private static ProfileEvent payload(String customer, List<String> identities, int keyCount, Random random) {
        int roll = random.nextInt(100);
        if (roll < 45) {
            return new AttributeChanged(
                    key(keyCount, random), random.nextBoolean() ? null : value(random), value(random), "agent_update");
        }
        if (roll < 60) {
            List<BulkProfileUpdate.Change> changes = new ArrayList<>();
            int size = 1 + random.nextInt(5);
            for (int i = 0; i < size; i++) {
                changes.add(new BulkProfileUpdate.Change(key(keyCount, random), null, value(random)));
            }
            return new BulkProfileUpdate(changes, random.nextBoolean() ? "campaign" : null);
        }
        if (roll < 92) {
            String other;
            if (random.nextInt(12) == 0) {
                other = "cust_ghost"; // an identity no event is addressed to
            } else {
                do {
                    other = identities.get(random.nextInt(identities.size()));
                } while (other.equals(customer));
            }
            return roll < 80 ? new ProfileMerged(other, customer) : new ProfileUnmerged(other, customer);
        }
        return new ProfileErased(random.nextBoolean() ? "gdpr_article_17" : null);
    }

    /**
     * A change that is not a merge: an attribute change, a bulk update with repeated keys, or now and then an
     * erasure. For histories whose merges come from {@link ProfileDecider} instead.
     */
    static ProfileEvent change(int keyCount, Random random) {
        int roll = random.nextInt(100);
        if (roll < 65) {
            return new AttributeChanged(key(keyCount, random), null, value(random), "agent_update");
        }
        if (roll < 93) {
            List<BulkProfileUpdate.Change> changes = new ArrayList<>();
            int size = 1 + random.nextInt(4);
            for (int i = 0; i < size; i++) {
                changes.add(new BulkProfileUpdate.Change(key(keyCount, random), null, value(random)));
            }
            return new BulkProfileUpdate(changes, "campaign");
        }
        return new ProfileErased("gdpr_article_17");
    }

    private static String key(int keyCount, Random random) {
        return KEYS[random.nextInt(keyCount)];
    }

    private static AttributeValue value(Random random) {
        return switch (random.nextInt(8)) {
            case 0, 1 -> AttributeValue.NULL;
            case 2 -> new AttributeValue.Numeric(new BigDecimal("1"));
            case 3 -> new AttributeValue.Numeric(new BigDecimal("1.0"));
            case 4 -> new AttributeValue.Bool(random.nextBoolean());
            default -> AttributeValue.text("v" + random.nextInt(4));
        };
    }
}
