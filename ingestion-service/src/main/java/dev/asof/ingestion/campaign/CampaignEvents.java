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

    /** A broken rule's message, unless it would quote a value (campaign errors are stored and shown). */
    static String safe(Violation violation) {
        return QUOTING_RULES.contains(violation.rule())
                ? "the value is not one the contract allows"
                : violation.message();
    }
}
