package dev.asof.reconstruction.history;

import dev.asof.events.AttributeValue;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventEnvelope;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Version;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
import dev.asof.reconstruction.resilience.Deadline;
import dev.asof.reconstruction.resilience.ProfileStoreGuard;
import dev.asof.reconstruction.resilience.ProfileStoreUnavailableException;
import dev.asof.reconstruction.state.IdentityRead;
import dev.asof.reconstruction.state.IdentityStates;
import dev.asof.reconstruction.state.LogSegments;
import dev.asof.support.storage.LogRanges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Service;

/**
 * A customer's change timeline: the changes of its own events and of the events of every identity while it resolved
 * to the customer through merges (see {@link GroupTimeline}), in the total order of changes (valid time, then
 * recorded time, event id and position in an event), as known at a system time, each with the value it replaced in
 * the customer's profile. A page starts from the states just before its first valid time (read from snapshots where
 * they help) of the customer and of every identity ever merged into it ({@code identity_links}, transitively, at
 * most {@code asof.history.max-members}), and scans their logs from there, merged in order, so deep pages cost no
 * more than early ones.
 */
@Service
public class ProfileHistory {

    /**
     * Log items fetched per query while scanning: as many as a page holds plus one, from 200 to 1,000, when the
     * customer's own log is the only one read, so a large page costs the store fewer round trips; 200 per identity
     * when several are read (merged members), so the items held at once stay bounded.
     */
    private static final int SCAN_PAGE = 200;

    private static final int MAX_SCAN_PAGE = 1000;

    private static final Comparator<RecordedEvent> CHANGE_ORDER = Comparator.comparing(RecordedEvent::version);

    private final IdentityStates states;
    private final LogRanges log;
    private final ProfileStoreGuard guard;
    private final HistoryProperties properties;
    private final MeterRegistry metrics;
    private final ValueCipher cipher;
    private final LogSegments segments;

    ProfileHistory(
            IdentityStates states,
            LogRanges log,
            ProfileStoreGuard guard,
            HistoryProperties properties,
            MeterRegistry metrics,
            ValueCipher cipher,
            LogSegments segments) {
        this.cipher = cipher;
        this.segments = segments;
        this.states = states;
        this.log = log;
        this.guard = guard;
        this.properties = properties;
        this.metrics = metrics;
    }

