package dev.asof.reconstruction;

import static dev.asof.reconstruction.Stories.change;
import static dev.asof.reconstruction.Stories.erase;
import static dev.asof.reconstruction.Stories.merge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.reconstruction.profile.ProfileCache;
import dev.asof.reconstruction.state.LateArrivals;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.testing.Events;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.JsonNode;

/** The settled-answer cache: what it keeps, and how the topic drops what a new event could change. */
class CacheIT extends ReconstructionIT {

    @Autowired
    ProfileCache cache;

    @Autowired
    KafkaTemplate<String, String> kafka;

    @Autowired
    LateArrivals lateArrivals;

    @Autowired
    software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo;

    @Autowired
    dev.asof.support.storage.AsofTables tables;

    @Autowired
    dev.asof.privacy.KeyEncryptionKey kek;

    String b;

    @BeforeEach
    void followingAndAStory() {
        await().atMost(Duration.ofSeconds(60)).until(cache::accepting);
        b = Events.newCustomerId("cust_b");
        fixture.log(change(b, "2023-10-27T10:00:00Z", "tier", "gold", "voice"), Instant.parse("2023-10-27T10:00:01Z"));
        fixture.log(change(b, "2023-10-27T10:40:00Z", "name", "Bo", "voice"), Instant.parse("2023-10-27T10:40:01Z"));
    }

    @Test
    void onlyAnswersWhoseKnownAtIsSettledAreKept() {
        double hits = hits();
        JsonNode first = profileAt(b, "2023-10-27T10:30:00Z", "2023-10-27T10:30:00Z");
        JsonNode second = profileAt(b, "2023-10-27T10:30:00Z", "2023-10-27T10:30:00Z");
        assertThat(second).isEqualTo(first);
        assertThat(hits()).isEqualTo(hits + 1);

        // known_at now, and a known_at after the latest recorded event: events could still be recorded before them
        profileAt(b, "2023-10-27T10:30:00Z", null);
        profileAt(b, "2023-10-27T10:30:00Z", null);
        profileAt(b, "2023-10-27T10:30:00Z", "2023-10-27T11:00:00Z");
        profileAt(b, "2023-10-27T10:30:00Z", "2023-10-27T11:00:00Z");
        assertThat(hits()).isEqualTo(hits + 1);
    }

    /**
     * An erasure rewrites the log (its values are redacted), so the erasure event on the topic drops the late
     * arrivals kept in memory for the identity, and none are kept for it while the erasure goes on.
     */
    @Test
    void anErasureOnTheTopicDropsTheKeptLateArrivalsAndKeepsNoneWhileItRedacts() {
        // stamped before b's latest change, so logged late
        fixture.log(
                change(b, "2023-10-27T10:20:00Z", "email", "b@example.com", "email"),
                Instant.parse("2023-10-27T10:50:00Z"));
        lateArrivals.load(b);
        await().atMost(Duration.ofSeconds(30)).until(() -> lateArrivals.keeps(b));

        EventEnvelope erasure = erase(b, "2023-10-27T11:00:00Z");
        fixture.log(erasure, Instant.parse("2023-10-27T11:00:01Z"));
        kafka.send(AsofTopics.PROFILE_EVENTS, b, EventJson.encode(erasure));

        await().atMost(Duration.ofSeconds(30)).until(() -> !lateArrivals.keeps(b));
        lateArrivals.load(b);
        assertThat(lateArrivals.keeps(b))
                .as("not loaded again while the erasure redacts")
                .isFalse();
        // another identity's late arrivals are still kept
        String c = Events.newCustomerId("cust_c");
        fixture.log(change(c, "2023-10-27T10:00:00Z", "tier", "gold", "voice"), Instant.parse("2023-10-27T10:00:01Z"));
        fixture.log(
                change(c, "2023-10-27T09:00:00Z", "tier", "silver", "voice"), Instant.parse("2023-10-27T10:00:02Z"));
        lateArrivals.load(c);
        await().atMost(Duration.ofSeconds(30)).until(() -> lateArrivals.keeps(c));
        assertThat(lateArrivals.keeps(b)).isFalse();
    }

