package dev.asof.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class KafkaTopicsPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(KafkaTopicsProperties.class)
    static class Bound {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @Test
    void retentionIsBoundedByDefault() {
        runner.run(context -> {
            KafkaTopicsProperties properties = context.getBean(KafkaTopicsProperties.class);
            assertThat(properties.retention()).isEqualTo(Duration.ofDays(7));
            assertThat(properties.deadLetterRetention()).isEqualTo(Duration.ofDays(14));
            Map<String, String> events =
                    AsofTopics.definitions(properties.topics()).get(0).configs();
            assertThat(events)
                    .containsEntry("retention.ms", "604800000")
                    .containsEntry("segment.ms", "86400000")
                    .containsEntry("message.timestamp.type", "LogAppendTime");
            Map<String, String> deadLetters =
                    AsofTopics.definitions(properties.topics()).get(1).configs();
            assertThat(deadLetters)
                    .containsEntry("retention.ms", "1209600000")
                    .containsEntry("segment.ms", "86400000")
                    .containsEntry("message.timestamp.type", "LogAppendTime");
        });
        runner.withPropertyValues("asof.kafka.retention=2h")
                .run(context -> assertThat(AsofTopics.definitions(context.getBean(KafkaTopicsProperties.class)
                                        .topics())
                                .get(0)
                                .configs())
                        .as("a segment never stays open longer than the retention")
                        .containsEntry("segment.ms", "7200000"));
    }

    @Test
    void retentionIsConfigurable() {
        runner.withPropertyValues("asof.kafka.retention=36h", "asof.kafka.dead-letter-retention=30d")
                .run(context -> assertThat(AsofTopics.definitions(
                                context.getBean(KafkaTopicsProperties.class).topics()))
                        .extracting(NewTopic::name, topic -> topic.configs().get("retention.ms"))
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(AsofTopics.PROFILE_EVENTS, "129600000"),
                                org.assertj.core.groups.Tuple.tuple(AsofTopics.PROFILE_EVENTS_DLT, "2592000000")));
    }

    @Test
    void unboundedOrTooShortRetentionIsRefusedNamingTheSetting() {
        for (String value : new String[] {"-1ms", "0s", "59m"}) {
            runner.withPropertyValues("asof.kafka.retention=" + value)
                    .run(context -> assertThat(context)
                            .hasFailed()
                            .getFailure()
                            .rootCause()
                            .hasMessageContaining("asof.kafka.retention must be at least 1h"));
        }
        runner.withPropertyValues("asof.kafka.dead-letter-retention=-1ms")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("asof.kafka.dead-letter-retention must be at least 1h"));
    }
}
