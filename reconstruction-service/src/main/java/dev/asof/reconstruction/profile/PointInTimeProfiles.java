package dev.asof.reconstruction.profile;

import dev.asof.events.AttributeVersion;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.Profile;
import dev.asof.events.ProfileResolver;
import dev.asof.events.Timestamps;
import dev.asof.events.Version;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
import dev.asof.reconstruction.resilience.Deadline;
import dev.asof.reconstruction.resilience.ProfileStoreGuard;
import dev.asof.reconstruction.resilience.ProfileStoreUnavailableException;
import dev.asof.reconstruction.snapshot.SnapshotRepairs;
import dev.asof.reconstruction.state.IdentityRead;
import dev.asof.reconstruction.state.IdentityStates;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Service;

/**
 * Customer profiles at a point in time, resolved across merges: the service the HTTP API, and the contact-centre
 * formats built on it, call. Reads only; never writes.
 */
@Service
public class PointInTimeProfiles {

    private final IdentityStates identityStates;
    private final IdentityLinks identityLinks;
    private final ProfileViews views;
    private final ProfileCache cache;
    private final ProfileStoreGuard guard;
    private final SnapshotRepairs repairs;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final DistributionSummary eventsApplied;
    private final ValueCipher cipher;
    private final LogRanges log;

    PointInTimeProfiles(
            IdentityStates identityStates,
            IdentityLinks identityLinks,
            ProfileViews views,
            ProfileCache cache,
            ProfileStoreGuard guard,
            SnapshotRepairs repairs,
            Clock clock,
            MeterRegistry metrics,
            ValueCipher cipher,
            LogRanges log) {
        this.cipher = cipher;
        this.log = log;
        this.identityStates = identityStates;
        this.identityLinks = identityLinks;
        this.views = views;
        this.cache = cache;
        this.guard = guard;
        this.repairs = repairs;
        this.clock = clock;
        this.metrics = metrics;
        this.eventsApplied = DistributionSummary.builder("asof.reconstruction.events_applied")
                .description("logged events folded on top of snapshots for one point-in-time answer")
                .publishPercentileHistogram()
                .register(metrics);
    }

    /**
     * The profile of {@code customerId} at valid time {@code validAt} as known at {@code knownAt} (both cut to whole
     * milliseconds); empty when no identity of the profile has an event at or before {@code validAt} recorded at or
     * before {@code knownAt}.
     *
     * @throws ProfileStoreUnavailableException when DynamoDB is slow or down
     */
    public Optional<ProfileAnswer> reconstructAt(String customerId, Instant validAt, Instant knownAt) {
        Instant asOf = Timestamps.truncate(validAt);
        Instant known = Timestamps.truncate(knownAt);
        long bound = Hlc.upperBound(known);
        long start = System.nanoTime();
        String outcome = "error";
        try {
            Optional<ProfileAnswer> cached = cache.find(customerId, asOf, bound);
            if (cached.isPresent()) {
                try {
                    Optional<ProfileAnswer> shown = revealed(customerId, cached, asOf, bound);
                    outcome = "cached";
                    return shown;
                } catch (SubjectErasedException reencrypted) {
                    // a cached answer holds ciphertexts; an erasure re-encrypts a returning customer's values that a
                    // replica wrote under the destroyed key, without an event to drop the answer: read it again
                    cache.invalidate(customerId);
                }
            }
            long ticket = cache.ticket();
            // Only a K before the current millisecond can be settled; anything later is not worth the view reads.
            boolean settleable = cache.accepting() && bound < Hlc.encode(clock.millis(), 0);
            Reconstruction result =
                    guard.call(deadline -> reconstruct(customerId, asOf, known, bound, deadline, settleable));
            // revealed before it is cached: an answer that does not open (erased) is never cached, so a cached answer
            // that stops opening was changed underneath it (re-encrypted by an erasure) and is read again above
            Optional<ProfileAnswer> shown = revealed(
                    customerId,
                    result.answer(),
                    asOf,
                    result.answer()
                            .map(found -> Hlc.upperBound(found.knownAt()))
                            .orElse(bound));
            if (result.answer().isPresent()) {
                ProfileAnswer answer = result.answer().get();
                eventsApplied.record(answer.eventsApplied());
                if (result.settled()) {
                    cache.offer(customerId, asOf, bound, answer, result.identities(), ticket);
                }
            }
            outcome = result.answer().isPresent() ? "found" : "not_found";
            return shown;
        } catch (ProfileStoreUnavailableException unavailable) {
            outcome = "unavailable";
            throw unavailable;
        } finally {
            latency("at", outcome, start);
        }
    }

