package dev.asof.bench;

import dev.asof.events.AttributeValue;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventMetadata;
import dev.asof.events.Hlc;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.ServiceJar;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.JsonNode;

/**
 * A bulk campaign against live traffic (issue #13): {@code --customers} (100,000) new customers x {@code
 * --attributes} (3) in one CSV upload, published at {@code --rate} events/s ({@code asof.campaigns.rate}, 700 here:
 * the throughput target needs it; the service default is 300). Measured in the same run:
 *
 * <ul>
 *   <li>the raw ceiling: the log and view writes a campaign line costs (one bulk event of a new customer, values
 *       encrypted, keys made before the clock), by a plain SDK client, 8 and 32 threads;
 *   <li>idle: for {@code --phase-seconds} (30), interactive single-event requests at {@code --interactive-rate}
 *       (20/s) and point-in-time reads at {@code --read-rate} (20/s), both open loop (closed-loop readers took every
 *       spare cycle of a 2-core machine, leaving nothing idle to compare with): accepted-to-logged p99 (the
 *       log writer's {@code asof_log_lag_seconds}, which counts live events only) and read p99 (client side);
 *   <li>the same traffic while the campaign runs, and the campaign's throughput from its {@code 202} to {@code
 *       completed}.
 * </ul>
 */
public final class CampaignBenchmark {

    private static final Instant HISTORY = Instant.parse("2026-01-01T00:00:00Z");
    private static final int READ_CUSTOMERS = 200;
    private static final int READ_EVENTS = 20;

    private CampaignBenchmark() {}

