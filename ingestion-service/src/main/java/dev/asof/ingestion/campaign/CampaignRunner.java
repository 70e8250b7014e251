package dev.asof.ingestion.campaign;

import dev.asof.privacy.KeyServiceUnavailableException;
import dev.asof.privacy.PrivacyException;
import dev.asof.privacy.StagingKeys;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.submission.Submission;
import dev.asof.submission.SubmissionMapping;
import dev.asof.submission.SubmissionResult;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.Campaigns;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Runs accepted campaigns: takes a campaign's lease, publishes its chunks in order through the shared write path
 * (validation, encryption with each customer's key, intake ledger, Kafka {@code acks=all}) at {@code
 * asof.campaigns.rate} events per second, never more than {@code asof.campaigns.max-unlogged} ahead of the log
 * writer, and records each chunk as done in one conditional write. A runner that dies mid-chunk leaves the chunk
 * undone: the next one (this instance after a restart, or another) takes the lease when it expires and publishes
 * the chunk again; the events' ids are derived from the campaign and the line, so the ledger and the log recognise
 * them and nothing is doubled. Once every chunk is published and the log writer has counted every event, the
 * campaign is {@code completed} and its chunks and key are deleted.
 */
@Component
class CampaignRunner {

    private static final Logger log = LoggerFactory.getLogger(CampaignRunner.class);
    private static final Duration WAIT_STEP = Duration.ofMillis(100);

    private final Campaigns campaigns;
    private final StagingKeys keys;
    private final ProfileEventSubmitter submitter;
    private final CampaignProperties properties;
    private final Clock clock;
    private final ExecutorService claimers;
    private final RateLimiter rate;
    private final Retry retry;
    private final String owner = "runner-" + UUID.randomUUID();
    private final Counter published;
    private final Counter refused;
    private final Thread thread;
    private volatile boolean running = true;

