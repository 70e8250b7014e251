package dev.asof.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Points a Spring Boot service under test at the shared Kafka broker and dynalite. */
public final class AsofTestProperties {

    private AsofTestProperties() {}

    /** Every property a service needs to run against the shared infrastructure. */
    public static Map<String, String> all() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", SharedInfrastructure.kafkaBootstrapServers());
        properties.put(
                "spring.cloud.aws.dynamodb.endpoint",
                SharedInfrastructure.dynamoEndpoint().toString());
        properties.put("spring.cloud.aws.region.static", "us-east-1");
        properties.put("spring.cloud.aws.credentials.access-key", "local");
        properties.put("spring.cloud.aws.credentials.secret-key", "local");
        properties.putAll(TestApiKeys.properties());
        // one key-encryption key for every service of a test run, as ./asof up shares .asof/privacy/kek.json
        properties.put(
                "asof.privacy.kek-keyset-path",
                java.nio.file.Path.of("target", "asof-test", "privacy", "kek.json")
                        .toAbsolutePath()
                        .toString());
        return properties;
    }

    /** Registers {@link #all()} for {@code @DynamicPropertySource}. */
    public static void register(DynamicPropertyRegistry registry) {
        all().forEach((name, value) -> registry.add(name, () -> value));
    }
}
