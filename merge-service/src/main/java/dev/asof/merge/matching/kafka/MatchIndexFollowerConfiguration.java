package dev.asof.merge.matching.kafka;

import dev.asof.merge.matching.MatchingProperties;
import dev.asof.privacy.KeyServiceUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.config.ContainerPostProcessor;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Failure policy of the {@link MatchIndexFollower}. An event whose indexing failed because a dependency was away is
 * tried again, 100 ms doubling up to {@code asof.matching.index-retry-max-interval} (5 s) apart, for as long as it
 * takes: skipping it would leave the identity's entry stale until its next event, and the events behind it on this
 * consumer wait anyway (they need the same dependency). "Away" is, anywhere in the cause chain: the SDK not reaching
 * DynamoDB ({@link SdkClientException}: connection, timeout), DynamoDB throttling or answering 5xx, or the key service
 * ({@link KeyServiceUnavailableException}: KMS unreachable, throttled, or refusing the call, such as a disabled key,
 * which an operator must mend for any value to open). Any other failure (a value no key opens, a refused request, a
 * missing table, a defect) is tried 10 times, 100 ms apart, then skipped and counted ({@code asof.matching.index.updates{outcome="failed"}}), so one such
 * event never stops the index. Failed tries are counted ({@code asof.matching.index.retries}) and logged at the
 * first try and then every 12th, with the record's place and customer id, never its content.
 */
@Configuration(proxyBeanMethods = false)
class MatchIndexFollowerConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MatchIndexFollower.class);
    private static final int LOG_EVERY = 12;

    @Bean
    DefaultErrorHandler matchIndexFollowerErrorHandler(MatchingProperties properties, MeterRegistry meters) {
        Counter failed = meters.counter("asof.matching.index.updates", "outcome", "failed");
        Counter retries = meters.counter("asof.matching.index.retries");
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, e) -> {
                    failed.increment();
                    LOG.warn(
                            "match index: gave up on the event at {} for customer {} after {}; its entry stays as"
                                    + " it was until the customer's next event",
                            place(record),
                            record.key(),
                            describe(e));
                },
                new FixedBackOff(100, 9));
        handler.setBackOffFunction((record, e) -> {
            if (!dependencyAway(e)) {
                return null; // the default above: 10 tries
            }
            ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
            backOff.setMaxInterval(properties.indexRetryMaxInterval().toMillis());
            return backOff;
        });
        handler.setRetryListeners((record, e, attempt) -> {
            retries.increment();
            if (attempt == 1 || attempt % LOG_EVERY == 0) {
                LOG.warn(
                        "match index: try {} of the event at {} for customer {} failed ({}); {}",
                        attempt,
                        place(record),
                        record.key(),
                        describe(e),
                        dependencyAway(e) ? "tried again until it is indexed" : "tried at most 10 times");
            }
        });
        // each failed try is reported by the retry listener above, not once more with a stack trace by the container
        handler.setLogLevel(KafkaException.Level.DEBUG);
        return handler;
    }

    /**
     * The follower takes each poll as a batch ({@link MatchIndexFollower}): its offsets are committed once the poll
     * is indexed, or up to the record that failed, instead of record by record as asof's other listeners are.
     */
    @Bean
    ContainerPostProcessor<String, String, AbstractMessageListenerContainer<String, String>>
            matchIndexFollowerCommitsPerPoll() {
        return container -> container.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
    }

    /** Whether {@code failure} says a dependency is away rather than that the event cannot be indexed. */
    static boolean dependencyAway(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SdkClientException || cause instanceof KeyServiceUnavailableException) {
                return true;
            }
            if (cause instanceof SdkServiceException service
                    && (service.isThrottlingException() || service.statusCode() >= 500)) {
                return true;
            }
        }
        return false;
    }

    private static String place(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /**
     * The innermost cause's class, and its message when it is one of asof's own (they name ids, never values); a
     * message from a library (a store's validation error, say) might quote what was written, so it is left out.
     */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        // Throwable.getCause() is null for a throwable that names itself as its cause
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String name = root.getClass().getName();
        return name.startsWith("dev.asof.") ? name + ": " + root.getMessage() : name;
    }
}
