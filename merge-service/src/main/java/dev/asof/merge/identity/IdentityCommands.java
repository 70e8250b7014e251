package dev.asof.merge.identity;

import dev.asof.events.Decision;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.KnownIdentities;
import dev.asof.events.MergeProfiles;
import dev.asof.events.ProfileDecider;
import dev.asof.events.RecordedEvent;
import dev.asof.events.RefusalKind;
import dev.asof.events.Timestamps;
import dev.asof.events.UnmergeProfiles;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.submission.Submission;
import dev.asof.submission.SubmissionMapping;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * Merge and unmerge: what the log has recorded so far of the identities involved, folded at the effective time,
 * decided by {@link ProfileDecider}; an accepted event goes through the one write port ({@link
 * ProfileEventSubmitter}), so the ledger, acks=all and the breaker hold as for every writer. A refusal is a
 * problem {@code /problems/<kind>} with the kind's status; nothing is written.
 *
 * <p>Concurrent commands: the command holds the leases ({@link IdentityLocks}) of every identity its decision reads,
 * from before it reads until the log writer has logged its event, so of two commands that share an identity the
 * second decides on the first's event (two merges of A into different identities, or A into B and B into A, cannot
 * both be accepted). An event acknowledged by Kafka but not logged within {@code settleTimeout} leaves its leases to
 * run out; the answer is still {@code 202}, since the event is safe in Kafka.
 */
