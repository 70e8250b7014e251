package dev.asof.reconstruction.state;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The in-process copy of the stretches of identities' logs that timelines read ({@code
 * asof.reconstruction.log-segments.*}, see {@link LogSegments}).
 *
 * @param enabled whether stretches are kept (otherwise every timeline page reads the log)
 * @param maxBytes roughly the most memory the kept events take, over all identities ({@link
 *     LogSegments#approximateBytes}); one page holds at most half of it to keep
 * @param maxPerIdentity an identity with more kept events than this is not kept
 * @param maxCatchUp a copy more events behind its identity's view than this is dropped (its next read goes to the
 *     store) instead of being brought up to date
 * @param maxAge the longest a copy is served, counted from its first stretch's read: so a copy of log items an
 *     erasure has since redacted outlives the redaction by at most this, even on an instance that was not told
 */
@Validated
@ConfigurationProperties("asof.reconstruction.log-segments")
public record LogSegmentsProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("32MB") DataSize maxBytes,
        @Min(1) @DefaultValue("20000") int maxPerIdentity,
        @Min(1) @DefaultValue("1000") int maxCatchUp,

        @NotNull @DurationMin(millis = 1) @DefaultValue("1h")
        Duration maxAge) {}
