package dev.asof.ingestion.campaign;

import dev.asof.support.storage.Campaigns;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Deletes the chunks nobody will publish: those of an upload that died before its campaign item was written (the
 * process was killed mid-upload; an upload that fails otherwise deletes its own), of an upload that lost to another
 * under the same {@code Idempotency-Key}, and any a finished campaign left (its runner died between finishing and
 * deleting them). They are unreadable already (their staging key was never stored, or is deleted with the campaign),
 * so this frees space, nothing more. An upload's chunks are taken for dead only when the newest of them is older
 * than {@code asof.campaigns.orphan-after} (1 h), so a slow upload still being read is never touched. Chunks written
 * before their campaign and time were kept on them are left alone (delete them by hand, see docs/campaigns.md).
 * Every instance's runner sweeps every {@code asof.campaigns.orphan-sweep-every} (10 min); deletes are idempotent.
 */
@Component
class OrphanChunks {

    private static final Logger log = LoggerFactory.getLogger(OrphanChunks.class);
    /** The most chunks one sweep looks at (100 uploads of the largest campaign). */
    private static final int MAX_CHUNKS = 20_000;

    private final Campaigns campaigns;
    private final CampaignProperties properties;
    private final Clock clock;
    private final Counter deleted;
    private volatile Instant lastSweep = Instant.MIN;

    OrphanChunks(Campaigns campaigns, CampaignProperties properties, Clock clock, MeterRegistry metrics) {
        this.campaigns = campaigns;
        this.properties = properties;
        this.clock = clock;
        this.deleted = metrics.counter("asof.campaign.orphan_chunks_deleted");
    }

    /** Sweeps when the last sweep is {@code orphan-sweep-every} ago; a failure is logged and tried next time. */
    void sweepIfDue() {
        Instant now = clock.instant();
        if (Duration.between(lastSweep, now).compareTo(properties.orphanSweepEvery()) < 0) {
            return;
        }
        lastSweep = now;
        try {
            int count = sweep();
            if (count > 0) {
                log.info("deleted {} campaign chunks no campaign will publish", count);
            }
        } catch (RuntimeException e) {
            log.warn("campaign chunk sweep failed, next in {}: {}", properties.orphanSweepEvery(), e.toString());
        }
    }

    /** Deletes the chunks of dead, lost or finished uploads; how many. */
    int sweep() {
        Instant now = clock.instant();
        Map<String, List<Campaigns.StoredChunk>> byUpload = campaigns.storedChunks(MAX_CHUNKS).stream()
                .collect(Collectors.groupingBy(
                        Campaigns.StoredChunk::uploadId, LinkedHashMap::new, Collectors.toList()));
        int count = 0;
        for (List<Campaigns.StoredChunk> chunks : byUpload.values()) {
            Campaigns.StoredChunk first = chunks.get(0);
            if (chunks.stream().anyMatch(chunk -> chunk.campaignId() == null || chunk.writtenAt() == null)) {
                continue;
            }
            Instant newest = chunks.stream()
                    .map(Campaigns.StoredChunk::writtenAt)
                    .max(Instant::compareTo)
                    .orElseThrow();
            if (!orphan(first.uploadId(), newest, campaigns.find(first.campaignId()), now, properties.orphanAfter())) {
                continue;
            }
            for (Campaigns.StoredChunk chunk : chunks) {
                campaigns.deleteChunk(chunk.uploadId(), chunk.chunk());
                deleted.increment();
                count++;
            }
        }
        return count;
    }

    /**
     * Whether the chunks of {@code uploadId}, the newest written at {@code newest}, will never be published: old
     * enough that no upload is still writing them, and their campaign is absent (the upload died before committing),
     * belongs to another upload (this one lost under the same key) or is finished.
     */
    static boolean orphan(
            String uploadId, Instant newest, Optional<Campaigns.Campaign> campaign, Instant now, Duration after) {
        if (Duration.between(newest, now).compareTo(after) < 0) {
            return false;
        }
        return campaign.isEmpty()
                || !campaign.get().uploadId().equals(uploadId)
                || campaign.get().finished();
    }
}
