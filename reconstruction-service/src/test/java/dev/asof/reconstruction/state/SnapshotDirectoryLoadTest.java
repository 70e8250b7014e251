package dev.asof.reconstruction.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.Snapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A snapshot this instance writes while the directory of its identity is being loaded: the load may have read the
 * store just before the write, and the write found no directory to add itself to. Such a directory lacked the
 * snapshot until a reload (10 min, or a read folding 256 events), and every read started from the snapshot before (a
 * writer's own read loads the directory between the snapshots it writes: SnapshotIT met it).
 */
class SnapshotDirectoryLoadTest {

    private static final String IDENTITY = "cust_directory";
    private static final long RECORDED = 1_000;

    /** The store's answers: a list before the write, and after it; the write lands while the first is returned. */
    private final AtomicInteger reads = new AtomicInteger();

    private SnapshotDirectory directory;

    @AfterEach
    void close() {
        directory.destroy();
    }

    @Test
    void aSnapshotWrittenWhileTheDirectoryLoadsIsInIt() {
        Snapshots store = new Snapshots(null, new AsofTables("test_")) {
            @Override
            public List<long[]> rectangles(String customerId) {
                if (reads.getAndIncrement() == 0) {
                    // read before the write; the write lands before this load puts what it read
                    List<long[]> before = List.of(new long[] {19, RECORDED});
                    directory.written(IDENTITY, 39, RECORDED);
                    return before;
                }
                return List.of(new long[] {19, RECORDED}, new long[] {39, RECORDED});
            }
        };
        directory = new SnapshotDirectory(store);

        directory.load(IDENTITY);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> directory
                        .nearest(IDENTITY, Instant.ofEpochMilli(100), Long.MAX_VALUE)
                        .equals(java.util.Optional.of(new SnapshotDirectory.Rectangle(39, RECORDED))));
        assertThat(reads.get()).as("the store read again once").isEqualTo(2);
    }

    @Test
    void aLoadWithoutAWriteReadsTheStoreOnce() throws Exception {
        Snapshots store = new Snapshots(null, new AsofTables("test_")) {
            @Override
            public List<long[]> rectangles(String customerId) {
                reads.incrementAndGet();
                return List.of(new long[] {19, RECORDED});
            }
        };
        directory = new SnapshotDirectory(store);

        directory.load(IDENTITY);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> directory
                        .nearest(IDENTITY, Instant.ofEpochMilli(100), Long.MAX_VALUE)
                        .isPresent());
        Thread.sleep(200);
        assertThat(reads.get()).isEqualTo(1);
        assertThat(directory.nearest(IDENTITY, Instant.ofEpochMilli(100), Long.MAX_VALUE))
                .contains(new SnapshotDirectory.Rectangle(19, RECORDED));
    }
}
