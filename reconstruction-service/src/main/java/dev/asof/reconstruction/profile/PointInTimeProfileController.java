package dev.asof.reconstruction.profile;

import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.support.web.ApiExceptionHandler;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/customers/{id}/profile/at/{ts}}: the profile at a point in time. */
@RestController
class PointInTimeProfileController {

    static final String ACCEPTED_FORMS =
            "an ISO-8601 instant with Z or an offset (2026-11-26T14:30:05Z, 2026-11-26T15:30:05+01:00)"
                    + " or epoch milliseconds (1795703405000)";

    private final PointInTimeProfiles profiles;
    private final Clock clock;

    PointInTimeProfileController(PointInTimeProfiles profiles, Clock clock) {
        this.profiles = profiles;
        this.clock = clock;
    }

    @GetMapping("/api/v1/customers/{customerId}/profile/at/{ts}")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    PointInTimeProfile profileAt(
            @PathVariable String customerId,
            @PathVariable String ts,
            @RequestParam(name = "known_at", required = false) String knownAt) {
        Instant validAt = instant("ts", ts);
        Instant known = knownAt == null ? Timestamps.truncate(clock.instant()) : instant("known_at", knownAt);
        return profiles.reconstructAt(customerId, validAt, known)
                .orElseThrow(() -> new ApiProblemException(Problems.of(
                        HttpStatus.NOT_FOUND,
                        "profile-not-found",
                        "No profile at that time",
                        "Customer '" + customerId + "' has no event at or before " + Timestamps.format(validAt)
                                + " known at " + Timestamps.format(known) + ".")));
    }

    /** Parses an instant in one of the {@link #ACCEPTED_FORMS}. */
    static Instant instant(String name, String text) {
        Optional<Instant> parsed = text.chars().allMatch(Character::isDigit) && !text.isEmpty() && text.length() <= 15
                ? Optional.of(Instant.ofEpochMilli(Long.parseLong(text)))
                : Timestamps.parse(text);
        return parsed.orElseThrow(() -> new ApiProblemException(ApiExceptionHandler.invalid(List.of(new Violation(
                name, "timestamp", "'" + text + "' is not a valid " + name + "; use " + ACCEPTED_FORMS)))));
    }
}
