package dev.asof.console.web;

import dev.asof.console.api.AsofApi;
import dev.asof.console.api.AsofApi.Answer;
import dev.asof.console.api.AsofApi.Service;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Erasure, for privacy officers only ({@code /privacy/**}): the request form, the request through merge-service's
 * erasure API, the erasure's state and proof, the register of erasures, and finding a customer's erasure again by
 * the customer's id.
 */
@Controller
class PrivacyController {

    private final AsofApi api;

    PrivacyController(AsofApi api) {
        this.api = api;
    }

    @GetMapping("/privacy/customers/{id}/erasure")
    String form(@PathVariable("id") String id, Model model) {
        CustomerController.requireId(id);
        model.addAttribute("customerId", id);
        // one key per form: a double submission or a browser retry asks for the same erasure once
        model.addAttribute("requestKey", UUID.randomUUID().toString());
        return "erasure-form";
    }

    @PostMapping("/privacy/customers/{id}/erasure")
    String request(
            @PathVariable("id") String id,
            @RequestParam(name = "reason", required = false) String reason,
            @RequestParam(name = "request_key", required = false) String requestKey,
            @RequestParam(name = "confirm", required = false) String confirm,
            Principal principal,
            Model model) {
        CustomerController.requireId(id);
        model.addAttribute("customerId", id);
        model.addAttribute("requestKey", requestKey == null ? UUID.randomUUID().toString() : requestKey);
        model.addAttribute("reason", reason);
        if (reason == null || reason.isBlank() || reason.length() > 256) {
            model.addAttribute("error", "reason: required, at most 256 characters (it goes into the audit trail).");
            return "erasure-form";
        }
        if (!id.equals(confirm)) {
            model.addAttribute("error", "confirm: type the customer id to confirm; an erasure cannot be undone.");
            return "erasure-form";
        }
        if (requestKey == null || !Inputs.OPAQUE_ID.matcher(requestKey).matches()) {
            model.addAttribute("error", "The form is out of date: load it again.");
            return "erasure-form";
        }
        ObjectNode body = api.object();
        body.put("reason", reason.trim());
        body.put("requested_by", "console:" + principal.getName());
        return toErasure(
                () -> api.post(Service.MERGE, "/api/v1/customers/" + id + "/erasure", body, "console-" + requestKey),
                "erasure-form",
                model);
    }

    /**
     * Finds the latest erasure requested for a customer (merge-service's {@code GET
     * /api/v1/customers/{id}/erasure}, a read): its page when there is one, else the form with why not.
     */
    @GetMapping("/privacy/erasures")
    String find(
            @RequestParam(name = "customer", required = false) String customer,
            @RequestParam(name = "cursor", required = false) String cursor,
            Model model) {
        if (customer == null || customer.isBlank()) {
            register(cursor, model);
            return "erasure-find";
        }
        String id = customer.trim();
        model.addAttribute("customer", id);
        if (!Inputs.customerId(id)) {
            model.addAttribute("error", Inputs.NOT_A_CUSTOMER_ID);
            return "erasure-find";
        }
        return toErasure(() -> api.get(Service.MERGE, "/api/v1/customers/" + id + "/erasure"), "erasure-find", model);
    }

    /**
     * The register: a page of erasures, newest first ({@code GET /api/v1/erasures}), from {@code cursor} (a page's
     * {@code next_cursor}), or why it cannot be shown.
     */
    private void register(String cursor, Model model) {
        List<JsonNode> listed = new ArrayList<>();
        model.addAttribute("erasures", listed);
        if (cursor != null && !Inputs.OPAQUE_ID.matcher(cursor).matches()) {
            model.addAttribute("listError", "That page of the register does not exist: start from the newest.");
            return;
        }
        try {
            Answer answer = api.get(
                    Service.MERGE,
                    AsofApi.path("/api/v1/erasures", Map.of("limit", "50", "cursor", cursor == null ? "" : cursor)));
            if (answer.absentApi() || answer.status() == 405) {
                model.addAttribute(
                        "listError", "The register is unavailable: merge-service cannot list erasures here.");
            } else if (answer.status() == 400 && cursor != null) {
                model.addAttribute("listError", "That page of the register does not exist: start from the newest.");
            } else if (!answer.ok()) {
                model.addAttribute("listError", "The register is unavailable: " + answer.detail());
            } else {
                answer.body().path("erasures").forEach(listed::add);
                String next = answer.body().path("next_cursor").asString("");
                if (Inputs.OPAQUE_ID.matcher(next).matches()) {
                    model.addAttribute("nextCursor", next);
                }
            }
        } catch (AsofApi.Unavailable e) {
            model.addAttribute("listError", "The register is unavailable: " + e.getMessage());
        }
    }

    /**
     * The page of the erasure merge-service answers {@code call} with; else {@code view} with why not (merge-service
     * away or without the erasure API, its problem's detail, or an answer naming no erasure id).
     */
    private String toErasure(Supplier<Answer> call, String view, Model model) {
        Answer answer;
        try {
            answer = call.get();
        } catch (AsofApi.Unavailable e) {
            model.addAttribute("error", "Erasure is unavailable: " + e.getMessage());
            return view;
        }
        // an older merge-service answers 404 without a problem, or 405 for a GET of the request path
        if (answer.absentApi() || answer.status() == 405) {
            model.addAttribute("error", "Erasure is unavailable: merge-service has no such erasure API here.");
            return view;
        }
        if (!answer.ok()) {
            model.addAttribute("error", answer.detail());
            return view;
        }
        String erasureId = answer.body().path("erasure_id").asString("");
        if (!Inputs.OPAQUE_ID.matcher(erasureId).matches()) {
            model.addAttribute("error", "merge-service answered no erasure id it can be read by.");
            return view;
        }
        return "redirect:" + AsofApi.path("/privacy/erasures/" + erasureId, Map.of());
    }

    @GetMapping("/privacy/erasures/{id}")
    String erasure(
            @PathVariable("id") String id,
            @RequestHeader(name = "HX-Target", required = false) String htmxTarget,
            @RequestParam(name = "polls", defaultValue = "0") int polls,
            Model model) {
        if (!Inputs.OPAQUE_ID.matcher(id).matches()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Not an erasure id.");
        }
        model.addAttribute("erasureId", id);
        JsonNode erasure = null;
        boolean reachable = true;
        try {
            Answer answer = api.get(Service.MERGE, "/api/v1/erasures/" + id);
            if (answer.ok()) {
                erasure = answer.body();
            } else {
                model.addAttribute("unavailable", answer.detail());
            }
        } catch (AsofApi.Unavailable e) {
            reachable = false;
            model.addAttribute("unavailable", e.getMessage());
        }
        model.addAttribute("erasure", erasure);
        String state = erasure == null ? "" : erasure.path("state").asString();
        // an unreachable service is a pause, not an end: keep refreshing
        LivePanel.poll(
                model,
                "/privacy/erasures/" + id,
                polls,
                erasure == null ? reachable : "completed".equals(state) || "failed".equals(state),
                !reachable);
        model.addAttribute(
                "proof",
                erasure == null || erasure.path("proof").isNull()
                        ? null
                        : erasure.path("proof").toPrettyString());
        if ("erasure-state".equals(htmxTarget)) {
            return "erasure :: state";
        }
        return "erasure";
    }
}
