package dev.asof.support.security;

import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The smallest app with asof's security: service-support's auto-configuration without storage and Kafka, and one
 * endpoint that needs {@code profile:read} (a GET, and a POST that reads its body).
 */
@SpringBootConfiguration
@EnableAutoConfiguration(
        excludeName = {
            "dev.asof.support.storage.StorageConfiguration",
            "dev.asof.support.kafka.KafkaTopicsConfiguration",
            "dev.asof.support.health.InfrastructureHealthConfiguration",
            "io.awspring.cloud.autoconfigure.dynamodb.DynamoDbAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@Import(SecuredTestApplication.ProbeController.class)
class SecuredTestApplication {

    /** API keys the tests send: every scope, and {@code profile:read} only (two clients). */
    static final String ALL_SCOPES_KEY = "asof_test_all_scopes";

    static final String READER_KEY = "asof_test_reader";

    /** A second client with {@code profile:read} only. */
    static final String OTHER_READER_KEY = "asof_test_other_reader";

    @RestController
    static class ProbeController {

        @GetMapping("/probe")
        @PreAuthorize("hasAuthority('SCOPE_profile:read')")
        Map<String, Object> probe(Authentication caller) {
            return Map.of(
                    "caller",
                    caller.getName(),
                    "authorities",
                    caller.getAuthorities().stream()
                            .map(Object::toString)
                            .sorted()
                            .toList());
        }

        /** Reads its body whole, then answers a second later, without holding a thread meanwhile. */
        @org.springframework.web.bind.annotation.PostMapping("/probe/slow")
        @PreAuthorize("hasAuthority('SCOPE_profile:read')")
        java.util.concurrent.CompletableFuture<Map<String, Object>> probeSlowly(
                @org.springframework.web.bind.annotation.RequestBody byte[] body) {
            return java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Map.of("bytes", body.length),
                    java.util.concurrent.CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS));
        }

        /** Reads its body whole, as the services' endpoints do. */
        @org.springframework.web.bind.annotation.PostMapping("/probe")
        @PreAuthorize("hasAuthority('SCOPE_profile:read')")
        Map<String, Object> probeBody(@org.springframework.web.bind.annotation.RequestBody byte[] body) {
            return Map.of("bytes", body.length);
        }
    }

    /** Makes the app accept {@link #ALL_SCOPES_KEY}, {@link #READER_KEY} and {@link #OTHER_READER_KEY}. */
    static void apiKeys(DynamicPropertyRegistry registry) {
        registry.add("asof.security.api-keys[0].name", () -> "all");
        registry.add("asof.security.api-keys[0].sha256", () -> ApiKeys.sha256Hex(ALL_SCOPES_KEY));
        registry.add(
                "asof.security.api-keys[0].scopes",
                () -> "events:write,profile:read,merge:write,gdpr:erase,metrics:read");
        registry.add("asof.security.api-keys[1].name", () -> "reader");
        registry.add("asof.security.api-keys[1].sha256", () -> ApiKeys.sha256Hex(READER_KEY));
        registry.add("asof.security.api-keys[1].scopes", () -> "profile:read");
        registry.add("asof.security.api-keys[2].name", () -> "other-reader");
        registry.add("asof.security.api-keys[2].sha256", () -> ApiKeys.sha256Hex(OTHER_READER_KEY));
        registry.add("asof.security.api-keys[2].scopes", () -> "profile:read");
    }
}
