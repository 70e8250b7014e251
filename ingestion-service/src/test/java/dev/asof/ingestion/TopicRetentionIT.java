package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.kafka.TopicSettings;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.SharedInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Topics keep records for a bounded, configured time: ingestion-service brings topics that already exist (made here
 * with the defaults before it starts) in line with {@code asof.kafka.retention} and
 * {@code asof.kafka.dead-letter-retention}, counted from when Kafka appended each record.
 */
@SpringBootTest(properties = {"asof.kafka.retention=3d", "asof.kafka.dead-letter-retention=20d"})
class TopicRetentionIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        AsofTestProperties.register(registry);
        // no campaign runner: a cached context's runner would take other test classes' campaigns
        registry.add("asof.campaigns.runner-enabled", () -> "false");
        try (Admin admin = admin()) {
            AsofTopics.ensureAll(admin, TopicSettings.of(6, (short) 1));
        }
    }

    @Test
    void existingTopicsTakeTheConfiguredRetention() throws Exception {
        ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, AsofTopics.PROFILE_EVENTS);
        ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, AsofTopics.PROFILE_EVENTS_DLT);
        try (Admin admin = admin()) {
            // a config change reaches the broker a moment after the controller commits it
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(events, deadLetters))
                        .all()
                        .get();
                assertThat(configs.get(events).get("retention.ms").value()).isEqualTo("259200000");
                assertThat(configs.get(events).get("segment.ms").value()).isEqualTo("86400000");
                assertThat(configs.get(events).get("message.timestamp.type").value())
                        .isEqualTo("LogAppendTime");
                assertThat(configs.get(deadLetters).get("retention.ms").value()).isEqualTo("1728000000");
                assertThat(configs.get(deadLetters)
                                .get("message.timestamp.type")
                                .value())
                        .isEqualTo("LogAppendTime");
            });
        }
    }

    private static Admin admin() {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()));
    }
}
