package dev.asof.ingestion.campaign;

import dev.asof.events.Violation;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;

/** How a campaign's lines become events and chunks, shared by the upload and the runner. */
final class CampaignEvents {

    /** Most lines per chunk. */
    static final int MAX_LINES_PER_CHUNK = 500;

    /** Rules whose message quotes the value that broke them. */
    private static final Set<String> QUOTING_RULES = Set.of("enum", "const");

    private CampaignEvents() {}

    /** The event id of a campaign's line: the same for every upload attempt of the campaign and every run. */
    static String eventId(String campaignId, long line) {
        return UUID.nameUUIDFromBytes(("campaign:" + campaignId + "#" + line).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** The associated data a chunk is sealed with, so a chunk cannot be read as another. */
    static String chunkContext(String uploadId, int chunk) {
        return uploadId + "#" + chunk;
    }

    /** The envelope's own field names: a pointer made only of these and indexes names nothing a client made up. */
    private static final Set<String> KNOWN_FIELDS = Set.of(
            "event_id",
            "event_type",
            "timestamp_utc",
            "customer_id",
            "source_system",
            "schema_version",
            "metadata",
            "payload",
            "changes",
            "change_reason",
            "attribute_key",
            "previous_value",
            "new_value");

    /**
     * What to store and show about a broken rule: the rule's message, unless it could quote something the client
     * sent (a value, or the name of a field the contract does not have; either may be personal data, and campaign
     * errors are stored).
     */
    static String safe(Violation violation) {
        if (!safePointer(violation.pointer()).equals(violation.pointer())) {
            return "holds a field that is not part of the contract (a change has attribute_key, new_value and"
                    + " optionally previous_value)";
        }
        return QUOTING_RULES.contains(violation.rule())
                ? "the value is not one the contract allows"
                : violation.message();
    }

    /** The pointer up to its first token that is neither one of the envelope's fields nor an index. */
    static String safePointer(String pointer) {
        StringBuilder safe = new StringBuilder();
        for (String token : pointer.split("/", -1)) {
            if (token.isEmpty()) {
                continue;
            }
            if (!KNOWN_FIELDS.contains(token) && !token.chars().allMatch(Character::isDigit)) {
                break;
            }
            safe.append('/').append(token);
        }
        return safe.toString();
    }
}
