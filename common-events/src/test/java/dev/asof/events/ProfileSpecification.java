package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Given events / when a profile is asked for / then it looks like this: a tiny harness so a fold test reads like
 * the story it checks.
 *
 * <pre>{@code
 * given(event("voice").of("cust_1").at("14:30:01").recordedAt("14:30:02").sets("preferred_language", "es-ES"),
 *       event("chat").of("cust_1").at("14:30:00").recordedAt("14:30:05").sets("preferred_language", "fr-FR"))
 *     .whenProfileOf("cust_1").at("14:31:00")
 *     .then().has("preferred_language", "es-ES");
 * }</pre>
 *
 * Commands read the same way: {@code given(...).whenMerging(A, B, "14:31:00").thenRefusedAs(RefusalKind.MERGE_CYCLE)},
 * or {@code .thenAccepted(CUSTOMER_PROFILE_MERGE)}, which continues the story with the decided event.
 *
 * <p>Every "when" answers twice, with the optimized path ({@link ProfileFold#foldAt} per identity, then {@link
 * ProfileResolver#profile}) and with {@link NaiveReplay}, and fails if they differ: every story is also a
 * differential test.
 */
final class ProfileSpecification {

    /** The day every short time ({@code "14:30:01"}) falls on. */
    static final String DAY = "2023-10-27";

    private final List<RecordedEvent> events = new ArrayList<>();

    private ProfileSpecification() {}

    /** The story so far. */
    static ProfileSpecification given(StoryEvent... events) {
        return new ProfileSpecification().and(events);
    }

    /** More of the story. */
    ProfileSpecification and(StoryEvent... more) {
        for (StoryEvent event : more) {
            events.add(event.recorded(events.size()));
        }
        return this;
    }

    /** The events as the log holds them. */
    List<RecordedEvent> events() {
        return List.copyOf(events);
    }

    /** Asks for the profile of {@code customerId}. */
    When whenProfileOf(String customerId) {
        return new When(customerId);
    }

    /** Decides a merge of {@code mergedFrom} into {@code mergedInto}, effective at {@code effectiveAt}, on the story so far. */
    Decided whenMerging(String mergedFrom, String mergedInto, String effectiveAt) {
        String eventId = "decided-" + events.size();
        MergeProfiles command =
                new MergeProfiles(eventId, mergedInto, mergedFrom, time(effectiveAt), "same person", "agent_7", null);
        return new Decided(ProfileDecider.decide(command, known(effectiveAt)), eventId, mergedFrom, mergedInto);
    }

    /** Decides the unmerge of {@code mergedFrom} from {@code mergedInto}, effective at {@code effectiveAt}. */
    Decided whenUnmerging(String mergedFrom, String mergedInto, String effectiveAt) {
        String eventId = "decided-" + events.size();
        UnmergeProfiles command =
                new UnmergeProfiles(eventId, mergedInto, mergedFrom, time(effectiveAt), "wrong match", "agent_7", null);
        return new Decided(ProfileDecider.decide(command, known(effectiveAt)), eventId, mergedFrom, mergedInto);
    }

    private KnownIdentities known(String effectiveAt) {
        return KnownIdentities.at(time(effectiveAt), events);
    }

    /** What the decider said, and, if it accepted, the story with its events appended. */
    final class Decided {
        private final Decision decision;
        private final String eventId;
        private final String mergedFrom;
        private final String mergedInto;

        private Decided(Decision decision, String eventId, String mergedFrom, String mergedInto) {
            this.decision = decision;
            this.eventId = eventId;
            this.mergedFrom = mergedFrom;
            this.mergedInto = mergedInto;
        }

        Decision decision() {
            return decision;
        }

        /** Refused for this reason; nothing to append. */
        Decided thenRefusedAs(RefusalKind kind) {
            assertThat(decision)
                    .as("decision on %s and %s%n%s", mergedFrom, mergedInto, story())
                    .isInstanceOf(Decision.Refused.class);
            assertThat(((Decision.Refused) decision).kind())
                    .as("refusal %s%n%s", decision, story())
                    .isEqualTo(kind);
            return this;
        }

        /**
         * Accepted as one event of this type in the stream of {@code mergedFrom}; the story continues with it,
         * recorded after everything the story had recorded.
         */
        ProfileSpecification thenAccepted(EventType type) {
            assertThat(decision)
                    .as("decision on %s and %s%n%s", mergedFrom, mergedInto, story())
                    .isInstanceOf(Decision.Accepted.class);
            List<EventEnvelope> decided = ((Decision.Accepted) decision).events();
            assertThat(decided).hasSize(1);
            EventEnvelope event = decided.get(0);
            assertThat(event.eventId()).isEqualTo(eventId);
            assertThat(event.customerId()).isEqualTo(mergedFrom);
            assertThat(event.eventType()).isEqualTo(type);
            assertThat(event.payload())
                    .isEqualTo(
                            type == EventType.CUSTOMER_PROFILE_MERGE
                                    ? new ProfileMerged(mergedInto, mergedFrom, "same person", "agent_7", null)
                                    : new ProfileUnmerged(mergedInto, mergedFrom, "wrong match", "agent_7", null));
            assertThat(EventValidator.validate(EventJson.toTree(event)))
                    .as("the decided event is a valid event")
                    .isEmpty();
            long latest =
                    events.stream().mapToLong(RecordedEvent::recordedAt).max().orElse(Long.MIN_VALUE);
            events.add(new RecordedEvent(
                    event, Math.max(latest + 1, Hlc.encode(event.timestampUtc().toEpochMilli(), 0))));
            return ProfileSpecification.this;
        }
    }

    /** A time of day on {@link #DAY} ({@code "14:30:01"}, {@code "14:30:01.250"}) or a full ISO-8601 instant. */
    static Instant time(String text) {
        return OffsetDateTime.parse(text.contains("T") ? text : DAY + "T" + text + "Z")
                .toInstant();
    }

    /** An event addressed to nobody yet; {@code id} is its event_id. */
    static StoryEvent event(String id) {
        return new StoryEvent(id);
    }

    /** The question: whose profile, at which valid time, as known when. */
    final class When {
        private final String customerId;
        private Instant validAt = Instant.parse("9999-12-31T23:59:59.999Z");
        private Instant knownAt = Instant.parse("9999-12-31T23:59:59.999Z");

        private When(String customerId) {
            this.customerId = customerId;
        }

        /** At this valid time; as known now unless {@link #knownAt} says otherwise. */
        When at(String validTime) {
            validAt = time(validTime);
            return this;
        }

        /** Only what the log had recorded by then. */
        When knownAt(String systemTime) {
            knownAt = time(systemTime);
            return this;
        }

        /** The answer, checked against the oracle. */
        Then then() {
            Map<String, IdentityState> states = new TreeMap<>();
            Set<String> identities = new LinkedHashSet<>();
            identities.add(customerId);
            events.forEach(e -> identities.add(e.event().customerId()));
            for (String identity : identities) {
                List<RecordedEvent> own = events.stream()
                        .filter(e -> e.event().customerId().equals(identity))
                        .toList();
                states.put(identity, ProfileFold.foldAt(identity, own, validAt, knownAt));
            }
            Profile folded = ProfileResolver.profile(customerId, states);
            Profile naive = NaiveReplay.replay(events, customerId, validAt, knownAt);
            assertThat(folded)
                    .as(
                            "fold and naive replay disagree on %s at %s known at %s%n%s",
                            customerId, validAt, knownAt, story())
                    .isEqualTo(naive);
            return new Then(folded, story());
        }
    }

    /** What the profile must look like. */
    static final class Then {
        private final Profile profile;
        private final String story;

        private Then(Profile profile, String story) {
            this.profile = profile;
            this.story = story;
        }

        /** The profile itself, for anything the shorthands do not say. */
        Profile profile() {
            return profile;
        }

        Then has(String key, Object value) {
            assertThat(profile.attributes())
                    .as("attribute %s in %s%n%s", key, profile, story)
                    .containsKey(key);
            assertThat(profile.attributes().get(key).value())
                    .as("attribute %s in %s%n%s", key, profile, story)
                    .isEqualTo(valueOf(value));
            return this;
        }

        Then lacks(String key) {
            assertThat(profile.attributes())
                    .as("attribute %s must be absent from %s%n%s", key, profile, story)
                    .doesNotContainKey(key);
            return this;
        }

        Then isEmpty() {
            assertThat(profile.attributes())
                    .as("profile %s%n%s", profile, story)
                    .isEmpty();
            return this;
        }

        Then hasOnly(String... keys) {
            assertThat(profile.attributes().keySet())
                    .as("attributes of %s%n%s", profile, story)
                    .containsExactlyInAnyOrder(keys);
            return this;
        }

        Then setBy(String key, String eventId) {
            assertThat(profile.attributes().get(key))
                    .as("attribute %s in %s%n%s", key, profile, story)
                    .isNotNull();
            assertThat(profile.attributes().get(key).version().eventId())
                    .as("event that set %s in %s%n%s", key, profile, story)
                    .isEqualTo(eventId);
            return this;
        }

        Then resolvesTo(String identity) {
            assertThat(profile.resolvedCustomerId())
                    .as("resolution of %s%n%s", profile.customerId(), story)
                    .isEqualTo(identity);
            return this;
        }

        Then hasMembers(String... identities) {
            assertThat(profile.members())
                    .as("members of %s%n%s", profile, story)
                    .containsExactlyElementsOf(
                            Arrays.stream(identities).sorted().toList());
            return this;
        }
    }

    private String story() {
        StringBuilder text = new StringBuilder("given:");
        for (RecordedEvent event : events) {
            text.append("\n  ")
                    .append(Hlc.toInstant(event.recordedAt()))
                    .append('+')
                    .append(event.recordedAt() & 0xFFFF)
                    .append(" recorded ")
                    .append(EventJson.encode(event.event()));
        }
        return text.toString();
    }

    /** A value written the way a test reads: a string, a number, a boolean, or {@code null}. */
    static AttributeValue valueOf(Object value) {
        if (value == null) {
            return AttributeValue.NULL;
        }
        if (value instanceof AttributeValue attributeValue) {
            return attributeValue;
        }
        if (value instanceof String text) {
            return new AttributeValue.Text(text);
        }
        if (value instanceof Boolean bool) {
            return new AttributeValue.Bool(bool);
        }
        if (value instanceof BigDecimal number) {
            return new AttributeValue.Numeric(number);
        }
        if (value instanceof Integer || value instanceof Long) {
            return new AttributeValue.Numeric(BigDecimal.valueOf(((Number) value).longValue()));
        }
        throw new IllegalArgumentException("no attribute value for " + value);
    }

    /** One event of a story, built fluently. */
    static final class StoryEvent {
        private final String id;
        private String customerId;
        private Instant timestamp;
        private Instant recordedAt;
        private Integer logical;
        private String sourceSystem = "genesys_cloud_cx";
        private ProfileEvent payload;

        private StoryEvent(String id) {
            this.id = id;
        }

        /** Addressed to this identity. */
        StoryEvent of(String customer) {
            this.customerId = customer;
            return this;
        }

        /** Valid time. */
        StoryEvent at(String time) {
            this.timestamp = time(time);
            return this;
        }

        /** When the log recorded it; by default when it happened. */
        StoryEvent recordedAt(String time) {
            this.recordedAt = time(time);
            return this;
        }

        /** When the log recorded it, down to the clock's logical counter (to make two recorded_at equal). */
        StoryEvent recordedAt(String time, int logicalCounter) {
            this.recordedAt = time(time);
            this.logical = logicalCounter;
            return this;
        }

        StoryEvent from(String source) {
            this.sourceSystem = source;
            return this;
        }

        StoryEvent sets(String key, Object value) {
            payload = new AttributeChanged(key, null, valueOf(value), "agent_update");
            return this;
        }

        StoryEvent changes(String key, Object previous, Object value) {
            payload = new AttributeChanged(key, valueOf(previous), valueOf(value), "agent_update");
            return this;
        }

        StoryEvent removes(String key) {
            payload = new AttributeChanged(key, null, AttributeValue.NULL, "agent_update");
            return this;
        }

        /** A bulk update: key, value, key, value, ... in order. */
        StoryEvent bulk(Object... keysAndValues) {
            List<BulkProfileUpdate.Change> changes = new ArrayList<>();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                changes.add(
                        new BulkProfileUpdate.Change((String) keysAndValues[i], null, valueOf(keysAndValues[i + 1])));
            }
            payload = new BulkProfileUpdate(changes, "campaign");
            return this;
        }

        StoryEvent mergedInto(String survivor) {
            payload = new ProfileMerged(survivor, customerId);
            return this;
        }

        StoryEvent unmergedFrom(String survivor) {
            payload = new ProfileUnmerged(survivor, customerId);
            return this;
        }

        StoryEvent erased() {
            payload = new ProfileErased("gdpr_article_17");
            return this;
        }

        /** The event as the log holds it; {@code sequence} orders events recorded in the same millisecond. */
        RecordedEvent recorded(int sequence) {
            if (customerId == null || timestamp == null || payload == null) {
                throw new IllegalStateException("event " + id + " needs of(..), at(..) and what it does");
            }
            Instant recorded = recordedAt == null ? timestamp : recordedAt;
            EventEnvelope envelope = new EventEnvelope(
                    id,
                    timestamp,
                    customerId,
                    sourceSystem,
                    EventMetadata.EMPTY,
                    payload,
                    EventEnvelope.SCHEMA_VERSION);
            return new RecordedEvent(
                    envelope, Hlc.encode(recorded.toEpochMilli(), logical == null ? sequence : logical));
        }
    }
}
