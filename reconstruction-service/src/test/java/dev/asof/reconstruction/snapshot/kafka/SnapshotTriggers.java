package dev.asof.reconstruction.snapshot.kafka;

import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.snapshot.SnapshotProperties;
import dev.asof.reconstruction.snapshot.SnapshotWriter;
import dev.asof.reconstruction.state.LogPagesProperties;
import dev.asof.support.storage.FoldedEvents;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A snapshot trigger of its own for a test, fed records directly (not from the topic), shut down by the test. */
public final class SnapshotTriggers {

    private SnapshotTriggers() {}

    /** What a test does with its trigger. */
    public interface Trigger {

        /** Counts one record, as the listener would. */
        void onEvent(ConsumerRecord<String, String> record);

        /** Customers whose snapshot or pages are set aside for the log writer. */
        double pending();

        /** What a shutdown whose time is over ({@code deadline}, nanos) leaves unwritten: how many customers. */
        int writeSetAside(long deadline);

        /** Shuts the trigger down, as the application context does. */
        void shutDown() throws InterruptedException;
    }

    public static Trigger create(
            SnapshotWriter writer,
            LogPageWriter pages,
            SnapshotProperties properties,
            LogPagesProperties pageProperties,
            FoldedEvents folded,
            ProfileViews views) {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        SnapshotTrigger trigger =
                new SnapshotTrigger(writer, pages, properties, pageProperties, folded, views, metrics);
        return new Trigger() {
            @Override
            public void onEvent(ConsumerRecord<String, String> record) {
                trigger.onEvent(record);
            }

            @Override
            public double pending() {
                return metrics.get("asof.snapshots.pending").gauge().value();
            }

            @Override
            public int writeSetAside(long deadline) {
                return trigger.writeSetAside(deadline);
            }

            @Override
            public void shutDown() throws InterruptedException {
                trigger.destroy();
            }
        };
    }
}
