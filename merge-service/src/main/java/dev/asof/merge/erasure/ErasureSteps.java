package dev.asof.merge.erasure;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventMetadata;
import dev.asof.events.ProfileErased;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.merge.erasure.kafka.TopicScan;
import dev.asof.merge.identity.Identity;
import dev.asof.merge.identity.IdentityLocks;
import dev.asof.merge.identity.IdentityLog;
import dev.asof.merge.matching.MatchIndex;
import dev.asof.merge.matching.MatchIndexer;
import dev.asof.privacy.SubjectKeys;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.submission.SubmissionResult;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.web.ApiProblemException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import tools.jackson.core.type.TypeReference;

/**
 * The steps of one erasure ({@link Erasure.Step}), each idempotent, so running a step again after a crash anywhere
 * in it does no harm. What each step did is kept in the erasure's proof as it goes.
 */
class ErasureSteps {

    /** The source system of the erasure events. */
    static final String SOURCE = "asof_erasure";

    private static final Duration SETTLE_POLL = Duration.ofMillis(100);

    /** The proof's record of where the profile topic ended, per partition, when the erasure was asked for. */
    private static final String TOPIC_END_OFFSETS = "topic_end_offsets";

    /** The proof's record of the key generations each identity's erasure destroyed and kept aside until PURGE_KEYS. */
    private static final String RETIRED_GENERATIONS = "retired_generations";

    /** Rounds of "take the leases of the identities read, read again" before the resolve step gives up for now. */
    private static final int LEASE_ROUNDS = 8;

    private final IdentityLog identityLog;
    private final ErasureStore store;
    private final ProfileEventSubmitter submitter;
    private final SubjectKeys keys;
    private final SubjectStores stores;
    private final MatchIndex matchIndex;
    private final Supplier<MatchIndexer> matchIndexer;
    private final TopicScan topics;
    private final ErasureProperties properties;
    private final IdentityLocks locks;
    private final Clock clock;