    /**
     * The current profile of {@code customerId} from the materialized views of its identities: every event logged
     * and folded so far, whatever its valid time. Empty when no identity of the profile has an event.
     *
     * @throws ProfileStoreUnavailableException when DynamoDB is slow or down
     */
    public Optional<ProfileAnswer> current(String customerId) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            Instant now = Timestamps.truncate(clock.instant());
            Optional<ProfileAnswer> answer = guard.call(deadline -> fromViews(customerId, now, deadline));
            outcome = answer.isPresent() ? "found" : "not_found";
            // the came-back check as of the known_at answered, as profile/at at that K would make it
            return revealed(
                    customerId,
                    answer,
                    now,
                    answer.map(found -> Hlc.upperBound(found.knownAt())).orElse(Long.MAX_VALUE));
        } catch (ProfileStoreUnavailableException unavailable) {
            outcome = "unavailable";
            throw unavailable;
        } finally {
            latency("current", outcome, start);
        }
    }

    /**
     * The answer as it leaves this service: decrypted ({@link #decrypted}); and for a customer that was erased,
     * when nothing of its profile is left to show (no profile, or one without attributes), {@code 410 erased}
     * rather than an empty answer: erased means gone. (A value of an erased subject met on the way fails with the
     * same exception, whatever T is asked.)
     */
    private Optional<ProfileAnswer> revealed(
            String customerId, Optional<ProfileAnswer> answer, Instant asOf, long recordedBound) {
        // while the customer's erasure runs (its destroyed key still kept aside), a value it sent before the request
        // but stamped after it is not hidden by the fold and may still open with a key a replica has cached (a probe
        // read one 200 for a minute): the customer is gone until the erasure is over
        SubjectKeys.ErasureStatus status = null;
        if (answer.isPresent() && answer.get().customerErasure() != null) {
            status = guard.call(deadline -> cipher.erasureStatus(customerId));
            if (status.underWay()) {
                throw new SubjectErasedException(
                        customerId, answer.get().customerErasure().timestamp());
            }
        }
        Optional<ProfileAnswer> shown = answer.map(found -> decrypted(customerId, found));
        boolean empty = shown.isEmpty() || shown.get().profile().attributes().isEmpty();
        // a profile of several identities may show another identity's values only: one that came back after the
        // erasure of the group (an outside probe read an erased survivor's profile, 200, with a returning member's
        // values, while its history and identity answered 410)
        boolean group = shown.isPresent() && shown.get().profile().members().size() > 1;
        if (empty || group) {
            // the key item read above, if it was, says it already
            Instant erased =
                    status != null ? status.lastErasure() : guard.call(deadline -> cipher.erasedAt(customerId));
            if (erased != null
                    && (empty || !guard.call(deadline -> cameBack(customerId, erased, asOf, recordedBound)))) {
                throw new SubjectErasedException(customerId, erased);
            }
        }
        return shown;
    }

    /**
     * Whether the erased customer had come back by {@code asOf}, as known at {@code recordedBound}: an event of its
     * own stamped after {@code erased}, other than an erasure or one the erasure redacted, by the rule history and
     * merge-service's identity reads use ({@link LogRanges#anyEvent(String, Instant, Instant, long, boolean)}).
     */
    private boolean cameBack(String customerId, Instant erased, Instant asOf, long recordedBound) {
        return log.anyEvent(customerId, erased, asOf, recordedBound, false);
    }

    /**
     * The answer with its values decrypted: what is cached (and what snapshots and views hold) stays encrypted; only
     * the answer that leaves this service is in clear. A value of the asked customer's erased subject ends the read
     * ({@code 410}); a value of another identity that was merged into the profile at that time and has been erased
     * since is left out of it: that identity's data is gone from every profile (the attribute is not shown, rather
     * than replaced by an older value of another identity).
     */
    private ProfileAnswer decrypted(String customerId, ProfileAnswer answer) {
        Map<String, AttributeVersion> shown = new TreeMap<>();
        answer.profile().attributes().forEach((key, version) -> {
            try {
                shown.put(
                        key,
                        new AttributeVersion(
                                version.key(),
                                cipher.decrypt(version.value()),
                                version.version(),
                                version.sourceSystem()));
            } catch (SubjectErasedException erased) {
                // the asked customer's erased value ends the read, unless it is ordered after the erasure in its fold
                // and the erasure is over: a value published before the erasure was asked for but stamped a few
                // seconds ahead, redacted with the rest of the data subject's, is left out (as an erased identity's
                // value is) and the rest shows (a probe read a returning customer 410 for good because of one). While
                // the erasure runs the read has answered 410 already (revealed), and such an answer is not cached
                if (erased.customerId().equals(customerId)
                        && (answer.customerErasure() == null
                                || !version.version().isAfter(answer.customerErasure()))) {
                    throw erased;
                }
            }
        });
        Profile profile = answer.profile();
        return new ProfileAnswer(
                new Profile(profile.customerId(), profile.resolvedCustomerId(), shown, profile.members()),
                answer.asOf(),
                answer.knownAt(),
                answer.snapshotAt(),
                answer.eventsApplied(),
                answer.customerErasure());
    }

    private record Reconstruction(Optional<ProfileAnswer> answer, boolean settled, Set<String> identities) {}

    private Reconstruction reconstruct(
            String customerId, Instant asOf, Instant known, long bound, Deadline deadline, boolean settleable) {
        Map<String, IdentityRead> reads = new HashMap<>();
        Map<String, IdentityState> states = ProfileFamily.gather(
                customerId,
                identity -> {
                    IdentityRead read = identityStates.read(identity, asOf, bound, deadline);
                    reads.put(identity, read);
                    return read.state();
                },
                // read with each identity's head: ProfileFamily walks only identities it has read
                identity -> reads.get(identity).mergedInto());
        reads.forEach((identity, read) -> repairs.afterRead(identity, asOf, read.eventsFromLog()));
        Profile profile = ProfileResolver.profile(customerId, states);
        long covered = 0;
        int applied = 0;
        Instant snapshotAt = null;
        for (String member : profile.members()) {
            IdentityRead read = reads.get(member);
            if (read == null) {
                continue;
            }
            covered += read.eventsCovered();
            applied += read.eventsFromLog();
            if (read.snapshot() != null
                    && (snapshotAt == null || read.snapshot().validTo().isAfter(snapshotAt))) {
                snapshotAt = read.snapshot().validTo();
            }
        }
        if (covered == 0) {
            return new Reconstruction(Optional.empty(), false, Set.of());
        }
        boolean settled = settleable
                && reads.values().stream().allMatch(read -> read.watermark() != null && read.watermark() >= bound);
        // the K this answer is exact for: K, or the latest recording it folds when every view stops before K
        Instant answered = IdentityRead.exactKnownAt(known, reads.values());
        return new Reconstruction(
                Optional.of(
                        new ProfileAnswer(profile, asOf, answered, snapshotAt, applied, erasureOf(customerId, states))),
                settled,
                Set.copyOf(states.keySet()));
    }

    private Optional<ProfileAnswer> fromViews(String customerId, Instant now, Deadline deadline) {
        Map<String, ProfileViews.View> found = new HashMap<>();
        Map<String, IdentityState> states = ProfileFamily.gather(
                customerId,
                identity -> {
                    deadline.check();
                    Optional<ProfileViews.View> view = views.find(identity);
                    view.ifPresent(v -> found.put(identity, v));
                    return view.map(ProfileViews.View::state).orElse(IdentityState.empty(identity));
                },
                identity -> {
                    deadline.check();
                    return identityLinks.mergedInto(identity);
                });
        Profile profile = ProfileResolver.profile(customerId, states);
        if (profile.members().stream().noneMatch(found::containsKey)) {
            return Optional.empty();
        }
        // known_at: the latest recording the views have folded, at most now (a batch logged but not yet in its view
        // is not in them): asked with it, profile/at gives this answer (less any event stamped after now)
        Instant folded = Hlc.toInstant(found.values().stream()
                .mapToLong(ProfileViews.View::lastRecordedAt)
                .max()
                .orElseThrow());
        Instant known = folded.isBefore(now) ? folded : now;
        return Optional.of(new ProfileAnswer(profile, now, known, null, null, erasureOf(customerId, states)));
    }

    /** The latest erasure in the fold of {@code customerId}'s own events, or {@code null}. */
    private static Version erasureOf(String customerId, Map<String, IdentityState> states) {
        IdentityState own = states.get(customerId);
        return own == null ? null : own.erasedAt();
    }

    private void latency(String endpoint, String outcome, long startNanos) {
        Timer.builder("asof.reconstruction.latency")
                .description("time to answer a profile read, cache look-up included")
                .tag("endpoint", endpoint)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(metrics)
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
