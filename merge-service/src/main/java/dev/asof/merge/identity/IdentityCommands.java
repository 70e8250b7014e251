package dev.asof.merge.identity;

import dev.asof.events.Decision;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.KnownIdentities;
import dev.asof.events.MergeProfiles;
import dev.asof.events.ProfileDecider;
import dev.asof.events.RefusalKind;
import dev.asof.events.Timestamps;
import dev.asof.events.UnmergeProfiles;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.submission.Submission;
import dev.asof.submission.SubmissionMapping;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * Merge and unmerge: what the log has recorded so far of the identities involved, folded at the effective time,
 * decided by {@link ProfileDecider}; an accepted event goes through the one write port ({@link
 * ProfileEventSubmitter}), so the ledger, acks=all and the breaker hold as for every writer. A refusal is a
 * problem {@code /problems/<kind>} with the kind's status; nothing is written.
 */
public class IdentityCommands {

    /** The Kafka source header and metrics tag of events this service writes. */
    static final String SOURCE = "merge";

    private final IdentityLog log;
    private final ProfileEventSubmitter submitter;

    public IdentityCommands(IdentityLog log, ProfileEventSubmitter submitter) {
        this.log = log;
        this.submitter = submitter;
    }

    /** What a {@code 202} says: the event written (or recognised as written before). */
    public record Written(String eventId, String mergedInto, String mergedFrom, String effectiveAt) {}

    public Written merge(MergeProfiles command, String idempotencyScope, String correlationId) {
        KnownIdentities known = known(command.mergedFrom(), command.mergedInto(), command.effectiveAt());
        return write(ProfileDecider.decide(command, known), command.mergedInto(), idempotencyScope, correlationId);
    }

    public Written unmerge(UnmergeProfiles command, String idempotencyScope, String correlationId) {
        KnownIdentities known = known(command.mergedFrom(), command.mergedInto(), command.effectiveAt());
        return write(ProfileDecider.decide(command, known), command.mergedInto(), idempotencyScope, correlationId);
    }

    /** A, B and their chains at the effective time, with everything recorded so far. */
    private KnownIdentities known(String mergedFrom, String mergedInto, Instant effectiveAt) {
        return KnownIdentities.at(
                effectiveAt, log.chains(List.of(mergedFrom, mergedInto), effectiveAt, Timestamps.LATEST));
    }

    private Written write(Decision decision, String mergedInto, String idempotencyScope, String correlationId) {
        if (decision instanceof Decision.Refused refused) {
            throw new ApiProblemException(Problems.of(
                    HttpStatus.valueOf(refused.kind().status()),
                    refused.kind().wireName(),
                    title(refused.kind()),
                    refused.detail()));
        }
        EventEnvelope event = ((Decision.Accepted) decision).events().get(0);
        // one event, not a batch: a refusal of the write path (event-id-reused) is the answer itself
        submitter.submit(new Submission(
                SOURCE,
                List.of(EventJson.toTree(event)),
                SubmissionMapping.ENVELOPE,
                false,
                idempotencyScope,
                correlationId));
        return new Written(event.eventId(), mergedInto, event.customerId(), Timestamps.format(event.timestampUtc()));
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
