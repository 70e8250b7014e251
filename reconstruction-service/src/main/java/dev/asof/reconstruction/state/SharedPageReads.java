package dev.asof.reconstruction.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.support.storage.LogPages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Whole log pages read from the table in the last {@link #KEPT} seconds, shared by the reads that want the same page
 * meanwhile: a timeline is read in ranges at once (the console's, up to 13), and ranges of about 800 changes cut
 * pages of about 1,100, so most pages were read twice, by two ranges at the same moment (a 10,000-change timeline: 20
 * page reads for 9 pages, one after another in the single-threaded local store). A read that asks for a page being
 * read waits for that read instead of making its own.
 *
 * <p>Sharing cannot serve a wrong page: pages are never updated, and the key is the page's whole head (where it
 * begins and ends, and the log time it was cut at), so a page written again differently is another key; a deleted one
 * is no longer found by the queries that lead here. What is kept is the packed item, values still encrypted, for
 * at most {@link #KEPT}, and dropped at once when this instance sees the identity's erasure ({@link #forget}).
 */
public class SharedPageReads implements LogPages.PageReads {

    /** How long a page read is kept for others: the span of one timeline's ranges, not a cache of the log. */
    static final Duration KEPT = Duration.ofSeconds(5);

    /** The most packed bytes kept: pages are at most 350 KB packed, about 100 KB for 1,000 events. */
    static final long MAX_BYTES = 32L * 1024 * 1024;

    private record Key(String customerId, LogPages.Head head) {}

    private final Cache<Key, Map<String, AttributeValue>> recent = Caffeine.newBuilder()
            .expireAfterWrite(KEPT)
            .maximumWeight(MAX_BYTES)
            .weigher((Key key, Map<String, AttributeValue> item) -> weight(item))
            .build();
    private final Counter fromStore;
    private final Counter shared;

    SharedPageReads(MeterRegistry metrics) {
        this.fromStore = Counter.builder("asof.reconstruction.log_pages.fetched")
                .tag("from", "store")
                .description(
                        "whole log pages read for timelines: from the table, or shared with a read at the same time")
                .register(metrics);
        this.shared = Counter.builder("asof.reconstruction.log_pages.fetched")
                .tag("from", "shared")
                .description(
                        "whole log pages read for timelines: from the table, or shared with a read at the same time")
                .register(metrics);
    }

    @Override
    public Map<String, AttributeValue> read(
            String customerId, LogPages.Head head, Supplier<Map<String, AttributeValue>> fromTable) {
        boolean[] read = new boolean[1];
        Map<String, AttributeValue> item = recent.get(new Key(customerId, head), key -> {
            read[0] = true;
            return fromTable.get();
        });
        (read[0] ? fromStore : shared).increment();
        return item;
    }

    /** Drops what is kept of {@code customerId}'s pages: its erasure deletes them. */
    public void forget(String customerId) {
        recent.asMap().keySet().removeIf(key -> key.customerId().equals(customerId));
    }

    private static int weight(Map<String, AttributeValue> item) {
        AttributeValue events = item.get(LogPages.EVENTS);
        return 512 + (events == null || events.b() == null ? 0 : events.b().asByteArrayUnsafe().length);
    }
}
