package dev.asof.ingestion.campaign;

import dev.asof.events.EventJson;
import dev.asof.privacy.KeyServiceUnavailableException;
import dev.asof.privacy.PrivacyException;
import dev.asof.privacy.StagingKeys;
import dev.asof.submission.IntakeProperties;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.submission.Submission;
import dev.asof.submission.SubmissionMapping;
import dev.asof.submission.SubmissionResult;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.Campaigns;
import dev.asof.support.storage.EventLog;
import dev.asof.support.web.ApiProblemException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.exception.SdkException;
import tools.jackson.databind.JsonNode;

/**
 * Runs accepted campaigns, oldest first: takes a campaign's lease, publishes its chunks in order through the shared
 * write path (validation, encryption with each customer's key, intake ledger, Kafka {@code acks=all}), never more
 * than {@code asof.campaigns.max-unlogged} events ahead of the log writer, at a rate that adapts to live traffic
 * (see {@link #adapt}), and records each chunk as done in one conditional write. A runner that dies mid-chunk
 * leaves the chunk undone: the next one (this instance after a restart, or another) takes the lease when it
 * expires and publishes the chunk again; the events' ids are derived from the campaign and the line, so the ledger
 * and the log recognise them and nothing is doubled. Once every chunk is published and the log writer has counted
 * every event, the campaign is {@code completed} and its chunks and key are deleted.
 *
 * <p>A campaign that fails (Kafka or DynamoDB down beyond the retries) is left to its lease and tried again after
 * a back-off that grows per campaign; the other campaigns go on meanwhile.
 */
@Component
class CampaignRunner {

    private static final Logger log = LoggerFactory.getLogger(CampaignRunner.class);
    private static final Duration WAIT_STEP = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    private static final Duration STALL = Duration.ofMinutes(2);

    private final Campaigns campaigns;
    private final StagingKeys keys;
    private final EventLog eventLog;
    private final ProfileEventSubmitter submitter;
    private final CampaignProperties properties;
    private final int batchSize;
    private final Clock clock;
    private final ExecutorService claimers;
    private final RateLimiter rate;
    private final Retry retry;
    private final LiveLag liveLag;
    private final String owner = "runner-" + UUID.randomUUID();
    private final Counter published;
    private final Counter refused;
    private final AtomicInteger currentRate;
    private final Map<String, Backoff> backoffs = new HashMap<>();
    private final Thread thread;
    private long adjustedAt;
    private volatile boolean running = true;

    /** When a failed campaign may be tried again, and how many times in a row it failed. */
    private record Backoff(long notBeforeMillis, int failures) {}

    private final OrphanChunks orphans;

