package dev.asof.ingestion.campaign;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;

/**
 * The live events' accepted-to-logged p99 over the last window, read from this instance's log writer's {@code
 * asof.log.lag} histogram (campaign events are not in it): the signal the campaign rate adapts to.
 */
final class LiveLag {

    /** Fewer live events than this in a window say too little about its p99: the window counts as quiet. */
    static final int MIN_SAMPLES = 5;

    private final MeterRegistry metrics;
    private long lastCount;
    private double[] lastBuckets;

    LiveLag(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    /** The p99 in milliseconds of live events logged since the last call (a bucket's upper bound), or NaN. */
    double p99SinceLast() {
        Timer timer = metrics.find("asof.log.lag").timer();
        if (timer == null) {
            return Double.NaN;
        }
        io.micrometer.core.instrument.distribution.HistogramSnapshot snapshot = timer.takeSnapshot();
        CountAtBucket[] buckets = snapshot.histogramCounts();
        long count = snapshot.count();
        double[] counts = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            counts[i] = buckets[i].count();
        }
        double[] previous = lastBuckets;
        long samples = count - lastCount;
        lastBuckets = counts;
        lastCount = count;
        if (previous == null || previous.length != counts.length || samples < MIN_SAMPLES) {
            return Double.NaN;
        }
        for (int i = 0; i < buckets.length; i++) {
            if (counts[i] < previous[i]) {
                return Double.NaN; // a registry whose histograms roll over (not Prometheus's cumulative ones)
            }
        }
        for (int i = 0; i < buckets.length; i++) {
            if (counts[i] - previous[i] >= 0.99 * samples) {
                return buckets[i].bucket(TimeUnit.MILLISECONDS);
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
