package dev.asof.merge.matching.web;

import dev.asof.merge.matching.IndexBackfill;
import dev.asof.merge.web.PagedPasses;
import java.util.LinkedHashMap;
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

    private final IndexBackfill backfill;

    IndexBackfillController(IndexBackfill backfill) {
        this.backfill = backfill;
    }

    @PostMapping("/api/v1/matching/index/backfill")
    Map<String, Object> page(
            @RequestParam(name = "cursor", required = false) String cursor,
            @RequestParam(name = "limit", required = false) String limit) {
        int size = PagedPasses.limit(limit);
        String afterId;
        try {
            afterId = IndexBackfill.afterId(PagedPasses.cursor(cursor, 512));
        } catch (IllegalArgumentException notACursor) {
            throw PagedPasses.badCursor();
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
}
