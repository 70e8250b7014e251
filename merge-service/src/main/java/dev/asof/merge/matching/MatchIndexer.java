package dev.asof.merge.matching;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.IdentityState;
import dev.asof.events.MergeLink;
import dev.asof.matching.BlockingKeys;
import dev.asof.matching.MatchCatalog;
import dev.asof.matching.MatchFields;
import dev.asof.matching.MatchRecord;
import dev.asof.matching.MatchSettings;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.FoldedEvents;
import dev.asof.support.storage.ProfileViews;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Keeps one identity's entry in the {@link MatchIndex} equal to its current state: once the log writer has logged
 * the latest event seen for it and written its view, the view's state (the fold of the identity's whole log) gives
 * its own current attributes and merge link, normalised by {@link MatchFields} and keyed by {@link BlockingKeys}.
 * Erased values are gone from the state, so they leave the index too.
 */
public class MatchIndexer {

    private static final Duration POLL = Duration.ofMillis(100);

    private final FoldedEvents folded;
    private final ProfileViews views;
    private final ValueCipher cipher;
    private final MatchIndex index;
    private final MatchCatalog catalog;
    private final MatchSettings settings;
    private final Retry waitForView;
    private final MeterRegistry meters;
    private final java.util.function.Consumer<MatchIndex.Indexed> autoMerge;

    /**
     * @param autoMerge told of every identity whose entry changed, after the index holds it (see {@link AutoMerge});
     *     a no-op unless auto-merge is on
     */
    public MatchIndexer(
            FoldedEvents folded,
            ProfileViews views,
            MatchIndex index,
            MatchingProperties properties,
            MatchSettings settings,
            MeterRegistry meters,
            ValueCipher cipher,
            java.util.function.Consumer<MatchIndex.Indexed> autoMerge) {
        this.cipher = cipher;
        this.autoMerge = autoMerge;
        this.folded = folded;
        this.views = views;
        this.index = index;
        this.catalog = properties.catalog();
        this.settings = settings;
        this.meters = meters;
        this.waitForView = Retry.of(
                "match-index-wait-for-view",
                RetryConfig.<Boolean>custom()
                        .maxAttempts((int) Math.max(1, properties.indexWait().toMillis() / POLL.toMillis()))
                        .waitDuration(POLL)
                        .retryOnResult(covered -> !covered)
                        .retryOnException(failed -> false)
                        .build());
    }

    /**
     * Re-indexes {@code customerId} once its view covers {@code latestSeen}; after {@code asof.matching.index-wait}
     * without that (the log writer is behind, or dead-lettered the event) it indexes what the view holds.
     */
    public void refresh(String customerId, EventEnvelope latestSeen) {
        boolean covered = waitForView.executeSupplier(() -> folded.folded(latestSeen));
        if (!covered) {
            meters.counter("asof.matching.index.updates", "outcome", "view-behind")
                    .increment();
        }
        refresh(customerId);
    }

    /** Re-indexes {@code customerId} from its view as it stands. */
    public void refresh(String customerId) {
        MatchIndex.Indexed next = fromView(customerId);
        // a second try only when a backfill wrote the first record between the read and the write
        for (int attempt = 0; attempt < 2; attempt++) {
            MatchIndex.Indexed previous = index.find(customerId).orElse(null);
            if (next.equals(previous)) {
                meters.counter("asof.matching.index.updates", "outcome", "unchanged")
                        .increment();
                return;
            }
            if (index.put(next, previous)) {
                meters.counter("asof.matching.index.updates", "outcome", "written")
                        .increment();
                autoMerge.accept(next);
                return;
            }
        }
        throw new IllegalStateException("the match record of " + customerId + " appeared twice while it was written");
    }

    /**
     * Indexes {@code customerId} from its view as it stands if it has no entry yet (a backfill: an entry that exists
     * is the follower's, from a view at least as new, and is left to it).
     *
     * @return whether an entry was written
     */
    public boolean indexIfAbsent(String customerId) {
        if (index.find(customerId).isPresent()) {
            return false;
        }
        MatchIndex.Indexed next = fromView(customerId);
        if (!index.putIfAbsent(next)) {
            return false;
        }
        meters.counter("asof.matching.index.updates", "outcome", "backfilled").increment();
        autoMerge.accept(next);
        return true;
    }

    /** The entry of {@code customerId} as its view stands. */
    private MatchIndex.Indexed fromView(String customerId) {
        Optional<ProfileViews.View> view = views.find(customerId);
        IdentityState state = view.map(ProfileViews.View::state).orElse(IdentityState.empty(customerId));
        Map<String, AttributeValue> attributes = new TreeMap<>();
        // the view holds encrypted values; the index needs them normalised, so decrypted here (the index entry is
        // dropped when the subject is erased)
        state.visibleAttributes().forEach((key, version) -> {
            try {
                attributes.put(key, cipher.decrypt(version.value()));
            } catch (dev.asof.privacy.SubjectErasedException erased) {
                // a value of an erased subject is gone: nothing to match on
            }
        });
        MatchRecord record = MatchFields.from(customerId, attributes, catalog, settings);
        MergeLink link = state.linkInForce();
        return new MatchIndex.Indexed(
                record,
                BlockingKeys.of(record),
                link != null && link.active() ? link.mergedInto() : null,
                link != null);
    }
}
