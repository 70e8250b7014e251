package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.Profile;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileResolver;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two instances of each service against one Kafka and one DynamoDB (the shared broker and dynalite, tables of their
 * own). The two ingestion instances' log writers share the consumer group {@code asof-log-writer}: the test checks
 * with the Kafka Admin API that the partitions are split between them, SIGKILLs one of them under load, checks that
 * its partitions move to the survivor while clients keep posting (re-sending, with the same event ids, whatever was
 * not answered 202 to the other instance), starts a replacement and checks the partitions are split again. Then every
 * event answered 202 is in the log exactly once, every view equals the fold of its log, and point-in-time reads of a
 * sample of customers are the same from both reconstruction instances and equal the fold of the logged events. The
 * two merge instances only have to start and stay healthy. The load is fixed by a printed seed ({@code
 * -Dasof.seed}).
 */
class ScaleOutIT {

    private static final long SEED = Long.getLong("asof.seed", 20261201L);
    private static final int CUSTOMERS = 200;
    private static final int EVENTS_PER_CUSTOMER = 20;
    private static final int BATCH = 50;
    private static final int CLIENTS = 4;
    private static final int SAMPLED_CUSTOMERS = 30;
    private static final String PREFIX = "scale_";
    private static final String LOG_WRITERS = "asof-log-writer";

    /**
     * Log-writer consumers per ingestion instance: the topic's six partitions over two instances (docs/ingestion.md,
     * "Running more than one instance").
     */
    private static final int CONCURRENCY = 3;

