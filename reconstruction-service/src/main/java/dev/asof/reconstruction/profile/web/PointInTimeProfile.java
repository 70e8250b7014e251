package dev.asof.reconstruction.profile.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.events.AttributeVersion;
import dev.asof.events.Hlc;
import dev.asof.events.Timestamps;
import dev.asof.reconstruction.profile.ProfileAnswer;
import dev.asof.reconstruction.web.JsonValues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to "what did this customer look like at {@code as_of}, as known at {@code known_at}" (snake_case on
 * the wire).
 *
 * @param customerId the customer asked about
 * @param resolvedCustomerId the identity it resolves to through merges
 * @param asOf the valid time asked about (UTC, milliseconds)
 * @param knownAt the system time asked about
 * @param attributes attribute key to value, sorted by key
 * @param provenance per attribute: the change that set it
 * @param snapshotAt valid time of the latest snapshot the answer started from; {@code null} when rebuilt from the
 *     log alone (and for the current view)
 * @param eventsApplied how many logged events were folded on top of the snapshots; {@code null} for the current
 *     view
 * @param members the identities whose histories make up the profile, sorted
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
        Integer eventsApplied,
        List<String> members) {

    /** Where an attribute's value came from: the change that set it, when it happened and was recorded. */
    record Provenance(String updatedAt, String recordedAt, String sourceSystem, String eventId) {}

    static PointInTimeProfile of(ProfileAnswer answer) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        Map<String, Provenance> provenance = new LinkedHashMap<>();
        for (Map.Entry<String, AttributeVersion> entry :
                answer.profile().attributes().entrySet()) {
            AttributeVersion version = entry.getValue();
            attributes.put(entry.getKey(), JsonValues.plain(version.value()));
            provenance.put(
                    entry.getKey(),
                    new Provenance(
                            Timestamps.format(version.version().timestamp()),
                            Timestamps.format(Hlc.toInstant(version.version().recordedAt())),
                            version.sourceSystem(),
                            version.version().eventId()));
        }
        return new PointInTimeProfile(
                answer.profile().customerId(),
                answer.profile().resolvedCustomerId(),
                Timestamps.format(answer.asOf()),
                Timestamps.format(answer.knownAt()),
                attributes,
                provenance,
                answer.snapshotAt() == null ? null : Timestamps.format(answer.snapshotAt()),
                answer.eventsApplied(),
                answer.profile().members());
    }
}
