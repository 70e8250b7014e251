package dev.asof.reconstruction.snapshot;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.events.RecordedEvent;
import dev.asof.reconstruction.state.LogPagesProperties;
import dev.asof.support.storage.LogPages;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Extends an identity's chain of packed log pages ({@link LogPages}) up to its view's latest valid time. Like a
 * snapshot, a page's extent comes from the stored view, never from a Kafka record: {@code recorded_to} = the view's
 * {@code last_recorded_at} and every page ends at or before its {@code max_timestamp_ms}, read together in one item.
 * So every event logged later with a valid time inside a written page is late, and a reader finds it through {@code
 * by_lateness}. Pages are cut between different valid times once they hold {@code events-per-page} events; the
 * events after the last full page stay in the log alone until more follow.
 *
 * <p>An identity whose state holds an erasure gets no pages (its log is redacted in place): the view is read again
 * before each page. A page is cut at {@code events-per-page} events or about 1 MB of text ({@link
 * LogPages#PAGE_TEXT_BYTES}), whichever comes first; one whose events pack to more than one item may hold is written
 * at about half its events, in whole milliseconds, and so on. An identity whose chain cannot go on (one millisecond's
 * events alone too large) is not tried again for an hour.
 */
@Component
public class LogPageWriter {

    private static final Logger log = LoggerFactory.getLogger(LogPageWriter.class);

    private static final int SCAN_PAGE = 1000;

    /**
     * The most pages one call writes: a long history is paged over several triggers, so no call holds the snapshot
     * follower for long, and an erasure that begins meanwhile is seen before the next page.
     */
    static final int MAX_PAGES_PER_CALL = 10;

    private final ProfileViews views;
    private final LogRanges logRanges;
    private final LogPages pages;
    private final LogPagesProperties properties;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final ApplicationEventPublisher events;

    /** Identities whose chain stopped at a millisecond too large for a page, and where. */
    private final Cache<String, Long> stuck = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofHours(1))
            .build();

    LogPageWriter(
            ProfileViews views,
            LogRanges logRanges,
            LogPages pages,
            LogPagesProperties properties,
            Clock clock,
            MeterRegistry metrics,
            ApplicationEventPublisher events) {
        this.events = events;
        this.views = views;
        this.logRanges = logRanges;
        this.pages = pages;
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Writes every full page of {@code customerId}'s log after its last page, {@value #MAX_PAGES_PER_CALL} at a time
     * (each call of {@link #extend} reads the view again). Returns how many. Idempotent.
     */
    public int extendAll(String customerId) {
        int total = 0;
        int written;
        do {
            written = extend(customerId);
            total += written;
        } while (written >= MAX_PAGES_PER_CALL);
        return total;
    }

    /**
     * Writes the full pages of {@code customerId}'s log after its last page, at most {@value #MAX_PAGES_PER_CALL}
     * (a long history is paged over several calls). Returns how many. Idempotent.
     */
    public int extend(String customerId) {
        if (!properties.enabled()) {
            return 0;
        }
        int written = extendChain(customerId);
        if (written > 0) {
            try {
                events.publishEvent(new LogPagesWritten(customerId, written));
            } catch (RuntimeException e) {
                // the pages are written; a listener (the read warm-up) failing, or a context shutting down, is not
                // a failure to write them
                log.debug("LogPagesWritten not delivered: {}", e.getClass().getSimpleName());
            }
        }
        return written;
    }

    private int extendChain(String customerId) {
        Optional<ProfileViews.View> found = views.find(customerId);
        if (found.isEmpty()
                || found.get().maxTimestampMillis() == Long.MIN_VALUE
                || found.get().state().erasedAt() != null) {
            return 0;
        }
        long validTo = found.get().maxTimestampMillis();
        long recordedTo = found.get().lastRecordedAt();
        long from = pages.last(customerId).map(head -> head.toMillis() + 1).orElse(0L);
        Long stuckAt = stuck.getIfPresent(customerId);
        if (from > validTo || (stuckAt != null && stuckAt == from)) {
            return 0;
        }
        Iterator<RecordedEvent> events = logRanges.validTimeScan(
                customerId, Instant.ofEpochMilli(from), Instant.ofEpochMilli(validTo), recordedTo, SCAN_PAGE);
        List<RecordedEvent> page = new ArrayList<>();
        long bytes = 0;
        long millisecondBytes = 0;
        int written = 0;
        while (events.hasNext() && written < MAX_PAGES_PER_CALL) {
            RecordedEvent event = events.next();
            boolean newMillisecond = !page.isEmpty() && millis(event) > millis(page.get(page.size() - 1));
            if (newMillisecond && (page.size() >= properties.eventsPerPage() || bytes >= LogPages.PAGE_TEXT_BYTES)) {
                int saved = saveUnlessErased(customerId, from, recordedTo, page);
                if (saved == 0) {
                    return written;
                }
                written++;
                from = millis(page.get(saved - 1)) + 1;
                page = new ArrayList<>(page.subList(saved, page.size()));
                bytes = page.stream().mapToLong(LogPages::textBytes).sum();
            }
            if (newMillisecond) {
                millisecondBytes = 0;
            }
            page.add(event);
            long eventBytes = LogPages.textBytes(event);
            bytes += eventBytes;
            millisecondBytes += eventBytes;
            if (millisecondBytes > LogPages.MAX_TEXT_BYTES / 2) {
                // the events of one millisecond alone are more than half of what a page may hold (the page before them
                // may hold up to PAGE_TEXT_BYTES more): the events before them make a page, and the chain stops there
                int before = firstOfMillisecond(page, millis(event));
                if (before > 0 && written >= MAX_PAGES_PER_CALL) {
                    return written;
                }
                int saved = before == 0 ? 0 : saveUnlessErased(customerId, from, recordedTo, page.subList(0, before));
                if (saved > 0) {
                    written++;
                    from = millis(page.get(saved - 1)) + 1;
                }
                if (saved == before) {
                    stuck.put(customerId, from);
                    metrics.counter("asof.reconstruction.log_pages.written", "result", "too_large")
                            .increment();
                }
                return written;
            }
        }
        return written;
    }

    /**
     * {@link #save}, unless the identity's state now holds an erasure (read again before each page, so a writer that
     * began before an erasure event starts no page after it); 0 then.
     */
    private int saveUnlessErased(String customerId, long from, long recordedTo, List<RecordedEvent> events) {
        Optional<ProfileViews.View> now = views.find(customerId);
        if (now.isEmpty() || now.get().state().erasedAt() != null) {
            return 0;
        }
        return save(customerId, from, recordedTo, events);
    }

    /** Where the events of millisecond {@code millis} begin at the end of {@code page}. */
    private static int firstOfMillisecond(List<RecordedEvent> page, long millis) {
        int index = page.size();
        while (index > 0 && millis(page.get(index - 1)) == millis) {
            index--;
        }
        return index;
    }

    /**
     * Saves the longest prefix of {@code events} (whole milliseconds) that packs into one item, as the page from
     * {@code from}: all of them, else about half, and so on. Returns how many events the page holds; 0 when a page
     * from {@code from} exists (another writer got there first: this one stops) or nothing fits.
     */
    private int save(String customerId, long from, long recordedTo, List<RecordedEvent> events) {
        int count = events.size();
        while (count > 0) {
            List<RecordedEvent> prefix = events.subList(0, count);
            LogPages.Saved saved =
                    pages.save(customerId, from, millis(events.get(count - 1)), recordedTo, prefix, clock.instant());
            metrics.counter(
                            "asof.reconstruction.log_pages.written",
                            "result",
                            saved.name().toLowerCase(Locale.ROOT))
                    .increment();
            if (saved == LogPages.Saved.WRITTEN) {
                return count;
            }
            if (saved == LogPages.Saved.EXISTS) {
                return 0;
            }
            int half = wholeMillisecondsBefore(events, count / 2);
            // about half, in whole milliseconds; when the first millisecond is more than half, that millisecond alone
            count = half > 0 ? half : endOfFirstMillisecond(events, count);
        }
        stuck.put(customerId, from);
        return 0;
    }

    /** How many events the first millisecond of {@code events} holds, if fewer than {@code count}; else 0. */
    private static int endOfFirstMillisecond(List<RecordedEvent> events, int count) {
        int end = 1;
        while (end < count && millis(events.get(end)) == millis(events.get(0))) {
            end++;
        }
        return end < count ? end : 0;
    }

    /** The largest count at most {@code count} that does not split the events of one millisecond. */
    private static int wholeMillisecondsBefore(List<RecordedEvent> events, int count) {
        while (count > 0 && millis(events.get(count - 1)) == millis(events.get(count))) {
            count--;
        }
        return count;
    }

    private static long millis(RecordedEvent event) {
        return event.event().timestampUtc().toEpochMilli();
    }
}
