package dev.asof.bench;

import dev.asof.events.AttributeValue;
import dev.asof.matching.BlockingKeys;
import dev.asof.matching.MatchCatalog;
import dev.asof.matching.MatchEvaluation;
import dev.asof.matching.MatchFields;
import dev.asof.matching.MatchRecord;
import dev.asof.matching.MatchSettings;
import dev.asof.matching.SyntheticPeople;
import dev.asof.support.storage.AsofTables;
import dev.asof.testing.ApiClient;
import dev.asof.testing.ServiceJar;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Match suggestions, in two parts. <b>Accuracy</b> (in process, no services): a seeded {@link SyntheticPeople}
 * population at 10,000 and 100,000 profiles scored by {@link MatchEvaluation} (the same blocking keys, frequencies and
 * model the service uses), precision, recall and F1 per band. <b>Latency</b>: a synthetic population loaded through
 * ingestion-service ({@code POST /api/v1/events}, one {@code BULK_PROFILE_UPDATE} per profile) into the log, the views
 * and merge-service's blocking index; then {@code POST /api/v1/match} at 1 and 32 clients with queries drawn from the
 * population's duplicates, and, in the same run against the same dynalite, the floor: the DynamoDB calls one lookup
 * makes (a {@code Query} on {@code match_index} per blocking key, one {@code BatchGetItem} on {@code match_records})
 * by a plain AWS SDK client. Only counts, ids and timings are printed, never attribute values. Run with {@code
 * bench/run matching}.
 */
public final class MatchingBenchmark {

    private static final long DEFAULT_SEED = 20261130L;
    private static final int BATCH = 100;
    private static final int LOAD_CLIENTS = 8;
    private static final int MAX_BLOCK_SIZE = 200; // merge-service's asof.matching.max-block-size default
    private static final double TARGET_P99_MILLIS = 50;

