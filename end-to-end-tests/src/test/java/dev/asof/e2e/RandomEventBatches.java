package dev.asof.e2e;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded load for the end-to-end tests: for each customer {@code <prefix>_<seed>_<n>}, attribute changes, every
 * tenth event a bulk update, and for every fiftieth customer (n = 1, 51, ...) a merge into the customer before it,
 * stamped in random order within one day, with ties, so many events arrive late. All events are shuffled and cut into
 * request-sized batches. The same seed always gives the same events with the same ids.
 */
final class RandomEventBatches {

    /**
     * @param batches event JSON, cut into the bodies clients post
     * @param mergedInto for each customer that merges, the customer it merges into
     */
    record Load(List<List<String>> batches, Map<String, String> mergedInto) {

        /** How many events in all. */
        int events() {
            return batches.stream().mapToInt(List::size).sum();
        }
    }

    private RandomEventBatches() {}

    static Load generate(long seed, String prefix, int customers, int eventsPerCustomer, int batchSize) {
        Random random = new Random(seed);
        List<String> events = new ArrayList<>();
        Instant base = Instant.parse("2026-11-20T00:00:00Z");
        Map<String, String> mergedInto = new LinkedHashMap<>();
        for (int c = 0; c < customers; c++) {
            String customer = customerId(prefix, seed, c);
            for (int e = 0; e < eventsPerCustomer; e++) {
                String id = new UUID(random.nextLong(), random.nextLong()).toString();
                String ts = base.plusSeconds(random.nextInt(86_400 / 60) * 60L).toString();
                if (e == 0 && c % 50 == 1) {
                    String into = customerId(prefix, seed, c - 1);
                    mergedInto.put(customer, into);
                    events.add("""
                            {"event_id":"%s","event_type":"CUSTOMER_PROFILE_MERGE","timestamp_utc":"%s",\
                            "customer_id":"%s","source_system":"merge_service",\
                            "payload":{"merged_into":"%s","merged_from":"%s"}}""".formatted(id, ts, customer, into, customer));
                } else if (e % 10 == 9) {
                    events.add("""
                            {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"%s",\
                            "customer_id":"%s","source_system":"crm",\
                            "payload":{"changes":[{"attribute_key":"tier","new_value":"t%d"},\
                            {"attribute_key":"score","new_value":%d}],"change_reason":"campaign"}}""".formatted(id, ts, customer, random.nextInt(5), random.nextInt(100)));
                } else {
                    String key = List.of("preferred_language", "email", "tier", "consent.marketing")
                            .get(random.nextInt(4));
                    String value = random.nextInt(10) == 0 ? "null" : "\"v" + random.nextInt(1000) + "\"";
                    events.add("""
                            {"event_id":"%s","event_type":"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE","timestamp_utc":"%s",\
                            "customer_id":"%s","source_system":"genesys_cloud_cx","metadata":{"channel":"voice"},\
                            "payload":{"attribute_key":"%s","new_value":%s,"change_reason":"agent_update"}}""".formatted(id, ts, customer, key, value));
                }
            }
        }
        Collections.shuffle(events, random);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < events.size(); i += batchSize) {
            batches.add(events.subList(i, Math.min(events.size(), i + batchSize)));
        }
        return new Load(batches, mergedInto);
    }

    static String customerId(String prefix, long seed, int n) {
        return prefix + "_" + seed + "_" + n;
    }
}
