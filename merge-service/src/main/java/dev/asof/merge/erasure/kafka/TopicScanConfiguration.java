package dev.asof.merge.erasure.kafka;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;

/** The erasure's topic scan, with the service's own Kafka client settings. */
@Configuration(proxyBeanMethods = false)
class TopicScanConfiguration {

    @Bean
    TopicScan topicScan(ConsumerFactory<?, ?> consumers) {
        return new TopicScan(consumers.getConfigurationProperties());
    }
}
