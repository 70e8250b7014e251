package dev.asof.support.security;

import java.util.regex.Pattern;

/**
 * Tells the two kinds of {@code Authorization: Bearer} credential apart by their shape alone, so the same header
 * always takes the same path: a JWT is three base64url parts joined by dots (the third empty when unsigned); an asof
 * API key ({@code asof_dev_...}, or any key an operator configures) has no dots.
 */
final class BearerTokens {

    static final String PREFIX = "Bearer ";

    private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private BearerTokens() {}

    /** The credential after {@code Bearer }, or null when the header is absent or another scheme. */
    static String credential(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return null;
        }
        return authorizationHeader.substring(PREFIX.length()).trim();
    }

    /** Whether a bearer credential has the compact serialization shape of a JWT (JWS or unsecured). */
    static boolean looksLikeJwt(String credential) {
        return credential != null && JWT_SHAPE.matcher(credential).matches();
    }
}
