package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.web.ApiProblemException;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With no Kafka broker reachable, merge-service's commands get ingestion's answer: 503 with Retry-After. */
@SpringBootTest
@ExtendWith(OutputCaptureExtension.class)
class MergeKafkaUnavailableIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        int nothingListens = SharedInfrastructure.freePort();
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + nothingListens);
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
        registry.add("spring.kafka.admin.auto-create", () -> "false");
    }

    @Autowired
    ProfileEventSubmitter submitter;

    @Test
    void commandsAnswer503WithRetryAfterAndThenFailFastWhileTheBreakerIsOpen(CapturedOutput output) {
        String customer = Events.newCustomerId("merge");
        ApiProblemException last = null;
        for (int i = 0; i < 5; i++) {
            var event = MergeWritePathIT.change(UUID.randomUUID().toString(), customer, "gold" + i);
            Throwable thrown = catchThrowable(() -> submitter.submit(List.of(event), "merge", null, null));
            assertThat(thrown).isInstanceOf(ApiProblemException.class);
            last = (ApiProblemException) thrown;
            assertThat(last.problem().getStatus()).isEqualTo(503);
            assertThat(last.problem().getType().toString()).endsWith("/problems/event-stream-unavailable");
            assertThat(last.headers()).containsKey("Retry-After");
        }
        assertThat(last.getMessage()).contains("circuit open");
        // a failed send is logged without the record: no key, no value
        assertThat(output.getAll())
                .doesNotContain("payload=")
                .doesNotContain("gold0")
                .doesNotContain(customer);
    }
}
