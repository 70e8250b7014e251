package dev.asof.ingestion.campaign;

import dev.asof.events.Timestamps;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.Campaigns;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import dev.asof.support.web.RequestParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bulk campaigns: {@code POST /api/v1/campaigns} takes a CSV or NDJSON file (streamed) and answers {@code 202}
 * once its lines are stored; {@code GET /api/v1/campaigns/{id}} shows its progress and first errors; {@code GET
 * /api/v1/campaigns} lists recent ones. See {@code docs/campaigns.md}.
 */
@RestController
class CampaignController {

    private static final Logger log = LoggerFactory.getLogger(CampaignController.class);
    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");
    private static final int DEFAULT_LIST = 20;
    private static final int MAX_LIST = 100;

    private final CampaignUploads uploads;
    private final Campaigns campaigns;
    private final Clock clock;

    CampaignController(CampaignUploads uploads, Campaigns campaigns, Clock clock) {
        this.uploads = uploads;
        this.campaigns = campaigns;
        this.clock = clock;
    }

    @Operation(
            summary = "Upload a campaign file: one BULK_PROFILE_UPDATE per line",
            description =
                    "CSV (header `customer_id,<attribute_key>,...`; an empty cell changes nothing, `null` removes)"
                            + " or NDJSON (`{\"customer_id\", \"changes\": [{\"attribute_key\", \"new_value\"}]}` per line),"
                            + " UTF-8, up to 100,000 lines and 64 MB, streamed. Answered once every line is stored; bad lines"
                            + " are reported in the campaign, good lines proceed. `Idempotency-Key` makes a retried upload add"
                            + " nothing. See docs/campaigns.md.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = {
                                @Content(
                                        mediaType = "text/csv",
                                        schema = @Schema(type = "string"),
                                        examples =
                                                @ExampleObject(
                                                        value =
                                                                "customer_id,tier,email\ncust_1,gold,\ncust_2,null,b@example.com\n")),
                                @Content(
                                        mediaType = "application/x-ndjson",
                                        schema = @Schema(type = "string"),
                                        examples =
                                                @ExampleObject(
                                                        value =
                                                                "{\"customer_id\": \"cust_1\", \"changes\": [{\"attribute_key\":"
                                                                        + " \"tier\", \"new_value\": \"gold\"}]}\n"))
                            }),
            responses = {
                @ApiResponse(
                        responseCode = "202",
                        description = "Stored durably; `Location` names the campaign. Its lines are published in the"
                                + " background (GET it for progress).",
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        examples =
                                                @ExampleObject(
                                                        value =
                                                                "{\"campaign_id\": \"4b0f6c2e-1d7a-4c55-9a3e-2f1b0c9d8e7a\", \"state\":"
                                                                        + " \"accepted\", \"lines_total\": 2, \"lines_accepted\": 2,"
                                                                        + " \"lines_rejected\": 0}"))),
                @ApiResponse(
                        responseCode = "408",
                        description = "The file did not arrive within asof.campaigns.upload-timeout; nothing stored.",
                        content = @Content(mediaType = "application/problem+json")),
                @ApiResponse(
                        responseCode = "406",
                        description = "The client takes no JSON answer; refused before anything is stored.",
                        content = @Content(mediaType = "application/problem+json"))
            })
    @PreAuthorize("hasAuthority('SCOPE_events:write')")
    // `produces`: a client that accepts no JSON is answered 406 before anything is stored (a 406 after the upload
    // was stored would invite a re-send that doubles it)
    @PostMapping(
            path = CampaignUploads.PATH,
            consumes = {"text/csv", "application/x-ndjson"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> upload(
            Authentication caller,
            HttpServletRequest request,
            @Parameter(description = "1 to 128 characters without control characters (default: campaign <time>)")
                    @RequestParam(name = "name", required = false)
                    String name,
            @Parameter(description = "the valid time of every line's change, ISO-8601 (default: the upload's time)")
                    @RequestParam(name = "timestamp_utc", required = false)
                    String timestamp,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey)
            throws IOException {
        MediaType type = MediaType.parseMediaType(request.getContentType());
        Charset charset = type.getCharset();
        if (charset != null && !charset.equals(StandardCharsets.UTF_8)) {
            throw new ApiProblemException(Problems.of(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-charset",
                    "Unsupported charset",
                    "Campaign files are read as UTF-8; this one says charset=" + charset.name() + "."));
        }
        boolean csv = !type.isCompatibleWith(NDJSON);
        CampaignUploads.Upload upload =
                uploads.upload(caller.getName(), idempotencyKey, name, timestamp, csv, request.getInputStream());
        ResponseEntity.BodyBuilder answer = ResponseEntity.accepted()
                .location(URI.create(
                        CampaignUploads.PATH + "/" + upload.campaign().campaignId()));
        if (upload.replayed()) {
            answer.header("Idempotent-Replayed", "true");
        }
        return answer.body(view(upload.campaign()));
    }

    @Operation(
            summary = "A campaign's state, progress and first 100 errors",
            description = "state accepted, running, completed, failed or cancelled; lines_total, lines_accepted,"
                    + " lines_rejected, events_logged, errors [{line, type, detail}], started_at, completed_at"
                    + " (docs/campaigns.md).")
    @PreAuthorize("hasAnyAuthority('SCOPE_events:write', 'SCOPE_profile:read')")
    @GetMapping(CampaignUploads.PATH + "/{campaignId}")
    Map<String, Object> campaign(@PathVariable String campaignId) {
        return view(campaigns.find(campaignId(campaignId)).orElseThrow(() -> notFound(campaignId)));
    }

    /**
     * Cancels a campaign: no line is published after the batch its runner is at (lines published before stay in the
     * log, which is immutable). {@code 200} with the campaign {@code cancelled} when it stopped at once (no runner held
     * it); {@code 202} with its cancellation recorded ({@code cancel_requested_at}) while a runner stops it at its next
     * batch; {@code 409 campaign-finished} when it had completed or failed, or has published every line and is
     * completing. Repeating it is harmless.
     */
    @Operation(
            summary = "Cancel a campaign: no line is published after the batch under way",
            responses = {
                @ApiResponse(responseCode = "200", description = "Cancelled at once."),
                @ApiResponse(
                        responseCode = "202",
                        description = "Cancellation recorded; the runner stops at its next batch."),
                @ApiResponse(
                        responseCode = "409",
                        description = "campaign-finished: it completed, failed, or published every line.",
                        content = @Content(mediaType = "application/problem+json"))
            })
    @PreAuthorize("hasAuthority('SCOPE_events:write')")
    @PostMapping(path = CampaignUploads.PATH + "/{campaignId}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> cancel(@PathVariable String campaignId) {
        String id = campaignId(campaignId);
        Instant now = clock.instant();
        Campaigns.Campaign campaign = campaigns.requestCancel(id, now).orElseThrow(() -> notFound(id));
        if (!campaign.finished()
                && campaigns.cancel(campaign, null, now.toEpochMilli(), 0, 0, campaign.errors(), now)) {
            try {
                campaigns.deleteChunks(campaign.uploadId(), campaign.chunksTotal());
            } catch (RuntimeException e) {
                // cancelled all the same: the leftover-chunk sweep deletes them later
                log.warn("campaign {} cancelled; its chunks were not deleted: {}", id, e.toString());
            }
            campaign = campaigns.find(id).orElseThrow(() -> notFound(id));
        } else if (!campaign.finished()) {
            // a runner holds it, or took or finished it since the request was recorded: answer what it is now
            campaign = campaigns.find(id).orElseThrow(() -> notFound(id));
        }
        if (campaign.state().equals(Campaigns.CANCELLED)) {
            return ResponseEntity.ok(view(campaign));
        }
        if (campaign.finished()) {
            throw finished(id, "is " + campaign.state());
        }
        if (campaign.nextChunk() >= campaign.chunksTotal()) {
            throw finished(id, "has published every line and is completing");
        }
        return ResponseEntity.accepted().body(view(campaign));
    }

    private static ApiProblemException finished(String id, String what) {
        return new ApiProblemException(Problems.of(
                HttpStatus.CONFLICT,
                "campaign-finished",
                "Campaign finished",
                "Campaign " + id + " " + what + "; nothing is left to cancel."));
    }

    @Operation(summary = "Recent campaigns, newest first, without their errors (limit 1 to 100, default 20)")
    @PreAuthorize("hasAnyAuthority('SCOPE_events:write', 'SCOPE_profile:read')")
    @GetMapping(CampaignUploads.PATH)
    Map<String, Object> recent(@RequestParam(name = "limit", required = false) String limitText) {
        int limit = RequestParameters.limit(limitText, DEFAULT_LIST, MAX_LIST);
        List<Map<String, Object>> list = campaigns.recent(limit).stream()
                .map(CampaignController::summary)
                .toList();
        return Map.of("campaigns", list);
    }

    /** The id as the upload answered it: a UUID in its canonical form (upper case read as lower). */
    private static String campaignId(String text) {
        String id = text.toLowerCase(java.util.Locale.ROOT);
        if (!AsofTopics.isCampaignId(id)) {
            throw RequestParameters.invalid(
                    "campaign_id", "format", "campaign_id must be a UUID as the upload answered it");
        }
        return id;
    }

    private static ApiProblemException notFound(String campaignId) {
        return new ApiProblemException(Problems.of(
                HttpStatus.NOT_FOUND, "campaign-not-found", "Campaign not found", "No campaign " + campaignId + "."));
    }

    private static Map<String, Object> summary(Campaigns.Campaign campaign) {
        Map<String, Object> view = view(campaign);
        view.remove("errors");
        return view;
    }

    static Map<String, Object> view(Campaigns.Campaign campaign) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("campaign_id", campaign.campaignId());
        view.put("name", campaign.name());
        view.put("state", campaign.state());
        view.put("timestamp_utc", Timestamps.format(campaign.timestampUtc()));
        view.put("lines_total", campaign.linesTotal());
        view.put("lines_accepted", campaign.linesAccepted());
        view.put("lines_rejected", campaign.linesRejected());
        view.put("events_published", campaign.eventsPublished());
        view.put("events_logged", campaign.eventsLogged());
        view.put("events_failed", campaign.eventsFailed());
        view.put(
                "errors",
                campaign.errors().stream()
                        .map(error -> Map.of("line", error.line(), "type", error.type(), "detail", error.detail()))
                        .toList());
        view.put("requested_at", format(campaign.requestedAt()));
        view.put("started_at", format(campaign.startedAt()));
        view.put("completed_at", format(campaign.completedAt()));
        if (campaign.failure() != null) {
            view.put("failure", campaign.failure());
        }
        view.put("cancel_requested_at", format(campaign.cancelRequestedAt()));
        view.put("lines_cancelled", campaign.linesCancelled());
        return view;
    }

    private static String format(Instant instant) {
        return instant == null ? null : Timestamps.format(instant);
    }
}
