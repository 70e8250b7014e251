package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.merge.identity.IdentityLocks;
import dev.asof.merge.identity.IdentityProperties;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.web.ApiProblemException;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The leases on identities, against the real dynalite: exclusive, released by their holder only, and running out. */
@SpringBootTest
class IdentityLocksIT {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
    }

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    AsofTables tables;

    IdentityLocks locks;
    String a;
    String b;

    @BeforeEach
    void locks() {
        locks = new IdentityLocks(
                dynamo,
                tables,
                Clock.systemUTC(),
                new IdentityProperties(LEASE, Duration.ofMillis(300), Duration.ofSeconds(1), 1000, 1000));
        a = Events.newCustomerId("lock");
        b = Events.newCustomerId("lock");
    }

    @Test
    void aLeaseIsExclusiveUntilReleased() {
        IdentityLocks.Lease first = locks.lease("command-1");
        first.add(List.of(a, b));
        assertThat(first.holds(List.of(a, b))).isTrue();

        IdentityLocks.Lease second = locks.lease("command-2");
        assertBusy(second, b);
        second.close();

        first.close();
        try (IdentityLocks.Lease third = locks.lease("command-3")) {
            third.add(List.of(b, a));
            assertThat(third.holds(List.of(a, b))).isTrue();
        }
    }

    @Test
    void closingALeaseThatNeverHeldReleasesNothingOfAnother() {
        IdentityLocks.Lease holder = locks.lease("command-4");
        holder.add(List.of(a));
        IdentityLocks.Lease other = locks.lease("command-5");
        assertBusy(other, a);
        other.close(); // holds nothing: must not delete the holder's item

        assertBusy(locks.lease("command-6"), a);
        holder.close();
    }

    @Test
    void aLeaseKeptUntilExpiryBlocksUntilItRunsOut() throws InterruptedException {
        IdentityLocks.Lease crashed = locks.lease("command-7");
        crashed.add(List.of(a));
        crashed.keepUntilExpiry();
        crashed.close();

        assertBusy(locks.lease("command-8"), a);
        Thread.sleep(LEASE.plusMillis(200).toMillis());
        try (IdentityLocks.Lease next = locks.lease("command-9")) {
            next.add(List.of(a));
            assertThat(next.holds(List.of(a))).isTrue();
        }
    }

    @Test
    void aRetryOfTheSameCommandTakesOverTheLeasesItsFirstAttemptKept() {
        IdentityLocks.Lease first = locks.lease("event-1");
        first.add(List.of(a, b));
        first.keepUntilExpiry(); // its publish failed; the event may yet reach Kafka
        first.close();

        assertBusy(locks.lease("event-2"), a);
        try (IdentityLocks.Lease retry = locks.lease("event-1")) {
            retry.add(List.of(a, b));
            assertThat(retry.holds(List.of(a, b))).isTrue();
        }
        try (IdentityLocks.Lease next = locks.lease("event-2")) {
            next.add(List.of(a));
            assertThat(next.holds(List.of(a))).isTrue();
        }
    }

    private static void assertBusy(IdentityLocks.Lease lease, String identity) {
        assertThatThrownBy(() -> lease.add(List.of(identity)))
                .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                    assertThat(problem.problem().getStatus()).isEqualTo(409);
                    assertThat(problem.problem().getType().toString()).isEqualTo("/problems/identity-busy");
                    assertThat(problem.problem().getDetail()).contains(identity);
                    assertThat(problem.headers()).containsEntry("Retry-After", "1");
                });
    }
}