    /** How long the broker waits for a killed instance's heartbeats before it moves its partitions. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

    @Test
    void partitionsMoveToTheSurvivorNothingIsLostOrDoubledAndBothReadersAgree() throws Exception {
        System.out.println("scale-out test: seed=" + SEED + " (rerun with -Dasof.seed=" + SEED + ")");
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put("asof.dynamodb.table-prefix", PREFIX);
        RandomEventBatches.Load load =
                RandomEventBatches.generate(SEED, "scale", CUSTOMERS, EVENTS_PER_CUSTOMER, BATCH);
        List<List<String>> batches = load.batches();

        List<ServiceJar> started = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (Admin admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()));
                DynamoDbClient dynamo = SharedInfrastructure.dynamoClient()) {
            List<ServiceJar> ingestion = start(started, "ingestion-service", ingestionProperties(properties), "1", "2");
            List<ServiceJar> reconstruction = start(started, "reconstruction-service", i -> properties, "1", "2");
            // merge-service's match index would re-read the whole load: not what this test measures
            Map<String, String> mergeProperties = new java.util.HashMap<>(properties);
            mergeProperties.put("asof.matching.index-enabled", "false");
            List<ServiceJar> merge = start(started, "merge-service", i -> mergeProperties, "1", "2");
            int partitions = admin.describeTopics(List.of(AsofTopics.PROFILE_EVENTS))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(AsofTopics.PROFILE_EVENTS)
                    .partitions()
                    .size();

            Map<String, Set<Integer>> before = awaitOwners(admin, partitions, "ingestion-1", "ingestion-2");
            System.out.println("scale-out test: " + partitions + " partitions, log writers before the kill: " + before);

            // The load: clients take the batches in order, as far as the test has released them, and post batch i
            // first to instance i % 2. Instance slot 0 is ingestion-1, later its replacement.
            AtomicReferenceArray<ServiceJar> intake = new AtomicReferenceArray<>(ingestion.toArray(ServiceJar[]::new));
            AcceptedEvents accepted = new AcceptedEvents();
            Semaphore released = new Semaphore(0);
            AtomicInteger taken = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger resent = new AtomicInteger();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    while (true) {
                        released.acquire();
                        int i = taken.getAndIncrement();
                        if (i >= batches.size()) {
                            return null;
                        }
                        resent.addAndGet(ResendingClient.sendUntilAnswered(
                                attempt -> intake.get(attempt % 2).api(), i, batches.get(i), accepted));
                        answered.incrementAndGet();
                    }
                }));
            }

            released.release(batches.size() * 40 / 100);
            awaitAnswered(answered, batches.size() * 30 / 100, running);
            ingestion.get(0).kill();
            int inFlightAtKill = taken.get() - answered.get();
            int answeredAtKill = answered.get();
            Instant killedAt = Instant.now();
            released.release(batches.size() * 30 / 100);

            Map<String, Set<Integer>> afterKill = awaitOwners(admin, partitions, "ingestion-2");
            Duration movedAfter = Duration.between(killedAt, Instant.now());
            int answeredBeforeMove = answered.get() - answeredAtKill;
            System.out.println("scale-out test: ingestion-1 killed with " + inFlightAtKill
                    + " batches in flight after " + answeredAtKill + " of " + batches.size()
                    + " batches were answered; log writers after the kill: " + afterKill + " (moved within "
                    + movedAfter.toMillis() + " ms; " + answeredBeforeMove + " batches answered meanwhile)");
            awaitAnswered(answered, batches.size() * 70 / 100, running);

            ServiceJar replacement = start(started, "ingestion-service", ingestionProperties(properties), "3")
                    .get(0);
            intake.set(0, replacement);
            Map<String, Set<Integer>> afterReplacement = awaitOwners(admin, partitions, "ingestion-2", "ingestion-3");
            System.out.println("scale-out test: log writers after the replacement joined: " + afterReplacement);
            released.release(batches.size() + CLIENTS);
            for (Future<?> client : running) {
                client.get(3, TimeUnit.MINUTES);
            }
            assertThat(answered.get()).isEqualTo(batches.size());
            assertThat(answered.get() - answeredAtKill)
                    .as("batches answered after the kill")
                    .isPositive();
            assertThat(resent.get()).as("batches re-sent to the other instance").isPositive();
            assertThat(accepted.total()).isEqualTo(load.events());

            AsofTables tables = new AsofTables(PREFIX);
            Map<String, List<RecordedEvent>> logs = accepted.assertLoggedExactlyOnce(
                    new EventLog(dynamo, tables), new ProfileViews(dynamo, tables), Duration.ofMinutes(2));
            System.out.println("scale-out test: " + accepted.total() + " events accepted (" + resent.get()
                    + " batch re-sends), each logged exactly once; " + logs.size()
                    + " views equal to the fold of their log");

            // the log holds values encrypted with each customer's key; the oracle folds what was sent
            ValueCipher cipher = TestCipher.of(dynamo, tables);
            logs.replaceAll(
                    (customer, events) -> events.stream().map(cipher::decrypt).toList());
            int questions = compareReads(reconstruction, logs, load.mergedInto());
            System.out.println("scale-out test: " + questions
                    + " point-in-time questions answered alike by both reconstruction instances and equal to the"
                    + " fold of the log, seed=" + SEED);

            for (ServiceJar service : List.of(
                    ingestion.get(1),
                    replacement,
                    reconstruction.get(0),
                    reconstruction.get(1),
                    merge.get(0),
                    merge.get(1))) {
                assertThat(service.api().get("/actuator/health", null).statusCode())
                        .as("health of %s", service.port())
                        .isEqualTo(200);
            }
        } finally {
            clients.shutdownNow();
            started.forEach(ServiceJar::close);
        }
    }

    /** Ingestion instance {@code i}: its log-writer consumers named {@code ingestion-<i>-<n>}. */
    private static Function<String, Map<String, String>> ingestionProperties(Map<String, String> properties) {
        return instance -> {
            Map<String, String> own = new HashMap<>(properties);
            own.put("spring.kafka.consumer.client-id", "ingestion-" + instance);
            own.put("spring.kafka.listener.concurrency", Integer.toString(CONCURRENCY));
            own.put("spring.kafka.consumer.properties.session.timeout.ms", Long.toString(SESSION_TIMEOUT.toMillis()));
            return own;
        };
    }

    /**
     * Starts one instance of {@code module} per name, one after the other (each start is CPU-bound; on a busy
     * machine two at once made the first DynamoDB call of one of them miss its deadline), each healthy before the
     * next.
     */
    private static List<ServiceJar> start(
            List<ServiceJar> started,
            String module,
            Function<String, Map<String, String>> properties,
            String... instances) {
        List<ServiceJar> services = new ArrayList<>();
        for (String instance : instances) {
            ServiceJar service = ServiceJar.start(module, properties.apply(instance));
            started.add(service);
            services.add(service);
        }
        return services;
    }

