package dev.asof.console.timeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A {@code history/marks} answer made here from changes, by the endpoint's definition. */
public final class MarksAnswer {

    private MarksAnswer() {}

    /**
     * What {@code history/marks} answers for {@code changes}: the changes read from the window's start to the
     * timeline's end, {@code [start, end)} the window ({@code end} inclusive when {@code closed} is false), in
     * {@link Timeline#BUCKETS} buckets. The console's warm-up draws it; {@code TimelineFromMarksTest} checks that
     * {@link Timeline#fromMarks} draws it as {@link Timeline#draw} draws the changes.
     */
    public static ObjectNode of(JsonMapper json, List<Change> changes, Instant start, Instant end, boolean closed) {
        List<Change> late = Timeline.markLate(changes);
        Map<String, List<Change>> buckets = new LinkedHashMap<>();
        LinkedHashSet<String> sources = new LinkedHashSet<>();
        LinkedHashSet<String> channels = new LinkedHashSet<>();
        int shown = 0;
        for (Change change : late) {
            if (closed ? !change.changedAt().isBefore(end) : change.changedAt().isAfter(end)) {
                continue;
            }
            shown++;
            buckets.computeIfAbsent(
                            change.attribute() + "|" + Timeline.bucket(change.changedAt(), start, end),
                            key -> new ArrayList<>())
                    .add(change);
            sources.add(change.sourceSystem());
            if (change.attribute() != null) {
                channels.add(change.channel() == null ? null : change.channel().toLowerCase(Locale.ROOT));
            }
        }
        ObjectNode answer = json.createObjectNode()
                .put("from", start.toString())
                .put("to", end.toString())
                .put("changes", shown);
        ArrayNode sourceList = answer.putArray("sources");
        sources.forEach(sourceList::add);
        ArrayNode channelList = answer.putArray("channels");
        channels.forEach(channelList::add);
        ArrayNode marks = answer.putArray("marks");
        for (List<Change> bucket : buckets.values()) {
            ObjectNode mark = marks.addObject()
                    .put("attribute", bucket.get(0).attribute())
                    .put("count", bucket.size());
            Instant first = bucket.get(0).changedAt();
            Instant last = first;
            double offsets = 0;
            boolean anyLate = false;
            LinkedHashSet<String> markSources = new LinkedHashSet<>();
            for (Change change : bucket) {
                first = change.changedAt().isBefore(first) ? change.changedAt() : first;
                last = change.changedAt().isAfter(last) ? change.changedAt() : last;
                offsets += change.changedAt().toEpochMilli() - start.toEpochMilli();
                anyLate |= change.late();
                markSources.add(change.sourceSystem());
            }
            mark.put("first_at", first.toString())
                    .put("last_at", last.toString())
                    .put("mean_offset_ms", offsets / bucket.size())
                    .put("late", anyLate)
                    .put("more_sources", false);
            ArrayNode markSourceList = mark.putArray("sources");
            markSources.forEach(markSourceList::add);
            ArrayNode listed = mark.putArray("changes");
            if (bucket.size() == 1 || first.equals(last)) {
                bucket.stream().limit(Timeline.SAME_INSTANT_LISTED).forEach(change -> listed.add(json(json, change)));
            }
        }
        return answer;
    }

    private static ObjectNode json(JsonMapper json, Change change) {
        return json.createObjectNode()
                .put("event_id", change.eventId())
                .put("event_type", change.eventType())
                .put("member_customer_id", change.memberCustomerId())
                .put("attribute", change.attribute())
                .put("old_value", change.oldValue())
                .put("new_value", change.newValue())
                .put("changed_at", change.changedAt().toString())
                .put("recorded_at", change.recordedAt().toString())
                .put("source_system", change.sourceSystem())
                .put("channel", change.channel())
                .put("agent_id", change.agentId())
                .put("interaction_id", change.interactionId())
                .put("reason", change.reason())
                .put("merged_from", change.mergedFrom())
                .put("merged_into", change.mergedInto())
                .put("redacted", change.redacted());
    }
}
