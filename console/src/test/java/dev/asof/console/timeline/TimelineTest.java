package dev.asof.console.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimelineTest {

    static final Instant T0 = Instant.parse("2026-11-01T09:00:00Z");

    @Test
    void aLanePerAttributeAfterTheIdentityLaneAndAMarkPerChange() {
        List<Change> changes = List.of(
                change("e1", "tier", T0, T0, "genesys_cloud_cx", "voice", "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change(
                        "e2",
                        "email",
                        T0.plusSeconds(3600),
                        T0.plusSeconds(3600),
                        "nice_cxone",
                        "chat",
                        "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change("e3", null, T0.plusSeconds(7200), T0.plusSeconds(7200), null, null, "CUSTOMER_PROFILE_MERGE"));

        Timeline timeline = Timeline.draw(changes, null, null);

        assertThat(timeline.lanes())
                .extracting(Timeline.Lane::name)
                .containsExactly(Timeline.IDENTITY_LANE, "email", "tier");
        assertThat(timeline.marks())
                .hasSize(3)
                .allSatisfy(mark -> assertThat(mark.count()).isEqualTo(1));
        Timeline.Mark tier = mark(timeline, "e1");
        Timeline.Mark email = mark(timeline, "e2");
        assertThat(tier.fill()).isEqualTo("#0072B2");
        assertThat(email.fill()).isEqualTo("#D55E00");
        assertThat(tier.path()).isNotEqualTo(email.path());
        assertThat(tier.x()).isLessThan(email.x());
        assertThat(mark(timeline, "e3").kind()).isEqualTo("merge");
        assertThat(timeline.from()).isBefore(T0);
        assertThat(timeline.to()).isAfter(T0.plusSeconds(7200));
    }

    @Test
    void changesThatWouldOverlapAreOneAggregateMarkThatZoomsToTheirRange() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            changes.add(change(
                    "e" + i,
                    "tier",
                    T0.plusMillis(i),
                    T0.plusMillis(i),
                    "crm",
                    "web",
                    "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"));
        }
        changes.add(change(
                "far",
                "tier",
                T0.plusSeconds(86_400),
                T0.plusSeconds(86_400),
                "crm",
                "web",
                "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"));

        Timeline timeline = Timeline.draw(changes, null, null);

        assertThat(timeline.marks()).hasSize(2);
        Timeline.Mark aggregate = timeline.marks().get(0);
        assertThat(aggregate.count()).isEqualTo(50);
        assertThat(aggregate.zoomFrom()).isEqualTo(T0);
        assertThat(aggregate.zoomTo()).isAfter(T0.plusMillis(49));
        assertThat(aggregate.label()).startsWith("50 changes of tier");
        assertThat(timeline.changes()).isEqualTo(51);
    }

    @Test
    void changesOfOneInstantAreListedInTheirMark() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            changes.add(change("e" + i, "tier", T0, T0, "crm", "web", "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"));
        }

        Timeline.Mark mark = Timeline.draw(changes, null, null).marks().get(0);

        assertThat(mark.count()).isEqualTo(12);
        assertThat(mark.label())
                .startsWith("12 changes of tier at " + T0 + ": tier: (none)")
                .endsWith("and 2 more (CSV export)");
    }

    @Test
    void tenThousandChangesDrawAtMostOneMarkPerLaneAndBucket() {
        Random random = new Random(20261201);
        List<Change> changes = new ArrayList<>();
        String[] attributes = {"a", "b", "c", "d", "e"};
        for (int i = 0; i < 10_000; i++) {
            Instant at = T0.plusSeconds(random.nextInt(365 * 86_400));
            changes.add(change(
                    "e" + i,
                    attributes[random.nextInt(5)],
                    at,
                    at,
                    "crm",
                    "voice",
                    "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"));
        }

        Timeline timeline = Timeline.draw(changes, null, null);

        int buckets = (Timeline.WIDTH - Timeline.LEFT - Timeline.RIGHT) / Timeline.BUCKET + 2;
        assertThat(timeline.marks().size()).isLessThanOrEqualTo(5 * buckets);
        assertThat(timeline.marks().stream().mapToInt(Timeline.Mark::count).sum())
                .isEqualTo(10_000);
    }

    @Test
    void anEventRecordedAfterOneWithALaterValidTimeIsLate() {
        List<Change> changes = List.of(
                change(
                        "first",
                        "x",
                        T0.plusSeconds(10),
                        T0.plusSeconds(100),
                        "s",
                        "voice",
                        "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change(
                        "late",
                        "x",
                        T0.plusSeconds(5),
                        T0.plusSeconds(200),
                        "s",
                        "voice",
                        "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change(
                        "next",
                        "x",
                        T0.plusSeconds(20),
                        T0.plusSeconds(300),
                        "s",
                        "voice",
                        "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change(
                        "same-a",
                        "y",
                        T0.plusSeconds(40),
                        T0.plusSeconds(400),
                        "s",
                        "voice",
                        "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change(
                        "same-b",
                        "y",
                        T0.plusSeconds(30),
                        T0.plusSeconds(400),
                        "s",
                        "voice",
                        "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"));

        List<Change> marked = Timeline.markLate(changes);

        assertThat(marked)
                .extracting(Change::eventId, Change::late)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("first", false),
                        org.assertj.core.groups.Tuple.tuple("late", true),
                        org.assertj.core.groups.Tuple.tuple("next", false),
                        org.assertj.core.groups.Tuple.tuple("same-a", false),
                        org.assertj.core.groups.Tuple.tuple("same-b", false));
        assertThat(marked.get(1).describe()).contains("(late)", "source s", "channel voice");
    }

    @Test
    void bulkAndErasureMarksAreTold() {
        List<Change> changes = List.of(
                change("bulk", "tier", T0, T0, "campaign", null, "BULK_PROFILE_UPDATE"),
                change("gone", null, T0.plusSeconds(60), T0.plusSeconds(60), null, null, "CUSTOMER_PROFILE_ERASED"));

        Timeline timeline = Timeline.draw(changes, null, null);

        assertThat(mark(timeline, "bulk").bulk()).isTrue();
        assertThat(mark(timeline, "bulk").label()).contains("(bulk update)");
        assertThat(mark(timeline, "gone").kind()).isEqualTo("erasure");
        assertThat(mark(timeline, "gone").label()).startsWith("Erasure of cust_1");
    }

    @Test
    void changesOutsideTheRangeAreLeftOut() {
        List<Change> changes = List.of(
                change("in", "x", T0.plusSeconds(10), T0, "s", "voice", "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change("out", "x", T0.plusSeconds(1000), T0, "s", "voice", "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
                change("at-to", "x", T0.plusSeconds(100), T0, "s", "voice", "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"));

        Timeline timeline = Timeline.draw(changes, T0, T0.plusSeconds(100));

        assertThat(timeline.marks()).extracting(Timeline.Mark::eventId).containsExactly("in");
        assertThat(Timeline.xOf(T0, T0, T0.plusSeconds(100))).isEqualTo(Timeline.LEFT);
        assertThat(Timeline.xOf(T0.plusSeconds(100), T0, T0.plusSeconds(100)))
                .isEqualTo(Timeline.WIDTH - Timeline.RIGHT);
    }

    private static Timeline.Mark mark(Timeline timeline, String eventId) {
        return timeline.marks().stream()
                .filter(mark -> eventId.equals(mark.eventId()))
                .findFirst()
                .orElseThrow();
    }

    static Change change(
            String eventId,
            String attribute,
            Instant changedAt,
            Instant recordedAt,
            String source,
            String channel,
            String type) {
        return new Change(
                eventId,
                type,
                "cust_1",
                attribute,
                null,
                attribute == null ? null : "v",
                changedAt,
                recordedAt,
                source,
                channel,
                null,
                null,
                null,
                type.equals("CUSTOMER_PROFILE_MERGE") ? "cust_2" : null,
                type.equals("CUSTOMER_PROFILE_MERGE") ? "cust_1" : null,
                false,
                false);
    }
}
