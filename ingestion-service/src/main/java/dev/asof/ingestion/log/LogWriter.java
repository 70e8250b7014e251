package dev.asof.ingestion.log;

import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.InvalidEventException;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.Campaigns;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.LateTiers;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;

/**
 * Writes the events of each polled batch to the immutable log, then folds them into the materialized view,
 * customer by customer in partition order. Kafka offsets are committed only after the whole batch is written
 * (ack mode {@code batch}); every log write is a conditional put keyed by the event, and the view write is an
 * optimistic write of a join, so a crash between any two writes, or a redelivery, leaves exactly one log item
 * per event and a view equal to the fold of the log.
 *
 * <p>The customers of a batch are written in parallel ({@code asof.log-writer.parallelism} threads in all); each
 * customer's events stay in partition order. While it owns a partition, each consumer (a thread of the listener
 * container, with one or more partitions) keeps the views of its customers in memory, so a steady stream costs one log
 * write per event and one view write per customer per batch. The memory is the consumer's own, and dropped on every
 * rebalance: a consumer that lost a partition still finishes the batch it holds, and with one memory for all it put its
 * older view of a customer back over the one the partition's new consumer had written; the new consumer then logged
 * that customer's next out-of-order event without its lateness tier, so reads through a page or snapshot cut in between
 * missed it ({@code LogWriterConsumersIT}). The view's revision check catches anything else that moved underneath it.
 */
@Component
class LogWriter implements ConsumerSeekAware {

    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    /** Views kept in memory over all consumers; each consumer keeps its share. */
    private static final int MAX_CACHED_VIEWS = 100_000;

    /**
     * At most how many bytes one attribute's entry in a stored state takes beside its key, its value, its event id
     * and its source system: the version's time (24 characters), numbers and the JSON around them.
     */
    private static final int ENTRY_BYTES = 200;

    private final EventLog eventLog;
    private final ProfileViews views;
    private final IdentityLinks identityLinks;
    private final DeadLetters deadLetters;
    private final PartitionProgress progress;
    private final Clock clock;
    private final Executor writers;
    private final Timer lag;
    private final Timer campaignLag;
    private final Counter uncounted;
    private final Campaigns campaigns;
    private final Counter created;
    private final Counter redelivered;
    private final Counter tooLarge;
    private final io.micrometer.core.instrument.DistributionSummary batchSize;
    private final Timer batchWritten;
    private final Timer batchFailed;
    private final int viewsPerConsumer;

    /** Each consumer's memory, replaced by a fresh one whenever its partitions change. */
    private final ThreadLocal<ConsumerMemory> memories = ThreadLocal.withInitial(ConsumerMemory::new);

    /**
     * What one consumer keeps between its batches while it owns its partitions. Its batch's customers are written on
     * the writer pool, so the maps are concurrent.
     */
    private static final class ConsumerMemory {
        final Map<String, ProfileViews.View> views = new ConcurrentHashMap<>();

        /** An upper bound of the size of each cached view's state ({@link ProfileViews#stateBytes}). */
        final Map<String, Long> stateBytesBound = new ConcurrentHashMap<>();

        /** Each campaign's counted mark per partition as this consumer left it (saves a read per batch). */
        final Map<String, Long> countedMarks = new ConcurrentHashMap<>();
    }

    LogWriter(
            EventLog eventLog,
            ProfileViews views,
            IdentityLinks identityLinks,
            DeadLetters deadLetters,
            PartitionProgress progress,
            Campaigns campaigns,
            Clock clock,
            MeterRegistry metrics,
            @Qualifier("logWriters") Executor logWriters,
            @Value("${spring.kafka.listener.concurrency:1}") int consumers) {
        this.writers = logWriters;
        this.viewsPerConsumer = Math.max(1, MAX_CACHED_VIEWS / Math.max(1, consumers));
        this.eventLog = eventLog;
        this.views = views;
        this.identityLinks = identityLinks;
        this.deadLetters = deadLetters;
        this.progress = progress;
        this.campaigns = campaigns;
        this.clock = clock;
        this.lag = Timer.builder("asof.log.lag")
                .description("time from intake's Kafka acknowledgement to the event being in the log and the view"
                        + " (campaign events not included)")
                .publishPercentileHistogram()
                .register(metrics);
        this.campaignLag = Timer.builder("asof.campaign.log.lag")
                .description("time from a campaign event's Kafka acknowledgement to it being in the log and the view")
                .publishPercentileHistogram()
                .register(metrics);
        this.uncounted = metrics.counter("asof.campaign.count.failures");
        this.created = metrics.counter("asof.log.events", "result", "logged");
        this.redelivered = metrics.counter("asof.log.events", "result", "already_logged");
        this.tooLarge = metrics.counter("asof.log.events", "result", "profile_too_large");
        this.batchSize = io.micrometer.core.instrument.DistributionSummary.builder("asof.log.batch.records")
                .description("records per batch a log-writer consumer polled, retried batches included")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(500.0)
                .register(metrics);
        this.batchWritten = batchDuration(metrics, "written");
        this.batchFailed = batchDuration(metrics, "failed");
    }

