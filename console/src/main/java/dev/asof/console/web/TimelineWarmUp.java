package dev.asof.console.web;

import dev.asof.console.ConsoleProperties;
import dev.asof.console.timeline.Change;
import dev.asof.console.timeline.MarksAnswer;
import dev.asof.console.timeline.Timeline;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.core.convert.ConversionService;
import org.springframework.stereotype.Component;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.expression.ThymeleafEvaluationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Draws a made-up timeline of {@code asof.console.warm-up-changes} changes when the console starts, through the code a
 * customer page's timeline runs: reconstruction-service's summary of it ({@code history/marks}) parsed and drawn, the
 * SVG written by the page's template (and, on the way, the code that draws a timeline from its changes, for a
 * reconstruction-service without that summary). Run before the console is ready, so the first long timeline a person
 * opens does not pay for the JVM interpreting and compiling that code: under the quick start's C1 compiler, the first
 * 10,000-change timeline after a start took 1.5-2.1 s against 0.7-0.9 s once warm, and about half of the difference
 * was the console's (docs/console.md, Speed). Nothing is read from the services, nothing is kept; 0 turns it off.
 */
@Component
class TimelineWarmUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(TimelineWarmUp.class);

    /** How the services write times (what {@code Change.of} reads fastest). */
    private static final DateTimeFormatter SERVICE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final Instant FIRST = Instant.parse("2024-01-01T00:00:00Z");

    private static final String[] ATTRIBUTES = {
        "email",
        "phone",
        "tier",
        "preferred_language",
        "loyalty_points",
        "address.city",
        "consent.marketing",
        "name_last"
    };
    private static final String[] SOURCES = {"genesys_cloud_cx", "nice_cxone", "crm", "campaign"};
    private static final String[] CHANNELS = {"voice", "chat", "email", "sms", "web"};

    /** Drawings per start: the second runs what the first compiled, and compiles what only it reached. */
    private static final int ROUNDS = 2;

    private final ConsoleProperties properties;
    private final JsonMapper json;
    private final ITemplateEngine templates;

    /** What a page's template is evaluated with (Spring MVC's Thymeleaf view sets the same). */
    private final ThymeleafEvaluationContext evaluation;

    TimelineWarmUp(
            ConsoleProperties properties,
            JsonMapper json,
            ITemplateEngine templates,
            ApplicationContext application,
            @Qualifier("mvcConversionService") ConversionService conversions) {
        this.properties = properties;
        this.json = json;
        this.templates = templates;
        this.evaluation = new ThymeleafEvaluationContext(application, conversions);
    }

    @Override
    public void run(ApplicationArguments args) {
        int changes = properties.warmUpChanges();
        if (changes == 0) {
            return;
        }
        long started = System.nanoTime();
        Drawn drawn = null;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                drawn = draw(changes);
            }
        } catch (RuntimeException e) {
            // only a speed-up: the console starts without it (the made-up timeline holds no one's data)
            log.warn("Timeline warm-up failed; the first long timeline will be slower", e);
            return;
        }
        log.info(
                "Timeline code warmed up in {} ms: {} made-up changes drawn {} times ({} marks)",
                (System.nanoTime() - started) / 1_000_000,
                drawn.changes(),
                ROUNDS,
                drawn.marks());
    }

    /** What one drawing made: the changes drawn, the marks and the timeline panel's HTML. */
    record Drawn(int changes, int marks, String html) {}

    /** One made-up timeline, from its history JSON to the page's timeline panel. */
    Drawn draw(int changes) {
        byte[] page = json.writeValueAsBytes(historyPage(changes));
        List<Change> read = new ArrayList<>(changes);
        json.readTree(page).path("changes").forEach(change -> read.add(Change.of(change)));
        // drawn as a customer page draws it: from reconstruction-service's summary (history/marks) of those changes
        Timeline whole = Timeline.draw(read, null, null);
        byte[] marks = json.writeValueAsBytes(MarksAnswer.of(json, read, whole.from(), whole.to(), false));
        Timeline drawn = Timeline.fromMarks(json.readTree(marks));
        TimelineView view = new TimelineView(drawn, null, false, 0, "warm-up", drawn.to(), drawn.to());
        StringWriter html = new StringWriter();
        Context context = new Context(Locale.ENGLISH, Map.of("timeline", view));
        context.setVariable(ThymeleafEvaluationContext.THYMELEAF_EVALUATION_CONTEXT_CONTEXT_VARIABLE_NAME, evaluation);
        templates.process("customer", Set.of("timeline"), context, html);
        return new Drawn(drawn.changes(), drawn.marks().size(), html.toString());
    }

    /**
     * A history page as reconstruction-service answers it, in the fields the console reads: attribute changes every
     * 90 minutes or so over eight attributes, four sources and five channels (like bench/console-timeline), one in
     * 50 a bulk update, one in 400 recorded late, a merge, an unmerge and an erasure.
     */
    private ObjectNode historyPage(int count) {
        ObjectNode page = json.createObjectNode().put("customer_id", "warm-up");
        ArrayNode changes = page.putArray("changes");
        for (int i = 0; i < count; i++) {
            Instant at = FIRST.plusSeconds(i * 5_400L + (i * 7_919L) % 3_600);
            Instant recorded = i % 400 == 399 ? at.plusSeconds(86_400) : at.plusMillis(40);
            ObjectNode change = changes.addObject()
                    .put("event_id", "warm-up-" + i)
                    .put("changed_at", SERVICE_TIME.format(at))
                    .put("recorded_at", SERVICE_TIME.format(recorded))
                    .put("source_system", SOURCES[i % SOURCES.length])
                    .put("channel", CHANNELS[i % CHANNELS.length])
                    .put("agent_id", "agent_" + i % 40)
                    .put("interaction_id", "i" + i)
                    .put("reason", "agent_update");
            if (i == count / 3 || i == 2 * count / 3 || i == count - 1) {
                change.put(
                        "event_type",
                        i == count / 3
                                ? "CUSTOMER_PROFILE_MERGE"
                                : i == count - 1 ? "CUSTOMER_PROFILE_ERASED" : "CUSTOMER_PROFILE_UNMERGE");
                change.put("merged_from", "warm-up-member").put("merged_into", "warm-up");
                continue;
            }
            change.put("event_type", i % 50 == 0 ? "BULK_PROFILE_UPDATE" : "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE")
                    .put("attribute", ATTRIBUTES[(i * 5) % ATTRIBUTES.length])
                    .put("old_value", i == 0 ? null : "v" + (i - 1))
                    .put("new_value", "v" + i);
        }
        page.putNull("next_cursor");
        return page;
    }
}
