package dev.asof.merge;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventMetadata;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Plays the log writer (which lives in ingestion-service) for merge-service's tests: logs events straight into
 * the event log, with the identity link of a merge or unmerge, and reads what merge-service published to Kafka.
 */
final class IdentityLogFixture {

    private final EventLog log;
    private final IdentityLinks links;
    private final ProfileViews views;
    private long lastRecordedAt = Long.MIN_VALUE;

    IdentityLogFixture(EventLog log, IdentityLinks links) {
        this(log, links, null);
    }

    /** With {@code views}, every logged event is folded into its identity's view too, as the log writer does. */
    IdentityLogFixture(EventLog log, IdentityLinks links, ProfileViews views) {
        this.log = log;
        this.links = links;
        this.views = views;
    }

    /** Logs an attribute change of {@code customer} at {@code timestamp}, so the customer has a history. */
    void seed(String customer, String timestamp) {
        log(EventJson.decode(Events.attributeChange(
                UUID.randomUUID().toString(), customer, timestamp, "tier", null, "gold", "voice")));
    }

    /** Logs the merge of {@code from} into {@code into}, valid at {@code timestamp}. */
    EventEnvelope merged(String from, String into, String timestamp) {
        return log(envelope(from, Instant.parse(timestamp), new ProfileMerged(into, from)));
    }

    /** Logs the unmerge of {@code from} from {@code into}, valid at {@code timestamp}. */
    EventEnvelope unmerged(String from, String into, String timestamp) {
        return log(envelope(from, Instant.parse(timestamp), new ProfileUnmerged(into, from)));
    }

    /** Logs the erasure event of {@code customer}, valid at {@code timestamp}. */
    EventEnvelope erased(String customer, String timestamp) {
        return log(envelope(customer, Instant.parse(timestamp), new dev.asof.events.ProfileErased("test")));
    }

    synchronized EventEnvelope log(EventEnvelope event) {
        if (!logIfNew(event)) {
            throw new IllegalStateException("fixture logged " + event.eventId() + " twice");
        }
        return event;
    }

    /** Logs {@code event} unless it is logged already, as the log writer does; whether it was new. */
    synchronized boolean logIfNew(EventEnvelope event) {
        return logIfNew(event, 0, 0);
    }

    /** {@link #logIfNew(EventEnvelope)} of the record at {@code offset} of {@code partition}, as the log writer notes. */
    synchronized boolean logIfNew(EventEnvelope event, int partition, long offset) {
        lastRecordedAt = Hlc.next(lastRecordedAt, System.currentTimeMillis());
        boolean created = log.append(new RecordedEvent(event, lastRecordedAt), Long.MIN_VALUE, partition, offset)
                .created();
        // the link and the view also after a repeat, as the log writer finishes them: a try that failed between
        // the append and the view (dynalite slow) is completed by the next
        if (event.payload() instanceof ProfileMerged merged) {
            links.record(merged.mergedInto(), merged.mergedFrom());
        } else if (event.payload() instanceof ProfileUnmerged unmerged) {
            links.record(unmerged.mergedInto(), unmerged.mergedFrom());
        }
        if (views != null) {
            fold(event.customerId());
        }
        return created;
    }

    /** Rewrites the view of {@code customer} from its whole log. */
    private void fold(String customer) {
        List<RecordedEvent> events = log.eventsUpTo(customer, Timestamps.LATEST, Timestamps.LATEST);
        IdentityState state = ProfileFold.foldAt(customer, events, Timestamps.LATEST, Instant.MAX);
        long recorded =
                events.stream().mapToLong(RecordedEvent::recordedAt).max().orElse(0);
        long latest = events.stream()
                .mapToLong(e -> e.event().timestampUtc().toEpochMilli())
                .max()
                .orElse(Long.MIN_VALUE);
        ProfileViews.View expected = views.find(customer).orElse(ProfileViews.View.empty(customer));
        if (!views.replace(expected, state, recorded, latest, 0, Instant.now())) {
            throw new IllegalStateException("the fixture's view of " + customer + " was written concurrently");
        }
    }

    private static EventEnvelope envelope(String customer, Instant timestamp, dev.asof.events.ProfileEvent payload) {
        return new EventEnvelope(
                UUID.randomUUID().toString(),
                timestamp,
                customer,
                null,
                EventMetadata.EMPTY,
                payload,
                EventEnvelope.SCHEMA_VERSION);
    }

    /**
     * Every event published to {@code asof.profile-events} under key {@code customer}: read from the start of every
     * partition until {@code expected} are found (at most 5 s), then for one more second, so an unwanted extra copy
     * (or, with {@code expected} 0, any event at all) shows.
     */
    static List<EventEnvelope> published(String customer, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "false");
        List<EventEnvelope> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(AsofTopics.PROFILE_EVENTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (customer.equals(record.key())) {
                        found.add(EventJson.decode(record.value()));
                    }
                });
                if (found.size() >= expected && settle == Long.MAX_VALUE) {
                    settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        }
        return found;
    }
}
