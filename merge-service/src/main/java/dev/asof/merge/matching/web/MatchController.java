package dev.asof.merge.matching.web;

import dev.asof.events.RecordedEvent;
import dev.asof.events.RefusalKind;
import dev.asof.events.Timestamps;
import dev.asof.matching.Candidate;
import dev.asof.matching.Evidence;
import dev.asof.matching.MatchFields;
import dev.asof.matching.MatchRecord;
import dev.asof.matching.MatchSettings;
import dev.asof.merge.identity.ErasedIdentities;
import dev.asof.merge.identity.Identity;
import dev.asof.merge.identity.IdentityLog;
import dev.asof.merge.matching.MatchIndex;
import dev.asof.merge.matching.MatchLookup;
import dev.asof.merge.matching.MatchingProperties;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import dev.asof.support.web.RequestBodies;
import dev.asof.support.web.RequestParameters;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Match suggestions: {@code POST /api/v1/match} for attributes an interaction brings (a caller's number, a chat's
 * email), and {@code GET /api/v1/customers/{id}/match-candidates} for a known profile. Both answer the best
 * candidates, each with its score, its decision band and the per-field evidence. {@code view=flat} gives the
 * best candidate as flat strings for a Genesys data action or a CXone Studio REST action.
 */
@RestController
@PreAuthorize("hasAuthority('SCOPE_profile:read')")
class MatchController {

    private final MatchLookup lookup;
    private final MatchIndex index;
    private final IdentityLog identities;
    private final MatchingProperties properties;
    private final MatchSettings settings;
    private final Clock clock;
    private final ErasedIdentities erased;

    MatchController(
            MatchLookup lookup,
            MatchIndex index,
            IdentityLog identities,
            MatchingProperties properties,
            MatchSettings settings,
            ErasedIdentities erased,
            Clock clock) {
        this.erased = erased;
        this.lookup = lookup;
        this.index = index;
        this.identities = identities;
        this.properties = properties;
        this.settings = settings;
        this.clock = clock;
    }

    /** The answer: candidates, best first. */
    record MatchAnswer(List<CandidateAnswer> candidates) {}

    record CandidateAnswer(
            String customerId, String matchedCustomerId, double score, String decision, List<Evidence> evidence) {}

    /** The flat answer, strings only, for contact-centre actions. */
    record FlatAnswer(String bestCustomerId, String bestScore, String bestDecision, String candidateCount) {}

    @PostMapping(path = "/api/v1/match", consumes = MediaType.APPLICATION_JSON_VALUE)
    Object match(@RequestBody byte[] bytes, @RequestParam(name = "view", required = false) String view) {
        boolean flat = flat(view);
        MatchRequest request =
                MatchRequest.parse(RequestBodies.utf8(bytes), properties.catalog(), properties.maxLimit());
        MatchRecord query = MatchFields.from("", request.attributes(), properties.catalog(), settings);
        int limit = request.limit() == null ? properties.defaultLimit() : request.limit();
        return answer(lookup.candidates(query, Set.of(), limit), flat);
    }

    @GetMapping("/api/v1/customers/{id}/match-candidates")
    Object candidates(
            @PathVariable("id") String id,
            @RequestParam(name = "limit", required = false) String limitText,
            @RequestParam(name = "view", required = false) String view) {
        boolean flat = flat(view);
        String customerId = RequestParameters.customerId("id", id);
        int limit = limit(limitText);
        Instant now = clock.instant();
        List<RecordedEvent> group = identities.identityGroup(customerId, now, Timestamps.LATEST);
        erased.check(customerId, now, after -> identities.cameBack(customerId, after, now, Timestamps.LATEST));
        if (!identities.hasEvents(customerId, null, Timestamps.LATEST, true)) {
            throw new ApiProblemException(Problems.of(
                    HttpStatus.NOT_FOUND,
                    RefusalKind.PROFILE_NOT_FOUND.wireName(),
                    "Profile not found",
                    customerId + " has no events"));
        }
        Identity identity = Identity.of(customerId, now, group);
        Set<String> members = new TreeSet<>(identity.members());
        MatchRecord query = union(customerId, index.findAll(members).values());
        return answer(lookup.candidates(query, members, limit), flat);
    }

    private Object answer(List<MatchLookup.Suggestion> suggestions, boolean flat) {
        if (flat) {
            if (suggestions.isEmpty()) {
                return new FlatAnswer("", "0", "none", "0");
            }
            MatchLookup.Suggestion best = suggestions.get(0);
            return new FlatAnswer(
                    best.customerId(),
                    String.format(Locale.ROOT, "%.4f", best.candidate().score()),
                    wire(best.candidate()),
                    Integer.toString(suggestions.size()));
        }
        List<CandidateAnswer> candidates = new ArrayList<>();
        for (MatchLookup.Suggestion suggestion : suggestions) {
            Candidate candidate = suggestion.candidate();
            candidates.add(new CandidateAnswer(
                    suggestion.customerId(),
                    suggestion.matchedCustomerId(),
                    Math.round(candidate.score() * 10_000) / 10_000.0,
                    wire(candidate),
                    candidate.evidence()));
        }
        return new MatchAnswer(candidates);
    }

    /** The match fields of a merged profile: every member's phones and emails; names and dates from the first set. */
    private static MatchRecord union(String customerId, java.util.Collection<MatchIndex.Indexed> members) {
        Set<String> phones = new TreeSet<>();
        Set<String> emails = new TreeSet<>();
        String first = null;
        String last = null;
        String postcode = null;
        LocalDate born = null;
        List<MatchIndex.Indexed> ordered = new ArrayList<>(members);
        // the identity asked about first, then the others in id order: its own name wins
        ordered.sort(java.util.Comparator.comparing(
                        (MatchIndex.Indexed m) -> !m.customerId().equals(customerId))
                .thenComparing(MatchIndex.Indexed::customerId));
        for (MatchIndex.Indexed member : ordered) {
            MatchRecord record = member.record();
            phones.addAll(record.phones());
            emails.addAll(record.emails());
            first = first != null ? first : record.firstName();
            last = last != null ? last : record.lastName();
            postcode = postcode != null ? postcode : record.postcode();
            born = born != null ? born : record.dateOfBirth();
        }
        return new MatchRecord(customerId, phones, emails, first, last, postcode, born);
    }

    private int limit(String text) {
        if (text == null) {
            return properties.defaultLimit();
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= properties.maxLimit()) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // the problem below
        }
        throw RequestParameters.invalid(
                "limit", "range", "limit must be an integer from 1 to " + properties.maxLimit());
    }

    private static boolean flat(String view) {
        if (view == null || view.equals("full")) {
            return false;
        }
        if (view.equals("flat")) {
            return true;
        }
        throw RequestParameters.invalid("view", "enum", "view must be full (the default) or flat");
    }

    private static String wire(Candidate candidate) {
        return candidate.decision().name().toLowerCase(Locale.ROOT);
    }
}