    private static Timer batchDuration(MeterRegistry metrics, String outcome) {
        return Timer.builder("asof.log.batch.duration")
                .description("time to write one polled batch to the log and the views, before its offsets commit;"
                        + " outcome written or failed (then retried)")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(metrics);
    }

    /** One event of a batch with where it came from. */
    private record Polled(EventEnvelope event, ConsumerRecord<String, String> record, String campaignId) {}

    /** What became of a campaign's record: its event logged from it, or refused by the store. */
    private record CampaignOutcome(String campaignId, int partition, long offset, String eventId, boolean logged) {}

    @KafkaListener(id = "asof-log-writer", topics = AsofTopics.PROFILE_EVENTS, batch = "true")
    void write(List<ConsumerRecord<String, String>> records) {
        Set<Integer> partitions = new TreeSet<>();
        records.forEach(record -> partitions.add(record.partition()));
        batchSize.record(records.size());
        long start = System.nanoTime();
        Timer outcome = batchFailed;
        try {
            writeBatch(records, memories.get());
            outcome = batchWritten;
        } catch (RuntimeException e) {
            progress.failed(partitions, e);
            throw e;
        } finally {
            outcome.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        progress.succeeded(partitions);
    }

    private void writeBatch(List<ConsumerRecord<String, String>> records, ConsumerMemory memory) {
        Map<String, List<Polled>> byCustomer = new LinkedHashMap<>();
        java.util.Queue<CampaignOutcome> outcomes = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (ConsumerRecord<String, String> record : records) {
            EventEnvelope event = decode(record);
            if (event != null) {
                byCustomer
                        .computeIfAbsent(event.customerId(), id -> new ArrayList<>())
                        .add(new Polled(event, record, campaignOf(record)));
            } else {
                noteCampaign(
                        outcomes,
                        record,
                        campaignOf(record),
                        "record:" + record.partition() + ":" + record.offset(),
                        false);
            }
        }
        // Customers are independent: write them in parallel; each customer's events stay in partition order.
        // Customers with a live event go first, so a campaign's share of a batch does not hold a live caller's
        // event back; each event's lag is taken when its customer's writes are done.
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (boolean live : new boolean[] {true, false}) {
            for (Map.Entry<String, List<Polled>> customer : byCustomer.entrySet()) {
                if (hasLiveEvent(customer.getValue()) == live) {
                    writes.add(CompletableFuture.runAsync(
                            () -> {
                                writeCustomer(memory, customer.getKey(), customer.getValue(), outcomes);
                                recordLag(customer.getValue());
                            },
                            writers));
                }
            }
        }
        awaitAll(writes);
        countCampaigns(outcomes, memory.countedMarks);
    }

    private static boolean hasLiveEvent(List<Polled> events) {
        for (Polled polled : events) {
            if (polled.campaignId() == null) {
                return true;
            }
        }
        return false;
    }

    private void recordLag(List<Polled> events) {
        long now = clock.millis();
        for (Polled p : events) {
            Header acceptedAt = p.record().headers().lastHeader(AsofTopics.ACCEPTED_AT_HEADER);
            if (acceptedAt != null && acceptedAt.value() != null) {
                long millis;
                try {
                    millis = Long.parseLong(new String(acceptedAt.value(), StandardCharsets.UTF_8));
                } catch (NumberFormatException notIntakes) {
                    continue; // not written by intake: no lag to take, and no reason to fail the batch
                }
                (p.campaignId() == null ? lag : campaignLag).record(Duration.ofMillis(Math.max(0, now - millis)));
            }
        }
    }

    /**
     * The campaign a record belongs to (intake marks campaign events by source and correlation id, a UUID), or null:
     * a record that only looks like one is logged as any other and counted nowhere.
     */
    private static String campaignOf(ConsumerRecord<String, String> record) {
        Header source = record.headers().lastHeader(AsofTopics.SOURCE_HEADER);
        if (source == null
                || source.value() == null
                || !AsofTopics.CAMPAIGN_SOURCE.equals(new String(source.value(), StandardCharsets.UTF_8))) {
            return null;
        }
        Header campaign = record.headers().lastHeader(AsofTopics.CORRELATION_HEADER);
        if (campaign == null || campaign.value() == null) {
            return null;
        }
        String id = new String(campaign.value(), StandardCharsets.UTF_8);
        return AsofTopics.isCampaignId(id) ? id : null;
    }

    private static void noteCampaign(
            java.util.Queue<CampaignOutcome> outcomes,
            ConsumerRecord<String, String> record,
            String campaign,
            String eventId,
            boolean logged) {
        if (campaign != null) {
            outcomes.add(new CampaignOutcome(campaign, record.partition(), record.offset(), eventId, logged));
        }
    }

    /**
     * Counts the batch's campaign events on their campaigns once all are written: each event once, from the record
     * its log item came from (a republished copy of an event is not counted again); a redelivered batch is not
     * counted again either ({@link Campaigns#countLogged}). A count the store refuses as invalid is logged and
     * skipped, never retried forever: live events must not wait on a campaign's bookkeeping.
     */
    private void countCampaigns(java.util.Queue<CampaignOutcome> outcomes, Map<String, Long> countedMarks) {
        if (outcomes.isEmpty()) {
            return;
        }
        Map<String, Map<Integer, List<CampaignOutcome>>> byCampaign = new LinkedHashMap<>();
        for (CampaignOutcome outcome : outcomes) {
            byCampaign
                    .computeIfAbsent(outcome.campaignId(), id -> new LinkedHashMap<>())
                    .computeIfAbsent(outcome.partition(), p -> new ArrayList<>())
                    .add(outcome);
        }
        byCampaign.forEach((campaign, partitions) -> partitions.forEach((partition, counted) -> {
            String key = campaign + "#" + partition;
            try {
                Long mark = campaigns.countLogged(
                        campaign,
                        partition,
                        counted.stream()
                                .filter(CampaignOutcome::logged)
                                .map(CampaignOutcome::offset)
                                .toList(),
                        counted.stream()
                                .filter(outcome -> !outcome.logged())
                                .map(CampaignOutcome::eventId)
                                .distinct()
                                .toList(),
                        countedMarks.get(key));
                if (mark == null) {
                    countedMarks.remove(key);
                } else {
                    countedMarks.put(key, mark);
                }
            } catch (RuntimeException e) {
                countedMarks.remove(key);
                if (!PoisonRecords.isPoison(e)) {
                    throw e;
                }
                uncounted.increment();
                log.error(
                        "campaign {}: the store refused the count of {} events of partition {}: {}",
                        campaign,
                        counted.size(),
                        partition,
                        PoisonRecords.reason(e));
            }
        }));
    }

    /** Waits for every write; the first failure fails the batch (which is then retried as a whole). */
    private static void awaitAll(List<CompletableFuture<Void>> writes) {
        RuntimeException failure = null;
        for (CompletableFuture<Void> write : writes) {
            try {
                write.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException runtime
                        ? runtime
                        : new IllegalStateException(e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The event, or {@code null} after sending a record that breaks the contract to the dead-letter topic. */
    private EventEnvelope decode(ConsumerRecord<String, String> record) {
        try {
            EventEnvelope event = EventJson.decode(record.value());
            if (!event.customerId().equals(record.key())) {
                deadLetters.send(
                        record,
                        "partition-key",
                        "record key '" + record.key() + "' differs from customer_id '" + event.customerId() + "'");
                return null;
            }
            return event;
        } catch (InvalidEventException e) {
            deadLetters.send(record, "invalid-event", rules(e));
            return null;
        } catch (JacksonException | NullPointerException e) {
            deadLetters.send(record, "unreadable", e.getClass().getSimpleName());
            return null;
        }
    }

    /** The broken rules by pointer, without the messages (which may quote values that must not reach a log). */
    private static String rules(InvalidEventException e) {
        StringBuilder rules = new StringBuilder("broken rules:");
        e.violations().stream()
                .limit(10)
                .forEach(v -> rules.append(' ')
                        .append(v.pointer().isEmpty() ? "/" : v.pointer())
                        .append(' ')
                        .append(v.rule())
                        .append(';'));
        if (e.violations().size() > 10) {
            rules.append(" and ").append(e.violations().size() - 10).append(" more");
        }
        return rules.toString();
    }

    private void writeCustomer(
            ConsumerMemory memory, String customerId, List<Polled> events, java.util.Queue<CampaignOutcome> outcomes) {
        Map<String, ProfileViews.View> cachedViews = memory.views;
        Map<String, Long> stateBytesBound = memory.stateBytesBound;
        ProfileViews.View view = cachedViews.get(customerId);
        if (view == null) {
            view = views.find(customerId).orElse(ProfileViews.View.empty(customerId));
            stateBytesBound.remove(customerId);
        }
        long lastRecordedAt = view.lastRecordedAt();
        long maxTimestamp = view.maxTimestampMillis();
        List<RecordedEvent> logged = new ArrayList<>();
        int lateTiers = 0;
        // the view as it will be written, and an upper bound of its size (kept between batches; exact only when
        // first needed): an attribute change that would take it past what a view item may hold is set aside before
        // it is logged
        IdentityState folded = view.state();
        Long known = stateBytesBound.get(customerId);
        long foldedBytes = known != null ? known : ProfileViews.stateBytes(folded);
        for (Polled polled : events) {
            EventEnvelope event = polled.event();
            RecordedEvent next = new RecordedEvent(event, Hlc.next(lastRecordedAt, clock.millis()));
            long bound = foldedBytes + growthBound(polled);
            if (bound > ProfileViews.MAX_STATE_BYTES && setsAttributes(event)) {
                IdentityState candidate = ProfileFold.evolve(folded, next);
                long exact = ProfileViews.stateBytes(candidate);
                // refused only when it grows the profile past the limit (a profile stored over it before may still
                // shrink or keep its size), and not when logged already: a redelivery's first delivery passed
                if (exact > ProfileViews.MAX_STATE_BYTES
                        && exact > ProfileViews.stateBytes(folded)
                        && eventLog.find(customerId, event.timestampUtc(), event.eventId())
                                .isEmpty()) {
                    tooLarge.increment();
                    deadLetters.send(
                            polled.record(),
                            "unstorable",
                            "profile-too-large: the customer's profile would take " + exact + " bytes, at most "
                                    + ProfileViews.MAX_STATE_BYTES + " (asof keeps a profile in one DynamoDB item)");
                    noteCampaign(outcomes, polled.record(), polled.campaignId(), event.eventId(), false);
                    continue;
                }
                bound = exact;
            }
            // a merge, unmerge or erasure replaces the state's one link or clears it: at most about a kilobyte more,
            // well inside the room between MAX_STATE_BYTES and DynamoDB's limit, so it is never refused
            EventLog.Append append;
            try {
                append = eventLog.append(
                        next,
                        maxTimestamp,
                        polled.record().partition(),
                        polled.record().offset());
                recordIdentityLink(event);
            } catch (RuntimeException e) {
                if (!PoisonRecords.isPoison(e)) {
                    throw e;
                }
                deadLetters.send(polled.record(), "unstorable", PoisonRecords.reason(e));
                noteCampaign(outcomes, polled.record(), polled.campaignId(), event.eventId(), false);
                continue;
            }
            if (append.byThisRecord()) {
                noteCampaign(outcomes, polled.record(), polled.campaignId(), event.eventId(), true);
            }
            (append.created() ? created : redelivered).increment();
            logged.add(append.logged());
            folded = ProfileFold.evolve(folded, append.logged());
            foldedBytes = bound;
            if (append.lateTier() != EventLog.NOT_LATE) {
                lateTiers |= LateTiers.bit(append.lateTier());
            }
            lastRecordedAt = Math.max(lastRecordedAt, append.logged().recordedAt());
            maxTimestamp = Math.max(maxTimestamp, event.timestampUtc().toEpochMilli());
        }
        ProfileViews.View written = applyToView(view, logged, lateTiers);
        if (cachedViews.size() >= viewsPerConsumer) {
            cachedViews.clear();
            stateBytesBound.clear();
        }
        cachedViews.put(customerId, written);
        if (written.state().equals(folded)) {
            stateBytesBound.put(customerId, foldedBytes);
        } else {
            // folded again over a view another writer changed: measured afresh next time
            stateBytesBound.remove(customerId);
        }
    }

    /** Whether an event sets attribute values (the events whose growth of a profile is the values they carry). */
    private static boolean setsAttributes(EventEnvelope event) {
        return event.payload() instanceof BulkProfileUpdate
                || event.payload() instanceof dev.asof.events.AttributeChanged;
    }

    /**
     * At most how many bytes an event adds to a stored state: its attribute keys and values (the record carries them
     * once, already encrypted and written as the state writes them) and, per attribute it sets, an entry repeating
     * its event id and source system ({@link #ENTRY_BYTES} more, a character escaped at most 6 bytes). The exact size
     * is computed only when this bound comes near the limit.
     */
    private static long growthBound(Polled polled) {
        EventEnvelope event = polled.event();
        int entries = event.payload() instanceof BulkProfileUpdate bulk
                ? Math.max(1, bulk.changes().size())
                : 1;
        long entry = ENTRY_BYTES
                + 6L * event.eventId().length()
                + (event.sourceSystem() == null ? 0 : 6L * event.sourceSystem().length());
        return Math.max(0, polled.record().serializedValueSize()) + entries * entry;
    }

    /** Merges and unmerges are indexed before the view moves on, so a reader can always find the members. */
    private void recordIdentityLink(EventEnvelope event) {
        if (event.payload() instanceof ProfileMerged merged) {
            identityLinks.record(merged.mergedInto(), merged.mergedFrom());
        } else if (event.payload() instanceof ProfileUnmerged unmerged) {
            identityLinks.record(unmerged.mergedInto(), unmerged.mergedFrom());
        }
    }

    /**
     * Folds {@code logged} into the view, adds the lateness tiers their log items are listed under, and writes it;
     * on a concurrent write, re-reads and folds again.
     */
    private ProfileViews.View applyToView(ProfileViews.View view, List<RecordedEvent> logged, int lateTiers) {
        if (logged.isEmpty() && view.revision() == 0) {
            // nothing logged for a customer without a view (every event of the batch dead-lettered): no view either,
            // or the current profile would answer 200 with nothing in it where every other read finds no event
            return view;
        }
        ProfileViews.View current = view;
        while (true) {
            IdentityState next = current.state();
            long lastRecordedAt = current.lastRecordedAt();
            long maxTimestamp = current.maxTimestampMillis();
            for (RecordedEvent event : logged) {
                next = ProfileFold.evolve(next, event);
                lastRecordedAt = Math.max(lastRecordedAt, event.recordedAt());
                maxTimestamp =
                        Math.max(maxTimestamp, event.event().timestampUtc().toEpochMilli());
            }
            int tiers = current.lateTiers() | lateTiers;
            if (next.equals(current.state())
                    && lastRecordedAt == current.lastRecordedAt()
                    && maxTimestamp == current.maxTimestampMillis()
                    && tiers == current.lateTiers()
                    && current.revision() > 0) {
                return current;
            }
            if (views.replace(current, next, lastRecordedAt, maxTimestamp, tiers, clock.instant())) {
                return new ProfileViews.View(next, lastRecordedAt, maxTimestamp, tiers, current.revision() + 1);
            }
            String customerId = current.state().customerId();
            log.debug("view of {} changed underneath; re-reading", customerId);
            current = views.find(customerId).orElse(ProfileViews.View.empty(customerId));
        }
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        // Kafka calls rebalance listeners on the consumer's own thread, inside poll(), so between its batches
        memories.set(new ConsumerMemory());
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        memories.set(new ConsumerMemory());
        progress.revoked(partitions.stream().map(TopicPartition::partition).toList());
    }
}
