package dev.asof.merge.matching.kafka;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.InvalidEventException;
import dev.asof.merge.matching.MatchIndexer;
import dev.asof.support.kafka.AsofTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;

/**
 * Follows the event topic and keeps the blocking index equal to each identity's current state: every event
 * re-indexes its identity once the log writer has folded it into the view. One consumer group for all replicas of
 * merge-service (the index is shared), from the start of the topic, so a new index fills itself. Records that are no
 * events are skipped: the log writer dead-letters them, so they change no profile.
 *
 * <p>Records come in polls (up to {@code max.poll.records}, 500), and an identity is re-indexed once per poll, for
 * its latest event in it: a re-index reads the view as it stands, which holds every earlier event of the identity
 * too (one partition per identity, logged in order). A customer's 10,000-event history written at once was 10,000
 * re-indexes of four DynamoDB reads each, minutes of a core after the write; now it is one per poll. Identities are
 * re-indexed in the order of their latest events; a failure names the record of the identity that failed ({@link
 * BatchListenerFailedException}), so the records before it are done with and the error handler tries that record
 * again as it would a single one (see {@link MatchIndexFollowerConfiguration}); an identity re-indexed after it in the
 * poll is read again from its own latest record, which comes after the failed one.
 */
@Component
class MatchIndexFollower {

    private static final Logger LOG = LoggerFactory.getLogger(MatchIndexFollower.class);

    private final MatchIndexer indexer;
    private final Counter notEvents;
    private final Counter coalesced;

    MatchIndexFollower(MatchIndexer indexer, MeterRegistry meters) {
        this.indexer = indexer;
        this.notEvents = meters.counter("asof.matching.index.updates", "outcome", "not-an-event");
        this.coalesced = Counter.builder("asof.matching.index.coalesced")
                .description("events whose identity was re-indexed for a later event of the same poll")
                .register(meters);
    }

    @KafkaListener(
            id = "asof-merge-matching",
            groupId = "${asof.matching.index-group:asof-merge-matching}",
            topics = AsofTopics.PROFILE_EVENTS,
            autoStartup = "${asof.matching.index-enabled:true}",
            batch = "true",
            containerPostProcessor = "matchIndexFollowerCommitsPerPoll",
            properties = "auto.offset.reset=${asof.matching.index-start:earliest}")
    void onEvents(List<ConsumerRecord<String, String>> records) {
        // each identity's latest event in this poll, in the order of those latest events
        Map<String, Integer> latest = new LinkedHashMap<>();
        EventEnvelope[] events = new EventEnvelope[records.size()];
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, String> record = records.get(i);
            try {
                events[i] = EventJson.decode(record.value());
            } catch (InvalidEventException | JacksonException notAnEvent) {
                notEvents.increment();
                LOG.debug("not an event at {}-{}@{}", record.topic(), record.partition(), record.offset());
                continue;
            }
            if (latest.remove(events[i].customerId()) != null) {
                coalesced.increment();
            }
            latest.put(events[i].customerId(), i);
        }
        for (Map.Entry<String, Integer> identity : latest.entrySet()) {
            int index = identity.getValue();
            try {
                indexer.refresh(identity.getKey(), events[index]);
            } catch (RuntimeException failed) {
                throw new BatchListenerFailedException(
                        "re-indexing customer " + identity.getKey() + " failed", failed, index);
            }
        }
    }
}
