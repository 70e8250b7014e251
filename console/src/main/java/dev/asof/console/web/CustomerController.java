package dev.asof.console.web;

import dev.asof.console.ConsoleProperties;
import dev.asof.console.api.AsofApi;
import dev.asof.console.api.AsofApi.Answer;
import dev.asof.console.api.AsofApi.Service;
import dev.asof.console.timeline.Change;
import dev.asof.console.timeline.LineageGraph;
import dev.asof.console.timeline.Timeline;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.text.StringEscapeUtils;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/** A customer: the timeline, time travel at (T, K), identity lineage, and the exports. */
@Controller
class CustomerController {

    private final AsofApi api;
    private final Executor reads;
    private final ConsoleProperties properties;
    private final Clock clock;

    CustomerController(AsofApi api, @Qualifier("consoleReads") Executor reads, ConsoleProperties properties) {
        this.api = api;
        this.properties = properties;
        this.reads = reads;
        this.clock = Clock.systemUTC();
    }

    @GetMapping("/customers/{id}")
    String customer(
            @PathVariable("id") String id,
            @RequestParam(name = "t", required = false) String tText,
            @RequestParam(name = "k", required = false) String kText,
            @RequestParam(name = "from", required = false) String fromText,
            @RequestParam(name = "to", required = false) String toText,
            @RequestParam(name = "interaction", required = false) String interaction,
            @RequestParam(name = "seen_at", required = false) String seenAtText,
            @RequestHeader(name = "HX-Target", required = false) String htmxTarget,
            Model model) {
        requireId(id);
        // whole milliseconds, as every time the services and the panels show
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<String> errors = new ArrayList<>();
        Instant t = parse("T", tText, errors);
        Instant k = parse("K", kText, errors);
        Instant from = parse("from", fromText, errors);
        Instant to = parse("to", toText, errors);
        Instant seenAt = parse("time", seenAtText, errors);
        String note = null;
        if (seenAt != null) {
            t = seenAt;
            k = seenAt;
            note = "What the agent saw at " + seenAt + ": the profile valid then, as the log knew it then.";
        }
        if (interaction != null && !interaction.isBlank()) {
            Instant firstChange = interactionStart(id, interaction.trim(), errors);
            if (firstChange != null) {
                t = firstChange.minusMillis(1);
                k = t;
                note = "Interaction " + interaction.trim() + " first changed this profile at " + firstChange
                        + ": this is the profile the agent saw just before (valid and known 1 ms earlier).";
            }
        }
        t = t == null ? now : t;
        k = k == null ? now : k;
        model.addAttribute("customerId", id);
        model.addAttribute("errors", errors);
        model.addAttribute("interaction", interaction);
        if ("travel".equals(htmxTarget)) {
            // a move of T or K in the page: the time-travel panel and (out of band) the identity panel, read again at
            // the new (T, K); the timeline in the page is not read again (console.js moves its T line and K fading)
            model.addAttribute("travel", travel(id, t, k, note));
            model.addAttribute("lineage", null);
            model.addAttribute("identityOob", true);
            return "travel";
        }
        // the timeline is read beside the profiles (two APIs at once); the identity panel comes after the page
        Instant shownT = t;
        Instant shownK = k;
        String shownNote = note;
        long panelMillis =
                properties.timelineTimeout().plus(properties.requestTimeout()).toMillis();
        CompletableFuture<TimelineView> timeline = CompletableFuture.supplyAsync(
                        () -> timeline(id, from, to, shownT, shownK), reads)
                .orTimeout(panelMillis, TimeUnit.MILLISECONDS)
                .exceptionally(failure -> new TimelineView(
                        null, "The timeline could not be read: " + reason(failure), false, 0, id, shownT, shownK));
        model.addAttribute("travel", travel(id, t, k, shownNote));
        model.addAttribute("from", Inputs.iso(from));
        model.addAttribute("to", Inputs.iso(to));
        model.addAttribute("timeline", timeline.join());
        // the identity panel is read once the page is shown (htmx), so the timeline never waits for merge-service
        model.addAttribute("lineage", null);
        return "customer";
    }

    /**
     * The identity panel: the fragment the customer page asks for once it is shown, or (without JavaScript) a page
     * of its own. Who the customer was at valid time T as known at K (both default now), as the time-travel panel
     * shows the profile: merges and unmerges recorded after K are not in it yet.
     */
    @GetMapping("/customers/{id}/identity")
    String identity(
            @PathVariable("id") String id,
            @RequestParam(name = "t", required = false) String tText,
            @RequestParam(name = "k", required = false) String kText,
            @RequestHeader(name = "HX-Target", required = false) String htmxTarget,
            Model model) {
        requireId(id);
        List<String> errors = new ArrayList<>();
        Instant t = parse("T", tText, errors);
        Instant k = parse("K", kText, errors);
        model.addAttribute("customerId", id);
        model.addAttribute(
                "lineage",
                errors.isEmpty()
                        ? lineage(id, t, k)
                        : new LineageView(null, null, null, null, String.join(" ", errors)));
        return "identity".equals(htmxTarget) ? "customer :: identity" : "identity";
    }

