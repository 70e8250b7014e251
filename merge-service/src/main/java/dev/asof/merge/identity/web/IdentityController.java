package dev.asof.merge.identity.web;

import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.events.RefusalKind;
import dev.asof.events.Timestamps;
import dev.asof.merge.identity.ErasedIdentities;
import dev.asof.merge.identity.Identity;
import dev.asof.merge.identity.IdentityLog;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import dev.asof.support.web.RequestParameters;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/v1/customers/{id}/identity?at=&known_at=}: who a customer was, through merges. */
@RestController
@PreAuthorize("hasAuthority('SCOPE_profile:read')")
class IdentityController {

    private final IdentityLog log;
    private final ErasedIdentities erased;
    private final Clock clock;

    IdentityController(IdentityLog log, ErasedIdentities erased, Clock clock) {
        this.log = log;
        this.erased = erased;
        this.clock = clock;
    }

    /** The answer, as documented in {@code docs/identity.md}. */
    record IdentityAnswer(
            String customerId, String resolvedCustomerId, List<String> members, List<LineageEntry> lineage) {}

    /**
     * One merge or unmerge: {@code reason}, {@code decided_by} and {@code evidence} are {@code null} for events of
     * schema version 1 and when the command left them out.
     */
    record LineageEntry(
            String eventId,
            String eventType,
            String mergedFrom,
            String mergedInto,
            String timestampUtc,
            String recordedAt,
            String decidedBy,
            String reason,
            JsonNode evidence) {}

    @GetMapping("/api/v1/customers/{id}/identity")
    IdentityAnswer identity(
            @PathVariable("id") String id,
            @RequestParam(name = "at", required = false) String at,
            @RequestParam(name = "known_at", required = false) String knownAt) {
        String customerId = RequestParameters.customerId("id", id);
        Instant now = clock.instant();
        Instant validAt = orNow(RequestParameters.optionalInstant("at", at), now);
        Instant known = orNow(RequestParameters.optionalInstant("known_at", knownAt), now);
        // merges, unmerges and erasures only: a customer's attribute changes (thousands, maybe) never decide who it is
        List<RecordedEvent> group = log.identityGroup(customerId, validAt, known);
        // back by the time asked, as the profile read at that time decides it (a return later in valid time made the
        // identity answer 200 where the profile answered 410)
        erased.check(customerId, validAt, after -> log.cameBack(customerId, after, validAt, known));
        if (!log.hasEvents(customerId, null, known, true)) {
            throw new ApiProblemException(Problems.of(
                    HttpStatus.NOT_FOUND,
                    RefusalKind.PROFILE_NOT_FOUND.wireName(),
                    "Profile not found",
                    customerId + " has no events (as known at " + Timestamps.format(known) + ")"));
        }
        Identity identity = Identity.of(customerId, validAt, group);
        return new IdentityAnswer(
                identity.customerId(),
                identity.resolvedCustomerId(),
                identity.members(),
                identity.lineage().stream().map(IdentityController::entry).toList());
    }

    private static LineageEntry entry(RecordedEvent recorded) {
        var event = recorded.event();
        // Identity's lineage holds only merges and unmerges
        String recordedAt = Timestamps.format(Hlc.toInstant(recorded.recordedAt()));
        if (event.payload() instanceof ProfileMerged merged) {
            return new LineageEntry(
                    event.eventId(),
                    event.eventType().wireName(),
                    merged.mergedFrom(),
                    merged.mergedInto(),
                    Timestamps.format(event.timestampUtc()),
                    recordedAt,
                    merged.decidedBy(),
                    merged.reason(),
                    json(merged.evidence()));
        }
        ProfileUnmerged unmerged = (ProfileUnmerged) event.payload();
        return new LineageEntry(
                event.eventId(),
                event.eventType().wireName(),
                unmerged.mergedFrom(),
                unmerged.mergedInto(),
                Timestamps.format(event.timestampUtc()),
                recordedAt,
                unmerged.decidedBy(),
                unmerged.reason(),
                json(unmerged.evidence()));
    }

    private static JsonNode json(String compact) {
        return compact == null ? null : EventJson.mapper().readTree(compact);
    }

    private static Instant orNow(Instant instant, Instant now) {
        return instant == null ? now : instant;
    }
}
