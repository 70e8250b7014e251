package dev.asof.support.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Kafka topics the services share, all keyed and partitioned by {@code customer_id} so that one customer's
 * events stay in order.
 */
public final class AsofTopics {

    /** Every accepted profile event, as its canonical envelope JSON. */
    public static final String PROFILE_EVENTS = "asof.profile-events";

    /** Records the log writer could not decode or that break the contract, with the reason in headers. */
    public static final String PROFILE_EVENTS_DLT = "asof.profile-events.dlt";

    /** Header set by intake: when Kafka acknowledged the event, epoch milliseconds as text. */
    public static final String ACCEPTED_AT_HEADER = "asof-accepted-at";

    /** Header set by intake: the endpoint the event came through ({@code events}, {@code genesys}, {@code cxone}). */
    public static final String SOURCE_HEADER = "asof-source";

    /** Header carrying the caller's {@code X-Correlation-Id} (or a generated one) along the pipeline. */
    public static final String CORRELATION_HEADER = "asof-correlation-id";

    private AsofTopics() {}

    /** The topic definitions. */
    public static List<NewTopic> definitions(int partitions, short replicationFactor) {
        return List.of(
                new NewTopic(PROFILE_EVENTS, partitions, replicationFactor)
                        .configs(Map.of("min.insync.replicas", "1", "retention.ms", "-1")),
                new NewTopic(PROFILE_EVENTS_DLT, partitions, replicationFactor).configs(Map.of("retention.ms", "-1")));
    }

    /** Creates the topics that do not exist yet. Safe to call again. */
    public static void ensureAll(Admin admin, int partitions, short replicationFactor) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = definitions(partitions, replicationFactor).stream()
                    .filter(topic -> !existing.contains(topic.name()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create Kafka topics", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        }
    }
}
