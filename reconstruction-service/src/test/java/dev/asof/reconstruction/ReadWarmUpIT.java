package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.SubjectKeys;
import dev.asof.reconstruction.history.ProfileHistory;
import dev.asof.reconstruction.profile.PointInTimeProfiles;
import dev.asof.reconstruction.profile.ProfileCache;
import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.snapshot.LogPagesWritten;
import dev.asof.reconstruction.state.LogSegments;
import dev.asof.reconstruction.warmup.ReadWarmUp;
import dev.asof.reconstruction.warmup.WarmUpProperties;
import dev.asof.support.storage.LogPages;
import dev.asof.testing.Events;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;

/**
 * The read path's warm-up after a start ({@link ReadWarmUp}), over real dynalite: it reads the first identity whose
 * pages are written, its whole timeline through the pages, once per start; an erased identity stops it. The shared
 * context runs with the warm-up off, so each test makes its own, on.
 */
class ReadWarmUpIT extends ReconstructionIT {

    private static final Instant T0 = Instant.parse("2026-02-01T00:00:00Z");

    @Autowired
    ProfileHistory history;

    @Autowired
    PointInTimeProfiles profiles;

    @Autowired
    LogPages pages;

    @Autowired
    LogSegments segments;

    @Autowired
    ProfileCache cache;

    @Autowired
    LogPageWriter writer;

    @Autowired
    SubjectKeys keys;

    @Autowired
    ConfigurableApplicationContext context;

    @Test
    void theFirstIdentityWhosePagesAreWrittenIsReadWholeThroughItsPagesOncePerStart() throws Exception {
        String first = identityWithPages("cust_warm", 1_100);
        String second = identityWithPages("cust_warm_other", 30);
        ReadWarmUp warmUp = warmUp(10_000);
        double pagesReadBefore = pagesRead();
        long profileReadsBefore = latencyCount("at") + latencyCount("current");

        warmUp.pagesWritten(new LogPagesWritten(first, 1));
        warmUp.pagesWritten(new LogPagesWritten(second, 1));

        ReadWarmUp.Result result = warmUp.finished().get(60, TimeUnit.SECONDS);
        assertThat(result.changes()).as("the first identity's whole timeline").isEqualTo(1_100);
        assertThat(pagesRead() - pagesReadBefore).as("pages read").isPositive();
        assertThat(latencyCount("at") + latencyCount("current") - profileReadsBefore)
                .as("profile reads")
                .isEqualTo(2);

        // nothing kept: the identity's next timeline is read from the store again
        double missesBefore = segmentMisses();
        assertThat(get("/api/v1/customers/" + first + "/history?limit=10").statusCode())
                .isEqualTo(200);
        assertThat(segmentMisses() - missesBefore).as("log read from the store").isEqualTo(1);

        // at most warm-up.changes, in whole pages of 1,000
        assertThat(warmUp(1).warm(first).changes()).isEqualTo(1_000);
    }

    @Test
    void writingPagesAnnouncesThemAndAStoreWithPagesIsWarmedUpOnStart() throws Exception {
        List<LogPagesWritten> announced = new CopyOnWriteArrayList<>();
        ApplicationListener<ApplicationEvent> listener = event -> {
            if (event instanceof PayloadApplicationEvent<?> payload
                    && payload.getPayload() instanceof LogPagesWritten written) {
                announced.add(written);
            }
        };
        context.addApplicationListener(listener);
        String identity;
        try {
            identity = identityWithPages("cust_warm_start", 40);
        } finally {
            context.removeApplicationListener(listener);
        }
        assertThat(announced).extracting(LogPagesWritten::customerId).contains(identity);
        assertThat(pages.anyIdentity()).as("some identity with pages").isPresent();

        ReadWarmUp warmUp = warmUp(10_000);
        warmUp.started();
        // whichever identity the store's scan meets first: one of another test may be erased, which stops the
        // warm-up (as the next test shows); what matters here is that the look-up ran and the warm-up ended
        try {
            assertThat(warmUp.finished().get(60, TimeUnit.SECONDS).changes()).isPositive();
        } catch (ExecutionException stopped) {
            assertThat(stopped.getCause()).isInstanceOf(SubjectErasedException.class);
        }
    }

    @Test
    void anErasedIdentityStopsTheWarmUpAndTheServiceReadsOn() {
        String erased = identityWithPages("cust_warm_erased", 40);
        keys.destroy(erased);
        ReadWarmUp warmUp = warmUp(10_000);

        warmUp.pagesWritten(new LogPagesWritten(erased, 1));

        assertThatThrownBy(() -> warmUp.finished().get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SubjectErasedException.class);
        String other = identityWithPages("cust_warm_after", 20);
        assertThat(get("/api/v1/customers/" + other + "/history").statusCode()).isEqualTo(200);
    }

    @Test
    void aWarmUpThatIsOffDoesNothing() {
        String identity = identityWithPages("cust_warm_off", 20);
        ReadWarmUp off = new ReadWarmUp(
                history, profiles, segments, cache, pages, new WarmUpProperties(false, 10_000), Clock.systemUTC());

        off.started();
        off.pagesWritten(new LogPagesWritten(identity, 1));

        // the switch is read before any thread starts: nothing began
        assertThat(off.begun()).isFalse();
        assertThat(off.finished()).isNotDone();
        assertThat(off.warm(identity).changes()).as("still usable directly").isEqualTo(20);
    }

    private ReadWarmUp warmUp(int changes) {
        return new ReadWarmUp(
                history, profiles, segments, cache, pages, new WarmUpProperties(true, changes), Clock.systemUTC());
    }

    /** An identity with {@code changes} encrypted attribute changes, one per millisecond, and every full page written. */
    private String identityWithPages(String prefix, int changes) {
        String identity = Events.newCustomerId(prefix);
        LogFixture encrypted = new LogFixture(eventLog, views, identityLinks, cipher::encrypt);
        long recorded = System.currentTimeMillis() - changes;
        for (int i = 0; i < changes; i++) {
            encrypted.append(
                    new EventEnvelope(
                            UUID.randomUUID().toString(),
                            T0.plusMillis(i),
                            identity,
                            "test",
                            EventMetadata.EMPTY,
                            new AttributeChanged("tier", null, AttributeValue.text("v" + i), "test"),
                            EventEnvelope.SCHEMA_VERSION),
                    recorded++);
        }
        encrypted.flush();
        while (writer.extend(identity) > 0) {
            // at most 10 pages a call
        }
        assertThat(pages.last(identity)).as("pages of " + identity).isPresent();
        return identity;
    }

    private double pagesRead() {
        return metrics.counter("asof.reconstruction.log_pages.read").count();
    }

    private double segmentMisses() {
        return metrics.counter("asof.reconstruction.log_segments", "result", "miss")
                .count();
    }

    private long latencyCount(String endpoint) {
        return metrics.find("asof.reconstruction.latency").tag("endpoint", endpoint).timers().stream()
                .mapToLong(timer -> timer.count())
                .sum();
    }
}
