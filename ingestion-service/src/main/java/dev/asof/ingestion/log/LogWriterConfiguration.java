package dev.asof.ingestion.log;

import dev.asof.events.InvalidEventException;
import dev.asof.support.kafka.AsofTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import tools.jackson.core.JacksonException;

/**
 * Failure policy of the log writer: a record that breaks the contract goes to the dead-letter topic at once,
 * with the reason in headers, and the partition keeps flowing; anything else (DynamoDB throttled or down) is
 * retried with backoff for as long as it takes, so nothing is skipped and per-customer order holds.
 */
@Configuration
class LogWriterConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LogWriterConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    DefaultErrorHandler logWriterErrorHandler(KafkaTemplate<String, String> kafka, MeterRegistry metrics) {
        Counter deadLettered = metrics.counter("asof.log.dead_letters");
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(kafka, (record, exception) -> {
            deadLettered.increment();
            log.warn(
                    "dead-lettering {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    exception.getCause() == null
                            ? exception.getMessage()
                            : exception.getCause().getMessage());
            return new TopicPartition(AsofTopics.PROFILE_EVENTS_DLT, record.partition());
        });
        deadLetters.setExceptionHeadersCreator((headers, exception, isKey, names) -> {
            Throwable cause = exception.getCause() == null ? exception : exception.getCause();
            headers.add("asof-dlt-reason", String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8));
            headers.add("asof-dlt-exception", cause.getClass().getName().getBytes(StandardCharsets.UTF_8));
        });
        ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
        backOff.setMaxInterval(5_000);
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters, backOff);
        handler.addNotRetryableExceptions(InvalidEventException.class, JacksonException.class);
        return handler;
    }
}
