package dev.asof.reconstruction.state;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The in-process copy of the late arrivals of identities that are read often ({@code asof.reconstruction.late-arrivals.*}).
 *
 * @param enabled whether late arrivals are kept in memory (otherwise every read queries {@code by_lateness})
 * @param maxEvents most late events kept, over all identities
 * @param maxPerIdentity an identity with more late events than this is not kept (its reads query the index)
 * @param maxAge the longest an entry is kept before it is loaded again, and how long after an erasure event none is
 *     kept for the erased identity (the erasure redacts its log meanwhile): so a copy of log items an erasure has
 *     since redacted outlives the redaction by at most this
 */
@Validated
@ConfigurationProperties("asof.reconstruction.late-arrivals")
public record LateArrivalsProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1) @DefaultValue("100000") int maxEvents,
        @Min(1) @DefaultValue("20000") int maxPerIdentity,

        @NotNull @DurationMin(millis = 1) @DefaultValue("1h")
        Duration maxAge) {}
