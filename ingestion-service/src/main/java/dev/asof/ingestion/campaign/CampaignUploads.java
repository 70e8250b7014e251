package dev.asof.ingestion.campaign;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.InvalidEventException;
import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.privacy.StagingKeys;
import dev.asof.submission.IdempotentRequests;
import dev.asof.submission.IntakeProperties;
import dev.asof.support.Digests;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.Campaigns;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.BodySizeLimitFilter;
import dev.asof.support.web.HttpLimitsProperties;
import dev.asof.support.web.Problems;
import dev.asof.support.web.RequestParameters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Takes a campaign upload: reads it as a stream, line by line, validates each line as the {@code
 * BULK_PROFILE_UPDATE} it becomes (intake's rules exactly), stores the good lines in encrypted chunks and then the
 * campaign itself. The campaign item is the commit point: the {@code 202} follows it, and before it nothing is
 * visible (chunks written by an upload that fails or dies are unreadable: their key was never stored).
 *
 * <p>Memory per upload is one chunk plus one line, whatever the upload's size.
 */
@Component
class CampaignUploads {

    private static final Logger log = LoggerFactory.getLogger(CampaignUploads.class);
    static final String PATH = "/api/v1/campaigns";
    private static final int MAX_NAME_LENGTH = 128;

    private final Campaigns campaigns;
    private final StagingKeys keys;
    private final CampaignProperties properties;
    private final Duration futureTolerance;
    private final long maxBodyBytes;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Semaphore uploads;

    CampaignUploads(
            Campaigns campaigns,
            StagingKeys keys,
            CampaignProperties properties,
            IntakeProperties intake,
            HttpLimitsProperties limits,
            Clock clock,
            MeterRegistry metrics) {
        this.campaigns = campaigns;
        this.keys = keys;
        this.properties = properties;
        this.futureTolerance = intake.futureTolerance();
        this.maxBodyBytes = limits.maxBodyBytes(PATH);
        this.clock = clock;
        this.metrics = metrics;
        this.uploads = new Semaphore(properties.maxConcurrentUploads());
    }

    /** The stored campaign and whether it was stored by an earlier request with the same Idempotency-Key. */
    record Upload(Campaigns.Campaign campaign, boolean replayed) {}

    /**
     * @param owner the caller (API key or token subject)
     * @param csv {@code text/csv}, else {@code application/x-ndjson}
     */
    Upload upload(
            String owner, String idempotencyKey, String name, String timestampText, boolean csv, InputStream body) {
        if (!uploads.tryAcquire()) {
            throw new ApiProblemException(
                    Problems.of(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "busy",
                            "Busy",
                            "This instance is reading " + properties.maxConcurrentUploads() + " campaign uploads"
                                    + " already; nothing of this one was stored. Retry in a few seconds."),
                    Map.of("Retry-After", "5"));
        }
        try {
            return read(owner, idempotencyKey, name, timestampText, csv, body);
        } finally {
            uploads.release();
        }
    }

    /** An upload's body that fails once its deadline has passed, checked on every read. */
    private static final class Deadline extends java.io.FilterInputStream {

        /** The deadline passed while the upload was still arriving. */
        static final class Passed extends IOException {
            Passed() {
                super("upload deadline passed");
            }
        }

        private final Clock clock;
        private final Instant deadline;

        Deadline(InputStream in, Clock clock, Instant deadline) {
            super(in);
            this.clock = clock;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            check();
            int b = super.read();
            check();
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check();
            int n = super.read(buffer, offset, length);
            check();
            return n;
        }

        private void check() throws Passed {
            if (clock.instant().isAfter(deadline)) {
                throw new Passed();
            }
        }
    }

    private Upload read(
            String owner, String idempotencyKey, String nameText, String timestampText, boolean csv, InputStream body) {
        Instant now = clock.instant();
        Instant timestamp = timestamp(timestampText, now);
        String name = name(nameText, now);
        String campaignId;
        if (idempotencyKey == null) {
            campaignId = UUID.randomUUID().toString();
        } else {
            IdempotentRequests.requireValidKey(idempotencyKey);
            campaignId = UUID.nameUUIDFromBytes(
                            ("campaign:" + owner + ":" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
                    .toString();
        }
        String uploadId = UUID.randomUUID().toString();
        StagingKeys.StagingKey key = keys.create(campaignId);
        MessageDigest digest = sha256();
        Staging staging = new Staging(uploadId, campaignId, key);
        long total = 0;
        long accepted = 0;
        long rejected = 0;
        List<Campaigns.LineError> errors = new ArrayList<>();
        int maxLineBytes =
                (int) Math.min(Integer.MAX_VALUE, properties.maxLineSize().toBytes());
        try {
            PhysicalLines lines = new PhysicalLines(
                    new DigestInputStream(new Deadline(body, clock, now.plus(properties.uploadTimeout())), digest),
                    maxLineBytes,
                    csv);
            CampaignLine.Reader reader =
                    csv ? new CsvCampaignReader(lines, maxLineBytes) : new NdjsonCampaignReader(lines, maxLineBytes);
            for (CampaignLine line = reader.next(); line != null; line = reader.next()) {
                total++;
                if (total > properties.maxLines()) {
                    throw new ApiProblemException(Problems.of(
                            HttpStatus.CONTENT_TOO_LARGE,
                            "too-many-lines",
                            "Too many lines",
                            "A campaign holds at most " + properties.maxLines() + " lines; split the file. Nothing"
                                    + " of this upload was stored."));
                }
                Campaigns.LineError error = line.isGood()
                        ? staging.add(line.line(), envelope(line, campaignId, timestamp, name, reader))
                        : new Campaigns.LineError(line.line(), line.errorType(), line.errorDetail());
                if (error == null) {
                    accepted++;
                } else {
                    rejected++;
                    if (errors.size() < Campaigns.MAX_ERRORS) {
                        errors.add(error);
                    }
                }
            }
            staging.flush();
        } catch (BodySizeLimitFilter.BodyTooLargeException tooLarge) {
            staging.discard();
            throw new ApiProblemException(Problems.of(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "body-too-large",
                    "Request body too large",
                    "A campaign upload takes at most " + maxBodyBytes + " bytes; split the file. Nothing of this"
                            + " upload was stored."));
        } catch (Deadline.Passed late) {
            staging.discard();
            throw tooSlow(
                    "The upload did not arrive within asof.campaigns.upload-timeout (" + properties.uploadTimeout()
                            + "); nothing of it was stored. Send it again over a faster link, or split the file.");
        } catch (BodySizeLimitFilter.BodyTooSlowException slow) {
            staging.discard();
            throw tooSlow(slow.getMessage() + " (asof.http.min-body-rate after asof.http.slow-body-grace); nothing of"
                    + " it was stored. Send it again over a faster link.");
        } catch (IOException e) {
            staging.discard();
            throw new ApiProblemException(Problems.of(
                    HttpStatus.BAD_REQUEST,
                    "unreadable-body",
                    "Unreadable body",
                    "The upload could not be read to its end (" + e.getClass().getSimpleName() + "); nothing of it"
                            + " was stored. Send it again."));
        } catch (RuntimeException e) {
            staging.discard();
            throw e;
        }
        if (total == 0) {
            staging.discard();
            throw new ApiProblemException(Problems.of(
                    HttpStatus.BAD_REQUEST,
                    "no-lines",
                    "No lines",
                    "The upload holds no data line; a campaign needs at least one customer."));
        }
        String fingerprint = Digests.sha256Hex((csv ? "csv" : "ndjson") + "\n" + nullToEmpty(nameText) + "\n"
                + nullToEmpty(timestampText) + "\n" + HexFormat.of().formatHex(digest.digest()));
        Campaigns.Campaign campaign = new Campaigns.Campaign(
                campaignId,
                name,
                owner,
                uploadId,
                fingerprint,
                timestamp,
                accepted == 0 ? Campaigns.COMPLETED : Campaigns.ACCEPTED,
                total,
                accepted,
                rejected,
                0,
                0,
                0,
                staging.chunks(),
                0,
                errors,
                now,
                null,
                accepted == 0 ? now : null,
                null,
                accepted == 0 ? null : key.wrapped(),
                null,
                0);
        boolean created;
        try {
            created = campaigns.create(campaign);
        } catch (RuntimeException e) {
            // the write may have landed before the failure reached us: then this upload is the campaign; when that
            // cannot be told, the chunks stay (without the campaign item nobody can read them)
            java.util.Optional<Campaigns.Campaign> stored;
            try {
                stored = campaigns.find(campaignId);
            } catch (RuntimeException unknown) {
                e.addSuppressed(unknown);
                throw e;
            }
            if (stored.isPresent() && stored.get().uploadId().equals(uploadId)) {
                return new Upload(stored.get(), false);
            }
            staging.discard();
            throw e;
        }
        if (!created) {
            Campaigns.Campaign existing = campaigns
                    .find(campaignId)
                    .orElseThrow(() -> new IllegalStateException("campaign " + campaignId + " vanished"));
            if (existing.uploadId().equals(uploadId)) {
                // the client's own write, retried by the SDK after it landed: this upload is the campaign
                return new Upload(existing, false);
            }
            staging.discard();
            if (!existing.fingerprint().equals(fingerprint)) {
                throw new ApiProblemException(Problems.of(
                        HttpStatus.UNPROCESSABLE_CONTENT,
                        "idempotency-key-reused",
                        "Idempotency-Key reused",
                        "This Idempotency-Key names campaign " + campaignId + ", uploaded with a different file,"
                                + " name or timestamp_utc; use a new key for a new campaign."));
            }
            return new Upload(existing, true);
        }
        metrics.counter("asof.campaign.lines", "result", "accepted").increment(accepted);
        metrics.counter("asof.campaign.lines", "result", "rejected").increment(rejected);
        log.info(
                "campaign {} accepted: {} lines, {} good, {} bad, {} chunks",
                campaignId,
                total,
                accepted,
                rejected,
                staging.chunks());
        return new Upload(campaign, false);
    }

    private Instant timestamp(String text, Instant now) {
        if (text == null || text.isEmpty()) {
            return now;
        }
        Instant timestamp = RequestParameters.instant("timestamp_utc", text);
        if (!Timestamps.inRange(timestamp)) {
            throw RequestParameters.invalid(
                    "timestamp_utc",
                    "timestamp-range",
                    "timestamp_utc " + Timestamps.format(timestamp) + " is outside the storable range "
                            + Timestamps.range());
        }
        Duration ahead = Duration.between(now, timestamp);
        if (ahead.compareTo(futureTolerance) > 0) {
            throw RequestParameters.invalid(
                    "timestamp_utc",
                    "future-timestamp",
                    "timestamp_utc " + Timestamps.format(timestamp) + " is ahead of the server clock ("
                            + Timestamps.format(now) + ") by more than " + futureTolerance.toSeconds() + " s");
        }
        return timestamp;
    }

    /** {@code 408 upload-timeout}: the upload came too slowly, by its deadline or by its pace. */
    private static ApiProblemException tooSlow(String detail) {
        return new ApiProblemException(
                Problems.of(HttpStatus.REQUEST_TIMEOUT, "upload-timeout", "Upload too slow", detail));
    }

    private static String name(String text, Instant now) {
        if (text == null) {
            return "campaign " + Timestamps.format(now);
        }
        // characters, not UTF-16 units: 128 emoji are a name of 128 characters; given, a name says something
        if (text.isBlank()
                || text.codePointCount(0, text.length()) > MAX_NAME_LENGTH
                || text.chars().anyMatch(Character::isISOControl)) {
            throw RequestParameters.invalid(
                    "name",
                    "name",
                    "name must be 1 to " + MAX_NAME_LENGTH + " characters, not all blank, without control characters;"
                            + " leave it out for the default");
        }
        return text;
    }

    /** The line's event as canonical JSON, or its first broken rule as a line error. */
    private static Object envelope(
            CampaignLine line, String campaignId, Instant timestamp, String name, CampaignLine.Reader reader) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("event_id", CampaignEvents.eventId(campaignId, line.line()));
        node.put("event_type", "BULK_PROFILE_UPDATE");
        node.put("timestamp_utc", Timestamps.format(timestamp));
        node.put("customer_id", line.customerId());
        node.put("source_system", AsofTopics.CAMPAIGN_SOURCE);
        ObjectNode payload = node.putObject("payload");
        payload.set("changes", line.changes());
        payload.put("change_reason", "campaign " + name);
        try {
            EventEnvelope event = EventJson.decode(node);
            return EventJson.encode(event);
        } catch (InvalidEventException e) {
            Violation first = e.violations().get(0);
            return new Campaigns.LineError(
                    line.line(),
                    first.rule(),
                    reader.where(CampaignEvents.safePointer(first.pointer()), line.changes()) + ": "
                            + CampaignEvents.safe(first));
        }
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Good lines buffered into chunks, each sealed with the campaign's staging key and stored. */
    private final class Staging {
        private final String uploadId;
        private final String campaignId;
        private final StagingKeys.StagingKey key;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private int lines;
        private int chunks;

        Staging(String uploadId, String campaignId, StagingKeys.StagingKey key) {
            this.uploadId = uploadId;
            this.campaignId = campaignId;
            this.key = key;
        }

        /** Buffers a good line's event; passes a bad line's error through. */
        Campaigns.LineError add(long line, Object envelope) {
            if (envelope instanceof Campaigns.LineError error) {
                return error;
            }
            byte[] entry = (line + "\t" + envelope + "\n").getBytes(StandardCharsets.UTF_8);
            if (lines > 0
                    && (buffer.size() + entry.length > properties.chunkSize().toBytes()
                            || lines >= CampaignEvents.MAX_LINES_PER_CHUNK)) {
                flush();
            }
            buffer.writeBytes(entry);
            lines++;
            return null;
        }

        void flush() {
            if (lines == 0) {
                return;
            }
            int chunk = chunks;
            campaigns.putChunk(
                    uploadId,
                    campaignId,
                    chunk,
                    key.seal(buffer.toByteArray(), CampaignEvents.chunkContext(uploadId, chunk)),
                    lines,
                    clock.instant());
            chunks++;
            buffer.reset();
            lines = 0;
        }

        int chunks() {
            return chunks;
        }

        /** Deletes what was stored; a failure here leaves only chunks no one can read (their key was never kept). */
        void discard() {
            try {
                campaigns.deleteChunks(uploadId, chunks);
            } catch (RuntimeException e) {
                log.warn("could not delete {} staged chunks of upload {}: {}", chunks, uploadId, e.toString());
            }
        }
    }
}
