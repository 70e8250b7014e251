package dev.asof.reconstruction.integrations.web;

import static dev.asof.support.web.GenesysActions.authorization;
import static dev.asof.support.web.GenesysActions.ordered;
import static dev.asof.support.web.GenesysActions.property;

import dev.asof.reconstruction.integrations.AttributeCatalog;
import dev.asof.reconstruction.integrations.IntegrationProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/integrations/genesys/data-action}: a Genesys Cloud "Web Services Data Actions" custom action,
 * ready to import (Admin > Integrations > Actions > Import). Input contract {@code customerId} and {@code
 * timestamp} (for example {@code ToString(Flow.StartDateTimeUtc)}); flat output contract from the attribute
 * catalog; the request asks for {@code view=flat}. See {@code docs/contact-centre.md}.
 */
@RestController
class GenesysDataActionController {

    private final AttributeCatalog catalog;
    private final IntegrationProperties properties;

    GenesysDataActionController(AttributeCatalog catalog, IntegrationProperties properties) {
        this.catalog = catalog;
        this.properties = properties;
    }

    @GetMapping("/api/v1/integrations/genesys/data-action")
    @PreAuthorize("hasAuthority('SCOPE_profile:read')")
    Map<String, Object> dataAction(@RequestParam(name = "credentials", required = false) String credentials) {
        String authorization = authorization(credentials);
        String base = properties.publicBaseUrl().replaceAll("/+$", "");
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("name", "asof - Customer profile at interaction start");
        action.put("integrationType", "custom-rest-actions");
        action.put("actionType", "custom");
        action.put(
                "config",
                Map.of(
                        "request",
                        ordered(
                                "requestUrlTemplate",
                                base + "/api/v1/customers/$esc.url(${input.customerId})/profile/at/"
                                        + "$esc.url(${input.timestamp})?view=flat",
                                "requestType",
                                "GET",
                                "headers",
                                ordered("Authorization", authorization, "Accept", "application/json"),
                                "requestTemplate",
                                "${input.rawRequest}"),
                        "response",
                        ordered(
                                "translationMap", Map.of(),
                                "translationMapDefaults", Map.of(),
                                "successTemplate", "${rawResult}")));
        action.put(
                "contract",
                ordered(
                        "input", Map.of("inputSchema", inputSchema()),
                        "output", Map.of("successSchema", outputSchema())));
        // Personal data stays out of Architect's execution logs when the action is secure.
        action.put("secure", catalog.attributes().stream().anyMatch(AttributeCatalog.Entry::pii));
        return action;
    }

    private static Map<String, Object> inputSchema() {
        return ordered(
                "$schema", "http://json-schema.org/draft-04/schema#",
                "title", "asof profile request",
                "description",
                        "Which customer, and at what moment (ISO-8601 UTC, e.g. ToString(Flow.StartDateTimeUtc)).",
                "type", "object",
                "required", List.of("customerId", "timestamp"),
                "properties",
                        ordered(
                                "customerId", property("string", "The customer id asof knows the caller by."),
                                "timestamp",
                                        property(
                                                "string",
                                                "The moment to reconstruct, ISO-8601 with Z or epoch milliseconds.")),
                "additionalProperties", true);
    }

    private Map<String, Object> outputSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("customer_id", property("string", "The customer asked about."));
        properties.put("resolved_customer_id", property("string", "The identity it resolves to through merges."));
        properties.put("as_of", property("string", "The moment reconstructed (UTC)."));
        properties.put("known_at", property("string", "What asof knew at (UTC)."));
        for (AttributeCatalog.Entry entry : catalog.attributes()) {
            String description = (entry.description().isBlank() ? entry.key() : entry.description()) + " ("
                    + entry.type() + (entry.pii() ? ", personal data" : "") + "; absent when not set)";
            properties.put(entry.flatName(), property("string", description));
        }
        properties.put("truncated", property("string", "\"true\" when attributes were left out to stay under 32 KB."));
        List<String> required = new ArrayList<>(List.of("customer_id", "as_of"));
        return ordered(
                "$schema", "http://json-schema.org/draft-04/schema#",
                "title", "asof flat profile",
                "description", "One string per attribute, as asof's view=flat returns it.",
                "type", "object",
                "required", required,
                "properties", properties,
                "additionalProperties", true);
    }
}
