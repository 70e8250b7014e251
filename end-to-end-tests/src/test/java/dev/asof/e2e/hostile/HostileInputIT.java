package dev.asof.e2e.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.e2e.hostile.HostileRequests.Case;
import dev.asof.e2e.hostile.HostileRequests.Expect;
import dev.asof.e2e.hostile.HostileRequests.Service;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Hostile and careless clients against the three built services, each running with the production heap the local
 * stack gives it (256 MB, exit on OutOfMemoryError). A seeded generator ({@code -Dasof.seed}, {@code
 * -Dasof.hostile.requests}) makes at least 10,000 malformed requests across every endpoint (ranges, encodings,
 * sizes, nesting, duplicates, methods, headers, paths) with valid control events mixed in. Every hostile request
 * must get a 4xx problem+json, in time, with a bounded body; nothing of it may reach the log; every control
 * event answered 202 must be in the log; and every service must still be up and healthy at the end.
 */
class HostileInputIT {

    private static final long SEED = Long.getLong("asof.seed", 20261130L);
    private static final int REQUESTS = Integer.getInteger("asof.hostile.requests", 10_000);
    private static final int CLIENTS = 8;
    private static final int TIMEOUT_MILLIS = 30_000;
    private static final int MAX_PROBLEM_BYTES = 256 * 1024;
    private static final List<String> PRODUCTION_JVM = List.of(
            "-Xms32m", "-Xmx256m", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");

    private static final Map<Service, ServiceJar> services = new EnumMap<>(Service.class);
    private static DynamoDbClient dynamo;
    private static EventLog eventLog;

    @BeforeAll
    static void startServices() {
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put("asof.dynamodb.table-prefix", "hostile_");
        properties.put("asof.http.rate-limit", "1000000");
        services.put(Service.INGESTION, ServiceJar.start("ingestion-service", properties, PRODUCTION_JVM));
        services.put(Service.RECONSTRUCTION, ServiceJar.start("reconstruction-service", properties, PRODUCTION_JVM));
        // the match index would follow every event earlier tests left in the topic; hostile reads need no index
        Map<String, String> mergeProperties = new HashMap<>(properties);
        mergeProperties.put("asof.matching.index-enabled", "false");
        services.put(Service.MERGE, ServiceJar.start("merge-service", mergeProperties, PRODUCTION_JVM));
        dynamo = SharedInfrastructure.dynamoClient();
        eventLog = new EventLog(dynamo, new AsofTables("hostile_"));
    }

    @AfterAll
    static void stopServices() {
        services.values().forEach(ServiceJar::close);
        if (dynamo != null) {
            dynamo.close();
        }
    }

    @Test
    void everyHostileRequestIsRefusedWithAProblemAndEveryAcceptedEventIsLogged() throws Exception {
        System.out.println("hostile-input suite: seed=" + SEED + " requests=" + REQUESTS + " (rerun with -Dasof.seed="
                + SEED + ")");
        List<String> hostileCustomers = IntStream.range(0, 20)
                .mapToObj(i -> "hostile_" + Long.toHexString(SEED) + "_" + i)
                .toList();
        List<Case> cases = new ArrayList<>(new HostileRequests(SEED, hostileCustomers).generate(REQUESTS));
        cases.addAll(RegressionCases.all(hostileCustomers.get(0)));

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<String, int[]> byKind = Collections.synchronizedMap(new TreeMap<>());
        List<Case> accepted = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger retriedBusy = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                int index = i;
                running.add(clients.submit(() -> {
                    RawHttp.Answer answer =
                            RawHttp.send(services.get(c.service()).port(), c.request(), TIMEOUT_MILLIS);
                    // "busy, retry" (503 /problems/busy with Retry-After: more uploads or bodies at once than an
                    // instance reads) is load shedding, not the answer to the request: retried as a client would
                    for (int retry = 0; retry < 40 && isBusy(answer); retry++) {
                        retriedBusy.incrementAndGet();
                        Thread.sleep(250);
                        answer = RawHttp.send(services.get(c.service()).port(), c.request(), TIMEOUT_MILLIS);
                    }
                    byKind.computeIfAbsent(c.kind() + " -> " + answer.status(), k -> new int[1])[0]++;
                    String problem = check(c, answer);
                    if (problem != null) {
                        failures.add(
                                "#" + index + " " + c.service() + " " + c.kind() + ": " + problem + "\n    request: "
                                        + RegressionCases.show(c.request()) + "\n    answer: " + answer.status() + " "
                                        + answer.contentType() + " " + abbreviate(answer.body()));
                    } else if (c.expect() == Expect.ACCEPTED) {
                        accepted.add(c);
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get();
            }
        } finally {
            clients.shutdownNow();
        }
        byKind.forEach((kind, count) -> System.out.println("  " + kind + ": " + count[0]));
        System.out.println("  answered 503 busy and retried: " + retriedBusy.get() + " times");
        assertThat(failures).as("requests answered wrongly (seed " + SEED + ")").isEmpty();
        assertThat(cases.size()).isGreaterThanOrEqualTo(10_000);

        // Every control event answered 202 is in the log, within a bound.
        assertThat(accepted).isNotEmpty();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (Case c : accepted) {
                assertThat(eventLog.eventsUpTo(
                                c.customerId(), Instant.parse("9999-12-31T23:59:59.999Z"), Instant.now()))
                        .as("control event of %s", c.customerId())
                        .extracting(recorded -> recorded.event().eventId())
                        .containsExactly(c.eventId());
            }
        });
        // Nothing of the hostile requests was written.
        for (String customer : hostileCustomers) {
            assertThat(eventLog.eventsUpTo(customer, Instant.parse("9999-12-31T23:59:59.999Z"), Instant.now()))
                    .as("log of hostile customer %s", customer)
                    .isEmpty();
        }
        // Every service is still up and healthy.
        for (ServiceJar service : services.values()) {
            assertThat(service.handle().isAlive()).isTrue();
            assertThat(service.api().get("/actuator/health", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void concurrentHugeHostileBodiesDoNotBringIngestionDown() throws Exception {
        ServiceJar ingestion = services.get(Service.INGESTION);
        byte[] request = RegressionCases.manyUnknownProperties("hostile_flood", 170_000);
        int clients = 16;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        Map<Integer, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
        try {
            List<Future<RawHttp.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < clients * 3; i++) {
                answers.add(pool.submit(() -> RawHttp.send(ingestion.port(), request, TIMEOUT_MILLIS)));
            }
            for (Future<RawHttp.Answer> future : answers) {
                RawHttp.Answer answer = future.get();
                statuses.merge(answer.status(), 1, Integer::sum);
                // 400 naming the rule, or 503 busy (Retry-After) when more bodies arrive at once than are parsed
                assertThat(answer.status()).as(abbreviate(answer.body())).isIn(400, 503);
                assertThat(answer.isProblem()).isTrue();
                assertThat(answer.body().length()).isLessThan(MAX_PROBLEM_BYTES);
                if (answer.status() == 400) {
                    assertThat(answer.body()).contains("max-values");
                } else {
                    assertThat(answer.headers()).containsKey("retry-after");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("concurrent 1.9 MB hostile bodies: " + statuses);
        assertThat(ingestion.handle().isAlive()).isTrue();
        assertThat(ingestion.api().get("/actuator/health", null).statusCode()).isEqualTo(200);
    }

    /** Why the answer is wrong for the case, or {@code null} when it is right. */
    /** A 503 {@code /problems/busy} with {@code Retry-After}: the instance sheds load and asks to be retried. */
    private static boolean isBusy(RawHttp.Answer answer) {
        return answer.status() == 503
                && answer.body().contains("/problems/busy")
                && answer.headers().containsKey("retry-after");
    }

    private static String check(Case c, RawHttp.Answer answer) {
        if (answer.status() == -2) {
            return "no answer within " + TIMEOUT_MILLIS + " ms (hang)";
        }
        if (answer.status() == -1) {
            return "connection closed without an HTTP answer";
        }
        if (c.expect() == Expect.ACCEPTED) {
            return answer.status() == 202 && answer.body().contains("\"accepted\"")
                    ? null
                    : "a valid control event was not accepted";
        }
        if (answer.status() >= 500) {
            return "server error";
        }
        if (c.expect() == Expect.NOTHING_ACCEPTED) {
            return answer.status() == 202
                            && answer.body().contains("\"rejected\"")
                            && !answer.body().contains("\"accepted\"")
                    ? null
                    : "a batch of broken events was not answered with every element rejected";
        }
        if (answer.status() < 400) {
            return "a hostile request was not refused";
        }
        if (!answer.isProblem()) {
            return "the refusal is not application/problem+json";
        }
        if (!answer.body().contains("\"status\":" + answer.status())
                || !answer.body().contains("\"type\"")) {
            return "the problem lacks its type or status";
        }
        if (answer.body().length() > MAX_PROBLEM_BYTES) {
            return "the problem is " + answer.body().length() + " bytes";
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