public class IdentityCommands {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityCommands.class);

    /** The Kafka source header and metrics tag of events this service writes. */
    static final String SOURCE = "merge";

    /** How often a command looks whether its event is logged yet. */
    private static final Duration SETTLE_POLL = Duration.ofMillis(50);

    /** Rounds of "read, then take the leases of identities the read found" before giving up as busy. */
    private static final int LOCK_ROUNDS = 8;

    private final IdentityLog log;
    private final ProfileEventSubmitter submitter;
    private final IdentityLocks locks;
    private final Retry settle;
    private final MeterRegistry meters;
    private final ErasedIdentities erased;
    private final PendingErasures pendingErasures;
    private final Clock clock;

    public IdentityCommands(
            IdentityLog log,
            ProfileEventSubmitter submitter,
            IdentityLocks locks,
            IdentityProperties properties,
            MeterRegistry meters,
            ErasedIdentities erased,
            PendingErasures pendingErasures,
            Clock clock) {
        this.erased = erased;
        this.pendingErasures = pendingErasures;
        this.clock = clock;
        this.log = log;
        this.submitter = submitter;
        this.locks = locks;
        this.meters = meters;
        this.settle = Retry.of(
                "identity-settle",
                RetryConfig.<Boolean>custom()
                        .maxAttempts(
                                (int) Math.max(1, properties.settleTimeout().toMillis() / SETTLE_POLL.toMillis()))
                        .waitDuration(SETTLE_POLL)
                        .retryOnResult(logged -> !logged)
                        .retryOnException(failed -> false)
                        .build());
    }

    /** What a {@code 202} says: the event written (or recognised as written before). */
    public record Written(String eventId, String mergedInto, String mergedFrom, String effectiveAt) {}

    /**
     * @param effectiveNow the caller gave no effective time: the command takes effect when it holds its leases (its
     *     {@code effectiveAt} is ignored), so commands on one identity take effect in the order they run
     */
    public Written merge(MergeProfiles command, boolean effectiveNow, String idempotencyScope, String correlationId) {
        return decideAndWrite(
                command.eventId(),
                command.mergedFrom(),
                command.mergedInto(),
                effectiveNow ? null : command.effectiveAt(),
                (at, known) -> ProfileDecider.decide(command.at(at), known),
                idempotencyScope,
                correlationId);
    }

    /** As {@link #merge}. */
    public Written unmerge(
            UnmergeProfiles command, boolean effectiveNow, String idempotencyScope, String correlationId) {
        return decideAndWrite(
                command.eventId(),
                command.mergedFrom(),
                command.mergedInto(),
                effectiveNow ? null : command.effectiveAt(),
                (at, known) -> ProfileDecider.decide(command.at(at), known),
                idempotencyScope,
                correlationId);
    }

    private Written decideAndWrite(
            String eventId,
            String mergedFrom,
            String mergedInto,
            Instant asked,
            BiFunction<Instant, KnownIdentities, Decision> decide,
            String idempotencyScope,
            String correlationId) {
        List<String> seeds = List.of(mergedFrom, mergedInto);
        try (IdentityLocks.Lease lease = locks.lease(eventId)) {
            // "now" is read once the seeds' leases are held (readUnderLease adds their chains'): commands that waited
            // for one another take effect in the order they ran (read on arrival, an unmerge could take effect before
            // the unmerge it waited for)
            lease.add(seeds);
            Instant effectiveAt = asked != null ? asked : Timestamps.truncate(clock.instant());
            for (String identity : seeds) {
                refuseIfErased(identity, effectiveAt);
            }
            List<RecordedEvent> read = readUnderLease(lease, seeds, effectiveAt);
            refuseIfBeingErased(seeds, read);
            Decision decision = decide.apply(effectiveAt, KnownIdentities.at(effectiveAt, read));
            if (decision instanceof Decision.Refused refused) {
                count("refused", refused.kind().wireName());
                throw new ApiProblemException(Problems.of(
                        HttpStatus.valueOf(refused.kind().status()),
                        refused.kind().wireName(),
                        title(refused.kind()),
                        refused.detail()));
            }
            EventEnvelope event = ((Decision.Accepted) decision).events().get(0);
            // from here the event may reach Kafka even when the answer is an error: keep the leases until logged
            lease.keepUntilExpiry();
            // one event, not a batch: a refusal of the write path (event-id-reused) is the answer itself
            submitter.submit(new Submission(
                    SOURCE,
                    List.of(EventJson.toTree(event)),
                    SubmissionMapping.ENVELOPE,
                    false,
                    idempotencyScope,
                    correlationId));
            if (settle.executeSupplier(() -> log.isLogged(event))) {
                lease.releaseOnClose();
                count("accepted", "logged");
            } else {
                LOG.warn(
                        "a {} was acknowledged by Kafka but not logged within the settle timeout; its identities stay"
                                + " leased until the lease runs out",
                        event.eventType().wireName());
                count("accepted", "unsettled");
            }
            return new Written(
                    event.eventId(), mergedInto, event.customerId(), Timestamps.format(event.timestampUtc()));
        }
    }

    /**
     * An erased identity takes no merge or unmerge at a time its reads answer {@code 410}: before its erasure, or
     * after it until the customer has come back with an event of its own (a probe merged another person into an
     * erased customer, whose profile then read that person's values while its identity answered {@code 410}).
     */
    private void refuseIfErased(String identity, Instant effectiveAt) {
        try {
            erased.check(identity, effectiveAt, after -> log.cameBack(identity, after, effectiveAt, Timestamps.LATEST));
        } catch (SubjectErasedException gone) {
            count("refused", "erased");
            throw new ApiProblemException(Problems.of(
                    HttpStatus.CONFLICT,
                    "erased",
                    "Erased",
                    "customer " + identity + " was erased at " + Timestamps.format(gone.erasedAt())
                            + "; it takes no merge or unmerge before the erasure, nor after it until it has come back"
                            + " with an event of its own"));
        }
    }

    /**
     * An identity the command would link or unlink, or one on their chains, that has an erasure under way takes no
     * merge or unmerge until the erasure ends (an outside probe merged an identity into another at the moment it was
     * asked to be erased; the erasure, resolving its identities a moment before, left the other one readable). Asked
     * under the leases: the erasure resolves its identities under the same leases.
     */
    private void refuseIfBeingErased(List<String> seeds, List<RecordedEvent> read) {
        Set<String> identities = new TreeSet<>(seeds);
        read.forEach(e -> identities.add(e.event().customerId()));
        for (String identity : identities) {
            Optional<String> erasure = pendingErasures.of(identity);
            if (erasure.isPresent()) {
                count("refused", "erasure-in-progress");
                throw new ApiProblemException(Problems.of(
                        HttpStatus.CONFLICT,
                        "erasure-in-progress",
                        "Erasure in progress",
                        "customer " + identity + " is being erased (erasure " + erasure.get() + "); it takes no merge"
                                + " or unmerge while the erasure runs"));
            }
        }
    }

    /**
     * Reads the histories the decision rests on while holding the lease of every identity read: take the leases of
     * A and B, read A, B and their chains, take the leases of any identity the read found on a chain, read again,
     * until the read finds nothing new.
     */
    private List<RecordedEvent> readUnderLease(IdentityLocks.Lease lease, List<String> seeds, Instant effectiveAt) {
        lease.add(seeds);
        for (int round = 0; round < LOCK_ROUNDS; round++) {
            List<RecordedEvent> read = log.chains(seeds, effectiveAt, Timestamps.LATEST);
            Set<String> identities = new TreeSet<>(seeds);
            read.forEach(e -> identities.add(e.event().customerId()));
            if (lease.holds(identities)) {
                return read;
            }
            lease.add(identities);
        }
        count("busy", "chains-changing");
        throw new ApiProblemException(
                Problems.of(
                        HttpStatus.CONFLICT,
                        "identity-busy",
                        "Identity busy",
                        "the merges around " + String.join(" and ", seeds)
                                + " kept changing while this command read them; retry with the same Idempotency-Key"),
                java.util.Map.of("Retry-After", "1"));
    }

    private void count(String outcome, String detail) {
        meters.counter("asof.identity.commands", "outcome", outcome, "detail", detail)
                .increment();
    }

    private static String title(RefusalKind kind) {
        return switch (kind) {
            case PROFILE_NOT_FOUND -> "Profile not found";
            case SELF_MERGE -> "Self-merge";
            case ALREADY_MERGED -> "Already merged";
            case MERGE_CYCLE -> "Merge cycle";
            case NOT_MERGED -> "Not merged";
        };
    }
}
