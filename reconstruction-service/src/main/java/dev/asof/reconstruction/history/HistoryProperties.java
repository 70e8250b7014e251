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
 * @param maxMembers the most identities ever merged into the asked one (transitively) that one page reads; a
 *     timeline with more is refused ({@code 422 /problems/too-many-members}), so a page's reads and memory stay
 *     bounded
 */
@Validated
@ConfigurationProperties("asof.history")
public record HistoryProperties(
        @Min(1) @Max(1000) @DefaultValue("50") int defaultPageSize,
        @Min(1) @Max(1000) @DefaultValue("1000") int maxPageSize,
        @Min(0) @Max(1000) @DefaultValue("100") int maxMembers) {}
