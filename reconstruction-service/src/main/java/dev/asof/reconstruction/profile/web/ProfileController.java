package dev.asof.reconstruction.profile.web;

import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.reconstruction.integrations.FlatProfiles;
import dev.asof.reconstruction.profile.PointInTimeProfiles;
import dev.asof.reconstruction.profile.ProfileAnswer;
import dev.asof.support.web.ApiExceptionHandler;
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

/**
 * The profile at a point in time ({@code /api/v1/customers/{id}/profile/at/{ts}}, and the short form {@code
 * /profile/at/{ts}?customer_id=} for contact-centre actions that cannot put the id in the path), and the current
 * profile ({@code /api/v1/customers/{id}/profile}).
 */
@RestController
class ProfileController {

    private final PointInTimeProfiles profiles;
    private final FlatProfiles flatProfiles;
    private final Clock clock;

    ProfileController(PointInTimeProfiles profiles, FlatProfiles flatProfiles, Clock clock) {
        this.profiles = profiles;
        this.flatProfiles = flatProfiles;
        this.clock = clock;
    }

    @GetMapping("/api/v1/customers/{customerId}/profile/at/{ts}")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    Object profileAt(
            @PathVariable String customerId,
            @PathVariable String ts,
            @RequestParam(name = "known_at", required = false) String knownAt,
            @RequestParam(name = "view", required = false) String view) {
        boolean flat = isFlat(view);
        return render(at(RequestParameters.customerId("customer_id", customerId), ts, knownAt), flat);
    }

    @GetMapping("/profile/at/{ts}")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    Object profileAtShortForm(
            @RequestParam(name = "customer_id", required = false) String customerId,
            @PathVariable String ts,
            @RequestParam(name = "known_at", required = false) String knownAt,
            @RequestParam(name = "view", required = false) String view) {
        boolean flat = isFlat(view);
        return render(at(RequestParameters.customerId("customer_id", customerId), ts, knownAt), flat);
    }

    @GetMapping("/api/v1/customers/{customerId}/profile")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    Object current(@PathVariable String customerId, @RequestParam(name = "view", required = false) String view) {
        String id = RequestParameters.customerId("customer_id", customerId);
        boolean flat = isFlat(view);
        return render(
                profiles.current(id)
                        .orElseThrow(() -> new ApiProblemException(Problems.of(
                                HttpStatus.NOT_FOUND,
                                "profile-not-found",
                                "No profile",
                                "Customer '" + id + "' has no event yet."))),
                flat);
    }

    /**
     * The answer in the asked view: {@code full} (default) with provenance and how it was computed, or {@code
     * flat}, one object of strings for Genesys data actions and CXone Studio (see {@link FlatProfiles}).
     */
    private Object render(ProfileAnswer answer, boolean flat) {
        return flat ? flatProfiles.flatten(answer) : PointInTimeProfile.of(answer);
    }

    /** Checked before any read, so a wrong view is a 400 whether or not the customer exists. */
    private static boolean isFlat(String view) {
        if (view == null || view.equals("full")) {
            return false;
        }
        if (view.equals("flat")) {
            return true;
        }
        throw new ApiProblemException(ApiExceptionHandler.invalid(List.of(
                new Violation("view", "enum", "view must be 'full' (the default) or 'flat', not '" + view + "'"))));
    }

    private ProfileAnswer at(String customerId, String ts, String knownAt) {
        Instant validAt = RequestParameters.instant("ts", ts);
        Instant now = Timestamps.truncate(clock.instant());
        // nothing is recorded after now yet: a K in the future is read, and answered, as now (it was echoed as asked,
        // and the same question later answered otherwise)
        Instant asked = knownAt == null ? now : RequestParameters.instant("known_at", knownAt);
        Instant known = asked.isAfter(now) ? now : asked;
        return profiles.reconstructAt(customerId, validAt, known)
                .orElseThrow(() -> new ApiProblemException(Problems.of(
                        HttpStatus.NOT_FOUND,
                        "profile-not-found",
                        "No profile at that time",
                        "Customer '" + customerId + "' has no event at or before " + Timestamps.format(validAt)
                                + " known at " + Timestamps.format(known) + ".")));
    }
}
