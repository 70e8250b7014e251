package dev.asof.console.web;

import dev.asof.console.api.AsofApi;
import java.util.Map;
import org.springframework.ui.Model;

/**
 * A panel that refreshes itself (htmx {@code every}) until what it shows has ended: every 2 s, every 10 s while its
 * service is away, and not past {@link #MAX_POLLS} refreshes (about half an hour), so a page left open neither
 * keeps its session alive for ever nor keeps calling a service that is down.
 */
final class LivePanel {

    static final int MAX_POLLS = 900;

    private LivePanel() {}

    /** Sets {@code finished}, {@code pollUrl}, {@code pollEvery} and {@code pollStopped} for the templates. */
    static void poll(Model model, String path, int polls, boolean ended, boolean serviceAway) {
        boolean stopped = !ended && polls >= MAX_POLLS;
        model.addAttribute("finished", ended || stopped);
        model.addAttribute("pollStopped", stopped);
        model.addAttribute("pollUrl", AsofApi.path(path, Map.of("polls", Integer.toString(Math.max(0, polls) + 1))));
        model.addAttribute("pollEvery", serviceAway ? "every 10s" : "every 2s");
    }
}
