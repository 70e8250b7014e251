package dev.asof.merge.erasure;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One erasure request and how far it got.
 *
 * @param erasureId its id
 * @param customerId the customer asked to be erased
 * @param reason why (kept with the request, never in an event)
 * @param requestedBy who asked (kept with the request, never in an event)
 * @param requestedAt when; the erasure events are stamped with it
 * @param state {@code pending}, {@code running}, {@code completed} or {@code failed}
 * @param step the next step to run ({@link Step})
 * @param identities the data subject's identities: the customer and every identity in its current merged group;
 *     empty until resolved
 * @param keysDestroyedAt when the last data key was destroyed; {@code null} before
 * @param completedAt when it ended; {@code null} before
 * @param proof what each step did and what the verification scan found, as JSON; {@code null} before the scan
 * @param error why it failed or is retrying, without any value; {@code null} when nothing went wrong
 */
public record Erasure(
        String erasureId,
        String customerId,
        String reason,
        String requestedBy,
        Instant requestedAt,
        String state,
        Step step,
        List<String> identities,
        Instant keysDestroyedAt,
        Instant completedAt,
        String proof,
        String error) {

    /** The steps, in order; each is idempotent, so a crash anywhere resumes at the step it was in. */
    public enum Step {
        RESOLVE,
        APPEND,
        DESTROY_KEYS,
        DRAIN,
        REENCRYPT,
        REDACT,
        PURGE_KEYS,
        DROP_INDEXES,
        SCAN,
        DONE
    }

    public Erasure {
        Objects.requireNonNull(erasureId, "erasureId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(step, "step");
        identities = identities == null ? List.of() : List.copyOf(identities);
    }

    public boolean finished() {
        return state.equals("completed") || state.equals("failed");
    }

    Erasure at(Step next, String nextState) {
        return copy(nextState, next, identities, keysDestroyedAt, completedAt, proof, null);
    }

    Erasure withIdentities(List<String> resolved) {
        return copy(state, step, resolved, keysDestroyedAt, completedAt, proof, error);
    }

    Erasure withKeysDestroyedAt(Instant destroyed) {
        return copy(state, step, identities, destroyed, completedAt, proof, error);
    }

    Erasure withProof(String json) {
        return copy(state, step, identities, keysDestroyedAt, completedAt, json, error);
    }

    Erasure ended(String finalState, Instant at, String finalProof) {
        return copy(finalState, Step.DONE, identities, keysDestroyedAt, at, finalProof, error);
    }

    Erasure withError(String message) {
        return copy(state, step, identities, keysDestroyedAt, completedAt, proof, message);
    }

    /** This request with its progress replaced; the request itself (id, customer, reason, who, when) stays. */
    private Erasure copy(
            String nextState,
            Step nextStep,
            List<String> nextIdentities,
            Instant nextKeysDestroyedAt,
            Instant nextCompletedAt,
            String nextProof,
            String nextError) {
        return new Erasure(
                erasureId,
                customerId,
                reason,
                requestedBy,
                requestedAt,
                nextState,
                nextStep,
                nextIdentities,
                nextKeysDestroyedAt,
                nextCompletedAt,
                nextProof,
                nextError);
    }
}
