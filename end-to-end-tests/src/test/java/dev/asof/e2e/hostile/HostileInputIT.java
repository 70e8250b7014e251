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

    /**
     * Clients that send a request's head and then trickle its body (a byte a second), more of them than Tomcat has
     * worker threads: without credentials each is answered at once and its connection closed, with the ingestion key
     * each is refused {@code 408 body-too-slow} once {@code asof.http.slow-body-grace} has passed; meanwhile every
     * service answers its health check and an event is accepted (an outside probe froze all three services, health
     * included, with about 205 such connections).
     */
    @Test
    void bodiesTrickledByMoreClientsThanThreadsFreezeNoService() throws Exception {
        int workers = 200;
        Map<Service, String> targets = Map.of(
                Service.INGESTION, "/api/v1/events",
                Service.RECONSTRUCTION, "/api/v1/customers/hostile_slow/profile",
                Service.MERGE, "/api/v1/merges");
        List<java.net.Socket> anonymous = new ArrayList<>();
        List<java.net.Socket> authenticated = new ArrayList<>();
        try {
            for (Service service : Service.values()) {
                for (int i = 0; i < workers + 20; i++) {
                    anonymous.add(slowRequest(services.get(service).port(), targets.get(service), null));
                }
            }
            for (int i = 0; i < 20; i++) {
                authenticated.add(slowRequest(
                        services.get(Service.INGESTION).port(),
                        "/api/v1/events",
                        "Bearer " + dev.asof.testing.TestApiKeys.EVENTS_WRITE_ONLY));
            }
            List<java.net.Socket> all = new ArrayList<>(anonymous);
            all.addAll(authenticated);
            Thread trickle = new Thread(() -> {
                for (int second = 0; second < 40 && !Thread.currentThread().isInterrupted(); second++) {
                    for (java.net.Socket socket : all) {
                        try {
                            socket.getOutputStream().write(' ');
                        } catch (java.io.IOException closed) {
                            // answered and closed by the service
                        }
                    }
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            for (ServiceJar service : services.values()) {
                assertThat(service.api().get("/actuator/health", null).statusCode())
                        .isEqualTo(200);
            }
            String customer = "hostile_slow_" + Long.toHexString(SEED);
            assertThat(services.get(Service.INGESTION)
                            .api()
                            .post(
                                    "/api/v1/events",
                                    dev.asof.testing.TestApiKeys.EVENTS_WRITE_ONLY,
                                    "application/json",
                                    RegressionCases.event(customer))
                            .statusCode())
                    .isEqualTo(202);
            Map<String, Integer> statuses = new TreeMap<>();
            for (java.net.Socket socket : anonymous) {
                String status = answerThenClose(socket);
                statuses.merge("anonymous " + status, 1, Integer::sum);
                assertThat(status).as("an anonymous trickled body").isIn("401", "405");
            }
            for (java.net.Socket socket : authenticated) {
                String answer = readAll(socket);
                assertThat(answer).as("a trickled body with a key").startsWith("HTTP/1.1 408 ");
                statuses.merge("authenticated 408", 1, Integer::sum);
                assertThat(answer).contains("/problems/body-too-slow");
            }
            trickle.interrupt();
            System.out.println("trickled bodies: " + statuses);
        } finally {
            for (java.net.Socket socket : anonymous) {
                socket.close();
            }
            for (java.net.Socket socket : authenticated) {
                socket.close();
            }
        }
    }

    /** A connection that has sent a POST's head, promising a 10,000-byte JSON body, and one byte of it. */
    private static java.net.Socket slowRequest(int port, String target, String authorization) throws Exception {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        String head = "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Length: 10000\r\n\r\n{";
        socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The status of the answer on {@code socket}; fails unless the service then closes the connection. */
    private static String answerThenClose(java.net.Socket socket) throws Exception {
        String answer = readAll(socket);
        assertThat(answer).as("an answer").startsWith("HTTP/1.1 ");
        return answer.substring(9, 12);
    }

    /** All the service sends until it closes the connection (a reset after the answer ends it too). */
    private static String readAll(java.net.Socket socket) throws Exception {
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
            }
        } catch (java.net.SocketTimeoutException open) {
            throw new AssertionError("the connection was still open after " + TIMEOUT_MILLIS + " ms: " + answer);
        } catch (java.io.IOException reset) {
            // reset after the answer: what was answered is read
        }
        return answer.toString(java.nio.charset.StandardCharsets.UTF_8);
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
