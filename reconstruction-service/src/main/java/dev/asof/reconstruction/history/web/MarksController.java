package dev.asof.reconstruction.history.web;

import dev.asof.events.Timestamps;
import dev.asof.reconstruction.history.HistoryProperties;
import dev.asof.reconstruction.history.TimelineMarks;
import dev.asof.reconstruction.history.TimelineMarksReader;
import dev.asof.reconstruction.history.TooManyMembersException;
import dev.asof.support.web.RequestParameters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/customers/{id}/history/marks}: a customer's timeline summed up for drawing ({@link
 * TimelineMarks}), read in one request: the history walked from {@code from} to the timeline's end as known at one
 * system time ({@link TimelineMarksReader}), and put in lanes and buckets. What a drawing of a long timeline needs, in
 * a few hundred marks instead of every change.
 */
@RestController
class MarksController {

    /** Buckets across the window when {@code buckets} is not given. */
    static final int DEFAULT_BUCKETS = 100;

    static final int MAX_BUCKETS = 2000;

    /** The largest {@code max_changes} accepted (and {@code asof.history.marks-max-changes}' largest). */
    static final int MAX_CHANGES = 100_000;

    private final TimelineMarksReader reader;
    private final HistoryProperties properties;
    private final Clock clock;
    private final Timer latency;

    MarksController(TimelineMarksReader reader, HistoryProperties properties, Clock clock, MeterRegistry metrics) {
        this.reader = reader;
        this.properties = properties;
        this.clock = clock;
        this.latency = Timer.builder("asof.reconstruction.marks")
                .description("time to answer a history/marks request: every history page it reads")
                .publishPercentileHistogram()
                .register(metrics);
    }

    @GetMapping("/api/v1/customers/{customerId}/history/marks")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    MarksResponse marks(
            @PathVariable String customerId,
            @RequestParam(name = "from", required = false) String fromText,
            @RequestParam(name = "to", required = false) String toText,
            @RequestParam(name = "known_at", required = false) String knownAtText,
            @RequestParam(name = "buckets", required = false) String bucketsText,
            @RequestParam(name = "max_changes", required = false) String maxChangesText) {
        String id = RequestParameters.customerId("customer_id", customerId);
        Instant from = RequestParameters.optionalInstant("from", fromText);
        Instant to = RequestParameters.optionalInstant("to", toText);
        if (from != null && to != null && !from.isBefore(to)) {
            throw RequestParameters.invalid("from", "range", "from is not before to (to is exclusive here)");
        }
        Instant knownAt = RequestParameters.optionalInstant("known_at", knownAtText);
        int buckets = RequestParameters.wholeNumber("buckets", bucketsText, DEFAULT_BUCKETS, MAX_BUCKETS);
        // up to the most any deployment reads; more than this one reads is read as its most (a console configured
        // for more still draws, cut short where this service stops)
        int maxChanges = Math.min(
                properties.marksMaxChanges(),
                RequestParameters.wholeNumber(
                        "max_changes", maxChangesText, properties.marksMaxChanges(), MAX_CHANGES));
        Instant now = Timestamps.truncate(clock.instant());
        // nothing is recorded after now yet: a walk as of a later K reads as of now, on every page
        knownAt = knownAt == null || knownAt.isAfter(now) ? now : knownAt;
        long started = System.nanoTime();
        TimelineMarksReader.Result read;
        try {
            read = reader.read(
                    id,
                    from,
                    to,
                    knownAt,
                    buckets,
                    maxChanges,
                    started + properties.marksTimeout().toNanos());
        } catch (TooManyMembersException tooMany) {
            throw HistoryController.tooManyMembers(tooMany);
        } finally {
            latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        return MarksResponse.of(id, read.knownAt(), read.marks(), read.cutShort(), read.readTo());
    }

    /**
     * The answer (snake_case on the wire).
     *
     * @param from the window's start: {@code from} as asked, or the first change's valid time padded
     * @param to the window's end: {@code to} as asked (exclusive), or the last change's valid time padded
     * @param knownAt the system time the marks are as known at
     * @param buckets the window is cut into this many buckets: a change valid at v is in bucket {@code round((v -
     *     from) / (to - from) × buckets)}
     * @param changes the changes in the window
     * @param read the changes read: the window's and those after it (read for lateness)
     * @param cutShort whether the read stopped before the window's end ({@code max_changes} or {@code
     *     asof.history.marks-timeout}); the marks then cover the window up to {@code readTo}
     * @param readTo when cut short, the valid time of the last change in the window read
     * @param sources every source of the window's changes, in the order first met ({@code null}: none sent)
     * @param channels every channel of the window's attribute changes, lower case, in the order first met
     */
    record MarksResponse(
            String customerId,
            String from,
            String to,
            String knownAt,
            int buckets,
            int changes,
            int read,
            boolean cutShort,
            String readTo,
            List<String> sources,
            List<String> channels,
            List<Mark> marks) {

        static MarksResponse of(
                String customerId, Instant knownAt, TimelineMarks.Summary summary, boolean cutShort, Instant readTo) {
            return new MarksResponse(
                    customerId,
                    Timestamps.format(summary.from()),
                    Timestamps.format(summary.to()),
                    Timestamps.format(knownAt),
                    summary.buckets(),
                    summary.changes(),
                    summary.read(),
                    cutShort,
                    readTo == null ? null : Timestamps.format(readTo),
                    summary.sources(),
                    summary.channels(),
                    summary.marks().stream().map(Mark::of).toList());
        }
    }

    /**
     * One mark: a lane's changes in one bucket.
     *
     * @param attribute the lane: the attribute changed, or {@code null} for identity events (merge, unmerge, erasure)
     * @param count how many changes it stands for
     * @param firstAt the earliest valid time among them
     * @param lastAt the latest
     * @param meanOffsetMs the mean of their valid times in milliseconds after the window's {@code from}
     * @param late whether any of them arrived late: when its event was recorded, the log already held an event of this
     *     timeline valid after it
     * @param sources their sources, in the order first met (at most 16)
     * @param moreSources whether they have more sources than listed
     * @param changes the changes themselves, as the history API lists them, when the mark is one change or changes of
     *     one instant (at most 10); else empty
     */
    record Mark(
            String attribute,
            long bucket,
            int count,
            String firstAt,
            String lastAt,
            double meanOffsetMs,
            boolean late,
            List<String> sources,
            boolean moreSources,
            List<HistoryResponse.Change> changes) {

        static Mark of(TimelineMarks.Mark mark) {
            return new Mark(
                    mark.attribute(),
                    mark.bucket(),
                    mark.count(),
                    Timestamps.format(mark.first()),
                    Timestamps.format(mark.last()),
                    mark.meanOffsetMillis(),
                    mark.late(),
                    mark.sources(),
                    mark.moreSources(),
                    mark.listed().stream().map(HistoryResponse.Change::of).toList());
        }
    }
}