    CampaignRunner(
            Campaigns campaigns,
            StagingKeys keys,
            ProfileEventSubmitter submitter,
            CampaignProperties properties,
            Clock clock,
            MeterRegistry metrics) {
        this.campaigns = campaigns;
        this.keys = keys;
        this.properties = properties;
        this.clock = clock;
        AtomicInteger count = new AtomicInteger();
        this.claimers = Executors.newFixedThreadPool(properties.claimParallelism(), task -> {
            Thread claimer = new Thread(task, "campaign-claim-" + count.incrementAndGet());
            claimer.setDaemon(true);
            return claimer;
        });
        this.submitter = submitter.withClaimers(claimers);
        this.rate = RateLimiter.of(
                "campaigns",
                RateLimiterConfig.custom()
                        .limitForPeriod(properties.rate())
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(Duration.ofMinutes(5))
                        .build());
        this.retry = Retry.of(
                "campaign-publish",
                RetryConfig.custom()
                        .maxAttempts(8)
                        .intervalFunction(IntervalFunction.ofExponentialBackoff(500, 2.0, 10_000))
                        .build());
        this.published = metrics.counter("asof.campaign.events", "result", "published");
        this.refused = metrics.counter("asof.campaign.events", "result", "refused");
        this.thread = new Thread(this::loop, "campaign-runner");
        this.thread.setDaemon(true);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (properties.runnerEnabled() && !thread.isAlive()) {
            thread.start();
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
        claimers.shutdownNow();
    }

    private void loop() {
        while (running) {
            try {
                for (String campaignId : campaigns.unfinished()) {
                    if (!running) {
                        return;
                    }
                    campaigns
                            .lease(campaignId, owner, clock.millis(), leaseUntil(), clock.instant())
                            .ifPresent(this::run);
                }
            } catch (Stopped stopped) {
                return;
            } catch (RuntimeException e) {
                // the lease runs out; this or another instance resumes the campaign at its next chunk
                log.warn("campaign runner: {}", e.toString());
            }
            try {
                Thread.sleep(properties.pollInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long leaseUntil() {
        return clock.millis() + properties.lease().toMillis();
    }

    /** One line as staged: its number and its event's JSON. */
    private record Staged(long line, JsonNode event) {}

    private void run(Campaigns.Campaign campaign) {
        String id = campaign.campaignId();
        StagingKeys.StagingKey key;
        try {
            key = keys.open(id, campaign.stagingKey());
        } catch (KeyServiceUnavailableException later) {
            log.warn("campaign {}: key service unavailable, will retry", id);
            return;
        } catch (PrivacyException broken) {
            fail(campaign, "the campaign's staging key cannot be opened: " + broken.getMessage());
            return;
        }
        Lease lease = new Lease(id);
        List<Campaigns.LineError> errors = new ArrayList<>(campaign.errors());
        Progress progress = new Progress(campaign.eventsPublished(), campaign.eventsLogged() + campaign.eventsFailed());
        for (int chunk = campaign.nextChunk(); chunk < campaign.chunksTotal(); chunk++) {
            List<Staged> lines;
            try {
                lines = staged(key.open(
                        campaigns.chunk(campaign.uploadId(), chunk),
                        CampaignEvents.chunkContext(campaign.uploadId(), chunk)));
            } catch (PrivacyException | IllegalStateException broken) {
                fail(campaign, "chunk " + chunk + " cannot be read: " + broken.getMessage());
                return;
            }
            long chunkPublished = 0;
            long chunkRefused = 0;
            for (int from = 0; from < lines.size(); from += properties.batchSize()) {
                List<Staged> batch = lines.subList(from, Math.min(lines.size(), from + properties.batchSize()));
                waitForRoom(lease, progress);
                RateLimiter.waitForPermission(rate, batch.size());
                List<SubmissionResult> results = publish(id, batch);
                for (int i = 0; i < results.size(); i++) {
                    SubmissionResult result = results.get(i);
                    if (result.status().equals("accepted") || result.status().equals("duplicate")) {
                        chunkPublished++;
                        if (result.status().equals("accepted")) {
                            progress.published++;
                        }
                    } else {
                        chunkRefused++;
                        if (errors.size() < Campaigns.MAX_ERRORS) {
                            errors.add(new Campaigns.LineError(batch.get(i).line(), result.reason(), detail(result)));
                        }
                    }
                }
                published.increment(results.size());
                lease.renewIfDue();
            }
            refused.increment(chunkRefused);
            if (!campaigns.chunkPublished(id, owner, chunk, leaseUntil(), chunkPublished, chunkRefused, errors)) {
                log.info("campaign {}: lease lost at chunk {}", id, chunk);
                return;
            }
            lease.renewed();
        }
        awaitLogged(lease, id);
        campaigns.deleteChunks(campaign.uploadId(), campaign.chunksTotal());
        if (campaigns.finish(id, owner, Campaigns.COMPLETED, null, clock.instant())) {
            log.info("campaign {} completed", id);
        }
    }

    private List<SubmissionResult> publish(String campaignId, List<Staged> batch) {
        List<JsonNode> elements = batch.stream().map(Staged::event).toList();
        return Retry.decorateSupplier(
                        retry,
                        () -> submitter.submit(new Submission(
                                AsofTopics.CAMPAIGN_SOURCE,
                                elements,
                                SubmissionMapping.ENVELOPE,
                                true,
                                null,
                                campaignId)))
                .get();
    }

    private static String detail(SubmissionResult result) {
        if (result.errors() == null || result.errors().isEmpty()) {
            return result.reason();
        }
        String detail = result.errors().get(0).get("detail");
        String rule = result.errors().get(0).get("rule");
        return "enum".equals(rule) || "const".equals(rule) ? "the value is not one the contract allows" : detail;
    }

    /** Events of this run: published (acknowledged, new) and handled by the log writer, as far as known. */
    private static final class Progress {
        long published;
        long handled;

        Progress(long published, long handled) {
            this.published = published;
            this.handled = handled;
        }
    }

    /** Waits while more than {@code max-unlogged} published events are not yet logged. */
    private void waitForRoom(Lease lease, Progress progress) {
        while (progress.published - progress.handled > properties.maxUnlogged()) {
            Campaigns.Campaign now = current(lease.campaignId);
            progress.handled = now.eventsLogged() + now.eventsFailed();
            if (progress.published - progress.handled > properties.maxUnlogged()) {
                pause();
                lease.renewIfDue();
            }
        }
    }

    /** Waits until the log writer has counted every event of the campaign. */
    private void awaitLogged(Lease lease, String campaignId) {
        while (true) {
            Campaigns.Campaign now = current(campaignId);
            if (now.eventsLogged() + now.eventsFailed() >= now.linesAccepted()) {
                return;
            }
            pause();
            lease.renewIfDue();
        }
    }

    private Campaigns.Campaign current(String campaignId) {
        return campaigns
                .find(campaignId)
                .orElseThrow(() -> new IllegalStateException("campaign " + campaignId + " vanished"));
    }

    private void pause() {
        try {
            Thread.sleep(WAIT_STEP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
        if (!running) {
            throw new Stopped();
        }
    }

    private void fail(Campaigns.Campaign campaign, String why) {
        log.error("campaign {} failed: {}", campaign.campaignId(), why);
        campaigns.finish(campaign.campaignId(), owner, Campaigns.FAILED, why, clock.instant());
    }

    private static List<Staged> staged(byte[] chunk) {
        List<Staged> lines = new ArrayList<>();
        String text = new String(chunk, StandardCharsets.UTF_8);
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int tab = text.indexOf('\t', start);
            lines.add(new Staged(
                    Long.parseLong(text.substring(start, tab)),
                    dev.asof.events.EventJson.parse(text.substring(tab + 1, end))));
            start = end + 1;
        }
        return lines;
    }

    /** The runner's lease on one campaign, renewed while it works; losing it stops the run. */
    private final class Lease {
        private final String campaignId;
        private long renewedAt = clock.millis();

        Lease(String campaignId) {
            this.campaignId = campaignId;
        }

        void renewed() {
            renewedAt = clock.millis();
        }

        void renewIfDue() {
            if (clock.millis() - renewedAt < properties.lease().toMillis() / 3) {
                return;
            }
            if (campaigns
                    .lease(campaignId, owner, clock.millis(), leaseUntil(), clock.instant())
                    .isEmpty()) {
                throw new IllegalStateException("lost the lease on campaign " + campaignId);
            }
            renewed();
        }
    }

    /** The application is stopping: leave the campaign where it is; its lease runs out and a runner resumes it. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopping", null, false, false);
        }
    }
}
