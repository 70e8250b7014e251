package dev.asof.reconstruction.history;

import dev.asof.events.Version;
import java.time.Instant;
import java.util.Objects;

/**
 * One page of a customer's change timeline.
 *
 * @param customerId the identity whose timeline it is (its own events and those of its members while merged in)
 * @param attribute only changes of this attribute (erasures are always listed); {@code null} for every event
 * @param from valid time of the first change listed (inclusive); {@code null} from the beginning
 * @param to valid time of the last change listed (inclusive); {@code null} to the end
 * @param knownAt the system time: only events recorded at or before it count
 * @param limit most changes on the page
 * @param after the last change of the previous page; {@code null} for the first page
 */
public record HistoryQuery(
        String customerId, String attribute, Instant from, Instant to, Instant knownAt, int limit, Version after) {

    public HistoryQuery {
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(knownAt, "knownAt");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }
}