    ErasureSteps(
            ErasureStore store,
            IdentityLog identityLog,
            ProfileEventSubmitter submitter,
            SubjectKeys keys,
            SubjectStores stores,
            MatchIndex matchIndex,
            Supplier<MatchIndexer> matchIndexer,
            TopicScan topics,
            ErasureProperties properties,
            IdentityLocks locks,
            Clock clock) {
        this.matchIndexer = matchIndexer;
        this.locks = locks;
        this.store = store;
        this.identityLog = identityLog;
        this.submitter = submitter;
        this.keys = keys;
        this.stores = stores;
        this.matchIndex = matchIndex;
        this.topics = topics;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Runs {@code erasure}'s current step and returns it moved on (saved by the caller).
     *
     * @throws NotDue when the step waits for time to pass: run it again then (nothing to save)
     */
    Erasure run(Erasure erasure) throws InterruptedException, NotDue {
        Map<String, Object> proof = proofOf(erasure);
        @SuppressWarnings("unchecked")
        Map<String, Object> steps = (Map<String, Object>) proof.computeIfAbsent("steps", k -> new LinkedHashMap<>());
        switch (erasure.step()) {
            case RESOLVE -> {
                List<String> identities = new ArrayList<>(resolveUnderLeases(erasure));
                if (!identities.contains(erasure.customerId())) {
                    identities.add(0, erasure.customerId());
                }
                // an earlier erasure still under way for one of them goes first: two erasures of one identity side by
                // side would each destroy, keep aside and purge its key as the other's steps need it
                Instant due = clock.instant().plus(properties.retryDelay());
                for (String identity : identities) {
                    for (Erasure other : List.of(store.latestOf(identity), store.latestCovering(identity)).stream()
                            .flatMap(Optional::stream)
                            .toList()) {
                        if (!other.erasureId().equals(erasure.erasureId())
                                && !other.finished()
                                && before(other, erasure)) {
                            throw new NotDue(
                                    due,
                                    "waits for erasure " + other.erasureId() + ", which erases " + identity + " too");
                        }
                    }
                }
                steps.put("resolve", Map.of("identities", identities.size()));
                Erasure resolved = erasure.withIdentities(identities);
                // before the step is saved: a restart, or a retry after a failed write, resolves and records again
                store.coverMembers(resolved);
                return withProof(resolved.at(Erasure.Step.APPEND, "running"), proof);
            }
            case APPEND -> {
                List<EventEnvelope> events = erasureEvents(erasure);
                List<SubmissionResult> results = submitter.submit(events, "erasure", null, erasure.erasureId());
                for (SubmissionResult result : results) {
                    if (result.status().equals("rejected")) {
                        throw new StepNotDone(
                                "the erasure event " + result.eventId() + " was refused: " + result.reason());
                    }
                }
                awaitLogged(events);
                steps.put("append", Map.of("events_logged", events.size()));
                return withProof(erasure.at(Erasure.Step.DESTROY_KEYS, "running"), proof);
            }
            case DESTROY_KEYS -> {
                Instant destroyed = erasure.keysDestroyedAt();
                if (destroyed == null) {
                    Map<String, Object> retired = new LinkedHashMap<>();
                    for (String identity : erasure.identities()) {
                        // the tombstone keeps the erasure's time, the fold's: intake refuses what the fold hides, no
                        // more
                        Instant at = keys.destroy(identity, erasure.requestedAt());
                        destroyed = destroyed == null || at.isAfter(destroyed) ? at : destroyed;
                        retired.put(identity, keys.retiredGenerations(identity));
                    }
                    Map<String, Object> step = new LinkedHashMap<>();
                    step.put("keys_destroyed", erasure.identities().size());
                    step.put(
                            "replica_key_cache_wait_seconds",
                            properties.replicaKeyCacheWait().toSeconds());
                    step.put(
                            "in_flight_margin_seconds",
                            properties.inFlightMargin().toSeconds());
                    step.put(RETIRED_GENERATIONS, retired);
                    steps.put("destroy_keys", step);
                    // saved before the wait, so a restart waits only what is left of it
                    return withProof(erasure.withKeysDestroyedAt(destroyed), proof);
                }
                // Another replica may still encrypt with a destroyed key it has cached, for up to the cache's TTL, and
                // its request may take a while longer to reach Kafka: a returning customer's event accepted then
                // carries values under the destroyed key, which the next steps re-encrypt (the key is kept aside, for
                // that only, until PURGE_KEYS).
                // The wait holds no worker: other erasures run their steps meanwhile.
                Instant due = destroyed.plus(properties.replicaKeyCacheWait()).plus(properties.inFlightMargin());
                if (clock.instant().isBefore(due)) {
                    throw new NotDue(due, "waits for key caches and requests in flight");
                }
                return withProof(erasure.at(Erasure.Step.DRAIN, "running"), proof);
            }
            case DRAIN -> {
                // everything published for the identities until now, so every value a stale key encrypted, is logged
                if (!topics.awaitConsumed(
                        AsofTopics.PROFILE_EVENTS,
                        properties.logWriterGroup(),
                        erasure.identities(),
                        properties.settleTimeout())) {
                    throw new StepNotDone("the log writer (consumer group " + properties.logWriterGroup()
                            + ") had not logged what was published for the identities within "
                            + properties.settleTimeout().toSeconds() + " s; will try again (if this persists, check"
                            + " that ingestion-service's log writer runs and that asof.erasure.log-writer-group names"
                            + " its consumer group)");
                }
                steps.put("drain", Map.of("log_writer_group", properties.logWriterGroup()));
                return withProof(erasure.at(Erasure.Step.REENCRYPT, "running"), proof);
            }
            case REENCRYPT -> {
                long items = 0;
                long values = 0;
                for (String identity : erasure.identities()) {
                    RequestEnd requestEnd = requestEnd(steps, identity);
                    if (requestEnd == null) {
                        // asked for before the request's offsets were recorded: nothing is known to come after it
                        continue;
                    }
                    SubjectStores.Reencrypted done =
                            stores.reencryptReturning(identity, erasure.requestedAt(), requestEnd);
                    items += done.items();
                    values += done.values();
                }
                steps.put("reencrypt", Map.of("items_reencrypted", items, "values_reencrypted", values));
                return withProof(erasure.at(Erasure.Step.REDACT, "running"), proof);
            }
            case REDACT -> {
                SubjectStores.Count log = new SubjectStores.Count();
                SubjectStores.Count views = new SubjectStores.Count();
                SubjectStores.Count snapshots = new SubjectStores.Count();
                SubjectStores.Count pages = new SubjectStores.Count();
                for (String identity : erasure.identities()) {
                    add(log, stores.redactLog(identity, erasure.requestedAt(), id -> {}));
                    add(views, stores.rewriteView(identity));
                    add(snapshots, stores.deleteSnapshots(identity));
                    add(pages, stores.deletePages(identity));
                }
                steps.put("redact_log", Map.of("items", log.items, "items_redacted", log.changed));
                steps.put("views", Map.of("views", views.items, "views_rewritten", views.changed));
                steps.put("snapshots", Map.of("snapshots_deleted", snapshots.changed));
                steps.put("log_pages", Map.of("log_pages_deleted", pages.changed));
                return withProof(erasure.at(Erasure.Step.PURGE_KEYS, "running"), proof);
            }
            case PURGE_KEYS -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> destroyStep = (Map<String, Object>) steps.get("destroy_keys");
                @SuppressWarnings("unchecked")
                Map<String, List<Number>> retired =
                        destroyStep == null ? null : (Map<String, List<Number>>) destroyStep.get(RETIRED_GENERATIONS);
                long purged = 0;
                for (String identity : erasure.identities()) {
                    // an erasure saved before retired keys existed names none: whatever is retired goes
                    List<Long> generations = retired == null
                            ? keys.retiredGenerations(identity)
                            : retired.getOrDefault(identity, List.of()).stream()
                                    .map(Number::longValue)
                                    .toList();
                    purged += keys.purgeRetired(identity, generations);
                }
                steps.put("purge_keys", Map.of("retired_keys_destroyed", purged));
                return withProof(erasure.at(Erasure.Step.DROP_INDEXES, "running"), proof);
            }
            case DROP_INDEXES -> {
                long entries = 0;
                List<String> eventIds = new ArrayList<>();
                long reindexed = 0;
                long snapshotsAgain = 0;
                long pagesAgain = 0;
                for (String identity : erasure.identities()) {
                    entries += matchIndex.remove(identity);
                    // once more, now the destroyed keys are gone: reconstruction may have saved a returning customer's
                    // fold read before the reencrypt step after the redact step deleted its snapshots; such a snapshot
                    // holds values under the purged key (reads from it would leave them out)
                    snapshotsAgain += stores.deleteSnapshots(identity).changed;
                    // and log pages a writer read before the erasure event and saved after the redact step
                    pagesAgain += stores.deletePages(identity).changed;
                    stores.scanLog(identity, erasure.requestedAt(), eventIds);
                    // a customer that came back while the erasure ran is indexed again from its (rewritten) view: the
                    // index follower could not read what a replica had written under the destroyed key
                    if (stores.hasDataAfter(identity, erasure.requestedAt())) {
                        matchIndexer.get().refresh(identity);
                        reindexed++;
                    }
                }
                SubjectStores.Count ledger = stores.deleteLedger(eventIds);
                steps.put(
                        "indexes",
                        Map.of(
                                "match_index_entries_deleted",
                                entries,
                                "returning_customers_reindexed",
                                reindexed,
                                "intake_ledger_entries_deleted",
                                ledger.changed,
                                "snapshots_deleted_after_purge",
                                snapshotsAgain,
                                "log_pages_deleted_after_purge",
                                pagesAgain,
                                "caches",
                                "reconstruction drops the identities' cached answers on the erasure events it"
                                        + " follows; every service's key cache forgot the destroyed keys within "
                                        + properties.replicaKeyCacheWait().toSeconds() + " s"));
                return withProof(erasure.at(Erasure.Step.SCAN, "running"), proof);
            }
            case SCAN -> {
                Map<String, Object> scan = scan(erasure);
                proof.put("scan", scan);
                boolean verified = Boolean.TRUE.equals(scan.get("verified"));
                proof.put("verified", verified);
                return erasure.ended(verified ? "completed" : "failed", clock.instant(), json(proof));
            }
            case DONE -> {
                return erasure;
            }
        }
        throw new IllegalStateException("unknown step " + erasure.step());
    }