    private MatchingBenchmark() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception | Error failed) {
            failed.printStackTrace();
            System.exit(1); // the load and client pools must not keep a failed run alive
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        Args options = new Args(args);
        long seed = Long.parseLong(value(options, "--seed", Long.toString(DEFAULT_SEED)));
        int[] sizes = Arrays.stream(value(options, "--sizes", "10000,100000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int profiles = options.integer("--profiles", 100_000);
        int requests = options.integer("--requests", 2_000);
        String parts = value(options, "--parts", "accuracy,latency");
        System.out.printf(
                Locale.ROOT,
                "matching benchmark: seed %d (rerun with --seed %d), accuracy at %s profiles, latency at %d profiles,"
                        + " %d requests per measurement, %d cores%n",
                seed,
                seed,
                Arrays.toString(sizes),
                profiles,
                requests,
                Runtime.getRuntime().availableProcessors());
        if (parts.contains("accuracy")) {
            for (int size : sizes) {
                accuracy(seed, size);
            }
        }
        if (parts.contains("latency")) {
            latency(seed, profiles, requests, options);
        }
    }

    private static void accuracy(long seed, int size) {
        long start = System.nanoTime();
        SyntheticPeople.Population population = SyntheticPeople.generate(seed, size);
        long generated = System.nanoTime();
        MatchEvaluation.Figures figures = MatchEvaluation.run(population, MatchSettings.defaults());
        long evaluated = System.nanoTime();
        System.out.println();
        System.out.println(figures.report());
        System.out.printf(
                Locale.ROOT,
                "  profiles per person: %s; generated in %.1f s, blocked and scored in %.1f s%n",
                SyntheticPeople.profilesPerPerson(population),
                seconds(generated - start),
                seconds(evaluated - generated));
    }

    private static void latency(long seed, int count, int requests, Args options) throws Exception {
        boolean direct = value(options, "--load", "http").equals("direct");
        SyntheticPeople.Population population = SyntheticPeople.generate(seed, count);
        List<Map<String, AttributeValue>> queries = queries(population, seed);
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "latency: %d profiles, %d of them duplicates of another (the query pool)%n",
                count,
                queries.size());
        try (BenchStack stack = BenchStack.start();
                ServiceJar ingestion = ServiceJar.start(
                        "ingestion-service", stack.serviceProperties(), List.of("-Xmx512m", "-XX:+UseParallelGC"));
                ServiceJar merge = ServiceJar.start("merge-service", mergeProperties(stack), mergeJvm(options));
                DynamoDbClient dynamo = stack.dynamoClient()) {
            Prometheus mergeMetrics = new Prometheus(merge.api(), BenchStack.API_KEY);
            Prometheus ingestionMetrics = new Prometheus(ingestion.api(), BenchStack.API_KEY);
            long start = System.nanoTime();
            if (direct) {
                loadDirect(dynamo, stack.tables, population);
                double indexed = seconds(System.nanoTime() - start);
                System.out.printf(
                        Locale.ROOT,
                        "load (--load direct, a shortcut: no events, no log, no views): the index items of %d profiles"
                                + " written by BatchWriteItem in %.0f s (%.0f profiles/s)%n",
                        count,
                        indexed,
                        count / indexed);
            } else {
                load(ingestion.api(), population);
                double posted = seconds(System.nanoTime() - start);
                double logged = awaitIndexed(mergeMetrics, ingestionMetrics, count, start);
                double indexed = seconds(System.nanoTime() - start);
                System.out.printf(
                        Locale.ROOT,
                        "load: %d profiles posted in %.0f s, in the log and views after %s, all in the match index"
                                + " after %.0f s (%.0f profiles/s end to end)%n",
                        count,
                        posted,
                        Double.isNaN(logged)
                                ? "(not seen: retried events)"
                                : String.format(Locale.ROOT, "%.0f s", logged),
                        indexed,
                        count / indexed);
            }

            ApiClient api = merge.api();
            Floor floor = new Floor(dynamo, stack.tables, false);
            Floor concurrentFloor = new Floor(dynamo, stack.tables, true);
            // Warm the JIT and the connection pools first, on queries the measurements draw too.
            measure(Math.max(100, requests / 4), 8, queries, new Random(seed), q -> match(api, q), new Sample());
            measure(Math.max(100, requests / 4), 8, queries, new Random(seed), floor::lookup, new Sample());
            measure(Math.max(100, requests / 4), 8, queries, new Random(seed), concurrentFloor::lookup, new Sample());
            List<String> rows = new ArrayList<>();
            Map<String, Stats> results = new HashMap<>();
            for (int clients : new int[] {1, 32}) {
                // service and floor alternate in four rounds each, so a drift of the store (dynalite compacting
                // after a bulk load, other work on the machine) weighs on both alike
                Sample service = new Sample();
                Sample raw = new Sample();
                Sample rawConcurrent = new Sample();
                for (int round = 0; round < 4; round++) {
                    long roundSeed = seed + clients * 10L + round;
                    measure(requests / 4, clients, queries, new Random(roundSeed), q -> match(api, q), service);
                    measure(requests / 4, clients, queries, new Random(roundSeed), floor::lookup, raw);
                    measure(
                            requests / 4,
                            clients,
                            queries,
                            new Random(roundSeed),
                            concurrentFloor::lookup,
                            rawConcurrent);
                }
                results.put("service " + clients, service.stats());
                results.put("floor " + clients, raw.stats());
                results.put("concurrent floor " + clients, rawConcurrent.stats());
                rows.add(row(clients, "service POST /api/v1/match", service.stats()));
                rows.add(row(clients, "floor (SDK Query+BatchGet)", raw.stats()));
                rows.add(row(clients, "floor, queries concurrent", rawConcurrent.stats()));
                System.out.println(rows.get(rows.size() - 3));
                System.out.println(rows.get(rows.size() - 2));
                System.out.println(rows.get(rows.size() - 1));
            }
            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "%8s %-28s %9s %9s %9s %10s%n",
                    "clients",
                    "what",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "req/s");
            rows.forEach(System.out::println);
            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "floor per lookup: %.1f blocking-key queries and %.1f candidate records on average%n",
                    floor.queries.get() / (double) floor.lookups.get(),
                    floor.recordsRead.get() / (double) floor.lookups.get());
            for (int clients : new int[] {1, 32}) {
                Stats service = results.get("service " + clients);
                Stats raw = results.get("floor " + clients);
                Stats rawConcurrent = results.get("concurrent floor " + clients);
                System.out.printf(
                        Locale.ROOT,
                        "clients %2d: match p99 at %d profiles %.1f ms (target <= %.0f ms -> %s); raw dynalite floor p99"
                                + " %.1f ms sequential, %.1f ms with the queries concurrent (as the service runs"
                                + " them); service/concurrent floor p99 %.2f%n",
                        clients,
                        count,
                        service.p99(),
                        TARGET_P99_MILLIS,
                        service.p99() <= TARGET_P99_MILLIS ? "met" : "NOT met",
                        raw.p99(),
                        rawConcurrent.p99(),
                        service.p99() / rawConcurrent.p99());
            }
            Prometheus.Scrape scrape = mergeMetrics.scrape();
            System.out.printf(
                    Locale.ROOT,
                    "merge-service heap used: %.0f MB of max %.0f MB%n",
                    scrape.value("jvm_memory_used_bytes", "area=\"heap\"") / 1e6,
                    scrape.value("jvm_memory_max_bytes", "area=\"heap\"") / 1e6);
        }
    }

    private static Map<String, String> mergeProperties(BenchStack stack) {
        Map<String, String> properties = new HashMap<>(stack.serviceProperties());
        // one index consumer per partition, as many as merge-service replicas would run
        properties.put("spring.kafka.listener.concurrency", Integer.toString(BenchStack.PARTITIONS));
        return properties;
    }

    private static List<String> mergeJvm(Args options) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseParallelGC"));
        String jfr = options.value("--jfr");
        if (jfr != null) {
            jvm.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
        }
        return jvm;
    }

    /** The attributes of every profile that is a duplicate of an earlier one: what a second contact brings. */
    private static List<Map<String, AttributeValue>> queries(SyntheticPeople.Population population, long seed) {
        Set<String> seen = new java.util.HashSet<>();
        List<Map<String, AttributeValue>> queries = new ArrayList<>();
        for (SyntheticPeople.Profile profile : population.profiles()) {
            if (!seen.add(profile.personId())) {
                queries.add(profile.attributes());
            }
        }
        java.util.Collections.shuffle(queries, new Random(seed));
        return queries;
    }

    /** Posts one {@code BULK_PROFILE_UPDATE} per profile, in batches, from {@link #LOAD_CLIENTS} clients. */
    private static void load(ApiClient api, SyntheticPeople.Population population) throws Exception {
        List<SyntheticPeople.Profile> profiles = population.profiles();
        AtomicInteger busy = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(LOAD_CLIENTS);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        Instant at = Instant.now().minusSeconds(60);
        for (int c = 0; c < LOAD_CLIENTS; c++) {
            work.add(pool.submit(() -> {
                for (int i = next.getAndAdd(BATCH); i < profiles.size(); i = next.getAndAdd(BATCH)) {
                    StringBuilder body = new StringBuilder("[");
                    for (int j = i; j < Math.min(profiles.size(), i + BATCH); j++) {
                        if (j > i) {
                            body.append(',');
                        }
                        body.append(event(profiles.get(j), at));
                    }
                    String batch = body.append(']').toString();
                    HttpResponse<String> response = api.postJson("/api/v1/events", BenchStack.API_KEY, batch);
                    // 503 busy (body budget, or not ready yet): retry the same events (same ids), as a client would
                    for (int attempt = 0; response.statusCode() == 503 && attempt < 100; attempt++) {
                        if (busy.getAndIncrement() == 0) {
                            System.out.println("  intake busy (503), retrying: " + problemType(response.body()));
                        }
                        Thread.sleep(200);
                        response = api.postJson("/api/v1/events", BenchStack.API_KEY, batch);
                    }
                    if (response.statusCode() != 202 || response.body().contains("\"rejected\"")) {
                        throw new IllegalStateException("intake answered " + response.statusCode()
                                + " to the batch from profile " + i + " (values not shown)");
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        if (busy.get() > 0) {
            System.out.printf(Locale.ROOT, "  intake answered 503 busy %d times, each retried%n", busy.get());
        }
    }

    /** The problem type of an answer (no values: problem bodies name kinds, not attributes). */
    private static String problemType(String body) {
        java.util.regex.Matcher type =
                java.util.regex.Pattern.compile("\"type\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
        return type.find() ? type.group(1) : "(no problem type)";
    }

    /**
     * The shortcut for a quick large index ({@code --load direct}): the items {@code MatchIndex#put} writes for each
     * profile (one {@code match_index} item per blocking key, one {@code match_records} item with the match fields,
     * keys and no merge link), from the same {@link MatchFields} and {@link BlockingKeys}, by {@code BatchWriteItem}.
     * No events, so the log and the views stay empty.
     */
    private static void loadDirect(DynamoDbClient dynamo, AsofTables tables, SyntheticPeople.Population population)
            throws Exception {
        MatchCatalog catalog = MatchCatalog.defaults();
        MatchSettings settings = MatchSettings.defaults();
        List<WriteRequest> writes = new ArrayList<>();
        for (SyntheticPeople.Profile profile : population.profiles()) {
            MatchRecord record = MatchFields.from(profile.customerId(), profile.attributes(), catalog, settings);
            Set<String> keys = BlockingKeys.of(record);
            for (String key : keys) {
                writes.add(WriteRequest.builder()
                        .putRequest(p -> p.item(
                                Map.of(AsofTables.BLOCK_KEY, s(key), AsofTables.CUSTOMER_ID, s(profile.customerId()))))
                        .build());
            }
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item = new HashMap<>();
            item.put(AsofTables.CUSTOMER_ID, s(record.customerId()));
            item.put("phones", list(record.phones()));
            item.put("emails", list(record.emails()));
            item.put("keys", list(keys));
            putOptional(item, "first_name", record.firstName());
            putOptional(item, "last_name", record.lastName());
            putOptional(item, "postcode", record.postcode());
            putOptional(
                    item,
                    "date_of_birth",
                    record.dateOfBirth() == null ? null : record.dateOfBirth().toString());
            item.put("linked", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromBool(false));
            writes.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
        }
        String index = tables.matchIndex();
        String records = tables.matchRecords();
        ExecutorService pool = Executors.newFixedThreadPool(LOAD_CLIENTS);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < LOAD_CLIENTS; c++) {
            work.add(pool.submit(() -> {
                for (int i = next.getAndAdd(25); i < writes.size(); i = next.getAndAdd(25)) {
                    Map<String, List<WriteRequest>> ask = new HashMap<>();
                    for (WriteRequest write : writes.subList(i, Math.min(writes.size(), i + 25))) {
                        String table = write.putRequest().item().containsKey(AsofTables.BLOCK_KEY) ? index : records;
                        ask.computeIfAbsent(table, t -> new ArrayList<>()).add(write);
                    }
                    while (!ask.isEmpty()) {
                        Map<String, List<WriteRequest>> asked = ask;
                        var response = dynamo.batchWriteItem(b -> b.requestItems(asked));
                        ask = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
    }

    private static software.amazon.awssdk.services.dynamodb.model.AttributeValue s(String value) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(value);
    }

    private static software.amazon.awssdk.services.dynamodb.model.AttributeValue list(Set<String> values) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromL(new java.util.TreeSet<>(values)
                .stream()
                        .map(software.amazon.awssdk.services.dynamodb.model.AttributeValue::fromS)
                        .toList());
    }

    private static void putOptional(
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item,
            String name,
            String value) {
        if (value != null) {
            item.put(name, software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(value));
        }
    }

    private static String event(SyntheticPeople.Profile profile, Instant at) {
        StringBuilder changes = new StringBuilder();
        // a profile with no attributes still gets one (empty) record in the index: send a harmless attribute
        changes.append("{\"attribute_key\":\"source\",\"new_value\":\"bench\"}");
        profile.attributes()
                .forEach((key, value) -> changes.append(",{\"attribute_key\":\"")
                        .append(key)
                        .append("\",\"new_value\":")
                        .append(json(value.asText()))
                        .append('}'));
        return "{\"event_id\":\"" + UUID.randomUUID() + "\",\"event_type\":\"BULK_PROFILE_UPDATE\",\"timestamp_utc\":\""
                + at + "\",\"customer_id\":\"" + profile.customerId()
                + "\",\"source_system\":\"bench\",\"metadata\":{\"channel\":\"voice\"},\"payload\":{\"changes\":["
                + changes + "],\"change_reason\":\"bench\"}}";
    }

    /**
     * Waits until merge-service has indexed every profile; returns when (seconds since {@code start}) ingestion's
     * log writer had logged them all, or NaN when its count did not get there (a batch retried after a 503 can
     * leave some events counted as already logged).
     */
    private static double awaitIndexed(Prometheus merge, Prometheus ingestion, int profiles, long start)
            throws InterruptedException {
        long last = System.nanoTime();
        double lastCount = 0;
        double logged = Double.NaN;
        long deadline = System.nanoTime() + Duration.ofMinutes(90).toNanos();
        while (true) {
            if (Double.isNaN(logged)
                    && ingestion.scrape().value("asof_log_events_total", "result=\"logged\"") >= profiles) {
                logged = seconds(System.nanoTime() - start);
            }
            Prometheus.Scrape scrape = merge.scrape();
            double count = scrape.value("asof_matching_index_updates_total", "outcome=\"written\"")
                    + scrape.value("asof_matching_index_updates_total", "outcome=\"unchanged\"");
            if (count >= profiles) {
                return logged;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the match index did not fill within 90 minutes: " + count);
            }
            if (System.nanoTime() - last > Duration.ofSeconds(60).toNanos()) {
                System.out.printf(
                        Locale.ROOT,
                        "  indexed %.0f of %d (%.0f/s)%n",
                        count,
                        profiles,
                        (count - lastCount) / seconds(System.nanoTime() - last));
                last = System.nanoTime();
                lastCount = count;
            }
            Thread.sleep(500);
        }
    }

    private static void match(ApiClient api, Map<String, AttributeValue> query) {
        StringBuilder attributes = new StringBuilder();
        query.forEach((key, value) -> {
            if (attributes.length() > 0) {
                attributes.append(',');
            }
            attributes.append(json(key)).append(':').append(json(value.asText()));
        });
        HttpResponse<String> response =
                api.postJson("/api/v1/match", BenchStack.API_KEY, "{\"attributes\":{" + attributes + "},\"limit\":5}");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("match answered " + response.statusCode());
        }
    }

    /**
     * The DynamoDB calls of one lookup ({@code MatchLookup#candidates}), by a plain SDK client: the blocking-key
     * queries one after another, or all at once (as merge-service runs them since 2026-11-30), then the batch read.
     */
    private static final class Floor {
        private final DynamoDbClient dynamo;
        private final boolean concurrent;
        private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "floor-query");
            thread.setDaemon(true);
            return thread;
        });
        private final String index;
        private final String records;
        private final MatchCatalog catalog = MatchCatalog.defaults();
        private final MatchSettings settings = MatchSettings.defaults();
        final AtomicInteger lookups = new AtomicInteger();
        final AtomicInteger queries = new AtomicInteger();
        final AtomicInteger recordsRead = new AtomicInteger();

        Floor(DynamoDbClient dynamo, AsofTables tables, boolean concurrent) {
            this.dynamo = dynamo;
            this.concurrent = concurrent;
            this.index = tables.matchIndex();
            this.records = tables.matchRecords();
        }

        void lookup(Map<String, AttributeValue> attributes) {
            MatchRecord query = MatchFields.from("", attributes, catalog, settings);
            Set<String> found = new LinkedHashSet<>();
            List<CompletableFuture<List<String>>> calls = new ArrayList<>();
            for (String key : BlockingKeys.of(query)) {
                Supplier<List<String>> call = () -> dynamo
                        .query(b -> b.tableName(index)
                                .keyConditionExpression("#key = :key")
                                .expressionAttributeNames(Map.of("#key", AsofTables.BLOCK_KEY))
                                .expressionAttributeValues(Map.of(
                                        ":key",
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(key)))
                                .projectionExpression(AsofTables.CUSTOMER_ID)
                                .limit(MAX_BLOCK_SIZE + 1))
                        .items()
                        .stream()
                        .map(item -> item.get(AsofTables.CUSTOMER_ID).s())
                        .toList();
                calls.add(
                        concurrent
                                ? CompletableFuture.supplyAsync(call, pool)
                                : CompletableFuture.completedFuture(call.get()));
            }
            for (CompletableFuture<List<String>> call : calls) {
                List<String> sharing = call.join();
                queries.incrementAndGet();
                if (sharing.size() <= MAX_BLOCK_SIZE) {
                    found.addAll(sharing);
                }
            }
            List<String> ids = new ArrayList<>(found);
            for (int from = 0; from < ids.size(); from += 100) {
                Map<String, KeysAndAttributes> ask = Map.of(
                        this.records,
                        KeysAndAttributes.builder()
                                .keys(ids.subList(from, Math.min(ids.size(), from + 100)).stream()
                                        .map(id -> Map.of(
                                                AsofTables.CUSTOMER_ID,
                                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                                        id)))
                                        .toList())
                                .build());
                while (!ask.isEmpty()) {
                    Map<String, KeysAndAttributes> asked = ask;
                    BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(asked));
                    recordsRead.addAndGet(response.responses()
                            .getOrDefault(this.records, List.of())
                            .size());
                    ask = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
                }
            }
            lookups.incrementAndGet();
        }
    }

    /** Latencies and elapsed time gathered over several rounds. */
    private static final class Sample {
        private final List<Long> nanos = new ArrayList<>();
        private double seconds;
        private int failed;

        Stats stats() {
            long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
            int n = sorted.length;
            return new Stats(
                    millis(sorted[(int) Math.floor(0.50 * (n - 1))]),
                    millis(sorted[(int) Math.ceil(0.99 * (n - 1))]),
                    millis(sorted[n - 1]),
                    n / seconds,
                    failed);
        }
    }

    /** {@code requests} calls from {@code clients} closed-loop clients, queries drawn at random, into {@code into}. */
    private static void measure(
            int requests,
            int clients,
            List<Map<String, AttributeValue>> queries,
            Random random,
            Consumer<Map<String, AttributeValue>> call,
            Sample into)
            throws Exception {
        List<Map<String, AttributeValue>> drawn = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            drawn.add(queries.get(random.nextInt(queries.size())));
        }
        long[] nanos = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> work = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            work.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    long begin = System.nanoTime();
                    try {
                        call.accept(drawn.get(i));
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                    nanos[i] = System.nanoTime() - begin;
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        into.seconds += seconds(System.nanoTime() - start);
        pool.shutdown();
        for (long n : nanos) {
            into.nanos.add(n);
        }
        into.failed += failed.get();
    }

    private record Stats(double p50, double p99, double max, double perSecond, int failed) {}

    private static String row(int clients, String what, Stats stats) {
        return String.format(
                Locale.ROOT,
                "%8d %-28s %9.1f %9.1f %9.1f %10.0f%s",
                clients,
                what,
                stats.p50(),
                stats.p99(),
                stats.max(),
                stats.perSecond(),
                stats.failed() == 0 ? "" : "  FAILED " + stats.failed());
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String value(Args options, String name, String defaultValue) {
        String value = options.value(name);
        return value == null ? defaultValue : value;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
