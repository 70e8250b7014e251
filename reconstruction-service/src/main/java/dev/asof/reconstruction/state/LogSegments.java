package dev.asof.reconstruction.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.RecordedEvent;
import dev.asof.support.storage.LogRanges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Stretches of identities' logs that timelines read, kept in memory so that the same timeline read again (the
 * console drawing a customer again, a client walking it twice) does not read the store again: a timeline of 10,000
 * changes is 10,000 log items, most of its read time.
 *
 * <p>A stretch holds every logged event of one identity with a valid time in {@code [from, to]} (whole
 * milliseconds, both inclusive) recorded at or before the watermark it was read at: the view's {@code
 * last_recorded_at}, read before the log, so every event recorded at or before it is in the log (the log writer
 * writes the view last). A stretch is therefore complete for its watermark, and it serves any read of that range
 * while the identity's view still has that watermark, at that known-at time or an earlier one (the events recorded
 * later are filtered out). Once the view moves on (anything logged since, late or not), the next read of the
 * identity first brings its copy up to the new watermark: the log is immutable and {@code by_recorded} holds what
 * was logged since, in one short query ({@link LogRanges#recordedBetween}), each event joining the stretch whose
 * range holds its valid time. A copy more than {@code max-catch-up} events behind is dropped instead, and that read
 * goes to the store.
 *
 * <p>Only reads of the whole log as of the watermark ({@code known_at} at or after it) keep what they read, and only
 * for an identity whose state holds no erasure: an erasure redacts an identity's log in place, after its event is
 * logged, and that event moves the watermark. An erasure event of the identity seen on the topic drops its copy
 * ({@link #drop}; a page that began reading before keeps nothing of it), a copy found for an identity whose state
 * holds an erasure is dropped, and no copy is served longer than {@code max-age} after its first stretch was read
 * (catching up does not make it younger).
 *
 * <p>Bounded: copies weigh what their events take in memory, roughly ({@link #approximateBytes}), up to {@code
 * max-bytes} over all identities; an identity with more than {@code max-per-identity} kept events is not kept; and
 * what one page holds to keep is at most half of {@code max-bytes} (beyond it, the page keeps nothing more).
 */
@Component
public class LogSegments {

    /** The order of a log's sort keys: valid time (whole milliseconds), then event id. */
    static final Comparator<RecordedEvent> LOG_ORDER = Comparator.<RecordedEvent>comparingLong(
                    event -> event.event().timestampUtc().toEpochMilli())
            .thenComparing(event -> event.event().eventId());

    /** One stretch: every event of {@code [from, to]} recorded at or before its copy's watermark, in log order. */
    record Stretch(long from, long to, List<RecordedEvent> events) {

        /** The events of {@code [from, to]} (inside this stretch), in log order. */
        List<RecordedEvent> between(long rangeFrom, long rangeTo) {
            return events.subList(firstAtOrAfter(rangeFrom), firstAtOrAfter(rangeTo + 1));
        }

        private int firstAtOrAfter(long millis) {
            int low = 0;
            int high = events.size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (events.get(middle).event().timestampUtc().toEpochMilli() < millis) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }
    }

    /**
     * One identity's copy: its stretches at one watermark, by {@code from}, neither overlapping nor touching; {@code
     * bytes}: roughly what their events take in memory; {@code readNanos}: when its first stretch was read.
     */
    record Copy(long watermark, NavigableMap<Long, Stretch> stretches, int events, long bytes, long readNanos) {

        Copy(long watermark, long readNanos) {
            this(watermark, new TreeMap<>(), 0, 0, readNanos);
        }

        /** The stretch that covers {@code [from, to]} whole, if one does. */
        Stretch covering(long from, long to) {
            Map.Entry<Long, Stretch> floor = stretches.floorEntry(from);
            return floor != null && floor.getValue().to() >= to ? floor.getValue() : null;
        }

        /** This copy with {@code added} joined to the stretches it overlaps or touches. */
        Copy with(Stretch added) {
            NavigableMap<Long, Stretch> joined = new TreeMap<>(stretches);
            long from = added.from();
            long to = added.to();
            List<List<RecordedEvent>> parts = new ArrayList<>();
            parts.add(added.events());
            Map.Entry<Long, Stretch> before = joined.floorEntry(from);
            long start = before != null && before.getValue().to() >= from - 1 ? before.getKey() : from;
            for (Stretch touched :
                    List.copyOf(joined.subMap(start, true, to + 1, true).values())) {
                joined.remove(touched.from());
                from = Math.min(from, touched.from());
                to = Math.max(to, touched.to());
                parts.add(touched.events());
            }
            joined.put(from, new Stretch(from, to, mergeInLogOrder(parts)));
            int count = 0;
            long size = 0;
            for (Stretch stretch : joined.values()) {
                count += stretch.events().size();
                for (RecordedEvent event : stretch.events()) {
                    size += approximateBytes(event);
                }
            }
            return new Copy(watermark, joined, count, size, readNanos);
        }

        /**
         * This copy brought up to {@code newWatermark}: {@code logged}, every event recorded after this copy's
         * watermark and at or before the new one (in any order), joins the stretch whose range holds its valid time;
         * the others are outside every stretch.
         */
        Copy caughtUp(long newWatermark, List<RecordedEvent> logged) {
            Map<Long, List<RecordedEvent>> added = new HashMap<>();
            int count = events;
            long size = bytes;
            for (RecordedEvent event : logged) {
                long millis = event.event().timestampUtc().toEpochMilli();
                Map.Entry<Long, Stretch> floor = stretches.floorEntry(millis);
                if (floor != null && floor.getValue().to() >= millis) {
                    added.computeIfAbsent(floor.getKey(), from -> new ArrayList<>())
                            .add(event);
                    count++;
                    size += approximateBytes(event);
                }
            }
            NavigableMap<Long, Stretch> grown = new TreeMap<>(stretches);
            added.forEach((from, events) -> {
                Stretch stretch = grown.get(from);
                List<RecordedEvent> sorted = new ArrayList<>(events);
                sorted.sort(LOG_ORDER);
                grown.put(from, new Stretch(from, stretch.to(), mergeInLogOrder(List.of(stretch.events(), sorted))));
            });
            return new Copy(newWatermark, grown, count, size, readNanos);
        }
    }

    private final LogRanges log;
    private final PagedLog paged;
    private final LogSegmentsProperties properties;

    /**
     * The copies, least recently read first, and what they weigh: plain LRU rather than Caffeine, whose admission
     * policy kept out the copy of a customer read just now (the one an auditor opened) while two copies read more
     * often filled the budget. Guarded by itself; a handful of large entries.
     */
    private final LinkedHashMap<String, Copy> copies = new LinkedHashMap<>(16, 0.75f, true);

    private long copiesBytes;

    /**
     * When each identity was last dropped ({@link #drop}), as a number of {@link #sequence}: a page that began before
     * keeps nothing of it. Remembered far longer than a page may read (its time budget is seconds).
     */
    private final Cache<String, Long> dropped = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(5))
            .executor(Runnable::run)
            .build();

    private final AtomicLong sequence = new AtomicLong();
    private final Counter fromMemory;
    private final Counter fromStore;
    private final Counter caughtUp;

    LogSegments(LogRanges log, PagedLog paged, LogSegmentsProperties properties, MeterRegistry metrics) {
        this.log = log;
        this.paged = paged;
        this.properties = properties;
        this.fromMemory = Counter.builder("asof.reconstruction.log_segments")
                .description("timeline scans of one identity's log answered from memory (hit) or read from the store"
                        + " (miss)")
                .tag("result", "hit")
                .register(metrics);
        this.fromStore = Counter.builder("asof.reconstruction.log_segments")
                .description("timeline scans of one identity's log answered from memory (hit) or read from the store"
                        + " (miss)")
                .tag("result", "miss")
                .register(metrics);
        this.caughtUp = Counter.builder("asof.reconstruction.log_segments.caught_up")
                .description("copies of an identity's log brought up to its view's new watermark with what was logged"
                        + " since, instead of being read again")
                .register(metrics);
        Gauge.builder("asof.reconstruction.log_segments.events", this, LogSegments::events)
                .description("logged events held in memory for timelines")
                .register(metrics);
        Gauge.builder("asof.reconstruction.log_segments.bytes", this, LogSegments::bytes)
                .description("roughly what the logged events held in memory for timelines take")
                .register(metrics);
    }

    /** One timeline page's scans: what they hold to keep shares one budget, half of {@code max-bytes}. */
    public Page page() {
        return new Page(sequence.get(), properties.maxBytes().toBytes() / 2);
    }

    /**
     * Drops what is kept of {@code identity}, and keeps nothing a page that began before read of it (an erasure event
     * of the identity was seen: its redaction follows).
     */
    public void drop(String identity) {
        dropped.put(identity, sequence.incrementAndGet());
        remove(identity, null);
    }

    /** How many of {@code identity}'s events are kept (for tests and diagnostics). */
    public int keptEvents(String identity) {
        synchronized (copies) {
            Copy copy = copies.get(identity);
            return copy == null ? 0 : copy.events();
        }
    }

    /** The copy of {@code identity}, if one is kept and young; an old one is dropped. */
    private Copy find(String identity) {
        synchronized (copies) {
            Copy copy = copies.get(identity);
            if (copy != null && !young(copy)) {
                remove(identity, copy);
                return null;
            }
            return copy;
        }
    }

    /** Removes {@code identity}'s copy if it is {@code expected} ({@code null}: whatever it is). */
    private boolean remove(String identity, Copy expected) {
        synchronized (copies) {
            Copy copy = copies.get(identity);
            if (copy == null || (expected != null && copy != expected)) {
                return false;
            }
            copies.remove(identity);
            copiesBytes -= copy.bytes();
            return true;
        }
    }

    /**
     * Replaces {@code identity}'s copy, if it still is {@code expected} ({@code null}: none), with {@code joined};
     * then drops copies that are too old, and the least recently read ones while over {@code max-bytes} (the new
     * one last: alone over it, it goes too). Whether it replaced the copy.
     */
    private boolean replace(String identity, Copy expected, Copy joined) {
        synchronized (copies) {
            Copy copy = copies.get(identity);
            if (copy != expected) {
                return false;
            }
            if (copy != null) {
                copiesBytes -= copy.bytes();
            }
            copies.put(identity, joined);
            copiesBytes += joined.bytes();
            for (Iterator<Map.Entry<String, Copy>> kept = copies.entrySet().iterator(); kept.hasNext(); ) {
                Map.Entry<String, Copy> entry = kept.next();
                boolean over = copiesBytes > properties.maxBytes().toBytes();
                if (over || !young(entry.getValue())) {
                    kept.remove();
                    copiesBytes -= entry.getValue().bytes();
                }
            }
            return true;
        }
    }

    /**
     * Roughly what an event takes in memory: a share for its objects and fixed fields, and two bytes per character
     * of its values and bulk keys (an event may hold values of up to 256 KiB; most hold one short one).
     */
    static long approximateBytes(RecordedEvent recorded) {
        long characters = 0;
        if (recorded.event().payload() instanceof AttributeChanged change) {
            characters += length(change.previousValue()) + length(change.newValue());
        } else if (recorded.event().payload() instanceof BulkProfileUpdate bulk) {
            for (BulkProfileUpdate.Change change : bulk.changes()) {
                characters += change.attributeKey().length() + length(change.newValue()) + 32;
            }
        }
        return 1024 + 2 * characters;
    }

    private static long length(AttributeValue value) {
        String text = value == null ? null : value.asText();
        return text == null ? 0 : text.length();
    }

    private long events() {
        synchronized (copies) {
            return copies.values().stream().mapToLong(Copy::events).sum();
        }
    }

    private long bytes() {
        synchronized (copies) {
            return copiesBytes;
        }
    }

    private boolean young(Copy copy) {
        return System.nanoTime() - copy.readNanos() < properties.maxAge().toNanos();
    }

    private boolean droppedSince(String identity, long ticket) {
        Long at = dropped.getIfPresent(identity);
        return at != null && at > ticket;
    }

    /**
     * Joins {@code stretch} to what is kept of {@code identity} at {@code watermark}, unless the identity was dropped
     * since {@code ticket} (when the page began). The join runs outside the map's lock: when another page joined
     * first, this one joins again onto the new copy.
     */
    private void keep(String identity, long watermark, long ticket, Stretch stretch) {
        while (!droppedSince(identity, ticket)) {
            Copy copy = find(identity);
            if (copy != null && copy.watermark() > watermark) {
                return; // a later read keeps a newer copy
            }
            Copy base = copy == null || copy.watermark() != watermark || !young(copy)
                    ? new Copy(watermark, System.nanoTime())
                    : copy;
            Copy joined = base.with(stretch);
            if (joined.events() > properties.maxPerIdentity()) {
                if (copy == null || remove(identity, copy)) {
                    return;
                }
                continue;
            }
            if (replace(identity, copy, joined)) {
                if (droppedSince(identity, ticket)) {
                    // dropped while joining: the drop's own removal may have come before this
                    remove(identity, joined);
                }
                return;
            }
        }
    }

    /**
     * {@code copy}, of a watermark before {@code watermark}, brought up to it and kept in its place (or the copy
     * another read brought up to it meanwhile: the console reads a timeline's ranges at once); {@code null} when more
     * than {@code max-catch-up} events were logged since (the copy is dropped), when another read replaced it with
     * another watermark's, or when the identity was dropped since {@code ticket}.
     */
    private Copy catchUp(String identity, Copy copy, long watermark, long ticket) {
        Copy grown = log.recordedBetween(identity, copy.watermark(), watermark, properties.maxCatchUp())
                .map(logged -> copy.caughtUp(watermark, logged))
                .orElse(null);
        if (grown == null || grown.events() > properties.maxPerIdentity()) {
            remove(identity, copy);
            return null;
        }
        if (!replace(identity, copy, grown)) {
            Copy current = find(identity);
            return current != null && current.watermark() == watermark ? current : null;
        }
        if (droppedSince(identity, ticket)) {
            remove(identity, grown);
            return null;
        }
        caughtUp.increment();
        return grown;
    }

    /** The lists, each in log order and of one watermark, as one list in log order without repeats. */
    static List<RecordedEvent> mergeInLogOrder(List<List<RecordedEvent>> parts) {
        List<RecordedEvent> merged = new ArrayList<>();
        for (List<RecordedEvent> part : parts) {
            if (merged.isEmpty()) {
                merged.addAll(part);
                continue;
            }
            List<RecordedEvent> next = new ArrayList<>(merged.size() + part.size());
            int i = 0;
            int j = 0;
            while (i < merged.size() || j < part.size()) {
                if (j == part.size()) {
                    next.add(merged.get(i++));
                } else if (i == merged.size()) {
                    next.add(part.get(j++));
                } else {
                    int order = LOG_ORDER.compare(merged.get(i), part.get(j));
                    if (order < 0) {
                        next.add(merged.get(i++));
                    } else if (order > 0) {
                        next.add(part.get(j++));
                    } else {
                        next.add(merged.get(i++));
                        j++;
                    }
                }
            }
            merged = next;
        }
        return List.copyOf(merged);
    }

    /** The scans of one timeline page ({@link LogSegments#page}). */
    public final class Page {

        private final long ticket;
        private long budget;

        private Page(long ticket, long budget) {
            this.ticket = ticket;
            this.budget = budget;
        }

        /**
         * The events of {@code identity} with valid time in [{@code from}, {@code upTo}] and {@code recorded_at <=
         * recordedBound}, in log order, as {@link LogRanges#validTimeScan} reads them: from memory when a stretch
         * kept at {@code watermark} (or at an earlier one and brought up to it) covers the range, otherwise from the
         * store ({@link PagedLog}: packed pages of the log where the identity has them). Call {@link
         * Scan#finish} once the page is read.
         *
         * @param watermark the identity's {@code last_recorded_at} in its view, read before this
         * @param keep whether what is read from the store may be kept: the identity's state at the watermark holds
         *     no erasure (kept only if {@code recordedBound} is the watermark too); when not, whatever is kept of
         *     the identity is dropped
         */
        public Scan scan(
                String identity,
                long watermark,
                boolean keep,
                Instant from,
                Instant upTo,
                long recordedBound,
                int pageSize) {
            long fromMillis = from == null ? 0 : Math.max(0, from.toEpochMilli());
            long toMillis = upTo.isAfter(LogRanges.MAX_VALID_TIME)
                    ? LogRanges.MAX_VALID_TIME.toEpochMilli()
                    : upTo.toEpochMilli();
            if (properties.enabled()) {
                Copy copy = find(identity);
                if (copy != null && !keep) {
                    // of an identity erased since: never served
                    remove(identity, copy);
                    copy = null;
                } else if (copy != null && copy.watermark() < watermark) {
                    // the view has moved on since it was read: what was logged since joins it
                    copy = catchUp(identity, copy, watermark, ticket);
                }
                if (copy != null
                        && copy.watermark() == watermark
                        && recordedBound <= watermark
                        && fromMillis <= toMillis) {
                    Stretch covering = copy.covering(fromMillis, toMillis);
                    if (covering != null) {
                        fromMemory.increment();
                        return new FromMemory(covering.between(fromMillis, toMillis), recordedBound);
                    }
                }
            }
            fromStore.increment();
            // from the identity's packed pages where it has them (PagedLog), the same events as the log holds
            Iterator<RecordedEvent> stored = paged.scan(identity, keep, from, upTo, recordedBound, pageSize);
            return properties.enabled() && keep && recordedBound == watermark && fromMillis <= toMillis
                    ? new Kept(this, identity, watermark, fromMillis, toMillis, stored)
                    : new Passing(stored);
        }

        /** Takes {@code bytes} of the page's budget; whether there was that much left. */
        private synchronized boolean take(long bytes) {
            if (budget < bytes) {
                budget = 0;
                return false;
            }
            budget -= bytes;
            return true;
        }
    }

    /** A scan of one identity's log for a timeline page. */
    public interface Scan extends Iterator<RecordedEvent> {

        /** The page is read: what the scan read from the store is kept, where it may be. */
        void finish();
    }

    /** From a kept stretch: its events of the range recorded at or before the bound. */
    private static final class FromMemory implements Scan {

        private final Iterator<RecordedEvent> events;
        private final long recordedBound;
        private RecordedEvent next;

        FromMemory(List<RecordedEvent> events, long recordedBound) {
            this.events = events.iterator();
            this.recordedBound = recordedBound;
        }

        @Override
        public boolean hasNext() {
            while (next == null && events.hasNext()) {
                RecordedEvent candidate = events.next();
                if (candidate.recordedAt() <= recordedBound) {
                    next = candidate;
                }
            }
            return next != null;
        }

        @Override
        public RecordedEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            RecordedEvent event = next;
            next = null;
            return event;
        }

        @Override
        public void finish() {}
    }

    /** From the store, kept nowhere. */
    private record Passing(Iterator<RecordedEvent> stored) implements Scan {

        @Override
        public boolean hasNext() {
            return stored.hasNext();
        }

        @Override
        public RecordedEvent next() {
            return stored.next();
        }

        @Override
        public void finish() {}
    }

    /**
     * From the store, keeping what it read: read to the end, the whole range; stopped earlier, the range up to the
     * millisecond before the last event read (events at that millisecond may follow). Past the identity's or the
     * page's limit it keeps nothing.
     */
    private final class Kept implements Scan {

        private final Page page;
        private final String identity;
        private final long watermark;
        private final long from;
        private final long to;
        private final Iterator<RecordedEvent> stored;
        private final List<RecordedEvent> read = new ArrayList<>();
        private boolean ended;
        private boolean tooMany;

        Kept(Page page, String identity, long watermark, long from, long to, Iterator<RecordedEvent> stored) {
            this.page = page;
            this.identity = identity;
            this.watermark = watermark;
            this.from = from;
            this.to = to;
            this.stored = stored;
        }

        @Override
        public boolean hasNext() {
            boolean more = stored.hasNext();
            ended = !more;
            return more;
        }

        @Override
        public RecordedEvent next() {
            RecordedEvent event = stored.next();
            if (!tooMany) {
                tooMany = read.size() >= properties.maxPerIdentity() || !page.take(approximateBytes(event));
                if (tooMany) {
                    read.clear();
                } else {
                    read.add(event);
                }
            }
            return event;
        }

        @Override
        public void finish() {
            if (tooMany) {
                return;
            }
            if (ended) {
                keep(identity, watermark, page.ticket, new Stretch(from, to, List.copyOf(read)));
            } else if (!read.isEmpty()) {
                long last = read.get(read.size() - 1).event().timestampUtc().toEpochMilli();
                if (last - 1 >= from) {
                    List<RecordedEvent> whole = read.stream()
                            .filter(event -> event.event().timestampUtc().toEpochMilli() < last)
                            .toList();
                    keep(identity, watermark, page.ticket, new Stretch(from, last - 1, whole));
                }
            }
        }
    }
}
