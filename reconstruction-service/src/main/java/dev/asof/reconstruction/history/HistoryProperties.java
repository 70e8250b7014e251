package dev.asof.reconstruction.history;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
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
 * @param marksMaxChanges the most changes one {@code history/marks} answer reads (the window's and those after
 *     it); a request may ask fewer with {@code max_changes}. The changes read are held until the answer is written
 * @param marksTimeout how long one {@code history/marks} answer may read; what was read by then is summed up and the
 *     answer says it was cut short. Below the console's {@code request-timeout} (10 s), so that it gets the answer
 * @param marksThreads threads that read the valid-time ranges of {@code history/marks} answers, shared by every
 *     request ({@link TimelineMarksReader}); they mostly wait for the store's guarded reads
 * @param marksFirstPage the changes of the first page a {@code history/marks} answer reads, before its ranges
 * @param marksRangeChanges the changes a range of a {@code history/marks} read is cut to hold, at the first page's
 *     pace; below a page of 1,000, so most ranges are one read
 */
@Validated
@ConfigurationProperties("asof.history")
public record HistoryProperties(
        @Min(1) @Max(1000) @DefaultValue("50") int defaultPageSize,
        @Min(1) @Max(1000) @DefaultValue("1000") int maxPageSize,
        @Min(0) @Max(1000) @DefaultValue("100") int maxMembers,
        @Min(1) @Max(100_000) @DefaultValue("20000") int marksMaxChanges,
        @NotNull @DefaultValue("8s") Duration marksTimeout,
        @Min(1) @Max(256) @DefaultValue("8") int marksThreads,
        @Min(1) @Max(1000) @DefaultValue("200") int marksFirstPage,
        @Min(1) @Max(1000) @DefaultValue("800") int marksRangeChanges) {}