    /**
     * The identities of the data subject at the request time, read while holding their leases ({@link IdentityLocks}),
     * as merges and unmerges hold them until their event is logged: a command that took effect before the request is
     * logged before this reads, and one that comes after sees the erasure under way and is refused ({@code 409
     * erasure-in-progress}). Leases found on the way are taken and the group read again, as a command does.
     */
    private Set<String> resolveUnderLeases(Erasure erasure) {
        try (IdentityLocks.Lease lease = locks.lease("erasure-" + erasure.erasureId())) {
            Set<String> leased = new TreeSet<>(List.of(erasure.customerId()));
            for (int round = 0; round < LEASE_ROUNDS; round++) {
                lease.add(leased);
                // links and erasures only: all that the identities are folded from
                List<RecordedEvent> group =
                        identityLog.identityGroup(erasure.customerId(), erasure.requestedAt(), Timestamps.LATEST);
                Set<String> read = new TreeSet<>(leased);
                group.forEach(event -> read.add(event.event().customerId()));
                if (lease.holds(read)) {
                    return new LinkedHashSet<>(Identity.of(erasure.customerId(), erasure.requestedAt(), group)
                            .members());
                }
                leased = read;
            }
        } catch (ApiProblemException busy) {
            throw new StepNotDone("an identity of the group stayed leased by a merge or unmerge; will try again");
        }
        throw new StepNotDone("the merges around " + erasure.customerId()
                + " kept changing while its identities were read; will" + " try again");
    }