    /**
     * One page of the timeline.
     *
     * @throws ProfileStoreUnavailableException when DynamoDB is slow or down
     * @throws TooManyMembersException when more identities were ever merged into the customer than a page may read
     */
    public HistoryPage page(HistoryQuery query) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            HistoryPage page = pageForMarks(query);
            outcome = "found";
            return page;
        } catch (ProfileStoreUnavailableException unavailable) {
            outcome = "unavailable";
            throw unavailable;
        } catch (TooManyMembersException tooMany) {
            outcome = "too_many_members";
            throw tooMany;
        } finally {
            Timer.builder("asof.reconstruction.latency")
                    .description("time to answer a profile read, cache look-up included")
                    .tag("endpoint", "history")
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(metrics)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * One page of the timeline for a {@code history/marks} read: as {@link #page}, but not counted in {@code
     * asof.reconstruction.latency{endpoint=history}}, as the marks read is counted as a whole in {@code
     * asof.reconstruction.marks}. Counted there too, its first page and its range pages made a history request's
     * latency of what no history request asked for.
     *
     * @throws ProfileStoreUnavailableException when DynamoDB is slow or down
     * @throws TooManyMembersException when more identities were ever merged into the customer than a page may read
     */
    public HistoryPage pageForMarks(HistoryQuery query) {
        return guard.call(deadline -> read(query, deadline));
    }

    private HistoryPage read(HistoryQuery query, Deadline deadline) {
        String customerId = query.customerId();
        long queried = Hlc.upperBound(query.knownAt());
        // Every identity that may resolve to the customer at some time: ever merged into it, transitively. Whether a
        // link holds is decided by the fold as the walk goes; identity_links only says whose logs to read.
        Map<String, IdentityRead> wholes = new LinkedHashMap<>();
        Deque<String> pending = new ArrayDeque<>(List.of(customerId));
        while (!pending.isEmpty()) {
            String identity = pending.poll();
            if (wholes.containsKey(identity)) {
                continue;
            }
            if (!identity.equals(customerId) && wholes.size() - 1 >= properties.maxMembers()) {
                throw new TooManyMembersException(customerId, properties.maxMembers());
            }
            // Values set before an identity's latest erasure known at K are hidden from every profile from then on:
            // hide them here too.
            IdentityRead whole = states.read(identity, LogRanges.MAX_VALID_TIME, queried, deadline);
            wholes.put(identity, whole);
            pending.addAll(whole.mergedInto());
        }
        // The page is read as of the K it is exact for, and says so: K, or the latest recording of the identities
        // when every view stops before K (each is read as of min(K, its watermark), which leaves out a batch logged
        // but not yet in its view). Echoed as K, the walk's later pages (the cursor carries K) saw such a batch and
        // an outside check found a change skipped; with this K every page reads each identity as of the first's.
        Instant knownAt = IdentityRead.exactKnownAt(query.knownAt(), wholes.values());
        long asked = Hlc.upperBound(knownAt);
        // An erased customer's timeline is gone as a whole, not only where it meets one of its own values (it may
        // meet none in the range asked, only those of the members erased with it); a returning customer's (an event
        // of its own stamped after the erasure, known at K, as the profile reads and merge-service decide it) is read
        // as usual.
        SubjectKeys.ErasureStatus erasure = cipher.erasureStatus(customerId);
        Instant erased = erasure.lastErasure();
        if (erased != null && !log.anyEvent(customerId, erased, asked, false)) {
            throw new SubjectErasedException(customerId, erased);
        }
        Instant start = query.after() != null ? query.after().timestamp() : query.from();
        Instant to = query.to() == null ? LogRanges.MAX_VALID_TIME : query.to();
        Map<String, Version> erasures = new HashMap<>();
        Map<String, IdentityState> before = new HashMap<>();
        List<Scan> scans = new ArrayList<>();
        // the customer's own values ordered after its latest erasure that do not open (sent before the erasure was
        // asked for, stamped a few seconds ahead, and redacted with the rest) are hidden like an erased member's once
        // the erasure is over, instead of ending the read: a probe read a returning customer's history 410 for good
        Version ownErasure = wholes.get(customerId).state().erasedAt();
        if (ownErasure != null && erasure.underWay()) {
            // while its erasure runs, such a value may still open with a key a replica has cached: gone until over
            throw new SubjectErasedException(customerId, ownErasure.timestamp());
        }
        Readable readable = new Readable(cipher, customerId, UUID.randomUUID().toString(), ownErasure);
        LogSegments.Page kept = segments.page();
        int scanPage = wholes.size() == 1 ? Math.min(Math.max(query.limit() + 1, SCAN_PAGE), MAX_SCAN_PAGE) : SCAN_PAGE;
        for (Map.Entry<String, IdentityRead> entry : wholes.entrySet()) {
            String identity = entry.getKey();
            IdentityRead whole = entry.getValue();
            if (whole.state().erasedAt() != null) {
                erasures.put(identity, whole.state().erasedAt());
            }
            // K cut to what each view has folded, as every read does, so the timeline, its base states and the
            // erasures all see the same events (no part of a batch still being written); no view means no events.
            if (whole.watermark() == null) {
                before.put(identity, IdentityState.empty(identity));
                continue;
            }
            long bound = Math.min(asked, whole.watermark());
            // values decrypted as they are read, so the timeline compares what people wrote, not ciphertexts (two
            // encryptions of one value differ)
            before.put(
                    identity,
                    start == null
                            ? IdentityState.empty(identity)
                            : readable.state(states.read(identity, start.minusMillis(1), bound, deadline)
                                    .state()));
            // from memory where an earlier page read this stretch of the log at the same watermark (LogSegments)
            scans.add(new Scan(
                    kept.scan(
                            identity, whole.watermark(), whole.state().erasedAt() == null, start, to, bound, scanPage),
                    readable));
        }

        GroupTimeline timeline = new GroupTimeline(customerId, before, erasures, query.attribute(), readable::gone);
        HistoryPage page = walk(query, deadline, scans, timeline);
        scans.forEach(Scan::finish);
        return new HistoryPage(page.changes(), page.next(), knownAt);
    }

    /** The page: the scans merged in the order of changes, through the timeline, from after the cursor. */
    private static HistoryPage walk(HistoryQuery query, Deadline deadline, List<Scan> scans, GroupTimeline timeline) {
        List<HistoryChange> changes = new ArrayList<>();
        List<RecordedEvent> sameTime = new ArrayList<>();
        while (true) {
            deadline.check();
            Instant next = null;
            for (Scan scan : scans) {
                if (scan.hasNext()
                        && (next == null || scan.peek().event().timestampUtc().isBefore(next))) {
                    next = scan.peek().event().timestampUtc();
                }
            }
            if (next == null) {
                return new HistoryPage(changes, null, null);
            }
            sameTime.clear();
            for (Scan scan : scans) {
                while (scan.hasNext() && scan.peek().event().timestampUtc().equals(next)) {
                    sameTime.add(scan.next());
                }
            }
            // each log sorts one valid time by event id; the order of changes puts recorded_at first
            sameTime.sort(CHANGE_ORDER);
            for (RecordedEvent event : sameTime) {
                for (HistoryChange change : timeline.apply(event)) {
                    if (change.version().isAfter(query.after())) {
                        changes.add(change);
                        if (changes.size() == query.limit()) {
                            return new HistoryPage(changes, change.version(), null);
                        }
                    }
                }
            }
        }
    }

    /**
     * A value as the timeline may show it: decrypted; a value of another identity whose key was destroyed (erased
     * since, possibly after an unmerge, so the fold knows nothing of it) becomes a marker that {@link GroupTimeline}
     * hides ({@link #gone}). The marker ends in a nonce of this read, so no value a customer sent can pass for one. A
     * value of the customer asked about itself ends the read ({@code 410 erased}).
     */
    private record Readable(ValueCipher cipher, String customerId, String nonce, Version hideOwnAfter) {

        /**
         * {@code value}, of a change ordered at {@code version}: a value of the customer itself that does not open
         * ends the read, unless it is ordered after {@code hideOwnAfter} (the customer's erasure, once over).
         */
        AttributeValue apply(AttributeValue value, Version version) {
            try {
                return cipher.decrypt(value);
            } catch (SubjectErasedException erased) {
                if (erased.customerId().equals(customerId)
                        && (hideOwnAfter == null || !version.isAfter(hideOwnAfter))) {
                    throw erased;
                }
                return AttributeValue.text(EncryptedValues.erased(erased.customerId()) + "#" + nonce);
            }
        }

        /** {@code state} with every value as {@link #apply} shows it. */
        IdentityState state(IdentityState state) {
            return state.withValues(this::apply);
        }

        /** Whether {@code value} is the marker of a value whose key was destroyed. */
        boolean gone(AttributeValue value) {
            return value instanceof AttributeValue.Text text
                    && text.value().startsWith(EncryptedValues.ERASED_PREFIX)
                    && text.value().endsWith("#" + nonce);
        }
    }

    /** One identity's log scan, able to look at its next event. */
    private static final class Scan {

        private final LogSegments.Scan events;
        private final Readable readable;
        private RecordedEvent peeked;

        Scan(LogSegments.Scan events, Readable readable) {
            this.events = events;
            this.readable = readable;
        }

        void finish() {
            events.finish();
        }

        boolean hasNext() {
            return peeked != null || events.hasNext();
        }

        RecordedEvent peek() {
            if (peeked == null) {
                RecordedEvent next = events.next();
                EventEnvelope shown = next.event().withValues(value -> readable.apply(value, next.version()));
                peeked = shown == next.event() ? next : new RecordedEvent(shown, next.recordedAt());
            }
            return peeked;
        }

        RecordedEvent next() {
            RecordedEvent next = peek();
            peeked = null;
            return next;
        }
    }
}
