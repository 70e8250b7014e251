package dev.asof.merge.matching.web;

import static dev.asof.support.web.GenesysActions.authorization;
import static dev.asof.support.web.GenesysActions.ordered;
import static dev.asof.support.web.GenesysActions.property;

import dev.asof.merge.matching.MatchingProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/integrations/genesys/match-action}: a Genesys Cloud "Web Services Data Actions" custom action
 * for the interaction-start lookup, ready to import. Input: the catalog's match attributes, each optional (an
 * Architect flow passes {@code Call.Ani}, a chat's email, ...); it posts them to {@code POST /api/v1/match?view=flat}
 * and its flat output is the best candidate, its score and its decision band. See {@code docs/contact-centre.md}.
 */
@RestController
class GenesysMatchActionController {

    private final MatchingProperties properties;

    GenesysMatchActionController(MatchingProperties properties) {
        this.properties = properties;
    }

    @GetMapping("/api/v1/integrations/genesys/match-action")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    Map<String, Object> matchAction(@RequestParam(name = "credentials", required = false) String credentials) {
        String base = properties.publicBaseUrl().replaceAll("/+$", "");
        List<String> keys =
                new ArrayList<>(new TreeSet<>(properties.catalog().fields().keySet()));
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("name", "asof - Match suggestion at interaction start");
        action.put("integrationType", "custom-rest-actions");
        action.put("actionType", "custom");
        action.put(
                "config",
                Map.of(
                        "request",
                        ordered(
                                "requestUrlTemplate",
                                base + "/api/v1/match?view=flat",
                                "requestType",
                                "POST",
                                "headers",
                                ordered(
                                        "Authorization",
                                        authorization(credentials),
                                        "Content-Type",
                                        "application/json",
                                        "Accept",
                                        "application/json"),
                                "requestTemplate",
                                requestTemplate(keys)),
                        "response",
                        ordered(
                                "translationMap", Map.of(),
                                "translationMapDefaults", Map.of(),
                                "successTemplate", "${rawResult}")));
        action.put(
                "contract",
                ordered(
                        "input", Map.of("inputSchema", inputSchema(keys)),
                        "output", Map.of("successSchema", outputSchema())));
        // phone numbers, emails and names are personal data: keep them out of Architect's execution logs
        action.put("secure", true);
        return action;
    }

    /** {"attributes": {"phone": "$esc.jsonString(${input.phone})", ...}}: an input the flow left empty is "". */
    private static String requestTemplate(List<String> keys) {
        StringBuilder template = new StringBuilder("{\"attributes\": {");
        for (int i = 0; i < keys.size(); i++) {
            String input = inputName(keys.get(i));
            template.append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(keys.get(i))
                    .append("\": \"#if(${input.")
                    .append(input)
                    .append("})$esc.jsonString(${input.")
                    .append(input)
                    .append("})#end\"");
        }
        return template.append("}}").toString();
    }

    /** Architect variable names take no dots: address.postcode becomes address_postcode. */
    private static String inputName(String key) {
        return key.replace('.', '_');
    }

    private static Map<String, Object> inputSchema(List<String> keys) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (String key : keys) {
            inputs.put(inputName(key), property("string", "The interaction's " + key + ", if known; may be empty."));
        }
        return ordered(
                "$schema", "http://json-schema.org/draft-04/schema#",
                "title", "asof match request",
                "description", "What the interaction tells about the person; every input is optional.",
                "type", "object",
                "properties", inputs,
                "additionalProperties", true);
    }

    private static Map<String, Object> outputSchema() {
        return ordered(
                "$schema", "http://json-schema.org/draft-04/schema#",
                "title", "asof match suggestion",
                "description", "The best candidate; empty when there is none.",
                "type", "object",
                "properties",
                        ordered(
                                "best_customer_id",
                                        property("string", "The best candidate's customer id; empty when none."),
                                "best_score", property("string", "Its score, 0 to 1."),
                                "best_decision",
                                        property("string", "auto_merge, review or none: what the thresholds say."),
                                "candidate_count", property("string", "How many candidates were found.")),
                "additionalProperties", true);
    }
}
