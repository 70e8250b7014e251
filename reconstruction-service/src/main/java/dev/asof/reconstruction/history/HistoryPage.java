package dev.asof.reconstruction.history;

import dev.asof.events.Version;
import java.time.Instant;
import java.util.List;

/**
 * A page of changes, in the total order of changes.
 *
 * @param changes at most the query's limit
 * @param next the position to continue after; {@code null} when this is the last page
 * @param knownAt the system time the page is exact for: the query's, or the latest recording of the identities read
 *     when every view stops before it ({@code null} while the walk is still building the page)
 */
public record HistoryPage(List<HistoryChange> changes, Version next, Instant knownAt) {

    public HistoryPage {
        changes = List.copyOf(changes);
    }
}
