package dev.asof.bench;

import dev.asof.events.EventJson;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.testing.ApiClient;
import dev.asof.testing.ServiceJar;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.JsonNode;

/**
 * The erasure of one customer with a long history (issue #12): a customer with {@code --events} (10,000) events and
 * {@code --others} (200) other customers with {@code --other-events} (20) each, values encrypted as intake encrypts
 * them, loaded into a fresh stack (ingestion's log writer, reconstruction, merge-service). Then profile reads of the
 * other customers run from {@code --clients} (4) threads: a warm-up, not counted, of at least {@code
 * --baseline-seconds} (20) and then until reconstruction-service's JIT compiler is quiet (at most {@code
 * --warm-up-max-seconds}, 600), then {@code --baseline-seconds} alone, then while the customer is erased. Prints the time from the request to {@code completed}, the erasure's own step counts and
 * proof, and the other customers' read latency before and during the erasure. {@code --cache-wait} (60s, the
 * production default) is {@code asof.erasure.replica-key-cache-wait}. Then {@code --together} (10) of the other customers
 * are erased at once: the time until the last of them ended, beside one wait each.
 */
public final class ErasureBenchmark {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private ErasureBenchmark() {}

    public static void main(String[] args) throws Exception {
        Args options = new Args(args);
        int events = options.integer("--events", 10_000);
        int others = options.integer("--others", 200);
        int otherEvents = options.integer("--other-events", 20);
        int clients = options.integer("--clients", 4);
        int baselineSeconds = options.integer("--baseline-seconds", 20);
        int warmUpMaxSeconds = options.integer("--warm-up-max-seconds", 600);
        int together = options.integer("--together", 10);
        String cacheWait = options.value("--cache-wait") == null ? "60s" : options.value("--cache-wait");
        String run = Long.toString(System.currentTimeMillis(), 36);
        System.out.printf(
                Locale.ROOT,
                "erasure benchmark: %d events for the erased customer, %d others with %d each, %d reading clients,"
                        + " replica key cache wait %s, run %s%n",
                events,
                others,
                otherEvents,
                clients,
                cacheWait,
                run);
        try (BenchStack stack = BenchStack.start();
                DynamoDbClient dynamo = stack.dynamoClient()) {
            Map<String, String> properties = stack.serviceProperties();
            Map<String, String> mergeProperties = new java.util.HashMap<>(properties);
            mergeProperties.put("asof.erasure.replica-key-cache-wait", cacheWait);
            // the production default: how long after the cache wait requests in flight may still reach Kafka
            String inFlightMargin = "30s";
            mergeProperties.put("asof.erasure.in-flight-margin", inFlightMargin);
            // the match index follower would index every loaded event; this measures the erasure alone
            mergeProperties.put("asof.matching.index-enabled", "false");
            try (ServiceJar ingestion = ServiceJar.start(
                            "ingestion-service", properties, List.of("-Xmx512m", "-XX:+UseParallelGC"));
                    ServiceJar reconstruction = ServiceJar.start(
                            "reconstruction-service", properties, List.of("-Xmx512m", "-XX:+UseParallelGC"));
                    ServiceJar merge = ServiceJar.start(
                            "merge-service", mergeProperties, List.of("-Xmx512m", "-XX:+UseParallelGC"))) {
                String subject = "erase-" + run;
                List<String> otherIds = new ArrayList<>();
                for (int i = 0; i < others; i++) {
                    otherIds.add("other-" + run + "-" + i);
                }
                long loadStart = System.nanoTime();
                load(
                        stack,
                        dynamo,
                        new Prometheus(ingestion.api(), BenchStack.API_KEY),
                        subject,
                        events,
                        otherIds,
                        otherEvents);
                System.out.printf(
                        Locale.ROOT,
                        "loaded %d events in %.1f s%n",
                        events + others * otherEvents,
                        (System.nanoTime() - loadStart) / 1e9);

                ApiClient reads = reconstruction.api();
                List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger failed = new AtomicInteger();
                List<Thread> readers = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    Random random = new Random(c);
                    Thread reader = new Thread(() -> {
                        while (running.get()) {
                            String customer = otherIds.get(random.nextInt(otherIds.size()));
                            long at = START.toEpochMilli() + random.nextInt(otherEvents) * 60_000L;
                            long begin = System.nanoTime();
                            HttpResponse<String> response = reads.get(
                                    "/api/v1/customers/" + customer + "/profile/at/" + at, BenchStack.API_KEY);
                            long end = System.nanoTime();
                            if (response.statusCode() != 200) {
                                failed.incrementAndGet();
                            }
                            samples.add(new long[] {begin, end - begin});
                        }
                    });
                    reader.setDaemon(true);
                    reader.start();
                    readers.add(reader);
                }
                // warm-up (JIT, connection pools, caches): the same reads, not counted
                Prometheus readMetrics = new Prometheus(reads, BenchStack.API_KEY);
                Prometheus mergeMetrics = new Prometheus(merge.api(), BenchStack.API_KEY);
                Prometheus.Scrape beforeWarmUp = readMetrics.scrape();
                long warmUpStart = System.nanoTime();
                double lastRound = warmUp(readMetrics, baselineSeconds, warmUpMaxSeconds);
                System.out.printf(
                        Locale.ROOT,
                        "warm-up: %.0f s of reads; reconstruction-service's JIT compiler spent %.0f ms in it, %.0f ms"
                                + " per second in its last 10 s (until below %.0f, at least %d s, at most %d s)%n",
                        (System.nanoTime() - warmUpStart) / 1e9,
                        ReconstructionBenchmark.compileMillis(beforeWarmUp, readMetrics.scrape()),
                        lastRound,
                        ReconstructionBenchmark.QUIET_COMPILER_MILLIS_PER_SECOND,
                        baselineSeconds,
                        warmUpMaxSeconds);
                Prometheus.Scrape readsBefore = readMetrics.scrape();
                long baselineStart = System.nanoTime();
                Thread.sleep(baselineSeconds * 1000L);
                Prometheus.Scrape readsBaseline = readMetrics.scrape();
                Prometheus.Scrape mergeBefore = mergeMetrics.scrape();
                long requested = System.nanoTime();
                HttpResponse<String> accepted = merge.api()
                        .post(
                                "/api/v1/customers/" + subject + "/erasure",
                                BenchStack.API_KEY,
                                "application/json",
                                "{\"reason\":\"benchmark\",\"requested_by\":\"bench\"}");
                if (accepted.statusCode() != 202) {
                    throw new IllegalStateException(
                            "erasure answered " + accepted.statusCode() + ": " + accepted.body());
                }
                String location = accepted.headers().firstValue("Location").orElseThrow();
                JsonNode erasure;
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                while (true) {
                    erasure = EventJson.parse(
                            merge.api().get(location, BenchStack.API_KEY).body());
                    String state = erasure.get("state").stringValue();
                    if (state.equals("completed") || state.equals("failed")) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the erasure did not end within 30 minutes: " + erasure);
                    }
                    Thread.sleep(250);
                }
                long ended = System.nanoTime();
                Prometheus.Scrape readsDuring = readMetrics.scrape();
                Prometheus.Scrape mergeDuring = mergeMetrics.scrape();
                running.set(false);
                for (Thread reader : readers) {
                    reader.join(10_000);
                }
                List<Long> before = new ArrayList<>();
                List<Long> during = new ArrayList<>();
                synchronized (samples) {
                    for (long[] sample : samples) {
                        if (sample[0] >= baselineStart && sample[0] < requested) {
                            before.add(sample[1]);
                        } else if (sample[0] <= ended) {
                            during.add(sample[1]);
                        }
                    }
                }
                Duration wait = Duration.parse("PT" + cacheWait.toUpperCase(Locale.ROOT))
                        .plus(Duration.parse("PT" + inFlightMargin.toUpperCase(Locale.ROOT)));
                double seconds = (ended - requested) / 1e9;
                System.out.println();
                System.out.printf(
                        Locale.ROOT,
                        "erasure of a customer with %d events: %s in %.1f s from the request (%.1f s of it the"
                                + " replica key cache wait of %s and the in-flight margin of %s; %.1f s the other"
                                + " steps)%n",
                        events,
                        erasure.get("state").stringValue(),
                        seconds,
                        (double) wait.toSeconds(),
                        cacheWait,
                        inFlightMargin,
                        seconds - wait.toSeconds());
                System.out.println("steps: " + erasure.at("/proof/steps"));
                Prometheus.Scrape metrics = new Prometheus(merge.api(), BenchStack.API_KEY).scrape();
                StringBuilder timings = new StringBuilder("step durations (s):");
                for (String step : List.of(
                        "resolve",
                        "append",
                        "destroy_keys",
                        "drain",
                        "reencrypt",
                        "redact",
                        "purge_keys",
                        "drop_indexes",
                        "scan")) {
                    timings.append(String.format(
                            Locale.ROOT,
                            " %s %.1f",
                            step,
                            metrics.value("asof_erasure_step_seconds_sum", "step=\"" + step + "\"")));
                }
                System.out.println(timings);
                System.out.println("scan:  " + erasure.at("/proof/scan"));
                System.out.printf(
                        Locale.ROOT,
                        "other customers' reads, %d clients: before %s; during %s; p99 during / before: %.2f;"
                                + " %d answers other than 200%n",
                        clients,
                        describe(before),
                        describe(during),
                        percentile(during, 0.99) / percentile(before, 0.99),
                        failed.get());
                System.out.printf(
                        Locale.ROOT,
                        "JIT compiler, ms per second: reconstruction-service %.1f before, %.1f during;"
                                + " merge-service %.1f during (its first erasure)%n",
                        ReconstructionBenchmark.compileMillis(readsBefore, readsBaseline)
                                / ((requested - baselineStart) / 1e9),
                        ReconstructionBenchmark.compileMillis(readsBaseline, readsDuring) / seconds,
                        ReconstructionBenchmark.compileMillis(mergeBefore, mergeDuring) / seconds);
                if (together > 0) {
                    eraseTogether(
                            merge.api(), otherIds.subList(0, Math.min(together, otherIds.size())), otherEvents, wait);
                }
            }
        }
    }

    /**
     * Lets the readers run for at least {@code seconds}, then on in rounds of 10 s until reconstruction-service's JIT
     * compiler works less than {@link ReconstructionBenchmark#QUIET_COMPILER_MILLIS_PER_SECOND} in a round (at most
     * {@code maxSeconds}); returns the compiler's ms per second in the last round. After a fixed 20 s the compiler
     * may still be busy (in the reconstruction benchmark it took about two minutes of reads to quieten), and what it
     * took would have been counted in the "before" reads or the ones during the erasure.
     */
    private static double warmUp(Prometheus metrics, int seconds, int maxSeconds) throws InterruptedException {
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double share;
        do {
            Prometheus.Scrape before = metrics.scrape();
            long roundStart = System.nanoTime();
            Thread.sleep(10_000);
            share = ReconstructionBenchmark.compileMillis(before, metrics.scrape())
                    / ((System.nanoTime() - roundStart) / 1e9);
        } while ((System.nanoTime() - start) / 1e9 < maxSeconds
                && share >= ReconstructionBenchmark.QUIET_COMPILER_MILLIS_PER_SECOND);
        return share;
    }

    /**
     * Asks for the erasure of every customer of {@code customers} at once and prints the time until the last one
     * ended, beside what one erasure after another would take at least (one wait each).
     */
    private static void eraseTogether(ApiClient merge, List<String> customers, int events, Duration wait)
            throws Exception {
        long requested = System.nanoTime();
        List<String> locations = new ArrayList<>();
        for (String customer : customers) {
            HttpResponse<String> accepted = merge.post(
                    "/api/v1/customers/" + customer + "/erasure",
                    BenchStack.API_KEY,
                    "application/json",
                    "{\"reason\":\"benchmark\",\"requested_by\":\"bench\"}");
            if (accepted.statusCode() != 202) {
                throw new IllegalStateException("erasure answered " + accepted.statusCode() + ": " + accepted.body());
            }
            locations.add(accepted.headers().firstValue("Location").orElseThrow());
        }
        int completed = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        for (String location : locations) {
            while (true) {
                String state = EventJson.parse(
                                merge.get(location, BenchStack.API_KEY).body())
                        .get("state")
                        .stringValue();
                if (state.equals("completed") || state.equals("failed")) {
                    completed += state.equals("completed") ? 1 : 0;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the erasures did not end within 30 minutes");
                }
                Thread.sleep(250);
            }
        }
        double seconds = (System.nanoTime() - requested) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%d erasures asked for at once (customers with %d events): all ended in %.1f s, %d completed; one"
                        + " after another they would take at least %d x %d s = %d s (one wait each)%n",
                customers.size(),
                events,
                seconds,
                completed,
                customers.size(),
                wait.toSeconds(),
                customers.size() * wait.toSeconds());
    }

    private static String describe(List<Long> nanos) {
        return String.format(
                Locale.ROOT,
                "%d reads, p50 %.1f ms, p99 %.1f ms",
                nanos.size(),
                percentile(nanos, 0.50),
                percentile(nanos, 0.99));
    }

    private static double percentile(List<Long> nanos, double quantile) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    /** Publishes every history to Kafka, values encrypted as intake encrypts them, and waits until all is logged. */
    private static void load(
            BenchStack stack,
            DynamoDbClient dynamo,
            Prometheus ingestion,
            String subject,
            int events,
            List<String> others,
            int otherEvents)
            throws Exception {
        ValueCipher cipher = stack.cipher(dynamo);
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                5);
        double start = ingestion.scrape().value("asof_log_events_total", "result=\"logged\"");
        int total = 0;
        Random random = new Random(42);
        List<String> keys = List.of("email", "phone", "name_first", "name_last", "address.postcode", "tier");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            List<String> customers = new ArrayList<>(others);
            customers.add(0, subject);
            for (String customer : customers) {
                int count = customer.equals(subject) ? events : otherEvents;
                for (int i = 0; i < count; i++) {
                    String key = keys.get(random.nextInt(keys.size()));
                    String event = String.format(
                            Locale.ROOT,
                            "{\"event_id\":\"%s\",\"event_type\":\"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\","
                                    + "\"timestamp_utc\":\"%s\",\"customer_id\":\"%s\",\"source_system\":\"bench\","
                                    + "\"metadata\":{\"channel\":\"voice\"},\"payload\":{\"attribute_key\":\"%s\","
                                    + "\"new_value\":\"value %d of %s\",\"change_reason\":\"bench\"}}",
                            new UUID(random.nextLong(), random.nextLong()),
                            START.plusSeconds(60L * i),
                            customer,
                            key,
                            i,
                            customer);
                    String encrypted = EventJson.encode(cipher.encrypt(EventJson.decode(event)));
                    producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, encrypted));
                    total++;
                }
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (ingestion.scrape().value("asof_log_events_total", "result=\"logged\"") - start < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the histories did not reach the log within 30 minutes");
            }
            Thread.sleep(500);
        }
    }
}