    /**
     * The erasure event on the topic, which the erasure appends before it destroys the customer's key, makes this
     * instance read that key past its cache: a value of the customer stops opening as soon as the key is destroyed,
     * not a cache TTL later (an outside probe read an erased member's e-mail through a former survivor's profile for
     * a minute after the destruction).
     */
    @Test
    void anErasureOnTheTopicStopsTheCachedKeyOpeningTheCustomersValues() {
        String d = Events.newCustomerId("cust_d");
        dev.asof.events.AttributeValue stored = cipher.encrypt(d, dev.asof.events.AttributeValue.text("d@example.com"));
        assertThat(cipher.decrypt(stored)).isEqualTo(dev.asof.events.AttributeValue.text("d@example.com"));
        // destroyed by another instance (the erasure runs in merge-service): this one's cache still opens it
        new dev.asof.privacy.SubjectKeys(dynamo, tables, kek, 100, Duration.ofMinutes(1), java.time.Clock.systemUTC())
                .destroy(d);
        assertThat(cipher.decrypt(stored)).isEqualTo(dev.asof.events.AttributeValue.text("d@example.com"));

        kafka.send(AsofTopics.PROFILE_EVENTS, d, EventJson.encode(erase(d, "2023-10-27T11:00:00Z")));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> org.assertj.core.api.Assertions.assertThatThrownBy(() -> cipher.decrypt(stored))
                        .isInstanceOf(dev.asof.privacy.SubjectErasedException.class));
    }

    /**
     * A merge logged by a writer whose clock lags: recorded "before" a settled K although it arrives after the answer
     * was cached. The merge on the topic drops the cached answers of its target.
     */
    @Test
    void aMergeOnTheTopicDropsTheCachedAnswersOfItsTarget() {
        String question = "2023-10-27T10:30:00Z";
        JsonNode cached = profileAt(b, question, question);
        assertThat(profileAt(b, question, question)).isEqualTo(cached);
        assertThat(cached.at("/attributes").has("email")).isFalse();

        String a = Events.newCustomerId("cust_a");
        fixture.log(
                change(a, "2023-10-27T09:00:00Z", "email", "a@example.com", "email"),
                Instant.parse("2023-10-27T09:00:01Z"));
        EventEnvelope merge = merge(a, b, "2023-10-27T10:10:00Z");
        fixture.log(merge, Instant.parse("2023-10-27T10:20:00Z"));
        kafka.send(AsofTopics.PROFILE_EVENTS, a, EventJson.encode(merge));

        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> profileAt(b, question, question)
                                .at("/attributes/email")
                                .asString(""),
                        "a@example.com"::equals);
    }

    /** The cache consumer may see a merge before the log writer logged it: answers read meanwhile are not kept. */
    @Test
    void aMergeSeenBeforeItIsLoggedStillDropsTheCachedAnswers() {
        String question = "2023-10-27T10:30:00Z";
        profileAt(b, question, question);
        String a = Events.newCustomerId("cust_a");
        fixture.log(
                change(a, "2023-10-27T09:00:00Z", "email", "a@example.com", "email"),
                Instant.parse("2023-10-27T09:00:01Z"));
        EventEnvelope merge = merge(a, b, "2023-10-27T10:10:00Z");

        kafka.send(AsofTopics.PROFILE_EVENTS, a, EventJson.encode(merge));
        kafka.flush();
        JsonNode meanwhile = profileAt(b, question, question);
        fixture.log(merge, Instant.parse("2023-10-27T10:20:00Z"));

        assertThat(meanwhile.at("/attributes").has("email")).isFalse();
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> profileAt(b, question, question)
                                .at("/attributes/email")
                                .asString(""),
                        "a@example.com"::equals);
    }

    /**
     * An attribute change is not validated whole by this consumer (the log writer does): its customer id alone drops
     * the customer's answers, even from a record without a key and with a body the log writer would dead-letter. A
     * record that is not JSON is counted as not an event.
     */
    @Test
    void anAttributeChangeDropsItsCustomersAnswersWithoutBeingValidatedWhole() {
        String question = "2023-10-27T10:30:00Z";
        profileAt(b, question, question);
        long bound = dev.asof.events.Hlc.upperBound(Instant.parse(question));
        assertThat(cache.find(b, Instant.parse(question), bound)).isPresent();
        double notEvents = counter("asof.reconstruction.cache.invalidations", "kind", "not_an_event");
        double events = counter("asof.reconstruction.cache.invalidations", "kind", "event");

        kafka.send(AsofTopics.PROFILE_EVENTS, null, "{not json");
        tools.jackson.databind.node.ObjectNode change =
                EventJson.toTree(change(b, "2023-10-27T10:50:00Z", "tier", "silver", "voice"));
        change.put("not_in_the_schema", true);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> EventJson.decode(change.toString())))
                .as("a body the log writer would dead-letter")
                .isInstanceOf(dev.asof.events.InvalidEventException.class);
        kafka.send(AsofTopics.PROFILE_EVENTS, null, change.toString());
        kafka.flush();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> cache.find(b, Instant.parse(question), bound).isEmpty());
        // the two records may be on different partitions: either may be seen first
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        counter("asof.reconstruction.cache.invalidations", "kind", "not_an_event") == notEvents + 1);
        assertThat(counter("asof.reconstruction.cache.invalidations", "kind", "event"))
                .isGreaterThanOrEqualTo(events + 1);
    }

    /**
     * The topic's followers commit their offsets once per poll (a synchronous commit per record held them minutes
     * behind a 100,000-event load).
     */
    @Test
    void theFollowersCommitOncePerPoll(
            @Autowired org.springframework.kafka.config.KafkaListenerEndpointRegistry listeners) {
        assertThat(listeners.getListenerContainerIds()).contains("asof-reconstruction-cache", "asof-snapshots");
        listeners
                .getListenerContainers()
                .forEach(container -> assertThat(
                                container.getContainerProperties().getAckMode())
                        .as(container.getListenerId())
                        .isEqualTo(org.springframework.kafka.listener.ContainerProperties.AckMode.BATCH));
    }

    private double hits() {
        return counter("asof.reconstruction.cache", "result", "hit");
    }
}
