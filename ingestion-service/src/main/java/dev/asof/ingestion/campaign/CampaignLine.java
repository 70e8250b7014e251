package dev.asof.ingestion.campaign;

import tools.jackson.databind.node.ArrayNode;

/**
 * One data line of a campaign upload: the customer and its changes (as {@code BULK_PROFILE_UPDATE} changes), or why
 * the line cannot be taken.
 *
 * @param line the line's 1-based number in the upload (a CSV header is line 1; a quoted field that spans lines
 *     takes the number of its first line)
 * @param errorType a rule name when the line is bad, else {@code null}
 * @param errorDetail what is wrong, naming the field and never quoting a value
 */
record CampaignLine(long line, String customerId, ArrayNode changes, String errorType, String errorDetail) {

    static CampaignLine good(long line, String customerId, ArrayNode changes) {
        return new CampaignLine(line, customerId, changes, null, null);
    }

    static CampaignLine bad(long line, String type, String detail) {
        return new CampaignLine(line, null, null, type, detail);
    }

    boolean isGood() {
        return errorType == null;
    }

    /** Reads an upload line by line: the next data line, or {@code null} at the end; blank lines are skipped. */
    interface Reader {
        CampaignLine next() throws java.io.IOException;

        /** Where a broken rule of the line's event is, as the upload's user reads it. */
        String where(String pointer, ArrayNode changes);
    }
}
