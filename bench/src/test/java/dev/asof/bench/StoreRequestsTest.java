package dev.asof.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StoreRequestsTest {

    @Test
    void perReadCountsWhatThePhaseAddedAndSkipsOperationsItDidNotMake() {
        Map<String, long[]> before = new TreeMap<>(Map.of(
                "BatchGetItem", new long[] {10, 3_000, 2_000},
                "PutItem", new long[] {7, 700, 70}));
        Map<String, long[]> after = new TreeMap<>(Map.of(
                "BatchGetItem", new long[] {210, 3_000 + 200 * 300, 2_000 + 200 * 200},
                "PutItem", new long[] {7, 700, 70},
                "Query", new long[] {300, 300 * 512, 300 * 13 * 1024}));

        assertThat(StoreRequests.perRead(before, after, 200))
                .isEqualTo("store requests/read: BatchGetItem 1.00 Query 1.50 | 1.0 KB asked, 19.7 KB answered");
    }

    @Test
    void saysSoWhenDynaliteKeptNoCounts() {
        assertThat(StoreRequests.perRead(Map.of(), Map.of(), 100)).contains("not counted");
    }
}
