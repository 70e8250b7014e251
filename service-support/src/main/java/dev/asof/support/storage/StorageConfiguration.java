package dev.asof.support.storage;

import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbClientCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The shared tables, created at start when missing (unless {@code asof.dynamodb.create-tables=false}). */
@AutoConfiguration(afterName = "io.awspring.cloud.autoconfigure.dynamodb.DynamoDbAutoConfiguration")
@EnableConfigurationProperties(StorageProperties.class)
public class StorageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    /**
     * Every DynamoDB call has a deadline: a hung store fails calls within {@code api-call-timeout}. Applied before any
     * other customiser, so that a service's own deadlines (reconstruction-service's {@code
     * asof.reconstruction.dynamodb.*}) replace these defaults; unordered, this one came last and replaced them.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    DynamoDbClientCustomizer asofDynamoDbDeadlines(StorageProperties properties) {
        return builder -> {
            ClientOverrideConfiguration current = builder.overrideConfiguration();
            builder.overrideConfiguration(
                    (current == null ? ClientOverrideConfiguration.builder() : current.toBuilder())
                            .apiCallTimeout(properties.apiCallTimeout())
                            .apiCallAttemptTimeout(properties.apiCallAttemptTimeout())
                            .build());
        };
    }

    @Bean
    AsofTables asofTables(StorageProperties properties) {
        return new AsofTables(properties.tablePrefix());
    }

    @Bean
    SmartInitializingSingleton asofTablesInitializer(
            StorageProperties properties, AsofTables tables, DynamoDbClient dynamo) {
        return () -> {
            if (properties.createTables()) {
                tables.ensureAll(dynamo);
                log.info("DynamoDB tables ready (prefix '{}')", properties.tablePrefix());
            }
        };
    }

    @Bean
    EventLog eventLog(DynamoDbClient dynamo, AsofTables tables) {
        return new EventLog(dynamo, tables);
    }

    @Bean
    IdentityLinks identityLinks(DynamoDbClient dynamo, AsofTables tables) {
        return new IdentityLinks(dynamo, tables);
    }

    @Bean
    Campaigns campaigns(DynamoDbClient dynamo, AsofTables tables) {
        return new Campaigns(dynamo, tables);
    }

    @Bean
    ProfileViews profileViews(DynamoDbClient dynamo, AsofTables tables) {
        return new ProfileViews(dynamo, tables);
    }

    @Bean
    FoldedEvents foldedEvents(EventLog log, ProfileViews views) {
        return new FoldedEvents(log, views);
    }
}
