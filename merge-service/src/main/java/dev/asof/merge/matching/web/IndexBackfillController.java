package dev.asof.merge.matching.web;

import dev.asof.events.InvalidEventException;
import dev.asof.events.Violation;
import dev.asof.merge.matching.IndexBackfill;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/matching/index/backfill?cursor=&limit=} (scope {@code merge:write}): indexes the identities of
 * one page of {@code profile_view} that have no match-index entry; call again with the {@code next_cursor} it
 * answers until that is {@code null}. Idempotent: a page done twice indexes nothing the second time.
 */
@RestController
@PreAuthorize("hasAuthority('SCOPE_merge:write')")
class IndexBackfillController {

    private static final int MAX_LIMIT = 1_000;

    private final IndexBackfill backfill;

    IndexBackfillController(IndexBackfill backfill) {
        this.backfill = backfill;
    }

    @PostMapping("/api/v1/matching/index/backfill")
    Map<String, Object> page(
            @RequestParam(name = "cursor", required = false) String cursor,
            @RequestParam(name = "limit", required = false) String limit) {
        int size = 200;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw invalid("limit", "type", "limit must be a whole number from 1 to " + MAX_LIMIT);
            }
            if (size < 1 || size > MAX_LIMIT) {
                throw invalid("limit", "range", "limit must be a whole number from 1 to " + MAX_LIMIT);
            }
        }
        if (cursor != null && (cursor.isEmpty() || cursor.length() > 512)) {
            throw invalid("cursor", "cursor", "cursor must be a next_cursor this endpoint answered");
        }
        String afterId;
        try {
            afterId = IndexBackfill.afterId(cursor);
        } catch (IllegalArgumentException notACursor) {
            throw invalid("cursor", "cursor", "cursor must be a next_cursor this endpoint answered");
        }
        IndexBackfill.Page page = backfill.page(afterId, size);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("scanned", page.scanned());
        answer.put("indexed", page.indexed());
        answer.put("already_indexed", page.alreadyIndexed());
        answer.put("failed", page.failed());
        answer.put("next_cursor", page.nextCursor());
        return answer;
    }

    private static InvalidEventException invalid(String parameter, String rule, String message) {
        return new InvalidEventException(List.of(new Violation(parameter, rule, message)));
    }
}
