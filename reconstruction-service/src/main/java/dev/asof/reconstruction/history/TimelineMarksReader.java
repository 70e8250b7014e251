package dev.asof.reconstruction.history;

import dev.asof.events.Version;
import dev.asof.reconstruction.resilience.ProfileStoreGuard;
import dev.asof.reconstruction.resilience.ProfileStoreUnavailableException;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Reads a timeline for {@link TimelineMarks}: the history walked from {@code from} to the timeline's end, as known at
 * one system time, in valid-time ranges read at once after a first short page, so the store, the decoding and the
 * fold of several ranges overlap instead of taking turns page after page.
 *
 * <p>After the first page ({@code asof.history.marks-first-page}, 200 changes), the rest up to the identity's latest
 * valid time (its view's; only a guess at the end, as members merged in may have later changes: the last range is
 * open) is cut into as many ranges as keep each to about {@code marks-range-changes} (800) changes at the first page's
 * pace, 2 to {@value #MAX_RANGES}. A
 * wrong guess makes the ranges uneven, never changes what is read: every history page starts from the state just
 * before its first valid time, so each range's changes are exactly the whole walk's changes there, and the ranges
 * meet without gap or overlap. A range holding more than a page is read on, page after page.
 *
 * <p>Bounded: at most {@code max_changes} changes are summed up (ranges read at once may read up to a page more
 * each, held until the answer is written), the read stops at its deadline with what it has (the answer then says it
 * was cut short), and ranges run on {@code asof.history.marks-threads} threads shared by every request (a full pool
 * runs a range in the asking thread), with at most that many range pages in flight in the whole service. Each page
 * is a read of {@link ProfileHistory} behind the store's guard, with its own time budget; so is the look at the
 * view's latest valid time. Once the answer is settled (or failed), ranges still running stop before their next page.
 */
@Service
public class TimelineMarksReader implements DisposableBean {

    static final int MAX_RANGES = 16;

    /** Where the pages come from: {@link ProfileHistory#pageForMarks}. */
    interface Pages {
        HistoryPage page(HistoryQuery query);
    }

    /** An identity's latest valid time in epoch milliseconds, if it has a view. */
    interface LatestValidTime {
        Optional<Long> of(String customerId);
    }

    private final Pages history;
    private final LatestValidTime latestValid;
    private final HistoryProperties properties;
    private final ThreadPoolExecutor ranges;
    private final Semaphore pagesInFlight;
    private final Counter rangesRead;

    @org.springframework.beans.factory.annotation.Autowired
    TimelineMarksReader(
            ProfileHistory history,
            ProfileViews views,
            ProfileStoreGuard guard,
            HistoryProperties properties,
            MeterRegistry metrics) {
        this(
                history::pageForMarks,
                // the view's head, read behind the store's guard like every read of an answer
                customerId -> guard.call(deadline -> views.head(customerId))
                        .map(ProfileViews.Head::maxTimestampMillis)
                        .filter(latest -> latest != Long.MIN_VALUE),
                properties,
                metrics);
    }

    TimelineMarksReader(
            Pages history, LatestValidTime latestValid, HistoryProperties properties, MeterRegistry metrics) {
        this.latestValid = latestValid;
        this.pagesInFlight = new Semaphore(properties.marksThreads());
        this.rangesRead = Counter.builder("asof.reconstruction.marks.ranges")
                .description("valid-time ranges history/marks answers read at once after their first page")
                .register(metrics);
        this.history = history;
        this.properties = properties;
        int threads = properties.marksThreads();
        AtomicInteger named = new AtomicInteger();
        this.ranges = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * 4),
                runnable -> {
                    Thread thread = new Thread(runnable, "history-marks-" + named.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.ranges.allowCoreThreadTimeOut(true);
    }

    /**
     * What was read.
     *
     * @param marks the summary of the changes read
     * @param knownAt the system time they are as known at
     * @param cutShort whether the read stopped before the window's end ({@code maxChanges} or the deadline)
     * @param readTo when cut short, the valid time of the last change in the window read ({@code null} when none)
     */
    public record Result(TimelineMarks.Summary marks, Instant knownAt, boolean cutShort, Instant readTo) {}

    /**
     * Reads and sums up a timeline.
     *
     * @param to the window's end, exclusive ({@code null}: the timeline's end); the read goes on past it, as lateness
     *     depends on the changes valid after the window
     * @throws ProfileStoreUnavailableException when DynamoDB is slow or down for one of the pages
     * @throws TooManyMembersException when more identities were ever merged into the customer than a page may read
     */
    public Result read(
            String customerId,
            Instant from,
            Instant to,
            Instant knownAt,
            int buckets,
            int maxChanges,
            long deadlineNanos) {
        TimelineMarks marks = new TimelineMarks(from, to, buckets);
        HistoryPage first = history.page(new HistoryQuery(
                customerId, null, from, null, knownAt, Math.min(properties.marksFirstPage(), maxChanges), null));
        // the K the first page is exact for (the latest recording when every view stops before K): the walk goes on
        // as of it
        Instant pinned = first.knownAt().isBefore(knownAt) ? first.knownAt() : knownAt;
        List<HistoryChange> firstChanges = first.changes();
        if (first.next() == null) {
            firstChanges.forEach(marks::add);
            return result(marks, pinned, false, to);
        }
        List<Instant> starts = starts(customerId, firstChanges);
        AtomicBoolean stopped = new AtomicBoolean();
        if (starts.isEmpty()) {
            firstChanges.forEach(marks::add);
            Range rest = new Range(
                            customerId,
                            from,
                            null,
                            pinned,
                            first.next(),
                            new AtomicInteger(maxChanges - marks.read()),
                            stopped,
                            deadlineNanos)
                    .walk();
            return result(marks, pinned, addReadingOn(marks, rest, maxChanges), to);
        }
        // the first page's changes before the first range; those at its last instant are read again there
        for (HistoryChange change : firstChanges) {
            if (change.version().timestamp().isBefore(starts.get(0))) {
                marks.add(change);
            }
        }
        AtomicInteger left = new AtomicInteger(maxChanges - marks.read());
        rangesRead.increment(starts.size());
        List<CompletableFuture<Range>> running = new ArrayList<>(starts.size());
        for (int i = 0; i < starts.size(); i++) {
            // `to` is inclusive in a history query: a range ends 1 ms before the next begins; the last is open
            Instant rangeTo = i + 1 < starts.size() ? starts.get(i + 1).minusMillis(1) : null;
            Range range = new Range(customerId, starts.get(i), rangeTo, pinned, null, left, stopped, deadlineNanos);
            running.add(CompletableFuture.supplyAsync(range::walk, ranges));
        }
        try {
            for (CompletableFuture<Range> future : running) {
                Range range = join(future, deadlineNanos);
                if (range == null) {
                    return result(marks, pinned, true, to);
                }
                if (addReadingOn(marks, range, maxChanges)) {
                    return result(marks, pinned, true, to);
                }
            }
            return result(marks, pinned, false, to);
        } finally {
            // the answer is settled: ranges still running stop before their next page
            stopped.set(true);
            running.forEach(future -> future.cancel(false));
        }
    }

    /**
     * Adds a range's changes, and when it stopped because other ranges had used the changes left, reads on from where
     * it stopped with what this read may still take, so an answer cut short holds {@code max} changes; whether the
     * read is cut short there.
     */
    private static boolean addReadingOn(TimelineMarks marks, Range range, int max) {
        boolean cut = add(marks, range, max);
        while (cut && range.outOfChanges && marks.read() < max) {
            range = range.onwards(max - marks.read()).walk();
            cut = add(marks, range, max);
        }
        return cut;
    }

    /** Adds a range's changes; whether the read is cut short there (the range was, or {@code max} was reached). */
    private static boolean add(TimelineMarks marks, Range range, int max) {
        for (HistoryChange change : range.changes) {
            if (marks.read() >= max) {
                range.outOfChanges = false;
                return true;
            }
            marks.add(change);
        }
        return range.truncated;
    }

    private static Result result(TimelineMarks marks, Instant knownAt, boolean truncated, Instant to) {
        Instant lastRead = marks.lastRead();
        // cut short: the read stopped before the window's end (one that stopped past it, where it read on only for
        // lateness, read the whole window; lateness there may be incomplete, which is not said)
        boolean cutShort = truncated && (to == null || lastRead == null || lastRead.isBefore(to));
        return new Result(marks.summary(), knownAt, cutShort, cutShort ? marks.lastShown() : null);
    }

    /**
     * Where the ranges after the first page begin: from its last valid time up to the identity's latest valid time,
     * evenly, as many as keep each to about {@code marks-range-changes} changes at the first page's pace; none when
     * there is no later valid time to go by or less than a millisecond per range.
     */
    private List<Instant> starts(String customerId, List<HistoryChange> firstChanges) {
        if (firstChanges.isEmpty()) {
            return List.of();
        }
        Optional<Long> latestMillis = latestValid.of(customerId);
        if (latestMillis.isEmpty()) {
            return List.of();
        }
        long latest = latestMillis.get();
        long firstRead = firstChanges.get(0).version().timestamp().toEpochMilli();
        long lastRead =
                firstChanges.get(firstChanges.size() - 1).version().timestamp().toEpochMilli();
        long rest = latest - lastRead;
        long paced = lastRead - firstRead;
        if (rest <= 0) {
            return List.of();
        }
        // a first page all at one instant gives no pace: two ranges
        int count = 2;
        if (paced > 0) {
            double expected = (double) firstChanges.size() * rest / paced;
            count = (int) Math.max(2, Math.min(MAX_RANGES, Math.ceil(expected / properties.marksRangeChanges())));
        }
        if (rest < count) {
            return List.of();
        }
        List<Instant> starts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            starts.add(Instant.ofEpochMilli(lastRead + rest / count * i));
        }
        return starts;
    }

    /** A range's walk, once done; {@code null} when it was not done by the deadline. */
    private static Range join(CompletableFuture<Range> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | CancellationException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            Throwable cause =
                    e.getCause() instanceof CompletionException completion ? completion.getCause() : e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * The pages of one valid-time range, walked in turn. The changes left to read are shared by the ranges of a read
     * (a hint to stop reading past what the answer can hold), and so is whether the read was stopped. A page is read
     * once one of the service's {@code marks-threads} permits is free, so however many requests read ranges (a full
     * pool runs them in the asking thread), at most that many range pages use the store's guarded reads at once and
     * contact-centre reads keep their share.
     */
    private final class Range {
        private final String customerId;
        private final Instant from;
        private final Instant to;
        private final Instant knownAt;
        private final AtomicInteger left;
        private final AtomicBoolean stopped;
        private final long deadlineNanos;
        private Version after;
        private final List<HistoryChange> changes = new ArrayList<>();
        private boolean truncated;

        /** Stopped with more to read because the changes left ran out (not the deadline, not a stop). */
        private boolean outOfChanges;

        Range(
                String customerId,
                Instant from,
                Instant to,
                Instant knownAt,
                Version after,
                AtomicInteger left,
                AtomicBoolean stopped,
                long deadlineNanos) {
            this.customerId = customerId;
            this.from = from;
            this.to = to;
            this.knownAt = knownAt;
            this.after = after;
            this.left = left;
            this.stopped = stopped;
            this.deadlineNanos = deadlineNanos;
        }

        /** The rest of this range, from where it stopped, reading at most {@code changesLeft}. */
        Range onwards(int changesLeft) {
            return new Range(
                    customerId, from, to, knownAt, after, new AtomicInteger(changesLeft), stopped, deadlineNanos);
        }

        Range walk() {
            while (true) {
                if (stopped.get() || System.nanoTime() >= deadlineNanos) {
                    truncated = true;
                    return this;
                }
                if (left.get() <= 0) {
                    truncated = true;
                    outOfChanges = true;
                    return this;
                }
                try {
                    if (!pagesInFlight.tryAcquire(
                            Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        truncated = true;
                        return this;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    truncated = true;
                    return this;
                }
                if (stopped.get()) {
                    // stopped while it waited for a permit
                    pagesInFlight.release();
                    truncated = true;
                    return this;
                }
                HistoryPage page;
                try {
                    int limit = Math.max(1, Math.min(properties.maxPageSize(), left.get()));
                    page = history.page(new HistoryQuery(customerId, null, from, to, knownAt, limit, after));
                } finally {
                    pagesInFlight.release();
                }
                changes.addAll(page.changes());
                left.addAndGet(-page.changes().size());
                if (page.next() == null) {
                    return this;
                }
                after = page.next();
            }
        }
    }

    @Override
    public void destroy() {
        ranges.shutdownNow();
    }
}
