package dev.asof.support.kafka;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.support.LoggingProducerListener;
import org.springframework.kafka.support.ProducerListener;

/**
 * Declares the shared topics so Spring Kafka's admin creates them at start when missing, and keeps record contents
 * out of the log when a send fails (Spring Kafka's default producer listener logs the key and the start of the
 * value, which may hold attribute values).
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(KafkaTopicsProperties.class)
public class KafkaTopicsConfiguration {

    @Bean
    @ConditionalOnMissingBean(ProducerListener.class)
    LoggingProducerListener<Object, Object> kafkaProducerListener() {
        LoggingProducerListener<Object, Object> listener = new LoggingProducerListener<>();
        listener.setIncludeContents(false);
        return listener;
    }

    @Bean
    KafkaAdmin.NewTopics asofTopics(KafkaTopicsProperties properties) {
        return new KafkaAdmin.NewTopics(
                AsofTopics.definitions(properties.topics()).toArray(org.apache.kafka.clients.admin.NewTopic[]::new));
    }
}
