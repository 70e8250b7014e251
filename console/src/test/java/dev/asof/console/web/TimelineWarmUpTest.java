package dev.asof.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.console.ConsoleProperties;
import dev.asof.console.ConsolePropertiesFixture;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.StaticApplicationContext;
import org.springframework.format.support.DefaultFormattingConversionService;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import tools.jackson.databind.json.JsonMapper;

/** The start-up drawing runs the timeline's whole path, the page's own template included, and draws every kind. */
class TimelineWarmUpTest {

    private final TimelineWarmUp warmUp = new TimelineWarmUp(
            properties(10_000),
            new JsonMapper(),
            templates(),
            new StaticApplicationContext(),
            new DefaultFormattingConversionService());

    @Test
    void drawsEveryMadeUpChangeThroughThePagesTemplate() {
        TimelineWarmUp.Drawn drawn = warmUp.draw(10_000);

        assertThat(drawn.changes()).isEqualTo(10_000);
        assertThat(drawn.html()).startsWith("<section aria-labelledby=\"timeline-title\"");
        assertThat(drawn.html()).contains("<svg id=\"timeline\"", "id=\"change-count\">10000<");
        // every mark written, single and aggregate
        assertThat(count(drawn.html(), "data-event-id=\"") + count(drawn.html(), "class=\"mark aggregate\""))
                .isEqualTo(drawn.marks());
        assertThat(count(drawn.html(), "class=\"mark aggregate\"")).isGreaterThan(100);
        for (String kind : List.of("change", "merge", "unmerge", "erasure")) {
            assertThat(drawn.html()).as(kind).contains("data-kind=\"" + kind + "\"");
        }
        assertThat(drawn.html()).contains(" bulk", " late");
        // each mark's details once, as its aria-label (the details panel shows them on hover and focus)
        assertThat(count(drawn.html(), "aria-label=\"")).isGreaterThanOrEqualTo(drawn.marks());
        assertThat(drawn.html()).doesNotContain("<title>");
    }

    @Test
    void drawsTwiceAtStartNoneWithZeroAndAFailureDoesNotStopTheConsole() {
        List<Integer> drawn = new ArrayList<>();
        warmUp(0, drawn, false).run(null);
        assertThat(drawn).isEmpty();

        warmUp(300, drawn, false).run(null);
        assertThat(drawn).containsExactly(300, 300);

        // only a speed-up: the console starts without it
        drawn.clear();
        warmUp(300, drawn, true).run(null);
        assertThat(drawn).containsExactly(300);
    }

    /** A warm-up of {@code changes} that notes each drawing's size in {@code drawn}, failing each when asked. */
    private static TimelineWarmUp warmUp(int changes, List<Integer> drawn, boolean failing) {
        return new TimelineWarmUp(
                properties(changes),
                new JsonMapper(),
                templates(),
                new StaticApplicationContext(),
                new DefaultFormattingConversionService()) {
            @Override
            Drawn draw(int count) {
                drawn.add(count);
                if (failing) {
                    throw new IllegalStateException("a template that needs a web request");
                }
                return super.draw(count);
            }
        };
    }

    private static int count(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    private static SpringTemplateEngine templates() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix("templates/");
        resolver.setSuffix(".html");
        SpringTemplateEngine engine = new SpringTemplateEngine();
        engine.setTemplateResolver(resolver);
        return engine;
    }

    private static ConsoleProperties properties(int warmUpChanges) {
        return ConsolePropertiesFixture.properties(
                URI.create("http://localhost:8082"), 20_000, 16, 16, "roles", warmUpChanges);
    }
}