    @GetMapping(path = "/customers/{id}/timeline.csv")
    ResponseEntity<byte[]> csv(
            @PathVariable("id") String id,
            @RequestParam(name = "from", required = false) String fromText,
            @RequestParam(name = "to", required = false) String toText) {
        requireId(id);
        List<String> errors = new ArrayList<>();
        Instant from = parse("from", fromText, errors);
        Instant to = parse("to", toText, errors);
        if (!errors.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, String.join("; ", errors));
        }
        // read on past `to`: whether a change arrived late depends on the changes with later valid times
        AsofApi.History<Change> history = api.history(id, Inputs.iso(from), null, null, Change::of);
        if (history.refused() != null) {
            throw refusal(history.refused());
        }
        StringBuilder csv = new StringBuilder(
                "event_id,event_type,identity,attribute,old_value,new_value,changed_at,recorded_at,late,source_system,"
                        + "channel,agent_id,interaction_id,reason,merged_from,merged_into,redacted\r\n");
        for (Change change : Timeline.markLate(history.changes())) {
            if (to != null && !change.changedAt().isBefore(to)) {
                continue;
            }
            csv.append(cells(
                    change.eventId(),
                    change.eventType(),
                    change.memberCustomerId(),
                    change.attribute(),
                    change.oldValue(),
                    change.newValue(),
                    change.changedAt().toString(),
                    change.recordedAt().toString(),
                    Boolean.toString(change.late()),
                    change.sourceSystem(),
                    change.channel(),
                    change.agentId(),
                    change.interactionId(),
                    change.reason(),
                    change.mergedFrom(),
                    change.mergedInto(),
                    Boolean.toString(change.redacted())));
        }
        if (cutShort(history, to)) {
            csv.append(
                    "# cut short: asof.console.timeline-max-changes or timeline-timeout was reached before the end of"
                            + " the range; export the rest with a later from\r\n");
        }
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        "attachment; filename=\"" + id.replaceAll("[^A-Za-z0-9._-]", "_") + "-timeline.csv\"")
                .body(csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping("/customers/{id}/report")
    String report(
            @PathVariable("id") String id,
            @RequestParam(name = "t", required = false) String tText,
            @RequestParam(name = "k", required = false) String kText,
            Principal principal,
            Model model) {
        requireId(id);
        List<String> errors = new ArrayList<>();
        Instant now = clock.instant();
        Instant t = parse("T", tText, errors);
        Instant k = parse("K", kText, errors);
        if (!errors.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, String.join("; ", errors));
        }
        t = t == null ? now : t;
        k = k == null ? now : k;
        model.addAttribute("customerId", id);
        model.addAttribute("travel", travel(id, t, k, null));
        // the events that produced the profile: every change valid at or before T, as known at K
        // read on past T (as known at K): whether a change arrived late depends on the changes valid after it
        AsofApi.History<Change> history = api.history(id, null, null, Inputs.iso(k), Change::of);
        Instant asOf = t;
        model.addAttribute(
                "changes",
                history.refused() == null
                        ? Timeline.markLate(history.changes()).stream()
                                .filter(change -> !change.changedAt().isAfter(asOf))
                                .toList()
                        : List.of());
        model.addAttribute(
                "historyMessage",
                history.refused() == null ? null : history.refused().detail());
        model.addAttribute("truncated", cutShort(history, t.plusMillis(1)));
        model.addAttribute("askedBy", principal.getName());
        model.addAttribute("askedAt", now);
        return "report";
    }

    private Travel travel(String id, Instant t, Instant k, String note) {
        Answer at = call(
                Service.RECONSTRUCTION,
                AsofApi.path(
                        "/api/v1/customers/" + id + "/profile/at/" + Inputs.iso(t), Map.of("known_at", Inputs.iso(k))));
        Answer current = call(Service.RECONSTRUCTION, "/api/v1/customers/" + id + "/profile");
        return Travel.of(id, t, k, at, current, note);
    }

    /** A call whose unavailability becomes an answer the page shows. */
    private Answer call(Service service, String path) {
        try {
            return api.get(service, path);
        } catch (AsofApi.Unavailable e) {
            return unavailable(e);
        }
    }

    static Answer unavailable(AsofApi.Unavailable e) {
        return new Answer(
                503,
                tools.jackson.databind.node.JsonNodeFactory.instance
                        .objectNode()
                        .put("type", "unavailable")
                        .put("detail", e.getMessage()));
    }

    private TimelineView timeline(String id, Instant from, Instant to, Instant t, Instant k) {
        long started = System.nanoTime();
        // summed up by reconstruction-service: a few hundred marks instead of every change
        Answer marks;
        try {
            marks = api.marks(id, Inputs.iso(from), Inputs.iso(to), Timeline.BUCKETS);
        } catch (AsofApi.Unavailable e) {
            return new TimelineView(null, e.getMessage(), false, 0, id, t, k);
        }
        if (marks.ok()) {
            Timeline drawn;
            try {
                drawn = Timeline.fromMarks(marks.body());
            } catch (RuntimeException e) {
                return new TimelineView(
                        null, "reconstruction-service's history/marks answer could not be read", false, 0, id, t, k);
            }
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            return new TimelineView(drawn, null, marks.body().path("cut_short").asBoolean(), millis, id, t, k);
        }
        if (!marks.absentApi()) {
            return new TimelineView(null, marks.detail(), false, 0, id, t, k);
        }
        // a reconstruction-service without history/marks: every change read and drawn here
        AsofApi.History<Change> history;
        try {
            // read on past `to`: whether a change arrived late depends on the changes with later valid times
            history = api.history(id, Inputs.iso(from), null, null, Change::of);
        } catch (AsofApi.Unavailable e) {
            return new TimelineView(null, e.getMessage(), false, 0, id, t, k);
        }
        if (history.refused() != null) {
            return new TimelineView(null, history.refused().detail(), false, 0, id, t, k);
        }
        Timeline drawn = Timeline.draw(history.changes(), from, to);
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        return new TimelineView(drawn, null, cutShort(history, to), millis, id, t, k);
    }

    /** The identity at valid time {@code t} as known at {@code k} ({@code null}: now, for either). */
    private LineageView lineage(String id, Instant t, Instant k) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant at = t == null ? now : t;
        Instant knownAt = k == null ? now : k;
        Answer identity;
        try {
            identity = api.get(
                    Service.MERGE,
                    "/api/v1/customers/" + id + "/identity?at=" + Inputs.iso(at) + "&known_at=" + Inputs.iso(knownAt));
        } catch (AsofApi.Unavailable e) {
            return new LineageView(null, null, at, knownAt, e.getMessage());
        }
        if (identity.absentApi()) {
            return new LineageView(null, null, at, knownAt, "merge-service has no identity API here: unavailable.");
        }
        if (!identity.ok()) {
            return new LineageView(null, null, at, knownAt, identity.detail());
        }
        return new LineageView(LineageGraph.of(identity.body()), identity.body(), at, knownAt, null);
    }

    private Instant interactionStart(String id, String interaction, List<String> errors) {
        AsofApi.History<Change> history;
        try {
            history = api.history(id, null, null, null, Change::of);
        } catch (AsofApi.Unavailable e) {
            errors.add(e.getMessage());
            return null;
        }
        if (history.refused() != null) {
            errors.add(history.refused().detail());
            return null;
        }
        Instant first = null;
        for (Change change : history.changes()) {
            if (interaction.equals(change.interactionId())
                    && (first == null || change.changedAt().isBefore(first))) {
                first = change.changedAt();
            }
        }
        if (first == null) {
            errors.add("interaction: no change of this customer's timeline has interaction id " + interaction
                    + (history.truncated() ? " among the first changes read" : ""));
        }
        return first;
    }

    private static Instant parse(String field, String text, List<String> errors) {
        try {
            return Inputs.instant(field, text);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return null;
        }
    }

    /**
     * A service's refusal as the console's answer: what the person asked for does not exist or is gone (404, 410)
     * or was refused (400, 422) says so with the same status; anything else (the console's key refused, a
     * service error) is a 502 naming the service, never passed on as the person's own 401 or 403.
     */
    static ResponseStatusException refusal(Answer answer) {
        int status = answer.status();
        HttpStatus mapped = status == 400 || status == 404 || status == 410 || status == 422
                ? HttpStatus.valueOf(status)
                : HttpStatus.BAD_GATEWAY;
        return new ResponseStatusException(
                mapped, "reconstruction-service answered " + status + ": " + answer.detail());
    }

    /**
     * Whether a walk stopped (at {@code asof.console.timeline-max-changes} or {@code timeline-timeout}) before it
     * read every change valid before {@code until} ({@code null}: the whole timeline). A walk that stopped after
     * {@code until} read all of the range; it went on only to judge lateness.
     */
    static boolean cutShort(AsofApi.History<Change> history, Instant until) {
        if (!history.truncated()) {
            return false;
        }
        if (until == null || history.changes().isEmpty()) {
            return true;
        }
        return history.changes().get(history.changes().size() - 1).changedAt().isBefore(until);
    }

    /** Why a panel's read failed, in words for its message. */
    private static String reason(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (cause instanceof TimeoutException) {
            return "it took longer than asof.console.timeline-timeout";
        }
        return cause instanceof AsofApi.Unavailable ? cause.getMessage() : "an unexpected answer";
    }

    static void requireId(String id) {
        if (!Inputs.customerId(id)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, Inputs.NOT_A_CUSTOMER_ID);
        }
    }

    /** Cells of one CSV record; a value a spreadsheet would run as a formula is prefixed with a quote. */
    static String cells(String... values) {
        List<String> cells = new ArrayList<>(values.length);
        for (String value : values) {
            String cell = value == null ? "" : value;
            if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
                cell = "'" + cell;
            }
            cells.add(StringEscapeUtils.escapeCsv(cell));
        }
        return String.join(",", cells) + "\r\n";
    }
}
