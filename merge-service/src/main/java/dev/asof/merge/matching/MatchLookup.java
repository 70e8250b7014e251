package dev.asof.merge.matching;

import dev.asof.matching.BlockingKeys;
import dev.asof.matching.Candidate;
import dev.asof.matching.KeyFrequencies;
import dev.asof.matching.MatchModel;
import dev.asof.matching.MatchRecord;
import dev.asof.support.storage.ConcurrentCalls;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Finds and scores the candidates for a query: the identities sharing a blocking key with it (one {@code Query} per
 * key, all at once on {@link ConcurrentCalls}; keys shared by more
 * than {@code asof.matching.max-block-size} identities find none, they are too generic), each scored by the {@link
 * MatchModel}, each reported as the identity it resolves to through active merges, best member first. Identities in
 * {@code exclude}, and identities resolving to one of them, are never candidates.
 */
public class MatchLookup {

    /** Longest chain of merge links followed to find where a candidate resolves. */
    private static final int MAX_HOPS = 32;

    private final MatchIndex index;
    private final MatchModel model;
    private final int maxBlockSize;
    private final ConcurrentCalls queries;

    MatchLookup(MatchIndex index, MatchModel model, MatchingProperties properties, ConcurrentCalls queries) {
        this.index = index;
        this.model = model;
        this.maxBlockSize = properties.maxBlockSize();
        this.queries = queries;
    }

    /**
     * One suggestion.
     *
     * @param customerId the identity to merge with: where the matched identity resolves to
     * @param matchedCustomerId the identity whose match fields gave the score (a member of {@code customerId})
     * @param candidate the score, decision and evidence
     */
    public record Suggestion(String customerId, String matchedCustomerId, Candidate candidate) {}

    public List<Suggestion> candidates(MatchRecord query, Set<String> exclude, int limit) {
        Map<String, CompletableFuture<List<String>>> calls = new LinkedHashMap<>();
        for (String key : BlockingKeys.of(query)) {
            calls.put(key, queries.start(() -> index.sharing(key, maxBlockSize)));
        }
        Map<String, Integer> frequencies = new HashMap<>();
        Set<String> found = new TreeSet<>();
        for (Map.Entry<String, CompletableFuture<List<String>>> call : calls.entrySet()) {
            List<String> sharing = ConcurrentCalls.result(call.getValue());
            frequencies.put(call.getKey(), sharing.size());
            if (sharing.size() <= maxBlockSize) {
                found.addAll(sharing);
            }
        }
        found.removeAll(exclude);
        Map<String, MatchIndex.Indexed> records = new HashMap<>(index.findAll(found));
        KeyFrequencies counts = key -> frequencies.computeIfAbsent(
                key, k -> index.sharing(k, maxBlockSize).size());
        Map<String, Suggestion> best = new LinkedHashMap<>();
        for (String id : found) {
            MatchIndex.Indexed indexed = records.get(id);
            if (indexed == null) {
                continue; // its key items outlived its record for a moment (see MatchIndex#put)
            }
            String root = resolve(id, records);
            if (exclude.contains(root)) {
                continue;
            }
            Candidate candidate = model.score(query, indexed.record(), counts);
            Suggestion suggestion = new Suggestion(root, id, candidate);
            best.merge(
                    root,
                    suggestion,
                    (a, b) -> a.candidate().score() >= b.candidate().score() ? a : b);
        }
        List<Suggestion> ranked = new ArrayList<>(best.values());
        ranked.sort(Comparator.comparingDouble((Suggestion s) -> -s.candidate().score())
                .thenComparing(Suggestion::customerId));
        return List.copyOf(ranked.subList(0, Math.min(limit, ranked.size())));
    }

    /** Where {@code id} resolves through the active merge links the index holds; itself on a cycle or a long chain. */
    private String resolve(String id, Map<String, MatchIndex.Indexed> records) {
        Set<String> seen = new HashSet<>();
        String at = id;
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            if (!seen.add(at)) {
                return id;
            }
            MatchIndex.Indexed indexed = records.get(at);
            if (indexed == null) {
                index.find(at).ifPresent(found -> records.put(found.customerId(), found));
                indexed = records.get(at);
            }
            if (indexed == null || indexed.mergedInto() == null) {
                return at;
            }
            at = indexed.mergedInto();
        }
        return id;
    }
}