    /**
     * Waits until the group is stable and exactly {@code instances} own the topic's partitions, each at least one,
     * every partition owned once.
     *
     * @return the partitions of each instance
     */
    private static Map<String, Set<Integer>> awaitOwners(Admin admin, int partitions, String... instances) {
        Map<String, Set<Integer>> owners = new TreeMap<>();
        await().atMost(SESSION_TIMEOUT.multipliedBy(6))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(LOG_WRITERS))
                            .describedGroups()
                            .get(LOG_WRITERS)
                            .get(10, TimeUnit.SECONDS);
                    owners.clear();
                    List<Integer> assigned = new ArrayList<>();
                    for (MemberDescription member : group.members()) {
                        String instance = member.clientId().replaceFirst("-\\d+$", "");
                        Set<Integer> own = owners.computeIfAbsent(instance, k -> new TreeSet<>());
                        for (TopicPartition partition : member.assignment().topicPartitions()) {
                            if (partition.topic().equals(AsofTopics.PROFILE_EVENTS)) {
                                own.add(partition.partition());
                                assigned.add(partition.partition());
                            }
                        }
                    }
                    assertThat(group.groupState()).as("%s", owners).isEqualTo(GroupState.STABLE);
                    assertThat(owners.keySet()).containsExactlyInAnyOrder(instances);
                    assertThat(owners.values())
                            .as("%s", owners)
                            .allSatisfy(own -> assertThat(own).isNotEmpty());
                    assertThat(assigned)
                            .as("%s", owners)
                            .doesNotHaveDuplicates()
                            .hasSize(partitions);
                });
        return owners;
    }

    private static void awaitAnswered(AtomicInteger answered, int atLeast, List<Future<?>> clients) {
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            for (Future<?> client : clients) {
                if (client.isDone()) {
                    client.get(); // a client that failed fails the test now, with its own message
                }
            }
            return answered.get() >= atLeast;
        });
    }

    /**
     * Asks both reconstruction instances the same questions about a sample of customers (every merged pair among
     * them) at several valid times, as known now and as known when one of their events was recorded: both must give
     * the same answer, and it must be the fold of the logged events resolved through merges. The fields that say how
     * an answer was computed ({@code snapshot_at}, {@code events_applied}) may differ between instances and are
     * left out of the comparison between them.
     *
     * @return how many questions were asked (of each instance)
     */
    private static int compareReads(
            List<ServiceJar> readers, Map<String, List<RecordedEvent>> logs, Map<String, String> mergedInto) {
        Random random = new Random(SEED ^ 0x5CA1E007L);
        List<String> customers = new ArrayList<>(logs.keySet());
        Collections.sort(customers);
        Set<String> sample = new TreeSet<>();
        mergedInto.forEach((from, into) -> {
            sample.add(from);
            sample.add(into);
        });
        while (sample.size() < mergedInto.size() * 2 + SAMPLED_CUSTOMERS) {
            sample.add(customers.get(random.nextInt(customers.size())));
        }
        Instant knownNow = Timestamps.truncate(Instant.now());
        List<String> mismatches = new ArrayList<>();
        int questions = 0;
        for (String customer : sample) {
            Set<String> family = new TreeSet<>(List.of(customer));
            mergedInto.forEach((from, into) -> {
                if (from.equals(customer) || into.equals(customer)) {
                    family.add(from);
                    family.add(into);
                }
            });
            List<RecordedEvent> familyLog = new ArrayList<>();
            family.forEach(identity -> familyLog.addAll(logs.getOrDefault(identity, List.of())));
            Instant day = Instant.parse("2026-11-20T00:00:00Z");
            List<Instant> validTimes = List.of(
                    day.minusSeconds(3_600),
                    familyLog.get(random.nextInt(familyLog.size())).event().timestampUtc(),
                    day.plusSeconds(random.nextInt(86_400)),
                    day.plusSeconds(86_400));
            List<Instant> knownTimes = List.of(
                    knownNow,
                    Hlc.toInstant(
                            familyLog.get(random.nextInt(familyLog.size())).recordedAt()));
            for (Instant validAt : validTimes) {
                for (Instant knownAt : knownTimes) {
                    questions++;
                    String path = "/api/v1/customers/" + customer + "/profile/at/" + Timestamps.format(validAt)
                            + "?known_at=" + Timestamps.format(knownAt);
                    HttpResponse<String> first = readers.get(0).api().get(path, TestApiKeys.PROFILE_READ_ONLY);
                    HttpResponse<String> second = readers.get(1).api().get(path, TestApiKeys.PROFILE_READ_ONLY);
                    String problem = sameAnswer(first, second);
                    if (problem == null) {
                        problem = expectedAnswer(first, customer, family, logs, validAt, knownAt);
                    }
                    if (problem != null) {
                        mismatches.add(path + ": " + problem + "\n  reconstruction-1: " + first.statusCode() + " "
                                + first.body() + "\n  reconstruction-2: " + second.statusCode() + " "
                                + second.body());
                    }
                }
            }
        }
        assertThat(mismatches)
                .as("point-in-time reads (seed %d), %d questions", SEED, questions)
                .isEmpty();
        return questions;
    }

    /** Whether two instances gave the same answer, less how they computed it; {@code null} when they did. */
    private static String sameAnswer(HttpResponse<String> first, HttpResponse<String> second) {
        if (first.statusCode() != second.statusCode()) {
            return "different statuses";
        }
        if (first.statusCode() != 200) {
            return null;
        }
        return withoutHow(first.body()).equals(withoutHow(second.body())) ? null : "different answers";
    }

    private static JsonNode withoutHow(String body) {
        ObjectNode answer = (ObjectNode) EventJson.mapper().readTree(body);
        answer.remove("snapshot_at");
        answer.remove("events_applied");
        return answer;
    }

    /** What differs from the fold of the family's logged events; {@code null} when nothing does. */
    private static String expectedAnswer(
            HttpResponse<String> response,
            String customer,
            Set<String> family,
            Map<String, List<RecordedEvent>> logs,
            Instant validAt,
            Instant knownAt) {
        Map<String, IdentityState> states = new LinkedHashMap<>();
        for (String identity : family) {
            states.put(
                    identity, ProfileFold.foldAt(identity, logs.getOrDefault(identity, List.of()), validAt, knownAt));
        }
        Profile expected = ProfileResolver.profile(customer, states);
        long recordedBound = Hlc.upperBound(knownAt);
        boolean found = expected.members().stream()
                .flatMap(member -> logs.getOrDefault(member, List.of()).stream())
                .anyMatch(e -> !e.event().timestampUtc().isAfter(validAt) && e.recordedAt() <= recordedBound);
        if (!found) {
            return response.statusCode() == 404 ? null : "expected 404";
        }
        if (response.statusCode() != 200) {
            return "expected 200";
        }
        JsonNode body = EventJson.mapper().readTree(response.body());
        if (!expected.resolvedCustomerId()
                .equals(body.get("resolved_customer_id").asString())) {
            return "expected resolved_customer_id " + expected.resolvedCustomerId();
        }
        List<String> members = new ArrayList<>();
        body.get("members").forEach(member -> members.add(member.asString()));
        if (!expected.members().equals(members)) {
            return "expected members " + expected.members();
        }
        JsonNode attributes = body.get("attributes");
        if (attributes.size() != expected.attributes().size()) {
            return "expected attributes " + expected.attributes().keySet();
        }
        for (var entry : expected.attributes().entrySet()) {
            var version = entry.getValue();
            JsonNode provenance = body.get("provenance").get(entry.getKey());
            if (!attributes.has(entry.getKey())
                    || provenance == null
                    || !EventJson.value(attributes.get(entry.getKey())).equals(version.value())
                    || !provenance
                            .get("event_id")
                            .asString()
                            .equals(version.version().eventId())
                    || !provenance
                            .get("updated_at")
                            .asString()
                            .equals(Timestamps.format(version.version().timestamp()))
                    || !provenance
                            .get("recorded_at")
                            .asString()
                            .equals(Timestamps.format(
                                    Hlc.toInstant(version.version().recordedAt())))
                    || !provenance.get("source_system").asString().equals(version.sourceSystem())) {
                return "expected " + entry.getKey() + " = " + version;
            }
        }
        return null;
    }
}
