package dev.asof.bench;

import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.HeadReads;
import dev.asof.support.storage.LateTiers;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import dev.asof.support.storage.Snapshots;
import dev.asof.testing.ApiClient;
import dev.asof.testing.ServiceJar;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Point-in-time reads at history depths of 10 to 100,000 events per customer, random T, 1 and 32 concurrent
 * clients over HTTP; and, in the same run against the same dynalite, (a) the floor: the same DynamoDB reads the
 * service makes for one answer, in the same rounds (see {@code Floor#read}), done by a plain AWS SDK client without
 * HTTP, folding or JSON; (b) the naive full replay the design guide warns
 * about: read every event up to T and fold. Events are loaded through Kafka and the real log writer, so the
 * snapshots are the ones the service writes itself. Run with {@code bench/run reconstruction}.
 */
public final class ReconstructionBenchmark {

    private static final int[] DEPTHS = {10, 100, 1_000, 10_000, 100_000};
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String LATENCY = "asof_reconstruction_latency_seconds";

    private ReconstructionBenchmark() {}

    public static void main(String[] args) throws Exception {
        Args options = new Args(args);
        // 2,000: a p99 of 400 reads was their 4th slowest, in a 32-client measurement of under a second, where one
        // late compilation of the service's JIT compiler (100-500 ms on one of the two cores) decided it
        int requests = options.integer("--requests", 2000);
        // enough for a p99 (with 5, the "p99" was the slowest of 5, about the 83rd percentile of random T)
        int naiveRequests = options.integer("--naive-requests", 100);
        int[] depths = depths(options);
        String run = Long.toString(System.currentTimeMillis(), 36);
        System.out.printf(
                Locale.ROOT,
                "reconstruction benchmark: depths %s, %d requests per measurement, run %s%n",
                Arrays.toString(depths),
                requests,
                run);
        try (BenchStack stack = BenchStack.start();
                ServiceJar ingestion = ServiceJar.start(
                        "ingestion-service", stack.serviceProperties(), List.of("-Xmx512m", "-XX:+UseParallelGC"));
                ServiceJar reconstruction = ServiceJar.start(
                        "reconstruction-service", stack.serviceProperties(), reconstructionJvm(options));
                DynamoDbClient dynamo = stack.dynamoClient()) {
            Prometheus ingestionMetrics = new Prometheus(ingestion.api(), BenchStack.API_KEY);
            // values encrypted as intake encrypts them (the loader writes to Kafka directly), unless --plaintext
            boolean encrypt = !options.flag("--plaintext");
            System.out.println("values " + (encrypt ? "encrypted with per-customer keys" : "in plaintext"));
            dev.asof.privacy.ValueCipher cipher = stack.cipher(dynamo);
            java.util.function.UnaryOperator<String> intake = encrypt
                    ? json -> dev.asof.events.EventJson.encode(cipher.encrypt(dev.asof.events.EventJson.decode(json)))
                    : json -> json;
            Map<Integer, Long> lastTimestamp = load(stack, ingestionMetrics, depths, run, intake);
            long loaded = System.nanoTime();
            Snapshots snapshots = new Snapshots(dynamo, stack.tables);
            awaitFollowers(stack, loaded);
            Prometheus followers = new Prometheus(reconstruction.api(), BenchStack.API_KEY);
            awaitNoSnapshotPending(followers);
            awaitSnapshots(snapshots, depths, run);
            Prometheus.Scrape written = followers.scrape();
            System.out.printf(
                    Locale.ROOT,
                    "snapshot writes: %.0f written, %.0f filling gaps, %.0f existed, %.0f up to date, %.0f without"
                            + " events, %.0f failed; %.0f set aside for the log writer%n",
                    written.value("asof_snapshots_written_total", "result=\"written\""),
                    written.value("asof_snapshots_written_total", "result=\"gap\""),
                    written.value("asof_snapshots_written_total", "result=\"exists\""),
                    written.value("asof_snapshots_written_total", "result=\"up_to_date\""),
                    written.value("asof_snapshots_written_total", "result=\"no_events\""),
                    written.value("asof_snapshots_written_total", "result=\"failed\""),
                    written.value("asof_snapshots_ahead_of_log_total", ""));

            List<String> rows = new ArrayList<>();
            Map<String, Double> p99 = new java.util.HashMap<>();
            Map<String, Double> p50 = new java.util.HashMap<>();
            ApiClient api = reconstruction.api();
            Floor floor = new Floor(dynamo, stack);
            Prometheus reconstructionMetrics = new Prometheus(api, BenchStack.API_KEY);
            CpuMeter cpu = new CpuMeter()
                    .add("bench", ProcessHandle.current())
                    .add("reconstruction", reconstruction.handle())
                    .add("ingestion", ingestion.handle())
                    .add("kafka", stack.kafka.handle())
                    .add("dynalite", stack.dynalite.handle());
            StoreRequests store = new StoreRequests(stack.dynalite.endpoint());
            int warmUpSeconds = options.integer("--warm-up-seconds", 120);
            int warmUpMaxSeconds = options.integer("--warm-up-max-seconds", 600);
            Prometheus.Scrape beforeWarmUp = reconstructionMetrics.scrape();
            long warmUpStart = System.nanoTime();
            double compileShare = warmUp(
                    api, floor, reconstructionMetrics, run, depths, lastTimestamp, warmUpSeconds, warmUpMaxSeconds);
            System.out.printf(
                    Locale.ROOT,
                    "warm-up: %.0f s of reads of every depth (service and floor, 8 and 32 clients); the service's"
                            + " JIT compiler spent %.0f ms in it, %.0f ms per second in its last round (until below"
                            + " %.0f, at least %d s, at most %d s)%n",
                    (System.nanoTime() - warmUpStart) / 1e9,
                    compileMillis(beforeWarmUp, reconstructionMetrics.scrape()),
                    compileShare,
                    QUIET_COMPILER_MILLIS_PER_SECOND,
                    warmUpSeconds,
                    warmUpMaxSeconds);
            for (int depth : depths) {
                String customer = customer(run, depth);
                long last = lastTimestamp.get(depth);
                // Warm the JIT and the connection pools on this customer first.
                measure(requests / 4, 8, t -> read(api, customer, t), last, new Random(1));
                for (int clients : new int[] {1, 32}) {
                    // A few reads per client first, at the measured concurrency: without them the six slowest of
                    // 400 reads with 32 clients were all among the first 32 in two runs in a row, most likely for the
                    // connections and server threads the 8-client warm-ups had not made (or that had idled out during
                    // the naive replays); the floor gets the same
                    measure(4 * clients, clients, t -> read(api, customer, t), last, new Random(2));
                    Prometheus.Scrape before = reconstructionMetrics.scrape();
                    Map<String, Double> cpuBefore = cpu.sample();
                    Map<String, long[]> storeBefore = store.sample();
                    Stats service = measure(requests, clients, t -> read(api, customer, t), last, new Random(depth));
                    Map<String, long[]> storeService = store.sample();
                    Map<String, Double> cpuService = cpu.sample();
                    Prometheus.Scrape after = reconstructionMetrics.scrape();
                    measure(4 * clients, clients, t -> floor.read(customer, t), last, new Random(2));
                    Map<String, Double> cpuFloorBefore = cpu.sample();
                    Map<String, long[]> storeFloorBefore = store.sample();
                    Stats sdk = measure(requests, clients, t -> floor.read(customer, t), last, new Random(depth));
                    Map<String, long[]> storeFloor = store.sample();
                    Map<String, Double> cpuFloor = cpu.sample();
                    rows.add(row(depth, clients, "service (HTTP)", service));
                    rows.add(row(depth, clients, "floor (SDK reads)", sdk));
                    System.out.println(rows.get(rows.size() - 2));
                    System.out.printf(
                            Locale.ROOT,
                            "%8d %8d %-20s %9.1f %9.1f   (inside the service, histogram bucket bounds;"
                                    + " %.0f GC pauses, %.0f ms in all; JIT compiler %.0f ms)%n",
                            depth,
                            clients,
                            "service (inside)",
                            Prometheus.quantileMillis(before, after, LATENCY, 0.50),
                            Prometheus.quantileMillis(before, after, LATENCY, 0.99),
                            after.value("jvm_gc_pause_seconds_count", "")
                                    - before.value("jvm_gc_pause_seconds_count", ""),
                            (after.value("jvm_gc_pause_seconds_sum", "") - before.value("jvm_gc_pause_seconds_sum", ""))
                                    * 1000,
                            compileMillis(before, after));
                    System.out.println(rows.get(rows.size() - 1));
                    System.out.printf(
                            Locale.ROOT,
                            "%8d %8d service %s%n%8d %8d floor   %s%n",
                            depth,
                            clients,
                            CpuMeter.perRead(cpuBefore, cpuService, requests, requests / service.perSecond()),
                            depth,
                            clients,
                            CpuMeter.perRead(cpuFloorBefore, cpuFloor, requests, requests / sdk.perSecond()));
                    System.out.printf(
                            Locale.ROOT,
                            "%8d %8d service %s%n%8d %8d floor   %s%n",
                            depth,
                            clients,
                            StoreRequests.perRead(storeBefore, storeService, requests),
                            depth,
                            clients,
                            StoreRequests.perRead(storeFloorBefore, storeFloor, requests));
                    p99.put("service " + depth + " " + clients, service.p99());
                    p50.put("service " + depth + " " + clients, service.p50());
                    p99.put("floor " + depth + " " + clients, sdk.p99());
                }
                Stats naive = measure(naiveRequests, 1, t -> floor.naive(customer, t), last, new Random(depth));
                rows.add(row(depth, 1, "naive full replay", naive));
                System.out.println(rows.get(rows.size() - 1));
                p99.put("naive " + depth, naive.p99());
                p50.put("naive " + depth, naive.p50());
            }
            Prometheus.Scrape scrape = reconstructionMetrics.scrape();
            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "%8s %8s %-20s %9s %9s %9s %10s %7s%n",
                    "depth",
                    "clients",
                    "what",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "req/s",
                    "failed");
            rows.forEach(System.out::println);
            System.out.println();
            int deepest = Arrays.stream(depths).max().orElseThrow();
            int shallow = referenceDepth(depths);
            for (int clients : new int[] {1, 32}) {
                System.out.printf(
                        Locale.ROOT,
                        "clients %2d: p99 service/floor at %d events: %.2f (target <= 1.5)%n",
                        clients,
                        deepest,
                        p99.get("service " + deepest + " " + clients) / p99.get("floor " + deepest + " " + clients));
                System.out.printf(
                        Locale.ROOT,
                        "clients %2d: p99 at %d / p99 at %d events: %.2f (target <= 1.5)%n",
                        clients,
                        deepest,
                        shallow,
                        p99.get("service " + deepest + " " + clients) / p99.get("service " + shallow + " " + clients));
            }
            System.out.printf(
                    Locale.ROOT,
                    "naive p99 / service p99 (1 client) at %d events: %.0fx faster (target >= 200x)%n",
                    deepest,
                    p99.get("naive " + deepest) / p99.get("service " + deepest + " 1"));
            System.out.printf(
                    Locale.ROOT,
                    "naive p50 / service p50 (1 client) at %d events: %.0fx faster%n",
                    deepest,
                    p50.get("naive " + deepest) / p50.get("service " + deepest + " 1"));
            System.out.printf(
                    Locale.ROOT,
                    "reconstruction-service heap used: %.0f MB of max %.0f MB; RSS %d MB%n",
                    scrape.value("jvm_memory_used_bytes", "area=\"heap\"") / 1e6,
                    scrape.value("jvm_memory_max_bytes", "area=\"heap\"") / 1e6,
                    rssMegabytes(reconstruction.handle()));
            System.out.printf(
                    Locale.ROOT,
                    "identity reads: %.0f from a snapshot (%.0f of them in one round), %.0f from the start of the log;"
                            + " late arrivals from memory %.0f, from by_lateness %.0f; cache: %.0f hit, %.0f miss%n",
                    scrape.value("asof_reconstruction_snapshots_total", "result=\"hit\""),
                    scrape.value("asof_reconstruction_one_round_reads_total", ""),
                    scrape.value("asof_reconstruction_snapshots_total", "result=\"miss\""),
                    scrape.value("asof_reconstruction_late_arrivals_total", "source=\"memory\""),
                    scrape.value("asof_reconstruction_late_arrivals_total", "source=\"index\""),
                    scrape.value("asof_reconstruction_cache_total", "result=\"hit\""),
                    scrape.value("asof_reconstruction_cache_total", "result=\"miss\""));
        }
    }

    /** The reads the service makes for one answer, by a plain SDK client, and the naive full replay. */
    private static final class Floor {
        private final HeadReads heads;
        private final Snapshots snapshots;
        private final LogRanges ranges;
        private final EventLog log;
        private final Map<String, Long> lateLoadedTo = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, ProfileViews.Head> lastHead = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, List<long[]>> directories = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Set<String> statesRead = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "floor-call");
            thread.setDaemon(true);
            return thread;
        });

        Floor(DynamoDbClient dynamo, BenchStack stack) {
            this.heads = new HeadReads(dynamo, stack.tables);
            this.snapshots = new Snapshots(dynamo, stack.tables);
            this.ranges = new LogRanges(dynamo, stack.tables);
            this.log = new EventLog(dynamo, stack.tables);
        }

        /**
         * The service's reads for one answer, in the same rounds of concurrent calls. Like the service, a customer
         * read before (whose last head and snapshot rectangles are known) is read in one round: one batch of head,
         * identity links and the snapshot when not read before, beside the log range after it and the late arrivals
         * recorded since the last read. Otherwise two rounds: the batch of head and links beside the snapshot
         * look-up, then the log range and the late
         * arrivals (per lateness tier on the first read, after which all late arrivals are loaded once; the service
         * does that in the background).
         */
        void read(String customer, Instant validAt) {
            long bound = Hlc.upperBound(Instant.now());
            ProfileViews.Head known = lastHead.get(customer);
            long[] rectangle =
                    known == null ? null : nearest(customer, validAt, Math.min(bound, known.lastRecordedAt()));
            if (rectangle != null) {
                long knownBound = Math.min(bound, known.lastRecordedAt());
                boolean readBefore = !statesRead.add(customer + "#" + rectangle[0] + "#" + rectangle[1]);
                CompletableFuture<HeadReads.Result> first = CompletableFuture.supplyAsync(
                        () -> heads.read(customer, readBefore ? null : rectangle[0], rectangle[1]), pool);
                List<CompletableFuture<?>> calls = new ArrayList<>();
                Long loadedTo = lateLoadedTo.get(customer);
                if (loadedTo != null && loadedTo < known.lastRecordedAt()) {
                    calls.add(CompletableFuture.runAsync(
                            () -> ranges.lateArrivalsRecorded(customer, loadedTo, known.lastRecordedAt(), 2_000),
                            pool));
                    lateLoadedTo.put(customer, known.lastRecordedAt());
                }
                ranges.validTimeRange(customer, Instant.ofEpochMilli(rectangle[0]), validAt, knownBound);
                calls.forEach(CompletableFuture::join);
                first.join().head().ifPresent(head -> lastHead.put(customer, head));
                return;
            }
            CompletableFuture<HeadReads.Result> first =
                    CompletableFuture.supplyAsync(() -> heads.read(customer, null, 0), pool);
            Optional<Snapshots.Snapshot> snapshot = snapshots.latestUsable(customer, validAt, bound);
            Optional<ProfileViews.Head> head = first.join().head();
            head.ifPresent(seen -> lastHead.put(customer, seen));
            int tiers = head.map(ProfileViews.Head::lateTiers).orElse(0);
            long watermark = head.map(ProfileViews.Head::lastRecordedAt).orElse(0L);
            if (snapshot.isEmpty()) {
                ranges.validTimeRange(customer, null, validAt, bound);
            } else {
                Snapshots.Snapshot from = snapshot.get();
                List<CompletableFuture<?>> late = new ArrayList<>();
                Long loadedTo = lateLoadedTo.get(customer);
                if (loadedTo != null) {
                    late.add(CompletableFuture.runAsync(
                            () -> ranges.lateArrivalsRecorded(customer, loadedTo, watermark, 2_000), pool));
                    lateLoadedTo.put(customer, Math.max(loadedTo, watermark));
                } else {
                    for (int tier = 0; tier <= LateTiers.LAST; tier++) {
                        if ((tiers & LateTiers.bit(tier)) != 0) {
                            int lateTier = tier;
                            late.add(CompletableFuture.runAsync(
                                    () -> ranges.lateArrivals(
                                            customer, lateTier, from.recordedTo(), bound, from.validTo()),
                                    pool));
                        }
                    }
                }
                ranges.validTimeRange(customer, from.validTo(), validAt, bound);
                late.forEach(CompletableFuture::join);
                if (loadedTo == null && tiers != 0) {
                    ranges.allLateArrivals(customer, watermark, 20_000);
                    lateLoadedTo.put(customer, watermark);
                }
                directories.computeIfAbsent(customer, snapshots::rectangles);
            }
        }

        private long[] nearest(String customer, Instant validAt, long bound) {
            List<long[]> rectangles = directories.get(customer);
            if (rectangles == null) {
                return null;
            }
            long[] best = null;
            for (long[] rectangle : rectangles) {
                if (rectangle[0] <= validAt.toEpochMilli() && rectangle[1] <= bound) {
                    best = rectangle;
                }
            }
            return best;
        }

        void naive(String customer, Instant validAt) {
            Instant now = Instant.now();
            List<RecordedEvent> all = log.eventsUpTo(customer, validAt, now);
            IdentityState state = ProfileFold.foldAt(customer, all, validAt, now);
            if (state.customerId() == null) {
                throw new IllegalStateException();
            }
        }
    }

    private static void read(ApiClient api, String customer, Instant validAt) {
        HttpResponse<String> response =
                api.get("/api/v1/customers/" + customer + "/profile/at/" + validAt.toEpochMilli(), BenchStack.API_KEY);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("read answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** Latencies of the answered requests; {@code failed} counts answers other than 200 (e.g. 503 over budget). */
    record Stats(double p50, double p99, double max, double perSecond, int failed, String slowest) {}

    private static Stats measure(int requests, int clients, Consumer<Instant> call, long lastMillis, Random random)
            throws Exception {
        long span = lastMillis - START.toEpochMilli();
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            times.add(START.plusMillis((long) (random.nextDouble() * span)));
        }
        double[] latencies = new double[requests];
        Integer[] order = new Integer[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            work.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    long t0 = System.nanoTime();
                    try {
                        call.accept(times.get(i));
                    } catch (IllegalStateException refused) {
                        failed.incrementAndGet();
                    }
                    latencies[i] = (System.nanoTime() - t0) / 1e6;
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        for (int i = 0; i < requests; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(latencies[b], latencies[a]));
        StringBuilder slowest = new StringBuilder();
        for (int i = 0; i < Math.min(6, requests); i++) {
            slowest.append(String.format(Locale.ROOT, " %.1f@%d", latencies[order[i]], order[i]));
        }
        Arrays.sort(latencies);
        return new Stats(
                latencies[(int) Math.floor(0.50 * (requests - 1))],
                latencies[(int) Math.ceil(0.99 * (requests - 1))],
                latencies[requests - 1],
                requests / seconds,
                failed.get(),
                slowest.toString());
    }

    /** Publishes every customer's history to Kafka and waits until the log writer has logged all of it. */
    private static Map<Integer, Long> load(
            BenchStack stack,
            Prometheus ingestion,
            int[] depths,
            String run,
            java.util.function.UnaryOperator<String> intake)
            throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                5);
        Map<Integer, Long> last = new java.util.HashMap<>();
        Prometheus.Scrape before = ingestion.scrape();
        int total = 0;
        long loadStart = System.nanoTime();
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int depth : depths) {
                String customer = customer(run, depth);
                Random random = new Random(depth);
                List<String> keys =
                        List.of("preferred_language", "tier", "consent.marketing", "email", "phone", "score");
                // One event a minute on average; about 5% arrive late (stamped up to a day before the newest).
                long step = 60_000;
                long newest = START.toEpochMilli();
                for (int i = 0; i < depth; i++) {
                    long ts = START.toEpochMilli() + i * step;
                    if (random.nextInt(20) == 0 && i > 0) {
                        ts = Math.max(START.toEpochMilli(), ts - random.nextInt(86_400_000));
                    }
                    newest = Math.max(newest, ts);
                    String key = keys.get(random.nextInt(keys.size()));
                    String event = String.format(
                            Locale.ROOT,
                            "{\"event_id\":\"%s\",\"event_type\":\"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\","
                                    + "\"timestamp_utc\":\"%s\",\"customer_id\":\"%s\",\"source_system\":\"bench\","
                                    + "\"metadata\":{\"channel\":\"voice\"},\"payload\":{\"attribute_key\":\"%s\","
                                    + "\"new_value\":\"v%d\",\"change_reason\":\"bench\"}}",
                            new UUID(random.nextLong(), random.nextLong()),
                            Instant.ofEpochMilli(ts),
                            customer,
                            key,
                            i);
                    producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, intake.apply(event)));
                }
                last.put(depth, newest);
                total += depth;
            }
            producer.flush();
        }
        double start = before.value("asof_log_events_total", "result=\"logged\"");
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (ingestion.scrape().value("asof_log_events_total", "result=\"logged\"") - start < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("history did not reach the log within 30 minutes");
            }
            Thread.sleep(500);
        }
        System.out.printf(
                Locale.ROOT,
                "loaded %d events through Kafka and the log writer in %.0f s%n",
                total,
                (System.nanoTime() - loadStart) / 1e9);
        return last;
    }

    /** Waits until the snapshot writer has caught up (the deepest customer's snapshot count stops growing). */
    private static void awaitSnapshots(Snapshots snapshots, int[] depths, String run) throws InterruptedException {
        String deepest = customer(run, depths[depths.length - 1]);
        int previous = -1;
        int stable = 0;
        while (stable < 5) {
            Thread.sleep(1_000);
            int count = snapshots.count(deepest);
            stable = count == previous ? stable + 1 : 0;
            previous = count;
        }
        System.out.printf(Locale.ROOT, "snapshots of the deepest customer: %d%n", previous);
    }

    /**
     * Waits until reconstruction-service's consumers of the topic (the snapshot trigger and the cache invalidation)
     * have committed every record, and prints how long after the log writer they caught up: reads measured while
     * they still work through the load would share the service with them.
     */
    private static void awaitFollowers(BenchStack stack, long loadedNanos) throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            long lag = followersLag(admin);
            long atLoaded = lag;
            while (lag > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "reconstruction-service's consumers are still " + lag + " records behind after 30 minutes");
                }
                Thread.sleep(500);
                lag = followersLag(admin);
            }
            System.out.printf(
                    Locale.ROOT,
                    "reconstruction-service's consumers caught up %.1f s after the log writer (%d records behind when"
                            + " it was done)%n",
                    (System.nanoTime() - loadedNanos) / 1e9,
                    atLoaded);
        }
    }

    /** Waits until no snapshot is set aside for the log writer in the service ({@code asof_snapshots_pending}). */
    private static void awaitNoSnapshotPending(Prometheus service) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (service.scrape().value("asof_snapshots_pending", "") > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("snapshots still set aside for the log writer after 10 minutes");
            }
            Thread.sleep(500);
        }
    }

    /** Records of the topic not yet committed by reconstruction-service's consumer groups, summed. */
    private static long followersLag(Admin admin) throws Exception {
        List<String> groups = admin.listConsumerGroups().all().get().stream()
                .map(ConsumerGroupListing::groupId)
                .filter(group -> group.equals("asof-snapshots") || group.startsWith("asof-reconstruction-cache-"))
                .toList();
        if (groups.size() < 2) {
            return Long.MAX_VALUE;
        }
        int partitions = admin.describeTopics(List.of(AsofTopics.PROFILE_EVENTS))
                .allTopicNames()
                .get()
                .get(AsofTopics.PROFILE_EVENTS)
                .partitions()
                .size();
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            latest.put(new TopicPartition(AsofTopics.PROFILE_EVENTS, partition), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                        latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get();
        long lag = 0;
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                lag += end.getValue().offset() - (at == null ? 0 : at.offset());
            }
        }
        return lag;
    }

    private static String customer(String run, int depth) {
        return "bench_" + run + "_depth_" + depth;
    }

    private static String row(int depth, int clients, String what, Stats stats) {
        return String.format(
                        Locale.ROOT,
                        "%8d %8d %-20s %9.1f %9.1f %9.1f %10.0f %7d",
                        depth,
                        clients,
                        what,
                        stats.p50(),
                        stats.p99(),
                        stats.max(),
                        stats.perSecond(),
                        stats.failed())
                + "   slowest (ms@request):" + stats.slowest();
    }

    private static long rssMegabytes(ProcessHandle process) {
        try {
            List<String> status =
                    java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + process.pid() + "/status"));
            for (String line : status) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The concurrencies of the warm-up's rounds: the measured 32 too. With 8 only, the service's JIT compiler still
     * worked 93-334 ms in each 32-client measurement (6-48 ms with one client), and in three runs out of three the
     * slowest service reads with 32 clients were among the first 32: code that only many clients at once reach was
     * compiled during the measurement. With 32 in the warm-up, 4-9 ms.
     */
    private static final int[] WARM_UP_CLIENTS = {8, 32};

    /** A JIT compiler working less than this (ms per wall second, of one core) is taken as done warming up. */
    static final double QUIET_COMPILER_MILLIS_PER_SECOND = 50;

    /**
     * Reads of every depth, by the service and by the floor, 8 and then 32 clients, for at least {@code seconds} and
     * then until the service's JIT compiler works less than {@link #QUIET_COMPILER_MILLIS_PER_SECOND} in a round (at
     * most {@code maxSeconds}); returns the compiler's ms per second in the last round. With only the 100 reads per
     * depth before each measurement, C2 was still compiling through the measurements (a flight recording at depths 100
     * and 2,000: the compiler thread took about a quarter of the machine, and the service spent 8-14 ms of CPU per read
     * with one client instead of about 1.1-1.8), and the 1-client p99 paid for it. On two cores, with some 30,000
     * methods compiled, the compiler quietened after about two minutes of reads; a service in production has long been
     * warm. The customers are the measured ones, which the 100 reads before each measurement read too.
     */
    private static double warmUp(
            ApiClient api,
            Floor floor,
            Prometheus metrics,
            String run,
            int[] depths,
            Map<Integer, Long> lastTimestamp,
            int seconds,
            int maxSeconds)
            throws Exception {
        long start = System.nanoTime();
        Random random = new Random(7);
        double share;
        double elapsed;
        do {
            Prometheus.Scrape before = metrics.scrape();
            long roundStart = System.nanoTime();
            for (int depth : depths) {
                String customer = customer(run, depth);
                long last = lastTimestamp.get(depth);
                for (int clients : WARM_UP_CLIENTS) {
                    measure(200, clients, t -> read(api, customer, t), last, random);
                    measure(200, clients, t -> floor.read(customer, t), last, random);
                }
            }
            share = compileMillis(before, metrics.scrape()) / ((System.nanoTime() - roundStart) / 1e9);
            elapsed = (System.nanoTime() - start) / 1e9;
        } while (elapsed < maxSeconds && (elapsed < seconds || share >= QUIET_COMPILER_MILLIS_PER_SECOND));
        return share;
    }

    /** The JIT compiler's time between two scrapes of the service, from Micrometer's JVM compilation metric. */
    static double compileMillis(Prometheus.Scrape before, Prometheus.Scrape after) {
        return after.value("jvm_compilation_time_ms_total", "") - before.value("jvm_compilation_time_ms_total", "");
    }

    /** The service's JVM options; {@code --jfr <file>} records a flight recording of it (to see where time goes). */
    private static List<String> reconstructionJvm(Args options) {
        // the heap the targets allow, and the JVM's default collector, as in the service image (docker/)
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
        String recording = options.value("--jfr");
        if (recording != null) {
            jvm.add("-XX:StartFlightRecording=settings=profile,filename=" + recording);
        }
        return jvm;
    }

    /** Ascending and without repeats, whatever order the list was given in. */
    static int[] depths(Args options) {
        String depths = options.value("--depths");
        return depths == null
                ? DEPTHS
                : Arrays.stream(depths.split(","))
                        .map(String::trim)
                        .mapToInt(Integer::parseInt)
                        .sorted()
                        .distinct()
                        .toArray();
    }

    /**
     * The depth the deepest one is compared against: 100 events (the target's reference) when measured, otherwise the
     * shallowest depth measured. Never the second of the list, which was 100 only in the default list.
     */
    static int referenceDepth(int[] depths) {
        return Arrays.stream(depths).anyMatch(depth -> depth == 100)
                ? 100
                : Arrays.stream(depths).min().orElseThrow();
    }
}
