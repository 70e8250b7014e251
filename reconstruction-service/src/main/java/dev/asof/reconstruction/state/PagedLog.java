package dev.asof.reconstruction.state;

import dev.asof.events.RecordedEvent;
import dev.asof.support.storage.LogPages;
import dev.asof.support.storage.LogRanges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * An identity's log read along valid time for a timeline, from its packed pages ({@link LogPages}) where it has them:
 * a few large items instead of one item per event. What the pages miss of the range comes from the log: the events
 * logged after a page was written (late arrivals, {@link LogRanges#allLateArrivals}) and the range after the last
 * page ({@link LogRanges#validTimeScan}). The events are exactly those {@link LogRanges#validTimeScan} returns, in
 * the same order.
 *
 * <p>Pages are used only for an identity whose state holds no erasure: an erasure redacts the log in place and
 * deletes the pages (merge-service), and the log alone is read for it.
 */
@Component
public class PagedLog {

    private final LogRanges log;
    private final LogPages pages;
    private final LogPagesProperties properties;
    private final Counter pagesRead;
    private final Counter tooManyLate;

    PagedLog(LogRanges log, LogPages pages, LogPagesProperties properties, MeterRegistry metrics) {
        this.log = log;
        this.pages = pages;
        this.properties = properties;
        this.pagesRead = Counter.builder("asof.reconstruction.log_pages.read")
                .description("packed log pages read for timelines")
                .register(metrics);
        this.tooManyLate = Counter.builder("asof.reconstruction.log_pages.too_many_late")
                .description("timeline ranges read from the log, not from pages: too many late arrivals to join")
                .register(metrics);
    }

    /**
     * The events of {@code identity} with valid time in [{@code from}, {@code upTo}] and {@code recorded_at <=
     * recordedBound}, in log order, as {@link LogRanges#validTimeScan} reads them, fetched lazily.
     *
     * @param usePages whether the identity's pages may be read: its state holds no erasure
     */
    public Iterator<RecordedEvent> scan(
            String identity, boolean usePages, Instant from, Instant upTo, long recordedBound, int pageSize) {
        long fromMillis = from == null ? 0 : Math.max(0, from.toEpochMilli());
        long toMillis =
                upTo.isAfter(LogRanges.MAX_VALID_TIME) ? LogRanges.MAX_VALID_TIME.toEpochMilli() : upTo.toEpochMilli();
        if (!properties.enabled() || !usePages || toMillis < 0 || fromMillis > toMillis) {
            return log.validTimeScan(identity, from, upTo, recordedBound, pageSize);
        }
        return new Paged(identity, fromMillis, toMillis, upTo, recordedBound, pageSize);
    }

    /** The range from pages, their late arrivals joined, then the rest from the log. */
    private final class Paged implements Iterator<RecordedEvent> {

        private final String identity;
        private final long from;
        private final long to;
        private final Instant upTo;
        private final long recordedBound;
        private final int pageSize;
        private Iterator<LogPages.Page> covering;
        private List<RecordedEvent> late;
        private Iterator<RecordedEvent> current = List.<RecordedEvent>of().iterator();
        private Iterator<RecordedEvent> rest;
        private long readTo = -1;

        Paged(String identity, long from, long to, Instant upTo, long recordedBound, int pageSize) {
            this.identity = identity;
            this.from = from;
            this.to = to;
            this.upTo = upTo;
            this.recordedBound = recordedBound;
            this.pageSize = pageSize;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (rest != null) {
                    return rest.hasNext();
                }
                if (covering == null) {
                    covering = pages.covering(identity, from, to);
                }
                if (!covering.hasNext() || !lateArrivalsRead()) {
                    // past the pages (or none, or too many late arrivals to join): the log itself
                    long restFrom = readTo < 0 ? from : readTo + 1;
                    rest = restFrom > to
                            ? List.<RecordedEvent>of().iterator()
                            : log.validTimeScan(
                                    identity, Instant.ofEpochMilli(restFrom), upTo, recordedBound, pageSize);
                    continue;
                }
                current = eventsOf(covering.next());
            }
            return true;
        }

        @Override
        public RecordedEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.hasNext() ? current.next() : rest.next();
        }

        /** Reads the identity's late arrivals once, before the first page is used; false when there are too many. */
        private boolean lateArrivalsRead() {
            if (late == null) {
                Optional<List<RecordedEvent>> read =
                        log.allLateArrivals(identity, recordedBound, properties.maxLateArrivals());
                if (read.isEmpty()) {
                    tooManyLate.increment();
                    return false;
                }
                late = read.get();
            }
            return true;
        }

        /** The page's events of the range, with those logged after the page, in log order. */
        private Iterator<RecordedEvent> eventsOf(LogPages.Page page) {
            pagesRead.increment();
            long pageFrom = Math.max(from, page.head().fromMillis());
            long pageTo = Math.min(to, page.head().toMillis());
            readTo = pageTo;
            List<RecordedEvent> events = new ArrayList<>();
            for (RecordedEvent event : page.events()) {
                long millis = event.event().timestampUtc().toEpochMilli();
                if (millis >= pageFrom && millis <= pageTo && event.recordedAt() <= recordedBound) {
                    events.add(event);
                }
            }
            boolean joined = false;
            for (RecordedEvent event : late) {
                long millis = event.event().timestampUtc().toEpochMilli();
                if (millis >= pageFrom
                        && millis <= pageTo
                        && event.recordedAt() > page.head().recordedTo()) {
                    events.add(event);
                    joined = true;
                }
            }
            if (joined) {
                events.sort(LogSegments.LOG_ORDER);
            }
            return events.iterator();
        }
    }
}
