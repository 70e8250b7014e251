package dev.asof.reconstruction.warmup;

import dev.asof.events.Timestamps;
import dev.asof.events.Version;
import dev.asof.reconstruction.history.HistoryPage;
import dev.asof.reconstruction.history.HistoryQuery;
import dev.asof.reconstruction.history.ProfileHistory;
import dev.asof.reconstruction.profile.PointInTimeProfiles;
import dev.asof.reconstruction.profile.ProfileCache;
import dev.asof.reconstruction.snapshot.LogPagesWritten;
import dev.asof.reconstruction.state.LogSegments;
import dev.asof.support.storage.LogPages;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Reads one identity's timeline (up to {@code asof.reconstruction.warm-up.changes}) and profile once, in the
 * background, soon after the service starts, and throws the answers away: the identity of some packed log page in the
 * store, or, on a store without pages yet, the first identity whose pages this service writes. That runs the code of
 * a long timeline's first read (pages fetched and unpacked, events decoded and decrypted, the timeline built, a
 * profile reconstructed) before a person waits for it: with the quick start's C1 compiler, the first 10,000-change
 * timeline after a start took 1.4-1.9 s in the console against 0.9-1.0 s on a warm stack (docs/console.md, Speed).
 * Made-up data did not do: the code reads the store.
 *
 * <p>What the reads kept of the identity itself (its log stretches in {@link LogSegments}, its answers in the {@link
 * ProfileCache}) is dropped after them, so its next timeline is read from the store. The rest is what any read leaves:
 * kept copies of merged members' logs and the data key expire as usual, and a profile read may queue a snapshot
 * repair. The reads count in {@code asof.reconstruction.latency} like others. An erased identity, a store that is down,
 * any failure of the read: the warm-up stops and the service runs as it would without it (a look-up that fails leaves
 * it to the first page write). No value and no customer id is logged.
 */
@Component
public class ReadWarmUp {

    private static final Logger log = LoggerFactory.getLogger(ReadWarmUp.class);

    /** Changes per history page read: the API's largest page. */
    private static final int PAGE = 1000;

    private final ProfileHistory history;
    private final PointInTimeProfiles profiles;
    private final LogSegments segments;
    private final ProfileCache cache;
    private final LogPages pages;
    private final WarmUpProperties properties;
    private final Clock clock;

    /** Set once a warm-up began: there is one per start. */
    private final AtomicBoolean begun = new AtomicBoolean();

    /** Completed with the warm-up's result, or exceptionally with what stopped it. */
    private final CompletableFuture<Result> finished = new CompletableFuture<>();

    public ReadWarmUp(
            ProfileHistory history,
            PointInTimeProfiles profiles,
            LogSegments segments,
            ProfileCache cache,
            LogPages pages,
            WarmUpProperties properties,
            Clock clock) {
        this.history = history;
        this.profiles = profiles;
        this.segments = segments;
        this.cache = cache;
        this.pages = pages;
        this.properties = properties;
        this.clock = clock;
    }

    /** What a warm-up read: the timeline's changes and how long it took. */
    public record Result(int changes, long millis) {}

    /** Once the service is ready: looks for an identity with pages in the background, and warms up on it. */
    @EventListener(ApplicationReadyEvent.class)
    public void started() {
        if (!properties.enabled() || begun.get()) {
            return;
        }
        background(() -> {
            Optional<String> identity;
            try {
                identity = pages.anyIdentity();
            } catch (RuntimeException e) {
                log.warn(
                        "Read warm-up could not look for an identity: {}",
                        e.getClass().getSimpleName());
                return;
            }
            if (identity.isPresent() && begun.compareAndSet(false, true)) {
                warmLogged(identity.get());
            }
        });
    }

    /** Pages of an identity were written: warms up on it, unless a warm-up began already. */
    @EventListener
    public void pagesWritten(LogPagesWritten written) {
        if (properties.enabled() && begun.compareAndSet(false, true)) {
            background(() -> warmLogged(written.customerId()));
        }
    }

    private void warmLogged(String customerId) {
        try {
            Result result = warm(customerId);
            finished.complete(result);
            log.info(
                    "Read path warmed up in {} ms on one identity's timeline ({} changes) and profile",
                    result.millis(),
                    result.changes());
        } catch (RuntimeException e) {
            // only a speed-up: the reads that follow run as they would have without it
            finished.completeExceptionally(e);
            log.info("Read warm-up stopped: {}", e.getClass().getSimpleName());
        }
    }

    /** Whether a warm-up began (there is one per start). */
    public boolean begun() {
        return begun.get();
    }

    /** The warm-up's result once it ran; never completes when none began. */
    public CompletableFuture<Result> finished() {
        return finished;
    }

    /**
     * Reads {@code customerId}'s timeline from the start, a page of {@value #PAGE} changes at a time, up to {@code
     * asof.reconstruction.warm-up.changes}, then its current profile and its profile at the middle of what was read;
     * then drops what those reads kept of it (its log stretches, its cached answers).
     */
    public Result warm(String customerId) {
        try {
            return read(customerId);
        } finally {
            segments.drop(customerId);
            cache.invalidate(customerId);
        }
    }

    private Result read(String customerId) {
        long started = System.nanoTime();
        Instant now = Timestamps.truncate(clock.instant());
        int changes = 0;
        Instant first = null;
        Instant last = null;
        Version after = null;
        do {
            HistoryPage page = history.page(new HistoryQuery(customerId, null, null, null, now, PAGE, after));
            changes += page.changes().size();
            if (!page.changes().isEmpty()) {
                first = first == null ? page.changes().get(0).event().timestampUtc() : first;
                last = page.changes().get(page.changes().size() - 1).event().timestampUtc();
            }
            after = page.next();
        } while (after != null && changes < properties.changes());
        profiles.current(customerId);
        if (first != null) {
            profiles.reconstructAt(customerId, first.plusMillis((last.toEpochMilli() - first.toEpochMilli()) / 2), now);
        }
        return new Result(changes, (System.nanoTime() - started) / 1_000_000);
    }

    private static void background(Runnable work) {
        Thread thread = new Thread(work, "asof-warm-up");
        thread.setDaemon(true);
        thread.start();
    }
}
