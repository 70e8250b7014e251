package dev.asof.support.security;

import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import java.text.ParseException;
import java.util.stream.Collectors;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * Why a bearer JWT was refused, in words fit for a 401 body: fixed sentences chosen by the kind of failure, never the
 * library's message, which may quote parts of the token.
 */
final class TokenFailures {

    private TokenFailures() {}

    /** Whether the failure is a refused token (401), as opposed to keys that could not be fetched (503). */
    static boolean isInvalidToken(AuthenticationException e) {
        return e instanceof InvalidBearerTokenException;
    }

    /** Whether the issuer's JWK set could not be fetched, so the token could not be checked at all. */
    static boolean isKeysUnavailable(AuthenticationException e) {
        return e instanceof AuthenticationServiceException;
    }

    /** One sentence saying why the token was refused. */
    static String describe(AuthenticationException e) {
        JwtValidationException invalid = find(e, JwtValidationException.class);
        if (invalid != null) {
            // Spring's and asof's validator descriptions: fixed text, at most naming a claim or the expiry time.
            return invalid.getErrors().stream().map(OAuth2Error::getDescription).collect(Collectors.joining("; "))
                    + ".";
        }
        if (find(e, BadJWSException.class) != null) {
            return "The signature does not verify with the issuer's keys.";
        }
        if (find(e, ParseException.class) != null) {
            return "The token is not a well-formed JWT.";
        }
        if (find(e, BadJOSEException.class) != null) {
            return "No RS256 key in the issuer's JWK set matches the token's key id and algorithm.";
        }
        BadJwtException bad = find(e, BadJwtException.class);
        if (bad != null && bad.getMessage() != null && bad.getMessage().startsWith("Unsupported algorithm")) {
            return "The token is unsigned (alg none).";
        }
        return "The token is not valid.";
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> kind) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (kind.isInstance(cause)) {
                return kind.cast(cause);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }
}
