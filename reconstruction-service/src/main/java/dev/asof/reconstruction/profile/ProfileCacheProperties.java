package dev.asof.reconstruction.profile;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The in-process cache of settled point-in-time answers ({@code asof.reconstruction.cache.*}).
 *
 * @param enabled whether answers are cached (and the topic followed to invalidate them)
 * @param maxEntries most answers kept
 * @param expireAfterAccess an answer not asked for this long is dropped; settled answers never go stale, so this
 *     only bounds memory
 */
@Validated
@ConfigurationProperties("asof.reconstruction.cache")
public record ProfileCacheProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1) @DefaultValue("10000") int maxEntries,
        @NotNull @DefaultValue("1h") Duration expireAfterAccess) {}
