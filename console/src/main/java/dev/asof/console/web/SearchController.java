package dev.asof.console.web;

import dev.asof.console.api.AsofApi;
import dev.asof.console.api.AsofApi.Answer;
import dev.asof.console.api.AsofApi.Service;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Sign-in page, and finding a customer by id or, through merge-service's match API, by phone, email or name. */
@Controller
class SearchController {

    private final AsofApi api;
    private final ObjectProvider<ClientRegistrationRepository> oidcClients;

    SearchController(AsofApi api, ObjectProvider<ClientRegistrationRepository> oidcClients) {
        this.api = api;
        this.oidcClients = oidcClients;
    }

    @GetMapping("/login")
    String login(Model model) {
        List<ClientRegistration> clients = new ArrayList<>();
        if (oidcClients.getIfAvailable() instanceof Iterable<?> registrations) {
            for (Object registration : registrations) {
                clients.add((ClientRegistration) registration);
            }
        }
        model.addAttribute("oidc", clients);
        return "login";
    }

    @GetMapping("/")
    String form(Model model) {
        model.addAttribute("q", "");
        model.addAttribute("by", "id");
        return "search";
    }

    /**
     * A search is a POST: a phone number, email or name is personal data, which in a GET address would stay in the
     * browser's history and in proxies' logs.
     */
    @PostMapping("/")
    String search(
            @RequestParam(name = "q", required = false) String query,
            @RequestParam(name = "by", required = false, defaultValue = "id") String by,
            Model model) {
        model.addAttribute("q", query == null ? "" : query);
        model.addAttribute("by", by);
        if (query == null || query.isBlank()) {
            return "search";
        }
        String q = query.trim();
        if (q.length() > 256) {
            model.addAttribute("error", "The search text is longer than 256 characters.");
            return "search";
        }
        if ("id".equals(by)) {
            if (!Inputs.customerId(q)) {
                model.addAttribute(
                        "error",
                        Inputs.NOT_A_CUSTOMER_ID + " To find someone by phone, email or name, choose that instead.");
                return "search";
            }
            return "redirect:" + AsofApi.path("/customers/" + q, java.util.Map.of());
        }
        ObjectNode attributes = api.object();
        switch (by) {
            case "phone" -> attributes.put("phone", q);
            case "email" -> attributes.put("email", q);
            case "name" -> {
                String[] parts = q.split("\\s+", 2);
                attributes.put("name_first", parts[0]);
                if (parts.length > 1) {
                    attributes.put("name_last", parts[1]);
                }
            }
            default -> {
                model.addAttribute("error", "Search by id, phone, email or name.");
                return "search";
            }
        }
        ObjectNode body = api.object();
        body.set("attributes", attributes);
        body.put("limit", 20);
        Answer answer;
        try {
            answer = api.post(Service.MERGE, "/api/v1/match", body, null);
        } catch (AsofApi.Unavailable e) {
            model.addAttribute("error", "Search by " + by + " is unavailable: " + e.getMessage());
            return "search";
        }
        if (answer.absentApi()) {
            model.addAttribute("error", "Search by " + by + " is unavailable: merge-service has no match API here.");
            return "search";
        }
        if (!answer.ok()) {
            model.addAttribute("error", answer.detail());
            return "search";
        }
        List<JsonNode> candidates = new ArrayList<>();
        answer.body().path("candidates").forEach(candidates::add);
        model.addAttribute("candidates", candidates);
        return "search";
    }
}
