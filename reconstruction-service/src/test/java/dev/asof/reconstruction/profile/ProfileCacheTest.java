package dev.asof.reconstruction.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.Profile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules by which the cache refuses or drops answers, without Kafka or DynamoDB. */
class ProfileCacheTest {

    static final Instant T = Instant.parse("2023-10-27T14:30:00Z");
    static final long K = 42;

    ProfileCache cache;

    @BeforeEach
    void followingCache() {
        cache = new ProfileCache(new ProfileCacheProperties(true, 100, Duration.ofHours(1)), new SimpleMeterRegistry());
        cache.following();
    }

    @Test
    void keepsAnAnswerOfferedWithACurrentTicket() {
        long ticket = cache.ticket();

        assertThat(cache.offer("b", T, K, answer("b"), Set.of("b", "a"), ticket))
                .isTrue();
        assertThat(cache.find("b", T, K)).contains(answer("b"));
        assertThat(cache.find("b", T, K + 1)).isEmpty();
        assertThat(cache.find("b", T.plusMillis(1), K)).isEmpty();
    }

    @Test
    void refusesAnAnswerWhoseIdentityWasInvalidatedWhileItWasRead() {
        long ticket = cache.ticket();
        cache.invalidate("a");

        assertThat(cache.offer("b", T, K, answer("b"), Set.of("b", "a"), ticket))
                .isFalse();
        assertThat(cache.offer("b", T, K, answer("b"), Set.of("b", "a"), cache.ticket()))
                .isTrue();
    }

    @Test
    void anInvalidationDropsEveryAnswerThatReadTheIdentity() {
        cache.offer("b", T, K, answer("b"), Set.of("b", "a"), cache.ticket());
        cache.offer("a", T, K, answer("a"), Set.of("b", "a"), cache.ticket());
        cache.offer("c", T, K, answer("c"), Set.of("c"), cache.ticket());

        cache.invalidate("a");

        assertThat(cache.find("b", T, K)).isEmpty();
        assertThat(cache.find("a", T, K)).isEmpty();
        assertThat(cache.find("c", T, K)).isPresent();
    }

    @Test
    void aPendingMergeBlocksItsTargetUntilSettled() {
        cache.linkPending("b", "evt-1");

        assertThat(cache.offer("b", T, K, answer("b"), Set.of("b"), cache.ticket()))
                .isFalse();
        assertThat(cache.offer("c", T, K, answer("c"), Set.of("c"), cache.ticket()))
                .isTrue();

        long before = cache.ticket();
        cache.linkSettled("b", "evt-1");

        assertThat(cache.offer("b", T, K, answer("b"), Set.of("b"), before)).isFalse();
        assertThat(cache.offer("b", T, K, answer("b"), Set.of("b"), cache.ticket()))
                .isTrue();
    }

    @Test
    void keepsNothingWhileNotFollowingTheTopicNorFromReadsBeganBefore() {
        long before = cache.ticket();
        cache.offer("c", T, K, answer("c"), Set.of("c"), before);

        cache.notFollowing();

        assertThat(cache.find("c", T, K)).isEmpty();
        assertThat(cache.offer("c", T, K, answer("c"), Set.of("c"), cache.ticket()))
                .isFalse();
        cache.following();
        assertThat(cache.offer("c", T, K, answer("c"), Set.of("c"), before)).isFalse();
        assertThat(cache.offer("c", T, K, answer("c"), Set.of("c"), cache.ticket()))
                .isTrue();
    }

    @Test
    void aDisabledCacheKeepsNothing() {
        ProfileCache disabled = new ProfileCache(
                new ProfileCacheProperties(false, 100, Duration.ofHours(1)), new SimpleMeterRegistry());
        disabled.following();

        assertThat(disabled.accepting()).isFalse();
        assertThat(disabled.offer("c", T, K, answer("c"), Set.of("c"), disabled.ticket()))
                .isFalse();
    }

    private static ProfileAnswer answer(String customer) {
        return new ProfileAnswer(new Profile(customer, customer, Map.of(), List.of(customer)), T, T, null, 1, null);
    }
}
