package dev.asof.support.kafka;

import java.time.Duration;
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

    /**
     * The {@link #SOURCE_HEADER} of a bulk campaign's events; their {@link #CORRELATION_HEADER} is the campaign id,
     * by which the log writer counts them on their campaign.
     */
    public static final String CAMPAIGN_SOURCE = "campaign";

    private static final java.util.regex.Pattern CAMPAIGN_ID =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * Whether {@code text} is a campaign id in its canonical form (a lower-case UUID), as the upload answers it and
     * the campaign's records carry it in {@link #CORRELATION_HEADER}.
     */
    public static boolean isCampaignId(String text) {
        return CAMPAIGN_ID.matcher(text).matches();
    }

    private AsofTopics() {}

    /** The longest a segment stays open, and so the longest a record may outlive its retention. */
    public static final Duration MAX_SEGMENT_AGE = Duration.ofDays(1);

    /** The shortest retention the settings accept: less would drop records a briefly stopped writer has not read. */
    public static final Duration MIN_RETENTION = Duration.ofHours(1);

    /**
     * The topic definitions. Retention counts from when Kafka appended a record ({@code LogAppendTime}), whatever
     * timestamp a producer put on it, so a record is deleted a fixed time after it was accepted. Size does not bound
     * retention ({@code retention.bytes} stays Kafka's default, -1).
     */
    public static List<NewTopic> definitions(TopicSettings settings) {
        return List.of(
                new NewTopic(PROFILE_EVENTS, settings.partitions(), settings.replicationFactor())
                        .configs(Map.of(
                                "min.insync.replicas",
                                "1",
                                "retention.ms",
                                Long.toString(settings.retention().toMillis()),
                                "segment.ms",
                                segmentMillis(settings.retention()),
                                "message.timestamp.type",
                                "LogAppendTime")),
                new NewTopic(PROFILE_EVENTS_DLT, settings.partitions(), settings.replicationFactor())
                        .configs(Map.of(
                                "retention.ms",
                                        Long.toString(
                                                settings.deadLetterRetention().toMillis()),
                                "segment.ms", segmentMillis(settings.deadLetterRetention()),
                                "message.timestamp.type", "LogAppendTime")));
    }

    /**
     * Kafka deletes whole closed segments only, and by default a segment closes after 7 days, so in a quiet partition
     * a record would outlive its retention by up to that much. Segments roll at least daily (or at the retention, if
     * shorter): a record is gone at most retention + 1 day (+ the broker's 5-minute check) after it was appended.
     */
    private static String segmentMillis(Duration retention) {
        return Long.toString(Math.min(retention.toMillis(), MAX_SEGMENT_AGE.toMillis()));
    }

    /** Refuses a retention that is missing, unbounded or shorter than {@link #MIN_RETENTION}. */
    static void requireBounded(String name, Duration retention) {
        if (retention == null || retention.compareTo(MIN_RETENTION) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + MIN_RETENTION.toHours()
                    + "h (topics keep records for a bounded time), was " + retention);
        }
    }

    /** Creates the topics that do not exist yet. Safe to call again. */
    public static void ensureAll(Admin admin, TopicSettings settings) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = definitions(settings).stream()
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
