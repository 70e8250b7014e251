package dev.asof.ingestion.log;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.InvalidEventException;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Violation;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Writes each event from the topic to the immutable log, then folds it into the materialized view. Kafka's
 * offset is committed only after both writes (ack mode {@code record}), and each write is idempotent, so a crash
 * between any two steps or a redelivery leaves exactly one log item per event and a view equal to the fold of
 * the log.
 */
@Component
class LogWriter {

    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);

    private final EventLog eventLog;
    private final ProfileViews views;
    private final IdentityLinks identityLinks;
    private final Clock clock;
    private final Timer lag;
    private final Counter created;
    private final Counter redelivered;

    LogWriter(EventLog eventLog, ProfileViews views, IdentityLinks identityLinks, Clock clock, MeterRegistry metrics) {
        this.eventLog = eventLog;
        this.views = views;
        this.identityLinks = identityLinks;
        this.clock = clock;
        this.lag = Timer.builder("asof.log.lag")
                .description("time from intake's Kafka acknowledgement to the event being in the log and the view")
                .publishPercentileHistogram()
                .register(metrics);
        this.created = metrics.counter("asof.log.events", "result", "logged");
        this.redelivered = metrics.counter("asof.log.events", "result", "already_logged");
    }

    @KafkaListener(id = "asof-log-writer", topics = AsofTopics.PROFILE_EVENTS)
    void write(ConsumerRecord<String, String> record) {
        EventEnvelope event = EventJson.decode(record.value());
        if (!event.customerId().equals(record.key())) {
            throw new InvalidEventException(List.of(new Violation(
                    "/customer_id",
                    "partition-key",
                    "record key '" + record.key() + "' differs from customer_id '" + event.customerId() + "'")));
        }
        ProfileViews.View view = views.find(event.customerId()).orElse(ProfileViews.View.empty(event.customerId()));
        Optional<RecordedEvent> alreadyLogged =
                eventLog.find(event.customerId(), event.timestampUtc(), event.eventId());
        RecordedEvent logged;
        if (alreadyLogged.isPresent()) {
            logged = alreadyLogged.get();
            redelivered.increment();
        } else {
            boolean late = event.timestampUtc().toEpochMilli() <= view.maxTimestampMillis();
            EventLog.Append append = eventLog.append(
                    new RecordedEvent(event, Hlc.next(view.lastRecordedAt(), clock.millis())),
                    late,
                    record.partition(),
                    record.offset());
            logged = append.logged();
            (append.created() ? created : redelivered).increment();
        }
        recordIdentityLink(event);
        applyToView(logged, view);
        Header acceptedAt = record.headers().lastHeader(AsofTopics.ACCEPTED_AT_HEADER);
        if (acceptedAt != null) {
            long millis = Long.parseLong(new String(acceptedAt.value(), StandardCharsets.UTF_8));
            lag.record(Duration.ofMillis(Math.max(0, clock.millis() - millis)));
        }
        log.debug("logged {} for {} at {}", event.eventId(), event.customerId(), logged.recordedAt());
    }

    /** Merges and unmerges are indexed before the view moves on, so a reader can always find the members. */
    private void recordIdentityLink(EventEnvelope event) {
        if (event.payload() instanceof ProfileMerged merged) {
            identityLinks.record(merged.mergedInto(), merged.mergedFrom());
        } else if (event.payload() instanceof ProfileUnmerged unmerged) {
            identityLinks.record(unmerged.mergedInto(), unmerged.mergedFrom());
        }
    }

    private void applyToView(RecordedEvent logged, ProfileViews.View view) {
        ProfileViews.View current = view;
        long eventMillis = logged.event().timestampUtc().toEpochMilli();
        while (true) {
            IdentityState next = ProfileFold.evolve(current.state(), logged);
            long lastRecordedAt = Math.max(current.lastRecordedAt(), logged.recordedAt());
            long maxTimestamp = Math.max(current.maxTimestampMillis(), eventMillis);
            if (next.equals(current.state())
                    && lastRecordedAt == current.lastRecordedAt()
                    && maxTimestamp == current.maxTimestampMillis()
                    && current.revision() > 0) {
                return;
            }
            if (views.replace(current, next, lastRecordedAt, maxTimestamp, clock.instant())) {
                return;
            }
            current = views.find(logged.event().customerId())
                    .orElse(ProfileViews.View.empty(logged.event().customerId()));
        }
    }
}
