package dev.asof.ingestion.campaign;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bulk campaigns ({@code asof.campaigns.*}). The upload's size limit is {@code
 * asof.http.streamed-bodies[/api/v1/campaigns]} (64 MB).
 *
 * @param maxLines most data lines one upload may hold; more is {@code 413 too-many-lines}
 * @param maxLineSize longest line (a CSV record, quoted line breaks included); longer is a bad line
 * @param maxConcurrentUploads uploads read at once per instance; one more is {@code 503 busy}
 * @param chunkSize validated lines are stored (encrypted) in chunks of at most this size (and 500 lines) before the
 *     {@code 202}; at most 300 KB, so a chunk fits a DynamoDB item
 * @param rate the most campaign events published per second per instance
 * @param minRate the least: the rate adapts between the two, halving while live events' accepted-to-logged p99 (on
 *     this instance) is above {@code liveLagTarget} and growing by a fifth each {@code adjustEvery} while it is below;
 *     a campaign starts at a tenth of {@code rate}
 * @param liveLagTarget the live latency the campaign must leave alone
 * @param adjustEvery how often the rate adapts
 * @param maxUnlogged most campaign events published but not yet logged; the runner waits beyond it, so a
 *     campaign never queues more than this ahead of live events in the topic
 * @param batchSize events per write-path call (each claims, encrypts and publishes them)
 * @param claimParallelism threads the campaign's ledger claims run on, apart from live intake's
 * @param lease how long a runner owns a campaign without renewing; a crashed runner's campaign resumes after it
 * @param pollInterval how often each instance looks for campaigns to run
 * @param runnerEnabled whether this instance runs campaigns (it always accepts uploads)
 * @param orphanAfter chunks whose upload wrote its last one this long ago and whose campaign will never publish
 *     them (see {@link OrphanChunks}) are deleted; longer than any upload may take
 * @param orphanSweepEvery how often each instance's runner looks for such chunks
 * @param uploadTimeout the longest an upload may take to arrive; a slower one is {@code 408 upload-timeout} with
 *     nothing stored, so a client trickling a file (a byte every few seconds is never idle long enough for the
 *     server's read timeout) cannot hold one of the {@code max-concurrent-uploads} slots for long; shorter than
 *     {@code orphan-after}
 */
@Validated
@ConfigurationProperties("asof.campaigns")
public record CampaignProperties(
        @Min(1) @Max(10_000_000) @DefaultValue("100000") int maxLines,
        @NotNull @DefaultValue("256KB") DataSize maxLineSize,
        @Min(1) @Max(64) @DefaultValue("2") int maxConcurrentUploads,
        @NotNull @DefaultValue("256KB") DataSize chunkSize,
        @Min(1) @Max(100_000) @DefaultValue("300") int rate,
        @Min(1) @Max(100_000) @DefaultValue("10") int minRate,
        @NotNull @DefaultValue("200ms") Duration liveLagTarget,
        @NotNull @DefaultValue("2s") Duration adjustEvery,
        @Min(1) @DefaultValue("200") int maxUnlogged,
        @Min(1) @Max(500) @DefaultValue("100") int batchSize,
        @Min(1) @Max(64) @DefaultValue("8") int claimParallelism,
        @NotNull @DefaultValue("30s") Duration lease,
        @NotNull @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("true") boolean runnerEnabled,

        @NotNull @DurationMin(minutes = 1) @DefaultValue("1h")
        Duration orphanAfter,

        @NotNull @DurationMin(seconds = 1) @DefaultValue("10m")
        Duration orphanSweepEvery,

        @NotNull @DurationMin(seconds = 1) @DefaultValue("15m")
        Duration uploadTimeout) {

    public CampaignProperties {
        if (uploadTimeout != null && orphanAfter != null && uploadTimeout.compareTo(orphanAfter) >= 0) {
            throw new IllegalArgumentException("asof.campaigns.upload-timeout (" + uploadTimeout
                    + ") must be shorter than orphan-after (" + orphanAfter + "): an upload still arriving must"
                    + " never have its chunks swept");
        }
        if (chunkSize.toBytes() > 300 * 1024) {
            throw new IllegalArgumentException("asof.campaigns.chunk-size is at most 300KB, was " + chunkSize);
        }
        if (maxLineSize.toBytes() > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("asof.campaigns.max-line-size is at most 64MB, was " + maxLineSize);
        }
        if (minRate > rate) {
            throw new IllegalArgumentException(
                    "asof.campaigns.min-rate (" + minRate + ") is above asof.campaigns.rate (" + rate + ")");
        }
    }
}
