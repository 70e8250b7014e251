package dev.asof.reconstruction.warmup;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The read path's warm-up after a start ({@code asof.reconstruction.warm-up.*}; {@link ReadWarmUp}).
 *
 * @param enabled whether the service reads one identity's timeline and profile in the background after it starts
 * @param changes the most changes of that timeline read (pages of 1,000)
 */
@Validated
@ConfigurationProperties("asof.reconstruction.warm-up")
public record WarmUpProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1) @Max(100_000) @DefaultValue("10000") int changes) {}
