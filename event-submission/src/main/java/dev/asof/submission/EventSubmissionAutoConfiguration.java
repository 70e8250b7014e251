package dev.asof.submission;

import dev.asof.privacy.PrivacyConfiguration;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The write path every service that writes profile events gets: {@link ProfileEventSubmitter} and {@link
 * IdempotentRequests}, configured by {@code asof.intake.*} and {@code asof.intake.kafka-breaker.*}.
 */
@AutoConfiguration(after = PrivacyConfiguration.class)
@EnableConfigurationProperties({IntakeProperties.class, KafkaCircuitBreakerConfiguration.KafkaBreakerProperties.class})
@Import(KafkaCircuitBreakerConfiguration.class)
public class EventSubmissionAutoConfiguration {

    /** The bounded pool intake claims ledger entries on ({@code asof.intake.claim-parallelism} threads). */
    @Bean(destroyMethod = "shutdown")
    ExecutorService intakeClaimers(IntakeProperties properties) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(properties.claimParallelism(), task -> {
            Thread thread = new Thread(task, "intake-claim-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A service that keeps its own clock (ingestion's log writer does) shares it with the write path. */
    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    EventPublisher eventPublisher(
            KafkaTemplate<String, String> kafka,
            IntakeProperties properties,
            CircuitBreaker kafkaCircuitBreaker,
            Clock clock) {
        return new EventPublisher(kafka, properties, kafkaCircuitBreaker, clock);
    }

    @Bean
    IntakeLedger intakeLedger(DynamoDbClient dynamo, AsofTables tables, Clock clock) {
        return new IntakeLedger(dynamo, tables, clock);
    }

    @Bean
    IdempotencyKeys idempotencyKeys(DynamoDbClient dynamo, AsofTables tables, Clock clock) {
        return new IdempotencyKeys(dynamo, tables, clock);
    }

    @Bean
    ProfileEventSubmitter profileEventSubmitter(
            EventPublisher publisher,
            IntakeLedger ledger,
            IntakeProperties properties,
            Clock clock,
            MeterRegistry metrics,
            ValueCipher cipher,
            @Qualifier("intakeClaimers") ExecutorService intakeClaimers) {
        return new ProfileEventSubmitter(publisher, ledger, properties, clock, metrics, cipher, intakeClaimers);
    }

    @Bean
    IdempotentRequests idempotentRequests(ProfileEventSubmitter submitter, IdempotencyKeys keys, JsonMapper json) {
        return new IdempotentRequests(submitter, keys, json);
    }
}
