package dev.asof.merge.matching.kafka;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.InvalidEventException;
import dev.asof.merge.matching.MatchIndexer;
import dev.asof.support.kafka.AsofTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;

/**
 * Follows the event topic and keeps the blocking index equal to each identity's current state: every event
 * re-indexes its identity once the log writer has folded it into the view. One consumer group for all replicas of
 * merge-service (the index is shared), from the start of the topic, so a new index fills itself. Records that are no
 * events are skipped: the log writer dead-letters them, so they change no profile.
 */
@Component
class MatchIndexFollower {

    private static final Logger LOG = LoggerFactory.getLogger(MatchIndexFollower.class);

    private final MatchIndexer indexer;
    private final Counter notEvents;

    MatchIndexFollower(MatchIndexer indexer, MeterRegistry meters) {
        this.indexer = indexer;
        this.notEvents = meters.counter("asof.matching.index.updates", "outcome", "not-an-event");
    }

    @KafkaListener(
            id = "asof-merge-matching",
            groupId = "${asof.matching.index-group:asof-merge-matching}",
            topics = AsofTopics.PROFILE_EVENTS,
            autoStartup = "${asof.matching.index-enabled:true}",
            properties = "auto.offset.reset=${asof.matching.index-start:earliest}")
    void onEvent(ConsumerRecord<String, String> record) {
        EventEnvelope event;
        try {
            event = EventJson.decode(record.value());
        } catch (InvalidEventException | JacksonException notAnEvent) {
            notEvents.increment();
            LOG.debug("not an event at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        indexer.refresh(event.customerId(), event);
    }
}
