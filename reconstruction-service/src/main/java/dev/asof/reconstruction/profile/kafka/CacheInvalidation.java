package dev.asof.reconstruction.profile.kafka;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventType;
import dev.asof.events.InvalidEventException;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.privacy.ValueCipher;
import dev.asof.reconstruction.profile.ProfileCache;
import dev.asof.reconstruction.state.LateArrivals;
import dev.asof.reconstruction.state.LogSegments;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.FoldedEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Follows the event topic to drop cached answers an event may change, and the late arrivals and stretches of the
 * log kept in memory of an identity whose erasure event it sees ({@link LateArrivals#erased}, {@link
 * LogSegments#drop}). Every instance needs every event (each has its own cache), so the consumer group is unique per instance and starts at the end of the topic: the cache
 * starts empty, and nothing is cached until the partitions are assigned and their positions fixed.
 *
 * <p>A merge or unmerge keeps its target "pending" until the log writer has logged and folded it: until then this
 * consumer may be ahead of the log, and an answer read now could miss the joining identity yet be cached. The
 * record is retried with backoff until the event is in the log and the view (see {@link
 * CacheInvalidationConfiguration}).
 */
@Component
class CacheInvalidation implements ConsumerSeekAware {

    private static final Logger log = LoggerFactory.getLogger(CacheInvalidation.class);

    private final ProfileCache cache;
    private final LateArrivals lateArrivals;
    private final LogSegments segments;
    private final FoldedEvents folded;
    private final ValueCipher cipher;
    private final Counter invalidations;
    private final Counter notEvents;

    CacheInvalidation(
            ProfileCache cache,
            LateArrivals lateArrivals,
            LogSegments segments,
            FoldedEvents folded,
            ValueCipher cipher,
            MeterRegistry metrics) {
        this.cache = cache;
        this.lateArrivals = lateArrivals;
        this.segments = segments;
        this.folded = folded;
        this.cipher = cipher;
        this.invalidations = metrics.counter("asof.reconstruction.cache.invalidations", "kind", "event");
        this.notEvents = metrics.counter("asof.reconstruction.cache.invalidations", "kind", "not_an_event");
    }

    @KafkaListener(
            id = "asof-reconstruction-cache",
            groupId = "asof-reconstruction-cache-#{T(java.util.UUID).randomUUID()}",
            topics = AsofTopics.PROFILE_EVENTS,
            autoStartup = "${asof.reconstruction.cache.enabled:true}",
            properties = "auto.offset.reset=latest")
    void onEvent(ConsumerRecord<String, String> record) {
        if (record.key() != null) {
            cache.invalidate(record.key());
        }
        EventEnvelope event;
        try {
            JsonNode node = EventJson.parse(record.value());
            String ordinary = ordinaryEventsCustomer(node);
            if (ordinary != null) {
                // an attribute change or a bulk update only drops its customer's answers: no need to validate it
                // whole (the log writer does; dropping answers for one it dead-letters costs a read, nothing more).
                // Validating every record was more than half of this consumer's time and left it minutes behind a
                // 100,000-event load (bench/run reconstruction)
                invalidations.increment();
                cache.invalidate(ordinary);
                return;
            }
            event = EventJson.decode(node);
        } catch (InvalidEventException | JacksonException notAnEvent) {
            // The log writer dead-letters it: it never reaches the log, so no answer can change because of it.
            notEvents.increment();
            log.debug("not an event at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), notAnEvent);
            return;
        }
        invalidations.increment();
        cache.invalidate(event.customerId());
        if (event.payload() instanceof ProfileErased) {
            // the erasure redacts this identity's log next: late arrivals and stretches of the log kept from it would
            // outlive the redaction (other events only move the view on, and the copies catch up with them)
            lateArrivals.erased(event.customerId());
            segments.drop(event.customerId());
            // and destroys its key right after: from now on its values open only with a key read past the cache, so
            // a profile that held it by a merge stops showing them then, not a cache TTL later
            cipher.erasureSeen(event.customerId());
        }
        String target = mergeTarget(event);
        if (target == null) {
            return;
        }
        cache.linkPending(target, event.eventId());
        if (!folded.folded(event)) {
            throw new NotYetLoggedException(event);
        }
        cache.linkSettled(target, event.eventId());
        cache.invalidate(event.customerId());
    }

    /** Gives up waiting for a merge that never reached the log (retries exhausted): its target is cacheable again. */
    void abandon(ConsumerRecord<?, ?> record, Exception cause) {
        try {
            EventEnvelope event = EventJson.decode(String.valueOf(record.value()));
            String target = mergeTarget(event);
            if (target != null) {
                log.warn(
                        "merge/unmerge {} of {} into {} is still not in the log; answers for {} are cached again: {}",
                        event.eventId(),
                        event.customerId(),
                        target,
                        target,
                        cause.toString());
                cache.linkSettled(target, event.eventId());
            }
        } catch (InvalidEventException | JacksonException notAnEvent) {
            log.warn("could not read record {}-{}@{} again", record.topic(), record.partition(), record.offset());
        }
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        // The positions are fixed by now (the container resolved them to report them), so every event recorded
        // from here on is seen; reads that began earlier are refused by the cache.
        log.info("following {} partitions for cache invalidation", assignments.size());
        cache.following();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            cache.notFollowing();
        }
    }

    /**
     * The customer id of an attribute change or a bulk update, read without validating the rest; {@code null} for
     * any other record (merges, unmerges and erasures are validated whole before they act: a merge that is not one
     * would hold this consumer until its retries end, waiting for it in the log).
     */
    static String ordinaryEventsCustomer(JsonNode node) {
        JsonNode type = node.get("event_type");
        JsonNode customerId = node.get("customer_id");
        if (type == null || !type.isString() || customerId == null || !customerId.isString()) {
            return null;
        }
        String name = type.stringValue();
        boolean ordinary = name.equals(EventType.CUSTOMER_PROFILE_ATTRIBUTE_CHANGE.wireName())
                || name.equals(EventType.BULK_PROFILE_UPDATE.wireName());
        return ordinary ? customerId.stringValue() : null;
    }

    private static String mergeTarget(EventEnvelope event) {
        if (event.payload() instanceof ProfileMerged merged) {
            return merged.mergedInto();
        }
        if (event.payload() instanceof ProfileUnmerged unmerged) {
            return unmerged.mergedInto();
        }
        return null;
    }

    /** A merge or unmerge seen on the topic is not in the log and the view yet. */
    static final class NotYetLoggedException extends RuntimeException {
        NotYetLoggedException(EventEnvelope event) {
            super("event " + event.eventId() + " of " + event.customerId() + " is not logged and folded yet");
        }
    }
}
