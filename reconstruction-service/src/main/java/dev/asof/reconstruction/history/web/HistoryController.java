package dev.asof.reconstruction.history.web;

import dev.asof.events.AttributeKeys;
import dev.asof.events.Timestamps;
import dev.asof.reconstruction.history.HistoryPage;
import dev.asof.reconstruction.history.HistoryProperties;
import dev.asof.reconstruction.history.HistoryQuery;
import dev.asof.reconstruction.history.ProfileHistory;
import dev.asof.reconstruction.history.TooManyMembersException;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import dev.asof.support.web.RequestParameters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/customers/{id}/history}: a customer's change timeline across merges, a page at a time. */
@RestController
class HistoryController {

    /** How far another replica's clock may be ahead of this one's, for the {@code known_at} of its cursors. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final ProfileHistory history;
    private final HistoryProperties properties;
    private final Clock clock;

    HistoryController(ProfileHistory history, HistoryProperties properties, Clock clock) {
        this.history = history;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/api/v1/customers/{customerId}/history")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    HistoryResponse history(
            @PathVariable String customerId,
            @RequestParam(name = "attribute", required = false) String attribute,
            @RequestParam(name = "from", required = false) String fromText,
            @RequestParam(name = "to", required = false) String toText,
            @RequestParam(name = "known_at", required = false) String knownAtText,
            @RequestParam(name = "limit", required = false) String limitText,
            @RequestParam(name = "cursor", required = false) String cursorText) {
        String id = RequestParameters.customerId("customer_id", customerId);
        if (attribute != null && !AttributeKeys.isValid(attribute)) {
            throw RequestParameters.invalid(
                    "attribute",
                    "pattern",
                    "'" + attribute + "' is not an attribute key (" + AttributeKeys.PATTERN + ")");
        }
        Instant from = RequestParameters.optionalInstant("from", fromText);
        Instant to = RequestParameters.optionalInstant("to", toText);
        if (from != null && to != null && from.isAfter(to)) {
            throw RequestParameters.invalid("from", "range", "from is after to");
        }
        Instant knownAt = RequestParameters.optionalInstant("known_at", knownAtText);
        int pageSize = RequestParameters.limit(limitText, properties.defaultPageSize(), properties.maxPageSize());
        HistoryCursor cursor = null;
        if (cursorText != null) {
            cursor = HistoryCursor.decode(cursorText)
                    .orElseThrow(() -> RequestParameters.invalid(
                            "cursor", "cursor", "not a cursor from a previous page of this endpoint"));
            if (!cursor.continues(id, attribute, from, to, knownAt)) {
                throw RequestParameters.invalid(
                        "cursor",
                        "cursor",
                        "the cursor continues another question; repeat customer, attribute, from, to and known_at"
                                + " exactly as on the first page (or leave known_at out)");
            }
        }
        Instant knownAtAsked = null;
        if (cursor != null) {
            if (cursor.knownAt().isAfter(clock.instant().plus(CLOCK_SKEW))) {
                // a page is read as of its now at the latest: this cursor was made up, and would read past now
                throw RequestParameters.invalid(
                        "cursor", "cursor", "not a cursor from a previous page of this endpoint (known_at after now)");
            }
            knownAt = cursor.knownAt();
            knownAtAsked = cursor.knownAtAsked();
        } else {
            Instant now = Timestamps.truncate(clock.instant());
            if (knownAt == null) {
                knownAt = now;
            } else if (knownAt.isAfter(now)) {
                // nothing is recorded after now yet: read as of now, on every page of the walk (a walk as of a future
                // K saw events recorded between its pages and skipped changes)
                knownAtAsked = knownAt;
                knownAt = now;
            }
        }
        HistoryPage page;
        try {
            page = history.page(new HistoryQuery(
                    id, attribute, from, to, knownAt, pageSize, cursor == null ? null : cursor.after()));
        } catch (TooManyMembersException tooMany) {
            throw tooManyMembers(tooMany);
        }
        // the K the page is exact for (the latest recording when every view stops before K): the walk goes on as
        // of it, and a client that repeats the known_at it asked on the next pages is still understood
        if (page.knownAt().isBefore(knownAt)) {
            if (knownAtAsked == null) {
                knownAtAsked = knownAtText == null ? null : knownAt;
            }
            knownAt = page.knownAt();
        }
        String next = page.next() == null
                ? null
                : new HistoryCursor(id, attribute, from, to, knownAt, knownAtAsked, page.next()).encode();
        return new HistoryResponse(
                id,
                attribute,
                HistoryResponse.format(from),
                HistoryResponse.format(to),
                Timestamps.format(knownAt),
                page.changes().stream().map(HistoryResponse.Change::of).toList(),
                next);
    }

    /** The {@code 422} of a timeline with more identities merged in than {@code asof.history.max-members}. */
    static ApiProblemException tooManyMembers(TooManyMembersException tooMany) {
        ProblemDetail problem = Problems.of(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "too-many-members",
                "Too many merged identities",
                "customer_id: more than " + tooMany.maxMembers()
                        + " identities were merged into this customer (asof.history.max-members); its timeline"
                        + " is not read. Ask for the timelines of its members one by one.");
        problem.setProperty("pointer", "customer_id");
        problem.setProperty("max_members", tooMany.maxMembers());
        return new ApiProblemException(problem);
    }
}
