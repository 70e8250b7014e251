package dev.asof.ingestion.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.EventJson;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.Campaigns;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.LogKeys;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The log writer's consumers (one per partition, threads of one listener container) each keep their own memory of
 * views. A consumer that lost a partition in a rebalance still finishes the batch it holds; when that memory was
 * shared, it put its older view of a customer back over the newer one the partition's new consumer had written, and
 * the new consumer's next event, stamped before the customer's latest, was logged without its lateness tier: reads
 * through a page or a snapshot written in between then missed it for good (found by a review of the writer).
 */
@SpringBootTest
class LogWriterConsumersIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("asof.campaigns.runner-enabled", () -> "false");
    }

    @Autowired
    EventLog eventLog;

    @Autowired
    ProfileViews views;

    @Autowired
    IdentityLinks identityLinks;

    @Autowired
    DeadLetters deadLetters;

    @Autowired
    PartitionProgress progress;

    @Autowired
    Campaigns campaigns;

    @Autowired
    AsofTables tables;

    @Test
    void aConsumerFinishingABatchAfterLosingItsPartitionCannotHideTheNewConsumersView() throws Exception {
        String customer = Events.newCustomerId("cust_zombie");
        ConsumerRecord<String, String> first = record(customer, "2026-11-01T10:00:00Z", 10);
        ConsumerRecord<String, String> latest = record(customer, "2026-11-01T12:00:00Z", 11);
        // stamped between the two: late, once the 12:00 change is in the view
        ConsumerRecord<String, String> late = record(customer, "2026-11-01T11:00:00Z", 12);
        // the writer as the service makes it, with a clock that can hold the old consumer inside its batch
        PausingClock clock = new PausingClock();
        ExecutorService customers = Executors.newFixedThreadPool(4);
        LogWriter writer = new LogWriter(
                eventLog,
                views,
                identityLinks,
                deadLetters,
                progress,
                campaigns,
                clock,
                new SimpleMeterRegistry(),
                customers,
                6);
        ExecutorService oldConsumer = Executors.newSingleThreadExecutor();
        ExecutorService newConsumer = Executors.newSingleThreadExecutor();
        try {
            // the partition's old consumer logs the 10:00 change
            oldConsumer.submit(() -> writer.write(List.of(first))).get();
            // its next batch (the same record again) is held after it took the customer's view from its memory
            clock.holdNextCaller();
            Future<?> held = oldConsumer.submit(() -> writer.write(List.of(first)));
            assertThat(clock.held.await(30, TimeUnit.SECONDS)).isTrue();
            // meanwhile the partition moves: the new consumer gets the batch again and the 12:00 change
            newConsumer.submit(() -> writer.write(List.of(first, latest))).get();
            assertThat(views.find(customer).orElseThrow().maxTimestampMillis())
                    .isEqualTo(Instant.parse("2026-11-01T12:00:00Z").toEpochMilli());
            // the old consumer, not yet told of the rebalance, finishes the batch it held
            clock.release.countDown();
            held.get(30, TimeUnit.SECONDS);
            // the new consumer's next event
            newConsumer.submit(() -> writer.write(List.of(late))).get();
        } finally {
            clock.release.countDown();
            oldConsumer.shutdownNow();
            newConsumer.shutdownNow();
            customers.shutdownNow();
        }

        Map<String, AttributeValue> logged = SharedInfrastructure.dynamoClient()
                .getItem(b -> b.tableName(tables.eventLog())
                        .consistentRead(true)
                        .key(Map.of(
                                AsofTables.CUSTOMER_ID,
                                AttributeValue.fromS(customer),
                                AsofTables.EVENT_KEY,
                                AttributeValue.fromS(
                                        LogKeys.eventKey(Instant.parse("2026-11-01T11:00:00Z"), eventId(late))))))
                .item();
        assertThat(logged).as("the 11:00 change is logged").isNotEmpty();
        assertThat(logged)
                .as("listed as late (under by_lateness): it arrived after the 12:00 change was in the view")
                .containsKey(AsofTables.LATE_KEY);
    }

    /** The system clock, except that the first reading after {@link #holdNextCaller} waits for {@link #release}. */
    private static final class PausingClock extends Clock {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicBoolean armed = new AtomicBoolean();

        void holdNextCaller() {
            armed.set(true);
        }

        @Override
        public long millis() {
            if (armed.compareAndSet(true, false)) {
                held.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return System.currentTimeMillis();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(System.currentTimeMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static ConsumerRecord<String, String> record(String customer, String timestamp, long offset) {
        String event = Events.attributeChange(
                UUID.randomUUID().toString(), customer, timestamp, "tier", null, "gold-" + offset, "voice");
        return new ConsumerRecord<>(AsofTopics.PROFILE_EVENTS, 0, offset, customer, event);
    }

    private static String eventId(ConsumerRecord<String, String> record) {
        return EventJson.decode(record.value()).eventId();
    }
}
