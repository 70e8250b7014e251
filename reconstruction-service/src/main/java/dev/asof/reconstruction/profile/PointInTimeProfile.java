package dev.asof.reconstruction.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The answer to "what did this customer look like at {@code as_of}, as known at {@code known_at}".
 *
 * @param customerId the customer asked about
 * @param resolvedCustomerId the identity it resolves to through merges
 * @param asOf the valid time asked about (UTC, milliseconds)
 * @param knownAt the system time asked about
 * @param attributes attribute key to value
 * @param provenance per attribute: the change that set it
 * @param snapshotAt valid time of the snapshot the answer started from; {@code null} when rebuilt from the log
 * @param eventsApplied how many logged events were folded for this answer
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record PointInTimeProfile(
        String customerId,
        String resolvedCustomerId,
        String asOf,
        String knownAt,
        Map<String, Object> attributes,
        Map<String, Provenance> provenance,
        String snapshotAt,
        int eventsApplied) {

    /** Where an attribute's value came from. */
    record Provenance(String updatedAt, String sourceSystem, String eventId) {}
}
