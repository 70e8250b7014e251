package dev.asof.console;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code asof.console.*}: where the services are, the console's own API key, the local operators, and the limits of
 * a page.
 *
 * @param ingestionUrl ingestion-service (campaigns)
 * @param reconstructionUrl reconstruction-service (profiles, history)
 * @param mergeUrl merge-service (identity, match, erasure)
 * @param apiKey the console's API key: {@code profile:read}, and {@code gdpr:erase} for the privacy pages
 * @param requestTimeout how long one call to a service may take before the page says it is unavailable
 * @param timelineMaxChanges the most changes one timeline shows (the read stops there; pages in flight may fetch a few thousand more, not shown); beyond it the page asks to
 *     zoom in
 * @param users local operator accounts; empty when only OpenID Connect signs people in
 * @param timelineTimeout the longest one timeline (all its history pages) may take to read; what was read by then is
 *     drawn, marked as cut short
 * @param readThreads threads that read the panels of pages at once (the timeline beside the profiles),
 *     and as many again for the slices of timelines
 * @param timelineSlices at most how many valid-time ranges of a timeline longer than its first history page (200
 *     changes) are read at once: as many as keep each range to about 800 changes at the first page's pace, at least
 *     2; 1 reads page after page (of 1,000). Pages of sliced reads in flight, over all users: at most this many
 * @param oidcRolesClaim the ID-token or user-info claim whose values name the console roles ({@code auditor},
 *     {@code privacy-officer})
 * @param warmUpChanges the changes of the made-up timeline the console draws when it starts, so the first long
 *     timeline a person opens is drawn by compiled code ({@code TimelineWarmUp}); 0: none
 */
@Validated
@ConfigurationProperties("asof.console")
public record ConsoleProperties(
        @NotNull @DefaultValue("http://localhost:8081") URI ingestionUrl,
        @NotNull @DefaultValue("http://localhost:8082") URI reconstructionUrl,
        @NotNull @DefaultValue("http://localhost:8083") URI mergeUrl,
        @NotBlank String apiKey,
        @NotNull @DefaultValue("10s") Duration requestTimeout,
        @Min(200) @Max(100_000) @DefaultValue("20000") int timelineMaxChanges,
        @NotNull @DefaultValue("30s") Duration timelineTimeout,
        @Valid @DefaultValue List<User> users,
        @Min(2) @Max(256) @DefaultValue("16") int readThreads,
        @Min(1) @Max(16) @DefaultValue("16") int timelineSlices,
        @NotBlank @DefaultValue("roles") String oidcRolesClaim,
        @Min(0) @Max(100_000) @DefaultValue("10000") int warmUpChanges) {

    /**
     * A local operator.
     *
     * @param username the sign-in name
     * @param passwordHash the password hashed in Spring Security's format, e.g. {@code {bcrypt}$2a$10$...}
     * @param roles {@code auditor} and/or {@code privacy-officer}
     */
    public record User(
            @NotBlank String username,
            @NotBlank String passwordHash,
            @NotNull List<Role> roles) {

        @Override
        public String toString() {
            return "User[" + username + ", " + roles + "]";
        }
    }

    @Override
    public String toString() {
        return "ConsoleProperties[" + ingestionUrl + ", " + reconstructionUrl + ", " + mergeUrl + ", users=" + users
                + "]";
    }
}
