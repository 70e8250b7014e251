package dev.asof.ingestion.log;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether the log writer makes progress on each partition it owns. A batch that fails is retried until it
 * succeeds (nothing may be skipped), so a store that keeps refusing would stop a partition without a sound: once
 * a partition has failed for longer than {@code asof.log-writer.stuck-after}, this health component (
 * {@code logWriter}) turns {@code DOWN} naming the partition and the reason, the gauge {@code
 * asof.log.stuck_partitions} counts it, and one error line says so. See docs/ingestion.md, "A stuck partition".
 */
@Component("logWriterHealthIndicator")
class PartitionProgress implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(PartitionProgress.class);

    /** A partition whose batches fail: since when, how often, and the last reason. */
    record Stall(Instant since, long attempts, String reason, boolean reported) {}

    private final Map<Integer, Stall> stalls = new ConcurrentHashMap<>();
    private final Duration stuckAfter;
    private final Clock clock;

    PartitionProgress(LogWriterConfiguration.LogWriterProperties properties, Clock clock, MeterRegistry metrics) {
        this.stuckAfter = properties.stuckAfter();
        this.clock = clock;
        Gauge.builder(
                        "asof.log.stuck_partitions",
                        this,
                        progress -> progress.stuck().size())
                .description("partitions on which the log writer has made no progress for longer than stuck-after")
                .register(metrics);
        Gauge.builder("asof.log.retrying_partitions", stalls, Map::size)
                .description("partitions whose last batch failed and is being retried")
                .register(metrics);
    }

    /** A batch holding records of {@code partitions} failed and will be retried. */
    void failed(Set<Integer> partitions, RuntimeException failure) {
        Instant now = clock.instant();
        String reason = PoisonRecords.reason(failure);
        for (int partition : partitions) {
            Stall stall = stalls.merge(
                    partition,
                    new Stall(now, 1, reason, false),
                    (old, fresh) -> new Stall(old.since(), old.attempts() + 1, reason, old.reported()));
            if (!stall.reported() && isStuck(stall, now)) {
                stalls.computeIfPresent(partition, (p, s) -> new Stall(s.since(), s.attempts(), s.reason(), true));
                log.error(
                        "log writer stuck on partition {} of asof.profile-events: no progress for {} s over {} attempts;"
                                + " last failure: {}",
                        partition,
                        Duration.between(stall.since(), now).toSeconds(),
                        stall.attempts(),
                        reason);
            }
        }
    }

    /** A batch holding records of {@code partitions} is in the log and the view. */
    void succeeded(Set<Integer> partitions) {
        for (int partition : partitions) {
            Stall stall = stalls.remove(partition);
            if (stall != null && stall.reported()) {
                log.info("log writer moving again on partition {} after {} attempts", partition, stall.attempts());
            }
        }
    }

    /** Partitions this instance no longer owns are someone else's to report. */
    void revoked(Collection<Integer> partitions) {
        partitions.forEach(stalls::remove);
    }

    /** The partitions stuck for longer than stuck-after, by partition. */
    Map<Integer, Stall> stuck() {
        Instant now = clock.instant();
        Map<Integer, Stall> stuck = new TreeMap<>();
        stalls.forEach((partition, stall) -> {
            if (isStuck(stall, now)) {
                stuck.put(partition, stall);
            }
        });
        return stuck;
    }

    private boolean isStuck(Stall stall, Instant now) {
        return Duration.between(stall.since(), now).compareTo(stuckAfter) >= 0;
    }

    @Override
    public Health health() {
        Map<Integer, Stall> stuck = stuck();
        Health.Builder health = stuck.isEmpty() ? Health.up() : Health.down();
        health.withDetail("retrying_partitions", stalls.size()).withDetail("stuck_after", stuckAfter.toString());
        Map<String, Object> details = new LinkedHashMap<>();
        stuck.forEach((partition, stall) -> details.put(
                "asof.profile-events-" + partition,
                Map.of("since", stall.since().toString(), "attempts", stall.attempts(), "reason", stall.reason())));
        if (!details.isEmpty()) {
            health.withDetail("stuck_partitions", details);
        }
        return health.build();
    }
}