    /**
     * A step that could not finish for a reason of its own, said in words free of personal data (kept in the erasure
     * as its error, unlike the message of any other exception).
     */
    static final class StepNotDone extends RuntimeException {

        StepNotDone(String message) {
            super(message);
        }
    }

    /** Whether {@code one} was asked for before {@code other} (ties broken by id, so no two wait for each other). */
    private static boolean before(Erasure one, Erasure other) {
        int byTime = one.requestedAt().compareTo(other.requestedAt());
        return byTime != 0 ? byTime < 0 : one.erasureId().compareTo(other.erasureId()) < 0;
    }

    /**
     * A step that waits for a time to come, or for another erasure: it is run again then, and other erasures run
     * meanwhile. Its message says what it waits for, free of personal data.
     */
    static final class NotDue extends Exception {

        private final Instant due;

        NotDue(Instant due, String waitsFor) {
            super(waitsFor, null, false, false);
            this.due = due;
        }

        Instant due() {
            return due;
        }
    }

    /** The events that erase each identity: PII-free, stamped at the request, ids derived from the erasure. */
    static List<EventEnvelope> erasureEvents(Erasure erasure) {
        List<EventEnvelope> events = new ArrayList<>();
        for (String identity : erasure.identities()) {
            events.add(new EventEnvelope(
                    UUID.nameUUIDFromBytes(("asof-erasure:" + erasure.erasureId() + ":" + identity)
                                    .getBytes(StandardCharsets.UTF_8))
                            .toString(),
                    erasure.requestedAt(),
                    identity,
                    SOURCE,
                    EventMetadata.EMPTY,
                    new ProfileErased("erasure " + erasure.erasureId()),
                    EventEnvelope.SCHEMA_VERSION));
        }
        return events;
    }

    private void awaitLogged(List<EventEnvelope> events) throws InterruptedException {
        long deadline = System.nanoTime() + properties.settleTimeout().toNanos();
        for (EventEnvelope event : events) {
            while (!identityLog.isLogged(event)) {
                if (System.nanoTime() > deadline) {
                    throw new StepNotDone("the erasure events were not logged within "
                            + properties.settleTimeout().toSeconds() + " s; will try again");
                }
                Thread.sleep(SETTLE_POLL.toMillis());
            }
        }
    }

