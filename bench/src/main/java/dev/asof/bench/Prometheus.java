package dev.asof.bench;

import dev.asof.testing.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads counters and histograms from a service's {@code /actuator/prometheus}. */
final class Prometheus {

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

    private final ApiClient api;
    private final String apiKey;

    Prometheus(ApiClient api, String apiKey) {
        this.api = api;
        this.apiKey = apiKey;
    }

    /** A scrape: metric lines by name and labels. */
    record Scrape(List<String[]> samples) {

        /** The sum of every sample of {@code name} whose labels contain {@code labelFragment}. */
        double value(String name, String labelFragment) {
            double sum = 0;
            for (String[] sample : samples) {
                if (sample[0].equals(name) && sample[1].contains(labelFragment)) {
                    sum += Double.parseDouble(sample[2]);
                }
            }
            return sum;
        }

        /** Cumulative bucket counts of a histogram, by upper bound in seconds. */
        TreeMap<Double, Double> buckets(String histogram) {
            TreeMap<Double, Double> buckets = new TreeMap<>();
            Pattern le = Pattern.compile("le=\"([^\"]+)\"");
            for (String[] sample : samples) {
                if (sample[0].equals(histogram + "_bucket")) {
                    Matcher m = le.matcher(sample[1]);
                    if (m.find()) {
                        double bound =
                                m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                        buckets.merge(bound, Double.parseDouble(sample[2]), Double::sum);
                    }
                }
            }
            return buckets;
        }
    }

    Scrape scrape() {
        return scrape("/actuator/prometheus");
    }

    /**
     * Only the metrics named (their Prometheus names, e.g. {@code asof_log_events_total}): far cheaper for the service
     * than a full scrape, for loops that poll a counter while the service is being measured.
     */
    Scrape scrapeOnly(String... names) {
        return scrape("/actuator/prometheus?includedNames=" + String.join(",", names));
    }

    private Scrape scrape(String path) {
        var response = api.get(path, apiKey);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("prometheus scrape failed: " + response.statusCode());
        }
        List<String[]> samples = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                samples.add(new String[] {m.group(1), m.group(2) == null ? "" : m.group(2), m.group(3)});
            }
        }
        return new Scrape(samples);
    }

    /**
     * The {@code quantile} (0..1) of the observations that fell between two scrapes, as the upper bound of the
     * bucket it lands in (a conservative estimate), in milliseconds.
     */
    static double quantileMillis(Scrape before, Scrape after, String histogram, double quantile) {
        TreeMap<Double, Double> start = before.buckets(histogram);
        TreeMap<Double, Double> end = after.buckets(histogram);
        double total = end.lastEntry().getValue() - start.getOrDefault(end.lastKey(), 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> bucket : end.entrySet()) {
            double count = bucket.getValue() - start.getOrDefault(bucket.getKey(), 0.0);
            if (count >= quantile * total) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** How big the log writer's batches were and how long they took, between two scrapes. */
    static String writerBatches(Scrape before, Scrape after) {
        double batches =
                after.value("asof_log_batch_records_count", "") - before.value("asof_log_batch_records_count", "");
        double records = after.value("asof_log_batch_records_sum", "") - before.value("asof_log_batch_records_sum", "");
        double seconds = after.value("asof_log_batch_duration_seconds_sum", "")
                - before.value("asof_log_batch_duration_seconds_sum", "");
        double timed = after.value("asof_log_batch_duration_seconds_count", "")
                - before.value("asof_log_batch_duration_seconds_count", "");
        return String.format(
                java.util.Locale.ROOT,
                "%.0f batches, %.1f records and %.1f ms each on average, batch p99 %.0f ms",
                batches,
                records / batches,
                1000 * seconds / timed,
                quantileMillis(before, after, "asof_log_batch_duration_seconds", 0.99));
    }
}
