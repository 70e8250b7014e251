package dev.asof.reconstruction;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileEvent;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random histories of a family of identities, in arrival order, that are hard on a reader that starts from
 * snapshots: late events (stamped minutes before they arrive, so they land behind snapshots), events stamped ahead
 * of their arrival, exact ties of valid time, several events arriving in one millisecond (equal wall clock, so the
 * recorded clock's counter decides), bulk updates with repeated keys, removals, merges into identities with and
 * without events, unmerges, chains, cycles and erasures. The same seed always gives the same family.
 */
public final class RandomFamilies {

    public static final Instant BASE = Instant.parse("2023-10-27T14:00:00Z");

    private static final String[] KEYS = {"name", "email", "tier", "consent.marketing", "phone", "preferred_language"};
    private static final String[] SOURCES = {"genesys_cloud_cx", "nice_cxone"};

    private RandomFamilies() {}

    /** An event and the writer's wall clock when it arrives at the log. */
    public record Arrival(EventEnvelope event, long arrivalMillis) {}

    /**
     * @param identities the identities events are addressed to, then one that never gets an event of its own
     * @param arrivals the events in the order the log writer sees them
     */
    public record Family(List<String> identities, List<Arrival> arrivals) {

        String ghost() {
            return identities.get(identities.size() - 1);
        }
    }

    /**
     * A family of {@code events} events. A deep family puts nine in ten events on its first identity and has few
     * merges and erasures, so that one customer's history is long.
     */
    public static Family generate(long seed, String prefix, int events, boolean deep) {
        Random random = new Random(seed);
        int addressed = deep ? 2 : 2 + random.nextInt(4);
        List<String> identities = new ArrayList<>();
        for (int i = 0; i < addressed; i++) {
            identities.add(prefix + "_" + (char) ('a' + i));
        }
        identities.add(prefix + "_ghost");
        int keyCount = deep ? KEYS.length : 1 + random.nextInt(KEYS.length);
        long clock = BASE.toEpochMilli() + random.nextInt(3_600_000);
        List<Arrival> arrivals = new ArrayList<>();
        for (int n = 0; n < events; n++) {
            // one in ten arrives in the same millisecond as the one before
            clock += random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3_000);
            String customer =
                    deep && random.nextInt(10) > 0 ? identities.get(0) : identities.get(random.nextInt(addressed));
            Instant timestamp = timestamp(clock, arrivals, random);
            ProfileEvent payload = payload(customer, identities, keyCount, deep, random);
            String source = random.nextInt(5) == 0 ? null : SOURCES[random.nextInt(SOURCES.length)];
            EventMetadata metadata = random.nextBoolean()
                    ? EventMetadata.EMPTY
                    : new EventMetadata(
                            random.nextBoolean() ? "voice" : "chat", "inter_" + n, "agent_" + random.nextInt(9));
            EventEnvelope event = new EventEnvelope(
                    prefix + "-e" + n + "-" + Integer.toHexString(random.nextInt(0x10000)),
                    timestamp,
                    customer,
                    source,
                    metadata,
                    payload,
                    EventEnvelope.SCHEMA_VERSION);
            arrivals.add(new Arrival(event, clock));
        }
        return new Family(List.copyOf(identities), List.copyOf(arrivals));
    }

    private static Instant timestamp(long arrival, List<Arrival> earlier, Random random) {
        int roll = random.nextInt(100);
        if (roll < 10 && !earlier.isEmpty()) {
            // an exact tie with an earlier event's valid time
            return earlier.get(random.nextInt(earlier.size())).event().timestampUtc();
        }
        if (roll < 30) {
            // late: stamped between 30 s and 40 min before it arrives, behind snapshots already taken
            return Instant.ofEpochMilli(arrival - 30_000 - random.nextInt(2_400_000));
        }
        if (roll < 35) {
            // stamped ahead of its arrival (a source clock running fast)
            return Instant.ofEpochMilli(arrival + random.nextInt(3_000));
        }
        long stamped = arrival - random.nextInt(1_500);
        // whole seconds half the time, so valid times collide
        return Instant.ofEpochMilli(random.nextBoolean() ? stamped - Math.floorMod(stamped, 1000) : stamped);
    }

    private static ProfileEvent payload(
            String customer, List<String> identities, int keyCount, boolean deep, Random random) {
        int roll = random.nextInt(100);
        int changes = deep ? 70 : 45;
        int bulks = deep ? 95 : 62;
        int merges = deep ? 98 : 94;
        if (roll < changes) {
            return new AttributeChanged(
                    key(keyCount, random), random.nextBoolean() ? null : value(random), value(random), "agent_update");
        }
        if (roll < bulks) {
            List<BulkProfileUpdate.Change> entries = new ArrayList<>();
            int size = 1 + random.nextInt(5);
            for (int i = 0; i < size; i++) {
                entries.add(new BulkProfileUpdate.Change(key(keyCount, random), null, value(random)));
            }
            return new BulkProfileUpdate(entries, random.nextBoolean() ? "campaign" : null);
        }
        if (roll < merges) {
            String other;
            if (random.nextInt(8) == 0) {
                other = identities.get(identities.size() - 1); // the identity with no events of its own
            } else {
                do {
                    other = identities.get(random.nextInt(identities.size() - 1));
                } while (other.equals(customer));
            }
            // half carry who decided and why (schema version 2): the history shows the reason
            String reason = random.nextBoolean() ? "same person " + random.nextInt(100) : null;
            String decidedBy = reason == null ? null : "agent_" + random.nextInt(10);
            return random.nextInt(3) > 0
                    ? new ProfileMerged(other, customer, reason, decidedBy, null)
                    : new ProfileUnmerged(other, customer, reason, decidedBy, null);
        }
        return new ProfileErased(random.nextBoolean() ? "gdpr_article_17" : null);
    }

    private static String key(int keyCount, Random random) {
        return KEYS[random.nextInt(keyCount)];
    }

    private static AttributeValue value(Random random) {
        switch (random.nextInt(8)) {
            case 0:
                return AttributeValue.NULL;
            case 1:
                return new AttributeValue.Numeric(new BigDecimal("1"));
            case 2:
                return new AttributeValue.Numeric(new BigDecimal("1.0"));
            case 3:
                return new AttributeValue.Bool(random.nextBoolean());
            default:
                return AttributeValue.text("v" + random.nextInt(4));
        }
    }
}
