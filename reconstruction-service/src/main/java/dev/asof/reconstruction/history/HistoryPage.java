package dev.asof.reconstruction.history;

import dev.asof.events.Version;
import java.util.List;

/**
 * A page of changes, in the total order of changes.
 *
 * @param changes at most the query's limit
 * @param next the position to continue after; {@code null} when this is the last page
 */
public record HistoryPage(List<HistoryChange> changes, Version next) {

    public HistoryPage {
        changes = List.copyOf(changes);
    }
}
