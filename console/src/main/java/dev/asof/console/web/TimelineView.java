package dev.asof.console.web;

import dev.asof.console.timeline.Timeline;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.springframework.web.util.UriUtils;

/** The timeline panel: the drawing, or why there is none, and the links that zoom and pan it. */
public record TimelineView(
        Timeline drawn, String message, boolean truncated, long millis, String customerId, Instant t, Instant k) {

    /** The drawing's bounds in epoch milliseconds, for the T and K sliders. */
    public long fromMillis() {
        return drawn.from().toEpochMilli();
    }

    public long toMillis() {
        return drawn.to().toEpochMilli();
    }

    public String zoomIn() {
        long quarter = span() / 4;
        return link(drawn.from().plusMillis(quarter), drawn.to().minusMillis(quarter));
    }

    public String zoomOut() {
        long half = span() / 2;
        return link(drawn.from().minusMillis(half), drawn.to().plusMillis(half));
    }

    public String panEarlier() {
        long half = span() / 2;
        return link(drawn.from().minusMillis(half), drawn.to().minusMillis(half));
    }

    public String panLater() {
        long half = span() / 2;
        return link(drawn.from().plusMillis(half), drawn.to().plusMillis(half));
    }

    public String whole() {
        return link(null, null);
    }

    /** The address of an aggregate mark: its range. */
    public String zoomTo(Timeline.Mark mark) {
        return link(mark.zoomFrom(), mark.zoomTo());
    }

    /** Whether a mark's event was recorded after K: drawn faded, not yet known at K. */
    public boolean unknownAtK(Timeline.Mark mark) {
        return mark.recordedAt() != null && mark.recordedAt().isAfter(k);
    }

    /** The x of T on the drawing, or a negative number when T is outside it. */
    public double tx() {
        if (t.isBefore(drawn.from()) || t.isAfter(drawn.to())) {
            return -1;
        }
        return Timeline.xOf(t, drawn.from(), drawn.to());
    }

    private long span() {
        return Math.max(2, Duration.between(drawn.from(), drawn.to()).toMillis());
    }

    private String link(Instant from, Instant to) {
        // zooming out or panning never leaves the years the console accepts
        if (from != null && from.isBefore(Inputs.EARLIEST)) {
            from = Inputs.EARLIEST;
        }
        if (to != null && to.isAfter(Inputs.LATEST)) {
            to = Inputs.LATEST;
        }
        // what AsofApi.path writes (TimelineViewTest), without a UriComponentsBuilder per link: an aggregate mark
        // has one, and building ~800 of them was a fifth of the time to render a long timeline (async-profiler)
        StringBuilder link =
                new StringBuilder("/customers/").append(UriUtils.encodePathSegment(customerId, StandardCharsets.UTF_8));
        char separator = '?';
        for (String[] parameter : new String[][] {
            {"t", Inputs.iso(t)}, {"k", Inputs.iso(k)}, {"from", Inputs.iso(from)}, {"to", Inputs.iso(to)}
        }) {
            if (parameter[1] != null) {
                link.append(separator)
                        .append(parameter[0])
                        .append('=')
                        .append(UriUtils.encode(parameter[1], StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        return link.toString();
    }
}