    CampaignRunner(
            Campaigns campaigns,
            StagingKeys keys,
            EventLog eventLog,
            ProfileEventSubmitter submitter,
            CampaignProperties properties,
            IntakeProperties intake,
            Clock clock,
            MeterRegistry metrics,
            OrphanChunks orphans) {
        this.campaigns = campaigns;
        this.orphans = orphans;
        this.keys = keys;
        this.eventLog = eventLog;
        this.properties = properties;
        this.batchSize = Math.min(properties.batchSize(), intake.maxBatchSize());
        this.clock = clock;
        AtomicInteger count = new AtomicInteger();
        this.claimers = Executors.newFixedThreadPool(properties.claimParallelism(), task -> {
            Thread claimer = new Thread(task, "campaign-claim-" + count.incrementAndGet());
            claimer.setDaemon(true);
            return claimer;
        });
        this.submitter = submitter.withClaimers(claimers);
        int start = startRate();
        this.currentRate = metrics.gauge("asof.campaign.rate", new AtomicInteger(start));
        this.rate = RateLimiter.of(
                "campaigns",
                RateLimiterConfig.custom()
                        .limitForPeriod(start)
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(Duration.ofMinutes(5))
                        .build());
        // 0.5 + 1 + 2 s between four attempts: with the publish timeout, well inside a lease's renewal period
        this.retry = Retry.of(
                "campaign-publish",
                RetryConfig.custom()
                        .maxAttempts(4)
                        .intervalFunction(IntervalFunction.ofExponentialBackoff(500, 2.0))
                        .retryOnException(CampaignRunner::transient_)
                        .build());
        this.liveLag = new LiveLag(metrics);
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
                    runOne(campaignId);
                }
                orphans.sweepIfDue();
            } catch (Stopped stopped) {
                return;
            } catch (RuntimeException e) {
                log.warn("campaign runner: cannot list campaigns: {}", e.toString());
            }
            try {
                Thread.sleep(properties.pollInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Runs one campaign if it is not backing off and its lease is free; a failure backs off this campaign only. */
    private void runOne(String campaignId) {
        Backoff backoff = backoffs.get(campaignId);
        if (backoff != null && clock.millis() < backoff.notBeforeMillis()) {
            return;
        }
        try {
            campaigns
                    .lease(campaignId, owner, clock.millis(), leaseUntil(), clock.instant())
                    .ifPresent(this::run);
            backoffs.remove(campaignId);
        } catch (Stopped stopped) {
            throw stopped;
        } catch (RuntimeException e) {
            int failures = backoff == null ? 1 : backoff.failures() + 1;
            long wait = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(failures, 6));
            backoffs.put(campaignId, new Backoff(clock.millis() + wait, failures));
            // the lease runs out; this or another instance resumes the campaign at its next chunk
            log.warn(
                    "campaign {}: run failed ({} in a row), next try in {} ms: {}",
                    campaignId,
                    failures,
                    wait,
                    e.toString());
        }
    }

    private long leaseUntil() {
        return clock.millis() + properties.lease().toMillis();
    }

    /** One line as staged: its number and its event's JSON. */
    private record Staged(long line, JsonNode event) {}

    private void run(Campaigns.Campaign campaign) {
        String id = campaign.campaignId();
        if (campaign.cancelRequestedAt() != null && campaign.nextChunk() < campaign.chunksTotal()) {
            // cancelled while no runner held it: end it without its key (a missing key must not make it failed)
            cancel(campaign, 0, 0, campaign.errors());
            return;
        }
        if (campaign.stagingKey() == null) {
            fail(campaign, "the campaign's staging key is missing");
            return;
        }
        StagingKeys.StagingKey key;
        try {
            key = keys.open(id, campaign.stagingKey());
        } catch (KeyServiceUnavailableException later) {
            throw later;
        } catch (PrivacyException broken) {
            fail(campaign, "the campaign's staging key cannot be opened: " + broken.getMessage());
            return;
        }
        Lease lease = new Lease(id);
        slowStart();
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
            int from = 0;
            while (from < lines.size()) {
                lease.renewIfDue();
                boolean cancelled = waitForRoom(lease, progress);
                adapt();
                int size = Math.min(Math.min(batchSize, currentRate.get()), lines.size() - from);
                List<Staged> batch = lines.subList(from, from + size);
                if (!cancelled) {
                    RateLimiter.waitForPermission(rate, size);
                }
                // checked last thing before each batch: nothing is published once a cancellation is recorded
                if (cancelled || campaigns.cancelRequested(id)) {
                    published.increment(chunkPublished);
                    refused.increment(chunkRefused);
                    cancel(current(id), chunkPublished, chunkRefused, errors);
                    return;
                }
                List<SubmissionResult> results = publish(id, batch);
                for (int i = 0; i < results.size(); i++) {
                    SubmissionResult result = results.get(i);
                    Staged line = batch.get(i);
                    if (result.status().equals("accepted")) {
                        chunkPublished++;
                        progress.published++;
                    } else if (result.status().equals("duplicate") || alreadyLogged(result, line)) {
                        chunkPublished++;
                    } else {
                        chunkRefused++;
                        if (errors.size() < Campaigns.MAX_ERRORS) {
                            errors.add(new Campaigns.LineError(line.line(), result.reason(), detail(result)));
                        }
                    }
                }
                from += size;
            }
            published.increment(chunkPublished);
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

    /**
     * Publishes one batch, retrying what may pass later (Kafka or DynamoDB unavailable). An event that fails for
     * good (its customer's key is broken, say) must not hold the campaign: the batch is then published event by event
     * and such an event becomes a refused line.
     */
    private List<SubmissionResult> publish(String campaignId, List<Staged> batch) {
        try {
            return Retry.decorateSupplier(retry, () -> submit(campaignId, batch))
                    .get();
        } catch (RuntimeException e) {
            if (transient_(e)) {
                throw e;
            }
        }
        List<SubmissionResult> results = new ArrayList<>();
        for (Staged line : batch) {
            try {
                results.addAll(Retry.decorateSupplier(retry, () -> submit(campaignId, List.of(line)))
                        .get());
            } catch (RuntimeException e) {
                if (transient_(e)) {
                    throw e;
                }
                log.warn(
                        "campaign {}: line {} cannot be published: {}",
                        campaignId,
                        line.line(),
                        e.getClass().getSimpleName());
                results.add(new SubmissionResult(
                        0,
                        line.event().path("event_id").asString(),
                        "rejected",
                        "unstorable",
                        null,
                        List.of(Map.of(
                                "pointer", "",
                                "rule", "unstorable",
                                "detail",
                                        "the write path failed for this line ("
                                                + e.getClass().getSimpleName() + ")")),
                        null));
            }
        }
        return results;
    }

    private List<SubmissionResult> submit(String campaignId, List<Staged> batch) {
        List<JsonNode> elements = batch.stream().map(Staged::event).toList();
        return submitter.submit(new Submission(
                AsofTopics.CAMPAIGN_SOURCE, elements, SubmissionMapping.ENVELOPE, true, null, campaignId));
    }

    /** Failures that may pass by themselves: Kafka or DynamoDB or the key service not answering. */
    private static boolean transient_(Throwable e) {
        if (e instanceof ApiProblemException problem) {
            return problem.problem().getStatus() == 503;
        }
        if (e instanceof software.amazon.awssdk.services.dynamodb.model.DynamoDbException dynamo
                && dynamo.awsErrorDetails() != null
                && "ValidationException".equals(dynamo.awsErrorDetails().errorCode())) {
            return false; // the store refuses the request itself: it will refuse it again
        }
        return e instanceof SdkException || e instanceof KeyServiceUnavailableException;
    }

    /**
     * A line refused as {@code erased} that is in the log already (published by an earlier run, before its
     * customer was erased) counts as published: the log writer counted it, and so must the campaign.
     */
    private boolean alreadyLogged(SubmissionResult result, Staged line) {
        if (!"erased".equals(result.reason())) {
            return false;
        }
        JsonNode event = line.event();
        return eventLog.find(
                        event.path("customer_id").asString(),
                        java.time.Instant.parse(event.path("timestamp_utc").asString()),
                        event.path("event_id").asString())
                .isPresent();
    }

    private static String detail(SubmissionResult result) {
        if ("erased".equals(result.reason())) {
            // the write path's detail names the customer; a stored campaign error must not keep an erased id
            return "the customer was erased at or after the campaign's timestamp_utc";
        }
        if (result.errors() == null || result.errors().isEmpty()) {
            return result.reason();
        }
        Map<String, String> first = result.errors().get(0);
        return CampaignEvents.safe(
                new dev.asof.events.Violation(first.get("pointer"), first.get("rule"), first.get("detail")));
    }

    /**
     * Adapts the rate to live traffic, at most every {@code adjust-every}: halves it while live events'
     * accepted-to-logged p99 on this instance over the last period is above {@code live-lag-target}, grows it by a
     * fifth otherwise (also when there was too little live traffic to tell), between {@code min-rate} and {@code
     * rate}. A campaign starts at a tenth of {@code rate}.
     */
    private void adapt() {
        long now = clock.millis();
        if (now - adjustedAt < properties.adjustEvery().toMillis()) {
            return;
        }
        adjustedAt = now;
        double p99 = liveLag.p99SinceLast();
        int current = currentRate.get();
        int next = !Double.isNaN(p99) && p99 > properties.liveLagTarget().toMillis()
                ? Math.max(properties.minRate(), current / 2)
                : Math.min(properties.rate(), current + Math.max(5, current / 5));
        if (next != current) {
            currentRate.set(next);
            rate.changeLimitForPeriod(next);
        }
    }

    /** A slow start: a tenth of the most, so a campaign's first seconds do not queue a burst ahead of live events. */
    private int startRate() {
        return Math.max(properties.minRate(), properties.rate() / 10);
    }

    /** Each run starts slow and judges live latency from its own start, not from whatever came before it. */
    private void slowStart() {
        int start = startRate();
        currentRate.set(start);
        rate.changeLimitForPeriod(start);
        adjustedAt = clock.millis();
        liveLag.p99SinceLast();
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

    /**
     * Waits while more than {@code max-unlogged} published events are not yet logged; {@code true} as soon as a
     * cancellation is seen meanwhile.
     */
    private boolean waitForRoom(Lease lease, Progress progress) {
        Stall stall = new Stall(progress.handled);
        while (progress.published - progress.handled > properties.maxUnlogged()) {
            Campaigns.Campaign now = current(lease.campaignId);
            if (now.cancelRequestedAt() != null) {
                return true;
            }
            progress.handled = now.eventsLogged() + now.eventsFailed();
            if (progress.published - progress.handled > properties.maxUnlogged()) {
                stall.check(progress.handled, lease.campaignId);
                pause();
                lease.renewIfDue();
            }
        }
        return false;
    }

    /** Waits until the log writer has counted every event of the campaign. */
    private void awaitLogged(Lease lease, String campaignId) {
        Stall stall = new Stall(-1);
        while (true) {
            Campaigns.Campaign now = current(campaignId);
            long handled = now.eventsLogged() + now.eventsFailed();
            if (handled >= now.linesAccepted()) {
                return;
            }
            stall.check(handled, campaignId);
            pause();
            lease.renewIfDue();
        }
    }

    /**
     * Gives up waiting for the log writer when its count of the campaign has not moved for {@link #STALL}: the run
     * ends with a failure, so this campaign backs off and the runner serves the others (a count the store refused is
     * the one way a campaign's count can stop; the log writer says so in its log and metrics).
     */
    private final class Stall {
        private long last;
        private long since = clock.millis();

        Stall(long handled) {
            this.last = handled;
        }

        void check(long handled, String campaignId) {
            if (handled != last) {
                last = handled;
                since = clock.millis();
            } else if (clock.millis() - since > STALL.toMillis()) {
                throw new IllegalStateException("the log writer's count of campaign " + campaignId
                        + " has not moved for " + STALL.toSeconds() + " s (" + handled + " events)");
            }
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

    /**
     * Ends a campaign whose cancellation was asked for, at the batch it reached: what it published of its current
     * chunk ({@code chunkPublished}, {@code chunkRefused}, {@code errors}) is counted, the rest is never published,
     * and its chunks are deleted.
     */
    private void cancel(
            Campaigns.Campaign campaign, long chunkPublished, long chunkRefused, List<Campaigns.LineError> errors) {
        if (!campaigns.cancel(campaign, owner, clock.millis(), chunkPublished, chunkRefused, errors, clock.instant())) {
            log.info("campaign {}: lease lost while cancelling", campaign.campaignId());
            return;
        }
        log.info("campaign {} cancelled at chunk {}", campaign.campaignId(), campaign.nextChunk());
        deleteChunks(campaign);
    }

    /** Deletes an ended campaign's chunks; if the store refuses now, the leftover-chunk sweep deletes them later. */
    private void deleteChunks(Campaigns.Campaign campaign) {
        try {
            campaigns.deleteChunks(campaign.uploadId(), campaign.chunksTotal());
        } catch (RuntimeException e) {
            log.warn("campaign {} ended; its chunks were not deleted: {}", campaign.campaignId(), e.toString());
        }
    }

    private void fail(Campaigns.Campaign campaign, String why) {
        log.error("campaign {} failed: {}", campaign.campaignId(), why);
        if (campaigns.finish(campaign.campaignId(), owner, Campaigns.FAILED, why, clock.instant())) {
            deleteChunks(campaign);
        }
    }

    private static List<Staged> staged(byte[] chunk) {
        List<Staged> lines = new ArrayList<>();
        String text = new String(chunk, StandardCharsets.UTF_8);
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int tab = text.indexOf('\t', start);
            lines.add(new Staged(
                    Long.parseLong(text.substring(start, tab)), EventJson.parse(text.substring(tab + 1, end))));
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
