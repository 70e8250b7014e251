package dev.asof.support.health;

import dev.asof.support.storage.AsofTables;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Health shows Kafka and DynamoDB, each answering within a couple of seconds even when the other side hangs. */
@AutoConfiguration(
        afterName = {
            "io.awspring.cloud.autoconfigure.dynamodb.DynamoDbAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
public class InfrastructureHealthConfiguration {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Bean
    HealthIndicator dynamoDbHealth(DynamoDbClient dynamo, AsofTables tables) {
        return () -> {
            try {
                String status = dynamo.describeTable(b -> b.tableName(tables.eventLog()))
                        .table()
                        .tableStatusAsString();
                return Health.up().withDetail("event_log", status).build();
            } catch (RuntimeException e) {
                return Health.down()
                        .withDetail("error", e.getClass().getSimpleName())
                        .build();
            }
        };
    }

    @Bean
    KafkaHealth kafkaHealth(KafkaAdmin kafkaAdmin) {
        return new KafkaHealth(kafkaAdmin);
    }

    /** Asks the cluster to describe itself, with a short timeout. */
    static final class KafkaHealth implements HealthIndicator, DisposableBean {

        private final Admin admin;

        KafkaHealth(KafkaAdmin kafkaAdmin) {
            var config = new java.util.HashMap<>(kafkaAdmin.getConfigurationProperties());
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "asof-health");
            this.admin = Admin.create(config);
        }

        @Override
        public Health health() {
            try {
                int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                        .nodes()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .size();
                return Health.up().withDetail("brokers", nodes).build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Health.down().withDetail("error", "interrupted").build();
            } catch (Exception e) {
                return Health.down()
                        .withDetail("error", e.getClass().getSimpleName())
                        .build();
            }
        }

        @Override
        public void destroy() {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
