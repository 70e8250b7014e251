package dev.asof.support.security;

import java.util.Set;

/** The scopes an API key may carry, and the authority each becomes inside Spring Security. */
public final class Scopes {

    public static final String EVENTS_WRITE = "events:write";
    public static final String PROFILE_READ = "profile:read";
    public static final String MERGE_WRITE = "merge:write";
    public static final String GDPR_ERASE = "gdpr:erase";
    public static final String METRICS_READ = "metrics:read";

    /** Every scope there is. */
    public static final Set<String> ALL = Set.of(EVENTS_WRITE, PROFILE_READ, MERGE_WRITE, GDPR_ERASE, METRICS_READ);

    private Scopes() {}

    /** The granted authority for a scope. */
    public static String authority(String scope) {
        return "SCOPE_" + scope;
    }
}
