package dev.asof.merge.matching;

import dev.asof.events.MergeProfiles;
import dev.asof.events.Timestamps;
import dev.asof.matching.Evidence;
import dev.asof.matching.MatchDecision;
import dev.asof.merge.identity.IdentityCommands;
import dev.asof.support.web.ApiProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Auto-merge, off unless {@code asof.matching.auto-merge} is on: when an identity's entry changes and its best
 * candidate is {@code auto_merge}, the identity is merged into the candidate through the same merge command an agent
 * uses, with {@code decided_by: "auto"}, the score as {@code reason} and the evidence. Never for or into an identity
 * that was ever merged or unmerged (the candidate is where the matched identity resolves: the identity others were
 * merged into, or one never linked), nor for one that is merged now: what a person decided stays decided, and an
 * unmerge is never undone by the next event, in either direction. A refusal (already merged, a cycle, busy) is
 * counted and left.
 */
public class AutoMerge implements Consumer<MatchIndex.Indexed> {

    private static final Logger LOG = LoggerFactory.getLogger(AutoMerge.class);

    /** The {@code decided_by} of every automatic merge. */
    public static final String DECIDED_BY = "auto";

    private final MatchLookup lookup;
    private final MatchIndex index;
    private final IdentityCommands commands;
    private final Clock clock;
    private final MeterRegistry meters;

    public AutoMerge(
            MatchLookup lookup, MatchIndex index, IdentityCommands commands, Clock clock, MeterRegistry meters) {
        this.lookup = lookup;
        this.index = index;
        this.commands = commands;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public void accept(MatchIndex.Indexed indexed) {
        if (indexed.linked() || indexed.keys().isEmpty()) {
            return;
        }
        String from = indexed.customerId();
        List<MatchLookup.Suggestion> best = lookup.candidates(indexed.record(), Set.of(from), 1);
        if (best.isEmpty() || best.get(0).candidate().decision() != MatchDecision.AUTO_MERGE) {
            return;
        }
        MatchLookup.Suggestion suggestion = best.get(0);
        String into = suggestion.customerId();
        // an identity unmerged before resolves to itself: merging into it would undo that unmerge the other way round
        if (index.find(into).map(MatchIndex.Indexed::linked).orElse(true)) {
            meters.counter("asof.matching.auto_merges", "outcome", "kept_apart").increment();
            return;
        }
        // the same pair always names the same event: a re-run after a crash is recognised, never doubled
        String eventId = UUID.nameUUIDFromBytes(("auto-merge\n" + from + "\n" + into).getBytes(StandardCharsets.UTF_8))
                .toString();
        try {
            commands.merge(
                    new MergeProfiles(
                            eventId,
                            into,
                            from,
                            Timestamps.truncate(clock.instant()),
                            String.format(
                                    Locale.ROOT,
                                    "auto-merge: score %.4f",
                                    suggestion.candidate().score()),
                            DECIDED_BY,
                            evidence(suggestion)),
                    true,
                    null,
                    "auto-merge-" + eventId);
            meters.counter("asof.matching.auto_merges", "outcome", "merged").increment();
        } catch (ApiProblemException refused) {
            meters.counter("asof.matching.auto_merges", "outcome", "refused").increment();
            LOG.info("auto-merge of an identity refused: {}", refused.problem().getType());
        }
    }

    /** {"score", "matched_customer_id", "evidence": [{attribute, comparison, level, weight}]} as compact JSON. */
    static String evidence(MatchLookup.Suggestion suggestion) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode evidence = nodes.objectNode();
        evidence.put("score", Math.round(suggestion.candidate().score() * 10_000) / 10_000.0);
        evidence.put("matched_customer_id", suggestion.matchedCustomerId());
        ArrayNode fields = evidence.putArray("evidence");
        for (Evidence field : suggestion.candidate().evidence()) {
            fields.addObject()
                    .put("attribute", field.attribute())
                    .put("comparison", field.comparison())
                    .put("level", field.level())
                    .put("weight", Math.round(field.weight() * 1000) / 1000.0);
        }
        return evidence.toString();
    }
}
