package dev.asof.reconstruction.profile;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Settled point-in-time answers, in process. It never serves a stale answer because it only keeps answers that can
 * no longer change:
 *
 * <ol>
 *   <li><b>Settled K.</b> An answer for (T, K) is kept only if K's recorded bound is at or below the view's {@code
 *       last_recorded_at} of <em>every</em> identity read for it, each read from the view before that identity's
 *       log. The log writer's clock is monotonic per customer, so every event logged later for those identities is
 *       recorded after K and cannot enter the answer, late or not. Current-time questions ({@code known_at} now,
 *       the default) are never settled and never cached.
 *   <li><b>Invalidation.</b> The service follows the topic in a consumer group of its own; every event drops the
 *       answers that read its identity, and a merge or unmerge also drops those that read its target: a merge is
 *       the one event of another identity that can join a cached family, and across customers the recorded clocks
 *       are only as close as the writers' clocks.
 *   <li><b>No race with the reader.</b> A read takes a ticket before touching DynamoDB; its answer is refused if
 *       any identity it read was invalidated after the ticket, or has a merge seen on the topic that is not yet in
 *       the log (this consumer may run ahead of the log writer), or the topic was not followed yet.
 * </ol>
 */
@Component
public class ProfileCache {

    /** Identities whose last invalidation is remembered; beyond it, all older tickets are refused instead. */
    private static final int TRACKED_INVALIDATIONS = 100_000;

    private record Key(String customerId, long validAtMillis, long recordedBound) {}

    private record Entry(ProfileAnswer answer, Set<String> identities) {}

    private final boolean enabled;
    private final Cache<Key, Entry> entries;
    private final Map<String, Set<Key>> keysByIdentity = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;

    private final Object lock = new Object();
    // guarded by lock
    private final Map<String, Long> invalidatedAt = new HashMap<>();
    private final Map<String, Set<String>> pendingLinks = new HashMap<>();
    private long sequence;
    private long floor;

    private volatile boolean following;

    ProfileCache(ProfileCacheProperties properties, MeterRegistry metrics) {
        this.enabled = properties.enabled();
        this.entries = Caffeine.newBuilder()
                .maximumSize(properties.maxEntries())
                .expireAfterAccess(properties.expireAfterAccess())
                .executor(Runnable::run)
                .<Key, Entry>removalListener((key, entry, cause) -> unindex(key, entry))
                .build();
        this.hits = Counter.builder("asof.reconstruction.cache")
                .description("point-in-time answers served from the cache (hit) or computed (miss)")
                .tag("result", "hit")
                .register(metrics);
        this.misses = Counter.builder("asof.reconstruction.cache")
                .description("point-in-time answers served from the cache (hit) or computed (miss)")
                .tag("result", "miss")
                .register(metrics);
        Gauge.builder("asof.reconstruction.cache.size", entries, Cache::estimatedSize)
                .description("settled answers held")
                .register(metrics);
    }

    /** The cached answer for (customer, T, K), if any. */
    public Optional<ProfileAnswer> find(String customerId, Instant validAt, long recordedBound) {
        Entry entry = entries.getIfPresent(new Key(customerId, validAt.toEpochMilli(), recordedBound));
        (entry == null ? misses : hits).increment();
        return entry == null ? Optional.empty() : Optional.of(entry.answer());
    }

    /** Whether answers may be stored now: enabled and following the topic. */
    public boolean accepting() {
        return enabled && following;
    }

    /** Taken before a read touches DynamoDB; see {@link #offer}. */
    public long ticket() {
        synchronized (lock) {
            return sequence;
        }
    }

    /**
     * Stores a settled answer unless something that could change it happened since {@code ticket}.
     *
     * @param identities every identity whose state was read for the answer
     * @return whether it was stored
     */
    public boolean offer(
            String customerId,
            Instant validAt,
            long recordedBound,
            ProfileAnswer answer,
            Set<String> identities,
            long ticket) {
        synchronized (lock) {
            if (!accepting() || ticket < floor) {
                return false;
            }
            for (String identity : identities) {
                Long invalidated = invalidatedAt.get(identity);
                if ((invalidated != null && invalidated > ticket) || pendingLinks.containsKey(identity)) {
                    return false;
                }
            }
            Key key = new Key(customerId, validAt.toEpochMilli(), recordedBound);
            entries.put(key, new Entry(answer, Set.copyOf(identities)));
            for (String identity : identities) {
                // Atomic per identity: an eviction emptying the same set concurrently must not detach it.
                keysByIdentity.compute(identity, (i, keys) -> {
                    Set<Key> indexed = keys == null ? ConcurrentHashMap.newKeySet() : keys;
                    indexed.add(key);
                    return indexed;
                });
            }
            return true;
        }
    }

    /** Drops every answer that read {@code identity}, and refuses answers of reads that began before. */
    public void invalidate(String identity) {
        synchronized (lock) {
            sequence++;
            if (invalidatedAt.size() >= TRACKED_INVALIDATIONS) {
                // Forget them all at once, and refuse every read that began before: exact, and rare.
                invalidatedAt.clear();
                floor = sequence;
            }
            invalidatedAt.put(identity, sequence);
            Set<Key> keys = keysByIdentity.remove(identity);
            if (keys != null) {
                keys.forEach(entries::invalidate);
            }
        }
    }

    /** A merge or unmerge into {@code target} was seen on the topic and is not in the log yet. */
    public void linkPending(String target, String eventId) {
        synchronized (lock) {
            pendingLinks.computeIfAbsent(target, t -> new HashSet<>()).add(eventId);
            invalidate(target);
        }
    }

    /** The merge or unmerge is in the log and the view now (or will never be): answers reading its target may be kept again. */
    public void linkSettled(String target, String eventId) {
        synchronized (lock) {
            Set<String> events = pendingLinks.get(target);
            if (events != null) {
                events.remove(eventId);
                if (events.isEmpty()) {
                    pendingLinks.remove(target);
                }
            }
            invalidate(target);
        }
    }

    /** The topic is followed from here on: reads that began earlier may have missed an invalidation. */
    public void following() {
        synchronized (lock) {
            sequence++;
            floor = sequence;
            following = true;
        }
    }

    /** The topic is no longer followed (partitions revoked or lost): nothing kept can be trusted. */
    public void notFollowing() {
        synchronized (lock) {
            following = false;
            sequence++;
            floor = sequence;
            entries.invalidateAll();
            keysByIdentity.clear();
        }
    }

    /** How many answers are held (approximately). */
    public long size() {
        return entries.estimatedSize();
    }

    private void unindex(Key key, Entry entry) {
        if (key == null || entry == null) {
            return;
        }
        for (String identity : entry.identities()) {
            keysByIdentity.computeIfPresent(identity, (i, keys) -> {
                keys.remove(key);
                return keys.isEmpty() ? null : keys;
            });
        }
    }
}
