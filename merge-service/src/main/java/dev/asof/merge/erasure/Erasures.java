package dev.asof.merge.erasure;

import dev.asof.events.Timestamps;
import dev.asof.merge.erasure.kafka.TopicScan;
import dev.asof.merge.identity.IdentityLocks;
import dev.asof.merge.identity.IdentityLog;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * GDPR erasures: a request is stored, answered at once, and run in the background step by step ({@link
 * ErasureSteps}); every step's outcome is saved before the next starts, so a restart resumes each unfinished erasure
 * where it stopped ({@link #resumeUnfinished}). A step that fails (Kafka or DynamoDB away) is tried again after
 * {@code asof.erasure.retry-delay}; the reason is kept in the erasure (never a value).
 */
public class Erasures implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Erasures.class);

    private final ErasureStore store;
    private final ErasureSteps steps;
    private final IdentityLog identityLog;
    private final ErasureProperties properties;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ScheduledExecutorService workers;
    private final IdentityLocks locks;
    private final TopicScan topics;

    /** The erasures scheduled or running in this instance. */
    private final Set<String> active = ConcurrentHashMap.newKeySet();

    Erasures(
            ErasureStore store,
            ErasureSteps steps,
            IdentityLog identityLog,
            IdentityLocks locks,
            ErasureProperties properties,
            TopicScan topics,
            Clock clock,
            MeterRegistry meters) {
        this.topics = topics;
        this.locks = locks;
        this.store = store;
        this.steps = steps;
        this.identityLog = identityLog;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newScheduledThreadPool(properties.workers(), runnable -> {
            Thread thread = new Thread(runnable, "asof-erasure-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** What a request found or started. */
    public record Requested(Erasure erasure, boolean started) {}

    /**
     * Erases {@code customerId}: the erasure under way for it if there is one (a repeated request starts nothing
     * new), the last one if it completed and nothing was logged for the customer since, else a new one. An erasure
     * covering it as another identity of the data subject (a member erased with its survivor) counts as its own
     * when it is the later one.
     *
     * @return empty when the customer has no events and was never erased
     */
    public Optional<Requested> request(String customerId, String reason, String requestedBy) {
        // under the customer's lease, as merges and unmerges take it (until their event is logged): a command that
        // took effect before the request time is logged by then, and one after it finds this erasure under way
        Optional<Requested> requested;
        try (IdentityLocks.Lease lease = locks.lease("erasure-request-" + UUID.randomUUID())) {
            lease.add(List.of(customerId));
            requested = requestUnderLease(customerId, reason, requestedBy);
        }
        // run once the lease is free: its resolve step takes the same lease
        requested.filter(Requested::started).ifPresent(started -> {
            meters.counter("asof.erasures", "outcome", "requested").increment();
            schedule(started.erasure().erasureId(), 0);
            listOrLeaveToRun(started.erasure());
        });
        return requested;
    }

    private Optional<Requested> requestUnderLease(String customerId, String reason, String requestedBy) {
        Optional<Erasure> latest = store.latestOf(customerId);
        Optional<Erasure> asMember = store.latestCovering(customerId);
        if (asMember.isPresent()
                && (latest.isEmpty()
                        || asMember.get().requestedAt().isAfter(latest.get().requestedAt()))) {
            // a probe asked to erase a member under way (or done) with its survivor and got a second erasure
            if (stillErases(customerId, asMember.get())) {
                return Optional.of(new Requested(asMember.get(), false));
            }
        }
        if (latest.isPresent()) {
            if (stillErases(customerId, latest.get())) {
                return Optional.of(new Requested(latest.get(), false));
            }
        } else if (!identityLog.hasEvents(customerId, null, Timestamps.LATEST, true)) {
            return Optional.empty();
        }
        // where the topic ended when the erasure was asked for, taken before its time: what was published before it is
        // the data subject's to erase; what comes after (stamped after the erasure) is a returning customer's, which
        // the reencrypt step keeps even when a replica encrypted it with the destroyed key
        Map<String, Object> proof;
        try {
            proof = ErasureSteps.requestProof(topics.endOffsets(AsofTopics.PROFILE_EVENTS));
        } catch (KafkaException kafkaAway) {
            throw new ApiProblemException(
                    Problems.of(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "event-stream-unavailable",
                            "Event stream unavailable",
                            "Kafka did not answer, so the erasure was not started (nothing was written). Retry the"
                                    + " same request."),
                    Map.of("Retry-After", "5"));
        }
        Instant now = Timestamps.truncate(clock.instant());
        Erasure fresh = new Erasure(
                UUID.randomUUID().toString(),
                customerId,
                reason,
                requestedBy,
                now,
                "pending",
                Erasure.Step.RESOLVE,
                List.of(),
                null,
                null,
                ErasureSteps.json(proof),
                null);
        Erasure started = store.start(fresh, latest);
        return Optional.of(new Requested(started, started.erasureId().equals(fresh.erasureId())));
    }

    public Optional<Erasure> find(String erasureId) {
        return store.find(erasureId);
    }

    /** A page of erasures, newest first, and where the next page starts ({@code null}: none). */
    public record Listed(List<Erasure> erasures, String after) {}

    /**
     * Up to {@code limit} erasures by request time, newest first, from the one after {@code after} (a page's {@code
     * after}; {@code null}: the newest).
     */
    public Listed recent(int limit, String after) {
        return store.recent(limit, after);
    }

    /**
     * The latest erasure of {@code customerId}, whatever its state: requested for it, or covering it as another
     * identity of the data subject (the later of the two by request time).
     */
    public Optional<Erasure> latestErasing(String customerId) {
        Optional<Erasure> own = store.latestOf(customerId);
        Optional<Erasure> asMember = store.latestCovering(customerId);
        if (own.isEmpty()) {
            return asMember;
        }
        if (asMember.isEmpty()) {
            return own;
        }
        return asMember.get().requestedAt().isAfter(own.get().requestedAt()) ? asMember : own;
    }

    /**
     * Picks up every erasure a previous run of the service left unfinished; an erasure item that never became its
     * customer's latest (its request stopped, or lost a race, before that) was never answered and is not run.
     */
    public int resumeUnfinished() {
        int resumed = 0;
        for (Erasure erasure : store.unfinished()) {
            if (store.latestOf(erasure.customerId())
                    .filter(latest -> latest.erasureId().equals(erasure.erasureId()))
                    .isEmpty()) {
                continue;
            }
            schedule(erasure.erasureId(), 0);
            resumed++;
        }
        if (resumed > 0) {
            LOG.info("resuming {} unfinished erasure(s)", resumed);
        }
        return resumed;
    }

    /**
     * Whether {@code erasure} answers a new request to erase {@code customerId}: it is under way, or it completed and
     * nothing was logged for the customer since (else the customer came back, and the new profile is erased).
     */
    private boolean stillErases(String customerId, Erasure erasure) {
        return !erasure.finished() || (erasure.state().equals("completed") && !loggedSince(customerId, erasure));
    }

    /** Whether the customer has an event of its own stamped after {@code previous} was requested. */
    private boolean loggedSince(String customerId, Erasure previous) {
        return identityLog.hasEvents(customerId, previous.requestedAt(), Timestamps.LATEST, true);
    }

    /**
     * Runs the erasure after {@code delayMillis}, unless it is scheduled or running in this instance already: each
     * erasure has one chain of runs at a time (a request at start-up and {@link #resumeUnfinished} may both ask).
     */
    private void schedule(String erasureId, long delayMillis) {
        if (active.add(erasureId)) {
            submit(erasureId, delayMillis);
        }
    }

    private void submit(String erasureId, long delayMillis) {
        workers.schedule(
                () -> {
                    long next = -1;
                    try {
                        next = runAll(erasureId);
                    } finally {
                        if (next >= 0) {
                            submit(erasureId, next);
                        } else {
                            active.remove(erasureId);
                        }
                    }
                },
                delayMillis,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Puts a started erasure in the register; if the store fails, the erasure's run puts it there (the request has
     * won and is scheduled: a failure here must not leave it unanswered and unlisted).
     */
    private void listOrLeaveToRun(Erasure erasure) {
        try {
            store.list(erasure);
        } catch (RuntimeException e) {
            LOG.warn(
                    "erasure {}: not listed yet ({}); its run lists it",
                    erasure.erasureId(),
                    e.getClass().getSimpleName());
        }
    }

    /**
     * Runs the erasure's steps until it ends, saving after each, or until a step waits or fails. Lists it first
     * (idempotent): its request, or the run before a crash, may have stopped before it was listed.
     *
     * @return in how many milliseconds to run it again (a step waits, or failed and is retried), or -1: it ended
     */
    private long runAll(String erasureId) {
        Erasure erasure = store.find(erasureId).orElse(null);
        if (erasure != null) {
            listOrLeaveToRun(erasure);
        }
        while (erasure != null && !erasure.finished()) {
            Erasure.Step step = erasure.step();
            try {
                long started = System.nanoTime();
                erasure = steps.run(erasure);
                store.save(erasure);
                long took = System.nanoTime() - started;
                meters.timer("asof.erasure.step", "step", step.name().toLowerCase(Locale.ROOT))
                        .record(took, TimeUnit.NANOSECONDS);
                LOG.info(
                        "erasure {}: step {} took {} ms",
                        erasureId,
                        step.name().toLowerCase(Locale.ROOT),
                        took / 1_000_000);
            } catch (ErasureSteps.NotDue waiting) {
                // run again when due; the worker takes other erasures' steps meanwhile
                LOG.info(
                        "erasure {}: step {} {}; again at {}",
                        erasureId,
                        step.name().toLowerCase(Locale.ROOT),
                        waiting.getMessage(),
                        waiting.due());
                return Math.max(
                        0, Duration.between(clock.instant(), waiting.due()).toMillis() + 1);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return -1;
            } catch (RuntimeException e) {
                // only our own words are kept: another exception's message may quote a store's answer
                String why = e instanceof ErasureSteps.StepNotDone notDone
                        ? notDone.getMessage()
                        : e.getClass().getSimpleName();
                String reason = "step " + step.name().toLowerCase(Locale.ROOT) + " failed (" + why + "); retrying in "
                        + properties.retryDelay().toSeconds() + " s";
                LOG.warn("erasure {}: {}", erasureId, reason);
                meters.counter("asof.erasures", "outcome", "step_retried").increment();
                try {
                    store.save(erasure.withError(reason));
                } catch (RuntimeException storeDown) {
                    LOG.warn("erasure {}: cannot save its progress either", erasureId);
                }
                return properties.retryDelay().toMillis();
            }
        }
        if (erasure != null) {
            meters.counter("asof.erasures", "outcome", erasure.state()).increment();
            LOG.info("erasure {} ended: {}", erasureId, erasure.state());
        }
        return -1;
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
