package dev.asof.merge.erasure.web;

import dev.asof.merge.erasure.ReEncryption;
import dev.asof.merge.web.PagedPasses;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/privacy/re-encryption?store=event_log|profile_view|snapshots|log_pages|subject_keys&cursor=&limit=} (scope
 * {@code gdpr:erase}): encrypts one page of values written before encryption was turned on, or (for {@code
 * subject_keys}) rewraps one page of data keys after a KEK rotation; call again with the {@code
 * next_cursor} it answers until that is {@code null}. Idempotent: a page done twice changes nothing the second time.
 */
@RestController
@PreAuthorize("hasAuthority('SCOPE_gdpr:erase')")
class ReEncryptionController {

    private final ReEncryption pages;

    ReEncryptionController(ReEncryption pages) {
        this.pages = pages;
    }

    @PostMapping("/api/v1/privacy/re-encryption")
    Map<String, Object> page(
            @RequestParam(name = "store") String store,
            @RequestParam(name = "cursor", required = false) String cursor,
            @RequestParam(name = "limit", required = false) String limit) {
        ReEncryption.Store which = switch (store) {
            case "event_log" -> ReEncryption.Store.EVENT_LOG;
            case "profile_view" -> ReEncryption.Store.PROFILE_VIEW;
            case "snapshots" -> ReEncryption.Store.SNAPSHOTS;
            case "log_pages" -> ReEncryption.Store.LOG_PAGES;
            case "subject_keys" -> ReEncryption.Store.SUBJECT_KEYS;
            default ->
                throw PagedPasses.invalid(
                        "store", "enum", "store must be event_log, profile_view, snapshots, log_pages or subject_keys");
        };
        int size = PagedPasses.limit(limit);
        PagedPasses.cursor(cursor, 2_048);
        ReEncryption.Page page;
        try {
            page = pages.page(which, cursor, size);
        } catch (IllegalArgumentException notACursor) {
            throw PagedPasses.badCursor();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("store", page.store().name().toLowerCase(Locale.ROOT));
        answer.put("scanned", page.scanned());
        answer.put("items_changed", page.itemsChanged());
        answer.put("values_encrypted", page.valuesEncrypted());
        answer.put("skipped_erased", page.skippedErased());
        answer.put("unopenable_keys", page.unopenableKeys());
        answer.put("next_cursor", page.nextCursor());
        return answer;
    }
}