    /** The verification scan: every store read again for the subject's identities. */
    private Map<String, Object> scan(Erasure erasure) {
        Instant at = erasure.requestedAt();
        SubjectStores.Count log = new SubjectStores.Count();
        SubjectStores.Count views = new SubjectStores.Count();
        SubjectStores.Count snapshots = new SubjectStores.Count();
        SubjectStores.Count pages = new SubjectStores.Count();
        SubjectStores.Count ledger = new SubjectStores.Count();
        SubjectStores.Count subjectKeys = new SubjectStores.Count();
        SubjectStores.Count matchRecords = new SubjectStores.Count();
        for (String identity : erasure.identities()) {
            List<String> eventIds = new ArrayList<>();
            add(log, stores.scanLog(identity, at, eventIds));
            add(views, stores.scanView(identity, at));
            add(snapshots, stores.scanSnapshots(identity, at));
            add(pages, stores.scanPages(identity, at));
            add(ledger, stores.scanLedger(eventIds));
            add(subjectKeys, stores.scanKeys(identity));
            // a destroyed key still kept aside is a key that opens the subject's old values
            subjectKeys.readable += keys.retiredGenerations(identity).size();
            matchIndex.find(identity).ifPresent(indexed -> {
                matchRecords.items++;
                // a returning customer is indexed again from its new events; an erased one holds nothing (the index
                // follower may have written its empty entry after the erasure event)
                if (!stores.hasDataAfter(identity, at)) {
                    var record = indexed.record();
                    matchRecords.readable += record.phones().size()
                            + record.emails().size()
                            + (record.firstName() == null ? 0 : 1)
                            + (record.lastName() == null ? 0 : 1)
                            + (record.postcode() == null ? 0 : 1)
                            + (record.dateOfBirth() == null ? 0 : 1);
                }
            });
        }
        List<Map<String, Object>> stored = List.of(
                log.toMap("dynamodb:event_log"),
                views.toMap("dynamodb:profile_view"),
                snapshots.toMap("dynamodb:snapshots"),
                pages.toMap("dynamodb:log_pages"),
                ledger.toMap("dynamodb:intake_events"),
                subjectKeys.toMap("dynamodb:subject_keys"),
                matchRecords.toMap("dynamodb:match_records"));
        stored.forEach(row -> row.remove("changed"));
        List<Map<String, Object>> kafka = new ArrayList<>();
        boolean verified = true;
        for (String topic : List.of(AsofTopics.PROFILE_EVENTS, AsofTopics.PROFILE_EVENTS_DLT)) {
            TopicScan.Found found = topics.valuesOf(topic, erasure.identities(), properties.kafkaScanTimeout());
            SubjectStores.Count count = new SubjectStores.Count();
            long unparseable = 0;
            for (String value : found.values()) {
                count.items++;
                try {
                    EventEnvelope event = EventJson.decodeLogged(value);
                    event.withValues(v -> {
                        stores.tally(count, v, event.timestampUtc(), at);
                        return v;
                    });
                } catch (RuntimeException notAnEvent) {
                    unparseable++;
                }
            }
            Map<String, Object> row = count.toMap("kafka:" + topic);
            row.remove("changed");
            row.put("records_read", found.recordsRead());
            row.put("unparseable_records", unparseable);
            row.put("complete", found.complete());
            kafka.add(row);
            verified &= count.readable == 0 && unparseable == 0 && found.complete();
        }
        for (Map<String, Object> row : stored) {
            verified &= ((Long) row.get("readable_values")) == 0;
        }
        Map<String, Object> scan = new LinkedHashMap<>();
        scan.put("scanned_at", Timestamps.format(clock.instant()));
        scan.put("stores", stored);
        scan.put("topics", kafka);
        scan.put("verified", verified);
        return scan;
    }

    private static void add(SubjectStores.Count into, SubjectStores.Count from) {
        into.items += from.items;
        into.changed += from.changed;
        into.readable += from.readable;
        into.unopenable += from.unopenable;
    }

    /**
     * The proof as a request starts it: where the profile topic ended, per partition, when the erasure was asked for
     * ({@code steps.request.topic_end_offsets}).
     */
    static Map<String, Object> requestProof(Map<Integer, Long> endOffsets) {
        Map<String, Object> offsets = new TreeMap<>();
        endOffsets.forEach((partition, offset) -> offsets.put(Integer.toString(partition), offset));
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put("request", Map.of(TOPIC_END_OFFSETS, offsets));
        Map<String, Object> proof = new LinkedHashMap<>();
        proof.put("steps", steps);
        return proof;
    }

    /** A partition of the profile topic and its end offset when the erasure was asked for. */
    record RequestEnd(int partition, long offset) {}

    /**
     * Where {@code identity}'s partition of the profile topic ended when the erasure was asked for: its records from
     * there on were published after the request. {@code null} for an erasure asked for before this was recorded.
     */
    private static RequestEnd requestEnd(Map<String, Object> steps, String identity) {
        @SuppressWarnings("unchecked")
        Map<String, Object> request = (Map<String, Object>) steps.get("request");
        if (request == null || !(request.get(TOPIC_END_OFFSETS) instanceof Map<?, ?> offsets) || offsets.isEmpty()) {
            return null;
        }
        int partition = TopicScan.partitionOf(identity, offsets.size());
        Object offset = offsets.get(Integer.toString(partition));
        return offset instanceof Number number ? new RequestEnd(partition, number.longValue()) : null;
    }

    static Map<String, Object> proofOf(Erasure erasure) {
        if (erasure.proof() == null) {
            return new LinkedHashMap<>();
        }
        return EventJson.mapper().readValue(erasure.proof(), new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    private static Erasure withProof(Erasure erasure, Map<String, Object> proof) {
        return erasure.withProof(json(proof));
    }

    static String json(Map<String, Object> proof) {
        return EventJson.mapper().writeValueAsString(proof);
    }
}
