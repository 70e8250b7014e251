package dev.asof.merge.matching;

import dev.asof.events.Identifiers;
import dev.asof.support.storage.ProfileViews;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Fills the match index from {@code profile_view}, one page of identities per call: every identity with a view and
 * no index entry is indexed from its view as it stands ({@link MatchIndexer#indexIfAbsent}); an identity already
 * indexed is left to the follower, which indexed it from a view at least as new. For an index started empty while the
 * topic holds only the last days of events (bounded retention): without it, a customer quiet for longer enters the
 * index only with its next event. Idempotent and safe beside the follower, so a walk can be stopped, resumed from
 * any cursor, or run again.
 */
public class IndexBackfill {

    private static final String CURSOR_VERSION = "v1:";

    /** What one page did. */
    public record Page(int scanned, int indexed, int alreadyIndexed, String nextCursor) {}

    private final ProfileViews views;
    private final MatchIndexer indexer;

    public IndexBackfill(ProfileViews views, MatchIndexer indexer) {
        this.views = views;
        this.indexer = indexer;
    }

    /**
     * Backfills the identities of one page of views.
     *
     * @param cursor where the previous page stopped ({@link Page#nextCursor()}), or {@code null} to start
     * @param limit the most views read
     * @throws IllegalArgumentException the cursor is not one this method returned
     */
    public Page page(String cursor, int limit) {
        ProfileViews.IdPage ids = views.ids(decodeCursor(cursor), limit);
        int indexed = 0;
        for (String customerId : ids.customerIds()) {
            if (indexer.indexIfAbsent(customerId)) {
                indexed++;
            }
        }
        int scanned = ids.customerIds().size();
        return new Page(scanned, indexed, scanned - indexed, encodeCursor(ids.lastId()));
    }

    private static String encodeCursor(String lastId) {
        return lastId == null
                ? null
                : Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString((CURSOR_VERSION + lastId).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalArgumentException("not a cursor this endpoint returned");
        }
        String id = decoded.startsWith(CURSOR_VERSION) ? decoded.substring(CURSOR_VERSION.length()) : null;
        if (id == null || !Identifiers.isValid(id)) {
            throw new IllegalArgumentException("not a cursor this endpoint returned");
        }
        return id;
    }
}
