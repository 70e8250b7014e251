package dev.asof.support.kafka;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;

/** Declares the shared topics so Spring Kafka's admin creates them at start when missing. */
@AutoConfiguration
@EnableConfigurationProperties(KafkaTopicsProperties.class)
public class KafkaTopicsConfiguration {

    @Bean
    KafkaAdmin.NewTopics asofTopics(KafkaTopicsProperties properties) {
        return new KafkaAdmin.NewTopics(AsofTopics.definitions(properties.partitions(), properties.replicationFactor())
                .toArray(org.apache.kafka.clients.admin.NewTopic[]::new));
    }
}
