package dev.asof.submission;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What happened to one submitted event.
 *
 * @param index position in the request (0 for a single event)
 * @param eventId the event's id (derived deterministically when the source sent none)
 * @param status {@code accepted}, {@code duplicate}, {@code ignored} or {@code rejected}
 * @param reason why it was a duplicate, ignored or rejected
 * @param late {@code true} when accepted although stamped well before it arrived
 * @param errors the broken rules of a rejected event, the first {@value #MAX_ERRORS} of them
 * @param errorsTotal how many rules it broke in all, when that is more than {@code errors} lists
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubmissionResult(
        int index,
        String eventId,
        String status,
        String reason,
        Boolean late,
        List<Map<String, String>> errors,
        Integer errorsTotal) {

    /** The most errors listed per event of a batch, so 500 broken events still make a bounded answer. */
    static final int MAX_ERRORS = 10;

    static SubmissionResult accepted(int index, String eventId, boolean late) {
        return new SubmissionResult(index, eventId, "accepted", null, late ? Boolean.TRUE : null, null, null);
    }

    static SubmissionResult duplicate(int index, String eventId) {
        return new SubmissionResult(index, eventId, "duplicate", "already accepted", null, null, null);
    }

    static SubmissionResult ignored(int index, String eventId, String reason) {
        return new SubmissionResult(index, eventId, "ignored", reason, null, null, null);
    }

    static SubmissionResult rejected(int index, String eventId, String reason, List<Map<String, String>> errors) {
        return new SubmissionResult(
                index,
                eventId,
                "rejected",
                reason,
                null,
                errors.size() > MAX_ERRORS ? List.copyOf(errors.subList(0, MAX_ERRORS)) : errors,
                errors.size() > MAX_ERRORS ? errors.size() : null);
    }
}
