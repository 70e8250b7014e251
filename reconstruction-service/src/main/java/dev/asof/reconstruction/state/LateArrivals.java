package dev.asof.reconstruction.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.asof.events.RecordedEvent;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The late arrivals of identities that are read often, kept in memory so a read from a snapshot finds what it
 * misses without one query per lateness tier.
 *
 * <p>An entry holds every late event of one identity recorded at or before its {@code completeTo}. The log is
 * immutable and each identity's events are logged in {@code recorded_at} order, so an entry never goes stale: it
 * only falls behind, and a read first catches it up to the view's {@code last_recorded_at} with one short range of
 * {@code by_recorded} (usually empty). An identity is loaded in the background after a read had to query the
 * tiers; until then, and when it has more than {@code max-per-identity} late events, its reads query the tiers.
 *
 * <p>One exception to "never stale": an erasure rewrites the log (it redacts the erased identities' values). So an
 * erasure event seen on the topic ({@link #erased}) drops the identity's entry and keeps none for it for {@code
 * max-age} (1 h), the time the erasure takes to redact; its reads query the tiers meanwhile. And no entry is kept
 * longer than {@code max-age}: a copy this instance could not be told about (it started after the erasure event, or
 * the erasure took longer than the hold) outlives the redaction by at most that.
 */
@Component
public class LateArrivals implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LateArrivals.class);

    /**
     * Late events of one identity, sorted by {@code recorded_at}: all of them recorded at or before completeTo. The
     * recorded and valid times are also kept as arrays, so a read scans primitives, not events (an identity may have
     * thousands of late events). {@code loadedNanos}: when its first part was read from the log ({@link
     * System#nanoTime}); an entry caught up later keeps it, so {@code max-age} counts from the oldest copy it holds.
     */
    record Entry(
            long completeTo, List<RecordedEvent> byRecorded, long[] recordedAt, long[] validMillis, long loadedNanos) {

        Entry(long completeTo, List<RecordedEvent> byRecorded) {
            this(completeTo, byRecorded, System.nanoTime());
        }

        Entry(long completeTo, List<RecordedEvent> byRecorded, long loadedNanos) {
            this(
                    completeTo,
                    byRecorded,
                    byRecorded.stream().mapToLong(RecordedEvent::recordedAt).toArray(),
                    // valid times are whole milliseconds (the envelope truncates them)
                    byRecorded.stream()
                            .mapToLong(event -> event.event().timestampUtc().toEpochMilli())
                            .toArray(),
                    loadedNanos);
        }

        /**
         * The events recorded in ({@code after}, {@code bound}] stamped at or before {@code validTo} (a whole
         * millisecond).
         */
        List<RecordedEvent> select(long after, long bound, Instant validTo) {
            long to = validTo.toEpochMilli();
            int low = 0;
            int high = recordedAt.length;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (recordedAt[middle] <= after) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            List<RecordedEvent> selected = new ArrayList<>();
            for (int i = low; i < recordedAt.length && recordedAt[i] <= bound; i++) {
                if (validMillis[i] <= to) {
                    selected.add(byRecorded.get(i));
                }
            }
            return selected;
        }

        Entry extendedBy(List<RecordedEvent> recorded, long to) {
            if (recorded.isEmpty()) {
                return new Entry(Math.max(completeTo, to), byRecorded, loadedNanos);
            }
            List<RecordedEvent> events = new ArrayList<>(byRecorded.size() + recorded.size());
            events.addAll(byRecorded);
            recorded.stream()
                    .filter(event -> event.recordedAt() > completeTo && event.recordedAt() <= to)
                    .sorted(BY_RECORDED)
                    .forEach(events::add);
            return new Entry(to, List.copyOf(events), loadedNanos);
        }
    }

    private static final Comparator<RecordedEvent> BY_RECORDED = Comparator.comparingLong(RecordedEvent::recordedAt);

    private final LogRanges logRanges;
    private final ProfileViews views;
    private final LateArrivalsProperties properties;
    private final Cache<String, Entry> entries;
    /** Identities found to have too many late events to keep: not loaded again for a while. */
    private final Cache<String, Boolean> tooMany = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();

    /** Identities erased lately: no entry is kept for them while their erasure redacts their log. */
    private final Cache<String, Boolean> erased;

    private final KeyedBackgroundWork loader;
    private final Counter fromMemory;
    private final Counter fromIndex;

    LateArrivals(LogRanges logRanges, ProfileViews views, LateArrivalsProperties properties, MeterRegistry metrics) {
        this.logRanges = logRanges;
        this.views = views;
        this.properties = properties;
        this.entries = Caffeine.newBuilder()
                .maximumWeight(properties.maxEvents())
                .weigher((String identity, Entry entry) -> entry.byRecorded().size() + 1)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String identity, Entry entry, long now) {
                        return left(entry, now);
                    }

                    @Override
                    public long expireAfterUpdate(String identity, Entry entry, long now, long current) {
                        return left(entry, now);
                    }

                    @Override
                    public long expireAfterRead(String identity, Entry entry, long now, long current) {
                        return current;
                    }

                    private long left(Entry entry, long now) {
                        return Math.max(0, properties.maxAge().toNanos() - (now - entry.loadedNanos()));
                    }
                })
                .build();
        this.erased = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(properties.maxAge())
                .build();
        this.loader = new KeyedBackgroundWork("late-arrivals-loader", 64);
        this.fromMemory = Counter.builder("asof.reconstruction.late_arrivals")
                .description("reads from a snapshot that found the late arrivals it misses in memory or in by_lateness")
                .tag("source", "memory")
                .register(metrics);
        this.fromIndex = Counter.builder("asof.reconstruction.late_arrivals")
                .description("reads from a snapshot that found the late arrivals it misses in memory or in by_lateness")
                .tag("source", "index")
                .register(metrics);
        Gauge.builder(
                        "asof.reconstruction.late_arrivals.kept",
                        entries,
                        cache -> cache.asMap().values().stream()
                                .mapToLong(entry -> entry.byRecorded().size())
                                .sum())
                .description("late events kept in memory")
                .register(metrics);
    }

    /** The entry of {@code identity}, if kept. */
    Optional<Entry> find(String identity) {
        return properties.enabled() ? Optional.ofNullable(entries.getIfPresent(identity)) : Optional.empty();
    }

    /** Keeps {@code entry} caught up with {@code recorded} to {@code to}, unless a newer one is kept already. */
    Entry extend(String identity, Entry entry, List<RecordedEvent> recorded, long to) {
        Entry extended = entry.extendedBy(recorded, to);
        if (extended.byRecorded().size() > properties.maxPerIdentity()) {
            entries.invalidate(identity);
            tooMany.put(identity, Boolean.TRUE);
            return extended;
        }
        keep(identity, extended);
        return extended;
    }

    /**
     * {@code identity} was erased (its erasure event was seen): its entry, which may hold values the erasure is
     * about to redact, is dropped, and none is kept for it for {@code max-age}.
     */
    public void erased(String identity) {
        erased.put(identity, Boolean.TRUE);
        entries.invalidate(identity);
    }

    /**
     * Keeps {@code entry} unless a newer one is kept already or the identity was erased lately. The erasure mark is
     * looked at after the entry is stored, so an erasure seen at any moment of this either finds the entry to drop
     * or is found here.
     */
    private void keep(String identity, Entry entry) {
        if (erased.getIfPresent(identity) != null) {
            return;
        }
        entries.asMap()
                .merge(identity, entry, (kept, offered) -> kept.completeTo() >= offered.completeTo() ? kept : offered);
        if (erased.getIfPresent(identity) != null) {
            entries.invalidate(identity);
        }
    }

    /** Counts a read that took its late arrivals from memory ({@code true}) or from the tiers. */
    void counted(boolean memory) {
        (memory ? fromMemory : fromIndex).increment();
    }

    /** Whether an entry is kept for {@code identity} now. */
    public boolean keeps(String identity) {
        return entries.getIfPresent(identity) != null;
    }

    /** Loads {@code identity}'s late arrivals in the background, once. */
    public void load(String identity) {
        if (!properties.enabled()
                || entries.getIfPresent(identity) != null
                || tooMany.getIfPresent(identity) != null
                || erased.getIfPresent(identity) != null) {
            return;
        }
        loader.submit(identity, () -> {
            try {
                // The bound is read first: every event recorded at or before it is in the log already.
                Optional<ProfileViews.Head> head = views.head(identity);
                if (head.isEmpty()) {
                    return;
                }
                long completeTo = head.get().lastRecordedAt();
                Optional<List<RecordedEvent>> all =
                        logRanges.allLateArrivals(identity, completeTo, properties.maxPerIdentity());
                if (all.isEmpty()) {
                    tooMany.put(identity, Boolean.TRUE);
                } else {
                    List<RecordedEvent> sorted = new ArrayList<>(all.get());
                    sorted.sort(BY_RECORDED);
                    keep(identity, new Entry(completeTo, List.copyOf(sorted)));
                }
            } catch (RuntimeException e) {
                log.debug("could not load the late arrivals of {}: {}", identity, e.toString());
            }
        });
    }

    /** Drops the entry of {@code identity}: it fell too far behind to catch up in one read. */
    void forget(String identity) {
        entries.invalidate(identity);
    }

    /** Drops every kept entry; reads query the tiers again until reloaded. For tests that check both paths. */
    public void clear() {
        entries.invalidateAll();
        tooMany.invalidateAll();
        erased.invalidateAll();
    }

    @Override
    public void destroy() {
        loader.close();
    }
}
