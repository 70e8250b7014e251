package dev.asof.reconstruction.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.support.storage.Snapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Which snapshots identities that are read often have, kept in memory with the snapshots read so far, so a read
 * knows where to start before it calls DynamoDB. Snapshots are immutable, so nothing kept here is ever wrong: a
 * directory that misses newer snapshots only makes a read start further back. It is loaded again in the
 * background when a read had to fold many events after its snapshot (the sign that newer ones exist), and in any
 * case once it is older than {@link #RELOAD_AFTER}. Reloads are rare on purpose: one reads every key of the
 * identity, and on a single-threaded store it delays the reads queued behind it.
 */
@Component
public class SnapshotDirectory implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SnapshotDirectory.class);

    /** A directory older than this is loaded again in the background (it is still used meanwhile). */
    static final Duration RELOAD_AFTER = Duration.ofMinutes(10);

    /** A directory is not loaded again sooner than this after the last load, whatever the reads say. */
    static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(10);

    /** A snapshot's rectangle: valid-time bound (epoch ms) and recorded bound (HLC). */
    record Rectangle(long validTo, long recordedTo) {}

    private record Directory(List<long[]> rectangles, long loadedAtNanos) {

        /** This directory with the rectangle ({@code validTo}, {@code recordedTo}) in its place, if not there yet. */
        Directory with(long validTo, long recordedTo) {
            int low = 0;
            int high = rectangles.size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                long[] rectangle = rectangles.get(middle);
                if (rectangle[0] < validTo || rectangle[0] == validTo && rectangle[1] < recordedTo) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            if (low < rectangles.size()
                    && rectangles.get(low)[0] == validTo
                    && rectangles.get(low)[1] == recordedTo) {
                return this;
            }
            List<long[]> added = new ArrayList<>(rectangles.size() + 1);
            added.addAll(rectangles.subList(0, low));
            added.add(new long[] {validTo, recordedTo});
            added.addAll(rectangles.subList(low, rectangles.size()));
            return new Directory(List.copyOf(added), loadedAtNanos);
        }
    }

    /** Reads of the store one load makes at most while this instance writes snapshots of the identity. */
    private static final int MAX_READS_PER_LOAD = 3;

    private final Snapshots snapshots;
    private final Cache<String, Directory> directories;

    private final Cache<String, Snapshots.Snapshot> states;
    private final KeyedBackgroundWork loader;

    /** When this instance last wrote a snapshot of an identity (nanos), for the loads that overlap a write. */
    private final Cache<String, Long> lastWritten = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();

    SnapshotDirectory(Snapshots snapshots) {
        this.snapshots = snapshots;
        this.directories = Caffeine.newBuilder()
                .maximumWeight(500_000)
                .weigher((String identity, Directory directory) ->
                        directory.rectangles().size() + 1)
                .build();
        // Snapshot states vary in size (a profile's attributes); kept by count, few enough for any realistic profile.
        this.states = Caffeine.newBuilder().maximumSize(5_000).build();
        this.loader = new KeyedBackgroundWork("snapshot-directory-loader", 64);
    }

    /**
     * The rectangle of the snapshot a read of {@code identity} at {@code validAt} with recorded bound {@code bound}
     * starts from: the latest valid-time bound at or before {@code validAt}, then the latest recorded bound at or
     * before {@code bound}. Empty when the directory is not loaded or holds no such snapshot. Asks for a reload
     * when the directory is old.
     */
    Optional<Rectangle> nearest(String identity, Instant validAt, long bound) {
        Directory directory = directories.getIfPresent(identity);
        if (directory == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - directory.loadedAtNanos() > RELOAD_AFTER.toNanos()) {
            load(identity);
        }
        List<long[]> rectangles = directory.rectangles();
        long at = validAt.toEpochMilli();
        int low = 0;
        int high = rectangles.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (rectangles.get(middle)[0] <= at) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        for (int i = low - 1; i >= 0; i--) {
            long[] rectangle = rectangles.get(i);
            if (rectangle[1] <= bound) {
                return Optional.of(new Rectangle(rectangle[0], rectangle[1]));
            }
        }
        return Optional.empty();
    }

    /** The snapshot with this rectangle, if kept. */
    Optional<Snapshots.Snapshot> kept(String identity, Rectangle rectangle) {
        return Optional.ofNullable(
                states.getIfPresent(stateKey(identity, rectangle.validTo(), rectangle.recordedTo())));
    }

    /** Keeps a snapshot a read found. */
    void keep(String identity, Snapshots.Snapshot snapshot) {
        states.put(stateKey(identity, snapshot.validToMillis(), snapshot.recordedTo()), snapshot);
    }

    private static String stateKey(String identity, long validTo, long recordedTo) {
        return identity + "#" + Snapshots.key(validTo, recordedTo);
    }

    /**
     * Adds a snapshot this instance has just written to the identity's directory, if one is kept (one that is not
     * stays so: the next read loads it whole). Otherwise the snapshots written after a directory was loaded stay
     * unknown to the reads that find the view unchanged until one of them folds enough events to ask for a reload: a
     * customer read while its 10,000 changes were being logged (the directory loaded then) and opened once the
     * snapshot writer had caught up had every read of its first timeline fold thousands of events from an early
     * snapshot.
     */
    public void written(String identity, long validTo, long recordedTo) {
        lastWritten.put(identity, System.nanoTime());
        directories.asMap().computeIfPresent(identity, (key, directory) -> directory.with(validTo, recordedTo));
    }

    /** Loads the directory of {@code identity} in the background unless it is kept already. */
    void loadIfMissing(String identity) {
        if (directories.getIfPresent(identity) == null) {
            load(identity);
        }
    }

    /**
     * Loads (or reloads) the directory of {@code identity} in the background, one load at a time per identity, and
     * not again within {@link #RELOAD_AT_MOST_EVERY} of the last.
     */
    void load(String identity) {
        Directory kept = directories.getIfPresent(identity);
        if (kept != null && System.nanoTime() - kept.loadedAtNanos() < RELOAD_AT_MOST_EVERY.toNanos()) {
            return;
        }
        loader.submit(identity, () -> {
            try {
                // a snapshot this instance writes while the load reads the store may be missing from what it read,
                // and the directory it replaces would not have had it added: read again (a writer's own read of the
                // identity loads its directory between the snapshots it writes, and every read after it then started
                // from the snapshot before the last, until a reload)
                for (int read = 0; read < MAX_READS_PER_LOAD; read++) {
                    long started = System.nanoTime();
                    directories.put(identity, new Directory(List.copyOf(snapshots.rectangles(identity)), started));
                    Long written = lastWritten.getIfPresent(identity);
                    if (written == null || written - started < 0) {
                        return;
                    }
                }
            } catch (RuntimeException e) {
                log.debug("could not load the snapshot directory of {}: {}", identity, e.toString());
            }
        });
    }

    /** Drops everything kept; reads find their snapshots in DynamoDB until reloaded. For tests. */
    public void clear() {
        directories.invalidateAll();
        states.invalidateAll();
    }

    @Override
    public void destroy() {
        loader.close();
    }
}
