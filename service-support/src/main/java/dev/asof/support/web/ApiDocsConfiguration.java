package dev.asof.support.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * What every service's {@code /v3/api-docs} says besides its controllers: the service's name, the bearer credential
 * every endpoint but health needs (an API key or an OAuth2 access token, scopes per endpoint in the README), and the
 * problem+json answers every operation may give (400, 401, 403, 429, 503 and 500; 404 where the path names
 * something; 413 and 415 where there is a body), each with the {@code Problem} schema. {@code /error}, the
 * container's error dispatch, is left out.
 */
@AutoConfiguration
@ConditionalOnClass(OpenApiCustomizer.class)
public class ApiDocsConfiguration {

    static final String PROBLEM = "Problem";
    static final String BEARER = "bearer";

    private static final Map<String, String> ALWAYS = ordered(
            "400", "The request breaks a rule: `errors` names each field (JSON pointer) and rule.",
            "401", "No credential, or one that is not valid.",
            "403", "The credential lacks the scope this endpoint needs.",
            "429", "Too many requests from this client; retry after `Retry-After` seconds.",
            "503",
                    "A dependency (Kafka, DynamoDB) is unavailable or the service is busy; nothing was half-written."
                            + " Retry after `Retry-After` seconds with the same request.",
            "500", "An unexpected failure; nothing was half-written. Safe to retry.");

    @Bean
    OpenApiCustomizer asofApiDocs(Environment environment) {
        String service = environment.getProperty("spring.application.name", "asof");
        return api -> describe(api, service);
    }

    static void describe(OpenAPI api, String service) {
        api.info(new Info()
                .title("asof " + service)
                .version("v1")
                .description("Part of asof, the point-in-time customer profile store. Every endpoint but"
                        + " /actuator/health needs `Authorization: Bearer <API key or OAuth2 access token>` holding the"
                        + " scope the README lists for it. Errors are application/problem+json (RFC 9457) with a"
                        + " stable `type` per kind."));
        if (api.getPaths() != null) {
            api.getPaths().remove("/error");
        }
        Components components = api.getComponents() == null ? new Components() : api.getComponents();
        api.components(components);
        components.addSecuritySchemes(
                BEARER,
                new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("An API key (asof.security.api-keys) or a JWT access token from the configured"
                                + " issuer, with the endpoint's scope."));
        components.addSchemas(PROBLEM, problemSchema());
        api.security(java.util.List.of(new SecurityRequirement().addList(BEARER)));
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths()
                .forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                    Map<String, String> answers = new LinkedHashMap<>(ALWAYS);
                    if (path.contains("{")) {
                        answers.put("404", "Nothing has that id (or, for reads of an erased customer, see 410).");
                    }
                    if (operation.getRequestBody() != null) {
                        answers.put("413", "The body is larger than this endpoint takes.");
                        answers.put("415", "The Content-Type is not one this endpoint takes (UTF-8 only).");
                    }
                    answers.forEach((status, description) -> addProblem(operation, status, description));
                    operation.getResponses().values().forEach(ApiDocsConfiguration::problemSchemaWhereMissing);
                }));
    }

    private static void addProblem(Operation operation, String status, String description) {
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        operation.setResponses(responses);
        if (responses.containsKey(status)) {
            return;
        }
        responses.addApiResponse(
                status,
                new ApiResponse()
                        .description(description)
                        .content(new Content()
                                .addMediaType(
                                        "application/problem+json",
                                        new MediaType()
                                                .schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)))));
    }

    /** A problem+json answer an endpoint declared without a schema (406, 408, 409) refers to {@code Problem}. */
    private static void problemSchemaWhereMissing(ApiResponse response) {
        if (response.getContent() == null) {
            return;
        }
        MediaType problem = response.getContent().get("application/problem+json");
        if (problem != null && problem.getSchema() == null) {
            problem.setSchema(new Schema<>().$ref("#/components/schemas/" + PROBLEM));
        }
    }

    private static Schema<?> problemSchema() {
        ObjectSchema violation = new ObjectSchema();
        violation.addProperty("pointer", new StringSchema().description("JSON pointer of the field, or its name"));
        violation.addProperty("rule", new StringSchema().description("the rule broken (required, type, maxLength...)"));
        violation.addProperty("detail", new StringSchema().description("the rule in words (never the value sent)"));
        ObjectSchema problem = new ObjectSchema();
        problem.description("application/problem+json (RFC 9457)");
        problem.addProperty("type", new StringSchema().description("/problems/<kind>, stable per kind"));
        problem.addProperty("title", new StringSchema());
        problem.addProperty("status", new IntegerSchema());
        problem.addProperty("detail", new StringSchema());
        problem.addProperty("instance", new StringSchema());
        problem.addProperty("errors", new ArraySchema().items(violation).description("for 400: every rule broken"));
        return problem;
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
