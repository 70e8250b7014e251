package dev.asof.merge.matching;

import dev.asof.events.Identifiers;
import dev.asof.privacy.PrivacyException;
import dev.asof.support.storage.ProfileViews;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(IndexBackfill.class);

    /**
     * What one page did.
     *
     * @param failed identities whose view holds a value no key opens (altered, or its key unwrappable): skipped,
     *     logged by id, and the walk goes on
     */
    public record Page(int scanned, int indexed, int alreadyIndexed, int failed, String nextCursor) {}

    private final ProfileViews views;
    private final MatchIndexer indexer;

    public IndexBackfill(ProfileViews views, MatchIndexer indexer) {
        this.views = views;
        this.indexer = indexer;
    }

    /**
     * Backfills the identities of one page of views. A store or key service that is away fails the page (it can be
     * asked again with the same cursor); an identity whose values no key opens is counted and skipped.
     *
     * @param afterId {@link #afterId} of the previous page's {@link Page#nextCursor()}, or {@code null} to start
     * @param limit the most views read
     */
    public Page page(String afterId, int limit) {
        ProfileViews.IdPage ids = views.ids(afterId, limit);
        int indexed = 0;
        int failed = 0;
        for (String customerId : ids.customerIds()) {
            try {
                if (indexer.indexIfAbsent(customerId)) {
                    indexed++;
                }
            } catch (PrivacyException unopenable) {
                failed++;
                LOG.warn("match index backfill: skipped customer {}: {}", customerId, unopenable.getMessage());
            }
        }
        int scanned = ids.customerIds().size();
        return new Page(scanned, indexed, scanned - indexed - failed, failed, encodeCursor(ids.lastId()));
    }

    /**
     * The identity a cursor this class answered stops after.
     *
     * @throws IllegalArgumentException not a cursor this class answered
     */
    public static String afterId(String cursor) {
        return decodeCursor(cursor);
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
