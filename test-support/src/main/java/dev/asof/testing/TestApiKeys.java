package dev.asof.testing;

import dev.asof.support.security.ApiKeys;
import java.util.LinkedHashMap;
import java.util.Map;

/** Raw API keys the integration tests use, and the configuration that makes a service accept them. */
public final class TestApiKeys {

    /** Every scope. */
    public static final String ALL_SCOPES = "test-key-all-scopes";

    /** Only {@code profile:read}. */
    public static final String PROFILE_READ_ONLY = "test-key-profile-read";

    /** Only {@code events:write}. */
    public static final String EVENTS_WRITE_ONLY = "test-key-events-write";

    /** The console's scopes: {@code profile:read} and {@code gdpr:erase}. */
    public static final String CONSOLE = "test-key-console";

    private TestApiKeys() {}

    /** The {@code asof.security.api-keys} properties for the test keys. */
    public static Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        key(properties, 0, "all", ALL_SCOPES, "events:write,profile:read,merge:write,gdpr:erase,metrics:read");
        key(properties, 1, "reader", PROFILE_READ_ONLY, "profile:read");
        key(properties, 2, "writer", EVENTS_WRITE_ONLY, "events:write");
        key(properties, 3, "console", CONSOLE, "profile:read,gdpr:erase");
        return properties;
    }

    private static void key(Map<String, String> properties, int index, String name, String raw, String scopes) {
        String prefix = "asof.security.api-keys[" + index + "].";
        properties.put(prefix + "name", name);
        properties.put(prefix + "sha256", ApiKeys.sha256Hex(raw));
        properties.put(prefix + "scopes", scopes);
    }
}
