package dev.asof.support.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every generated Genesys Cloud data action shares: the Authorization header for the integration's credentials,
 * and JSON Schema building blocks in a fixed order (Genesys shows the contract as written).
 */
public final class GenesysActions {

    private GenesysActions() {}

    /**
     * The Authorization header the action sends: the integration's API key ({@code credentials} {@code null} or
     * {@code api-key}: "User Defined" credentials), or the access token a "User Defined (OAuth)" integration fetched
     * ({@code oauth}; docs/security.md). Anything else is a 400 naming {@code credentials}.
     */
    public static String authorization(String credentials) {
        if (credentials == null || credentials.equals("api-key")) {
            return "Bearer ${credentials.apiKey}";
        }
        if (credentials.equals("oauth")) {
            return "Bearer ${authResponse.access_token}";
        }
        throw RequestParameters.invalid("credentials", "enum", "credentials must be api-key (the default) or oauth");
    }

    /** A schema property: {@code {"type": type, "description": description}}. */
    public static Map<String, Object> property(String type, String description) {
        return ordered("type", type, "description", description);
    }

    /** A map of the given keys and values, in that order. */
    public static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