    public static void main(String[] args) throws Exception {
        Args options = new Args(args);
        int customers = options.integer("--customers", 100_000);
        int attributes = options.integer("--attributes", 3);
        int rate = options.integer("--rate", 700);
        int rawEvents = options.integer("--raw-events", 6_000);
        int interactiveRate = options.integer("--interactive-rate", 20);
        int readers = options.integer("--read-rate", 20);
        int phaseSeconds = options.integer("--phase-seconds", 30);
        int warmUpSeconds = options.integer("--warm-up-seconds", 60);
        String run = Long.toString(System.currentTimeMillis(), 36);
        System.out.printf(
                Locale.ROOT,
                "campaign benchmark: %,d customers x %d attributes at %d events/s; live traffic %d events/s and %d"
                        + " reads/s (both open loop); %d cores, run %s%n",
                customers,
                attributes,
                rate,
                interactiveRate,
                readers,
                Runtime.getRuntime().availableProcessors(),
                run);
        try (BenchStack stack = BenchStack.start()) {
            double ceiling = 0;
            try (DynamoDbClient dynamo = stack.dynamoClient()) {
                EventLog log = new EventLog(dynamo, stack.tables);
                ProfileViews views = new ProfileViews(dynamo, stack.tables);
                ValueCipher cipher = stack.cipher(dynamo);
                rawWrites(log, views, cipher, rawEvents / 2, attributes, 8, run + "rawwarm");
                for (int threads : new int[] {8, 32}) {
                    double raw = rawWrites(log, views, cipher, rawEvents, attributes, threads, run + "raw" + threads);
                    System.out.printf(
                            Locale.ROOT,
                            "raw ceiling: log+view writes of new customers' bulk events, %2d threads: %,.0f events/s%n",
                            threads,
                            raw);
                    ceiling = Math.max(ceiling, raw);
                }
            }
            Map<String, String> properties = new HashMap<>(stack.serviceProperties());
            properties.put("asof.campaigns.rate", Integer.toString(rate));
            for (String knob :
                    List.of("max-unlogged", "claim-parallelism", "batch-size", "live-lag-target", "min-rate")) {
                if (options.value("--" + knob) != null) {
                    properties.put("asof.campaigns." + knob, options.value("--" + knob));
                }
            }
            if (options.value("--max-poll-records") != null) {
                properties.put("spring.kafka.consumer.max-poll-records", options.value("--max-poll-records"));
            }
            List<String> jvm = List.of("-Xmx512m", "-XX:+UseParallelGC");
            try (ServiceJar ingestion = ServiceJar.start("ingestion-service", properties, jvm);
                    ServiceJar reconstruction = ServiceJar.start("reconstruction-service", properties, jvm)) {
                ApiClient intake = ingestion.api();
                Prometheus prometheus = new Prometheus(intake, BenchStack.API_KEY);
                CpuMeter cpu = new CpuMeter()
                        .add("bench", ProcessHandle.current())
                        .add("ingestion", ingestion.handle())
                        .add("reconstruction", reconstruction.handle())
                        .add("kafka", stack.kafka.handle())
                        .add("dynalite", stack.dynalite.handle());
                List<String> readable = preload(intake, prometheus, run);
                Traffic traffic = new Traffic(intake, reconstruction.api(), readable, interactiveRate, readers, run);
                traffic.start();
                Thread.sleep(warmUpSeconds * 1000L);

                Prometheus.Scrape idleBefore = prometheus.scrape();
                Map<String, Double> idleCpu = cpu.sample();
                long idleStart = System.nanoTime();
                Thread.sleep(phaseSeconds * 1000L);
                long idleEnd = System.nanoTime();
                Prometheus.Scrape idleAfter = prometheus.scrape();
                String idleCpuLine = CpuMeter.perSecond(idleCpu, cpu.sample(), seconds(idleEnd - idleStart));
                double idleLag = Prometheus.quantileMillis(idleBefore, idleAfter, "asof_log_lag_seconds", 0.99);
                double idleRead = traffic.readP99(idleStart, idleEnd);

                byte[] file = csv(run, customers, attributes);
                Prometheus.Scrape campaignBefore = prometheus.scrape();
                Map<String, Double> campaignCpu = cpu.sample();
                long uploadStart = System.nanoTime();
                HttpResponse<String> accepted = intake.send(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + ingestion.port() + "/api/v1/campaigns?name=bench"))
                        .timeout(Duration.ofMinutes(10))
                        .header("Authorization", "Bearer " + BenchStack.API_KEY)
                        .header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(file))
                        .build());
                long acceptedAt = System.nanoTime();
                if (accepted.statusCode() != 202) {
                    throw new IllegalStateException(
                            "the upload answered " + accepted.statusCode() + ": " + accepted.body());
                }
                String location = accepted.headers().firstValue("Location").orElseThrow();
                JsonNode campaign;
                long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
                do {
                    Thread.sleep(500);
                    campaign = EventJson.parse(
                            intake.get(location, BenchStack.API_KEY).body());
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the campaign did not complete within an hour: " + campaign);
                    }
                } while (!campaign.get("state").asString().equals("completed")
                        && !campaign.get("state").asString().equals("failed")
                        && !campaign.get("state").asString().equals("cancelled"));
                long completedAt = System.nanoTime();
                Prometheus.Scrape campaignAfter = prometheus.scrape();
                String campaignCpuLine =
                        CpuMeter.perSecond(campaignCpu, cpu.sample(), seconds(completedAt - uploadStart));
                traffic.stop();
                double busyLag = Prometheus.quantileMillis(campaignBefore, campaignAfter, "asof_log_lag_seconds", 0.99);
                double busyRead = traffic.readP99(acceptedAt, completedAt);
                double throughput = campaign.get("events_logged").asLong() / seconds(completedAt - acceptedAt);
                double campaignLag =
                        Prometheus.quantileMillis(campaignBefore, campaignAfter, "asof_campaign_log_lag_seconds", 0.99);

                System.out.println();
                System.out.printf(
                        Locale.ROOT,
                        "campaign %s: %s, %,d lines (%d bytes) uploaded in %.1f s; %,d events logged in %.1f s after"
                                + " the 202%n",
                        campaign.get("campaign_id").asString(),
                        campaign.get("state").asString(),
                        campaign.get("lines_total").asLong(),
                        file.length,
                        seconds(acceptedAt - uploadStart),
                        campaign.get("events_logged").asLong(),
                        seconds(completedAt - acceptedAt));
                System.out.printf(
                        Locale.ROOT,
                        "campaign throughput %,.0f events/s; raw ceiling %,.0f events/s; ratio %.2f (target >= 0.70);"
                                + " campaign events' accepted->logged p99 %.0f ms%n",
                        throughput,
                        ceiling,
                        throughput / ceiling,
                        campaignLag);
                System.out.printf(
                        Locale.ROOT,
                        "live events accepted->logged p99: idle %.0f ms, during the campaign %.0f ms, ratio %.2f"
                                + " (target <= 2.00)%n",
                        idleLag,
                        busyLag,
                        busyLag / idleLag);
                System.out.printf(
                        Locale.ROOT,
                        "point-in-time read p99 (open loop): idle %.1f ms, during the campaign %.1f ms, ratio %.2f (target <="
                                + " 2.00); %d reads and %d live events failed%n",
                        idleRead,
                        busyRead,
                        busyRead / idleRead,
                        traffic.readFailures.get(),
                        traffic.writeFailures.get());
                System.out.println("where the CPU goes (CPU ms per wall second):");
                System.out.println("  idle:     " + idleCpuLine);
                System.out.println("  campaign: " + campaignCpuLine);
                System.out.println("log writer, idle:     " + Prometheus.writerBatches(idleBefore, idleAfter));
                System.out.println("log writer, campaign: " + Prometheus.writerBatches(campaignBefore, campaignAfter));
                System.out.println("(lag quantiles are bucket upper bounds of the asof_log_lag_seconds histograms;"
                        + " read quantiles are exact, client side)");
            }
        }
    }

    /** The log and view writes of one campaign line per event: a new customer's bulk update, values encrypted. */
    private static double rawWrites(
            EventLog log, ProfileViews views, ValueCipher cipher, int events, int attributes, int threads, String tag)
            throws Exception {
        List<EventEnvelope> prepared = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            List<BulkProfileUpdate.Change> changes = new ArrayList<>();
            for (int a = 0; a < attributes; a++) {
                changes.add(
                        new BulkProfileUpdate.Change("attr_" + a, null, AttributeValue.text("value " + a + " " + i)));
            }
            EventEnvelope event = new EventEnvelope(
                    UUID.randomUUID().toString(),
                    Instant.now(),
                    tag + "_" + i,
                    "campaign",
                    EventMetadata.EMPTY,
                    new BulkProfileUpdate(changes, "campaign bench"),
                    EventEnvelope.SCHEMA_VERSION);
            prepared.add(cipher.protect(event));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            work.add(pool.submit(() -> {
                for (int i = thread; i < events; i += threads) {
                    EventEnvelope event = prepared.get(i);
                    ProfileViews.View view = ProfileViews.View.empty(event.customerId());
                    RecordedEvent recorded = new RecordedEvent(event, Hlc.next(0, System.currentTimeMillis()));
                    log.append(recorded, view.maxTimestampMillis(), 0, i);
                    if (!views.replace(
                            view,
                            ProfileFold.evolve(view.state(), recorded),
                            recorded.recordedAt(),
                            event.timestampUtc().toEpochMilli(),
                            0,
                            Instant.now())) {
                        throw new IllegalStateException("unexpected concurrent write in the raw baseline");
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        return events / seconds(System.nanoTime() - start);
    }

    /** Customers with histories for the point-in-time reads, logged before anything is measured. */
    private static List<String> preload(ApiClient intake, Prometheus prometheus, String run) throws Exception {
        double before = prometheus.scrape().value("asof_log_events_total", "result=\"logged\"");
        List<String> customers = new ArrayList<>();
        for (int c = 0; c < READ_CUSTOMERS; c++) {
            String customer = run + "_read_" + c;
            customers.add(customer);
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < READ_EVENTS; i++) {
                if (i > 0) {
                    batch.append(',');
                }
                batch.append(event(customer, HISTORY.plusSeconds(60L * i), "tier", "t" + i));
            }
            post(intake, batch.append(']').toString());
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (prometheus.scrape().value("asof_log_events_total", "result=\"logged\"") - before
                < READ_CUSTOMERS * READ_EVENTS) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the read set did not reach the log within 10 minutes");
            }
            Thread.sleep(200);
        }
        return customers;
    }

    /** Live traffic: single events at a fixed rate (open loop) and closed-loop point-in-time reads. */
    private static final class Traffic {
        private final ApiClient intake;
        private final ApiClient reads;
        private final List<String> readable;
        private final int eventsPerSecond;
        private final int readers;
        private final String run;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<long[]> readSamples = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger readFailures = new AtomicInteger();
        private final AtomicInteger writeFailures = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private final ExecutorService senders = Executors.newFixedThreadPool(32);

        Traffic(
                ApiClient intake,
                ApiClient reads,
                List<String> readable,
                int eventsPerSecond,
                int readers,
                String run) {
            this.intake = intake;
            this.reads = reads;
            this.readable = readable;
            this.eventsPerSecond = eventsPerSecond;
            this.readers = readers;
            this.run = run;
        }

        void start() {
            Random random = new Random(42);
            threads.add(openLoop(readers, () -> {
                String customer = readable.get(random.nextInt(readable.size()));
                long at = HISTORY.toEpochMilli() + random.nextInt(READ_EVENTS) * 60_000L;
                return () -> {
                    long begin = System.nanoTime();
                    HttpResponse<String> response =
                            reads.get("/api/v1/customers/" + customer + "/profile/at/" + at, BenchStack.API_KEY);
                    long end = System.nanoTime();
                    if (response.statusCode() != 200) {
                        readFailures.incrementAndGet();
                    }
                    readSamples.add(new long[] {begin, end - begin});
                };
            }));
            AtomicInteger sent = new AtomicInteger();
            threads.add(openLoop(eventsPerSecond, () -> {
                int n = sent.getAndIncrement();
                String body = event(run + "_live_" + (n % 500), Instant.now(), "tier", "live" + n);
                return () -> {
                    try {
                        post(intake, body);
                    } catch (RuntimeException e) {
                        writeFailures.incrementAndGet();
                    }
                };
            }));
        }

        /** Starts {@code perSecond} tasks a second on the sender pool, on schedule whatever their latency. */
        private Thread openLoop(int perSecond, java.util.function.Supplier<Runnable> next) {
            return daemon(() -> {
                long interval = 1_000_000_000L / perSecond;
                long due = System.nanoTime();
                while (running.get()) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    senders.submit(next.get());
                    due += interval;
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(10_000);
            }
            senders.shutdown();
        }

        /** Exact p99 in ms of the reads that started in [from, to). */
        double readP99(long from, long to) {
            List<Long> nanos = new ArrayList<>();
            synchronized (readSamples) {
                for (long[] sample : readSamples) {
                    if (sample[0] >= from && sample[0] < to) {
                        nanos.add(sample[1]);
                    }
                }
            }
            if (nanos.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(nanos);
            return nanos.get((int) Math.min(nanos.size() - 1, Math.ceil(0.99 * nanos.size()) - 1)) / 1e6;
        }

        private static Thread daemon(Runnable task) {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }
    }

    private static byte[] csv(String run, int customers, int attributes) {
        StringBuilder csv = new StringBuilder("customer_id");
        for (int a = 0; a < attributes; a++) {
            csv.append(",attr_").append(a);
        }
        csv.append('\n');
        for (int c = 0; c < customers; c++) {
            csv.append(run).append("_camp_").append(c);
            for (int a = 0; a < attributes; a++) {
                csv.append(",value ").append(a).append(' ').append(c);
            }
            csv.append('\n');
        }
        return csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String event(String customer, Instant timestamp, String key, String value) {
        return String.format(
                Locale.ROOT,
                "{\"event_id\":\"%s\",\"event_type\":\"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\",\"timestamp_utc\":\"%s\","
                        + "\"customer_id\":\"%s\",\"source_system\":\"bench\",\"metadata\":{\"channel\":\"voice\"},"
                        + "\"payload\":{\"attribute_key\":\"%s\",\"new_value\":\"%s\",\"change_reason\":\"bench\"}}",
                UUID.randomUUID(),
                timestamp,
                customer,
                key,
                value);
    }

    private static void post(ApiClient api, String body) {
        HttpResponse<String> response = api.postJson("/api/v1/events", BenchStack.API_KEY, body);
        if (response.statusCode() != 202 || response.body().contains("\"rejected\"")) {
            throw new IllegalStateException("intake answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
