package dev.asof.reconstruction.profile;

import dev.asof.events.AttributeValue;
import dev.asof.events.IdentityState;
import dev.asof.events.Profile;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileResolver;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.support.storage.EventLog;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Rebuilds a customer's profile at a valid time as known at a system time, from the immutable log. */
@Service
class PointInTimeProfiles {

    private final EventLog eventLog;

    PointInTimeProfiles(EventLog eventLog) {
        this.eventLog = eventLog;
    }

    /** The profile, or empty when the customer has no event at or before {@code validAt} known at {@code knownAt}. */
    Optional<PointInTimeProfile> reconstructAt(String customerId, Instant validAt, Instant knownAt) {
        List<RecordedEvent> events = eventLog.eventsUpTo(customerId, validAt, knownAt);
        if (events.isEmpty()) {
            return Optional.empty();
        }
        IdentityState state = ProfileFold.foldAt(customerId, events, validAt, knownAt);
        Profile profile = ProfileResolver.profile(customerId, Map.of(customerId, state));
        Map<String, Object> attributes = new LinkedHashMap<>();
        Map<String, PointInTimeProfile.Provenance> provenance = new LinkedHashMap<>();
        profile.attributes().forEach((key, version) -> {
            attributes.put(key, plain(version.value()));
            provenance.put(
                    key,
                    new PointInTimeProfile.Provenance(
                            Timestamps.format(version.version().timestamp()),
                            version.sourceSystem(),
                            version.version().eventId()));
        });
        return Optional.of(new PointInTimeProfile(
                customerId,
                profile.resolvedCustomerId(),
                Timestamps.format(validAt),
                Timestamps.format(knownAt),
                attributes,
                provenance,
                null,
                events.size()));
    }

    private static Object plain(AttributeValue value) {
        if (value instanceof AttributeValue.Text text) {
            return text.value();
        }
        if (value instanceof AttributeValue.Numeric number) {
            return number.value();
        }
        if (value instanceof AttributeValue.Bool bool) {
            return bool.value();
        }
        return null;
    }
}
