package dev.asof.console.web;

import dev.asof.console.api.AsofApi;
import dev.asof.console.api.AsofApi.Answer;
import dev.asof.console.api.AsofApi.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.JsonNode;

/** Campaigns (ingestion-service's campaign API): the recent ones, and one with live progress and its errors. */
@Controller
class CampaignController {

    static final Set<String> FINISHED = Set.of("completed", "failed", "cancelled");

    private final AsofApi api;

    CampaignController(AsofApi api) {
        this.api = api;
    }

    @GetMapping("/campaigns")
    String campaigns(Model model) {
        Answer answer = answer(AsofApi.path("/api/v1/campaigns", Map.of("limit", "50")), model);
        List<JsonNode> campaigns = new ArrayList<>();
        if (answer != null && answer.ok()) {
            answer.body().path("campaigns").forEach(campaigns::add);
        }
        model.addAttribute("campaigns", campaigns);
        return "campaigns";
    }

    @GetMapping("/campaigns/{id}")
    String campaign(
            @PathVariable("id") String id,
            @RequestHeader(name = "HX-Target", required = false) String htmxTarget,
            @RequestParam(name = "polls", defaultValue = "0") int polls,
            Model model) {
        if (!Inputs.OPAQUE_ID.matcher(id).matches()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Not a campaign id.");
        }
        Answer answer = answer("/api/v1/campaigns/" + id, model);
        JsonNode campaign = answer != null && answer.ok() ? answer.body() : null;
        model.addAttribute("campaignId", id);
        model.addAttribute("campaign", campaign);
        // an unreachable service is a pause, not an end: keep refreshing; a refusal (no such campaign) ends it
        LivePanel.poll(
                model,
                "/campaigns/" + id,
                polls,
                campaign != null ? FINISHED.contains(campaign.path("state").asString()) : answer != null,
                answer == null);
        if ("progress".equals(htmxTarget)) {
            return "campaign :: progress";
        }
        return "campaign";
    }

    private Answer answer(String path, Model model) {
        try {
            Answer answer = api.get(Service.INGESTION, path);
            if (answer.absentApi()) {
                model.addAttribute("unavailable", "ingestion-service has no campaign API here: unavailable.");
                return answer;
            }
            if (!answer.ok()) {
                model.addAttribute("unavailable", answer.detail());
            }
            return answer;
        } catch (AsofApi.Unavailable e) {
            model.addAttribute("unavailable", e.getMessage());
            return null;
        }
    }
}
