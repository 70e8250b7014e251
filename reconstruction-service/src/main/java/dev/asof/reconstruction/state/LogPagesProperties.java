package dev.asof.reconstruction.state;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Packed pages of identities' logs for timelines ({@code asof.reconstruction.log-pages.*}; {@link PagedLog}, {@link
 * dev.asof.support.storage.LogPages}).
 *
 * @param enabled whether timelines read the pages and the snapshot follower writes them
 * @param eventsPerPage a page is cut once it holds this many events (at the next change of valid time); an identity
 *     gets its next page once this many more of its events went by on the topic
 * @param maxLateArrivals a timeline range read from pages also reads the identity's late arrivals; with more than this
 *     many of them it reads the log instead
 */
@Validated
@ConfigurationProperties("asof.reconstruction.log-pages")
public record LogPagesProperties(
        @DefaultValue("true") boolean enabled,
        @Min(10) @Max(10_000) @DefaultValue("1000") int eventsPerPage,
        @Min(0) @DefaultValue("2000") int maxLateArrivals) {}
