package dev.asof.reconstruction.history;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The change timeline ({@code asof.history.*}).
 *
 * @param defaultPageSize changes per page when {@code limit} is not given
 * @param maxPageSize the largest {@code limit} accepted
 */
@Validated
@ConfigurationProperties("asof.history")
public record HistoryProperties(
        @Min(1) @Max(1000) @DefaultValue("50") int defaultPageSize,
        @Min(1) @Max(1000) @DefaultValue("200") int maxPageSize) {}
