package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.Timestamps;
import dev.asof.merge.identity.IdentityLog;
import dev.asof.merge.identity.IdentityProperties;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.web.ApiProblemException;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** What one decision or identity answer reads is bounded, and past the bound the answer is a clear 422. */
@SpringBootTest
class IdentityLogBoundsIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
    }

    @Autowired
    EventLog eventLog;

    @Autowired
    IdentityLinks identityLinks;

    @Test
    void aGroupOverTheBoundsIsRefusedNamingTheSetting() {
        IdentityLogFixture fixture = new IdentityLogFixture(eventLog, identityLinks);
        String root = Events.newCustomerId("root");
        fixture.seed(root, "2026-01-01T00:00:00Z");
        for (int i = 0; i < 3; i++) {
            String member = Events.newCustomerId("member");
            fixture.seed(member, "2026-01-01T00:00:00Z");
            fixture.merged(member, root, "2026-02-01T00:00:00Z");
        }
        Instant at = Instant.parse("2026-03-01T00:00:00Z");

        assertThat(log(10, 100).group(root, at, Timestamps.LATEST)).hasSize(7);
        assertTooLarge(() -> log(3, 100).group(root, at, Timestamps.LATEST), "asof.identity.max-identities");
        assertTooLarge(() -> log(10, 6).group(root, at, Timestamps.LATEST), "asof.identity.max-events");
        // reading only merges, unmerges and erasures counts what the store read for them: the same bound
        assertThat(log(10, 100).identityGroup(root, at, Timestamps.LATEST)).hasSize(3);
        assertTooLarge(() -> log(10, 6).identityGroup(root, at, Timestamps.LATEST), "asof.identity.max-events");
        // a decision reads chains only: the members are not read
        assertThat(log(2, 100).chains(List.of(root), at, Timestamps.LATEST)).hasSize(1);
    }

    private IdentityLog log(int maxIdentities, int maxEvents) {
        return new IdentityLog(
                eventLog,
                identityLinks,
                new IdentityProperties(
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        maxIdentities,
                        maxEvents));
    }

    private static void assertTooLarge(Runnable read, String setting) {
        assertThatThrownBy(read::run).isInstanceOfSatisfying(ApiProblemException.class, problem -> {
            assertThat(problem.problem().getStatus()).isEqualTo(422);
            assertThat(problem.problem().getType().toString()).isEqualTo("/problems/identity-too-large");
            assertThat(problem.problem().getDetail()).contains(setting).contains("nothing was decided or written");
        });
    }
}
