package dev.asof.support.security;

import dev.asof.support.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * 401, 403 and 503 as {@code application/problem+json}: a missing or unknown API key, a refused bearer JWT, a missing
 * scope, and an issuer whose keys could not be fetched.
 */
class ProblemWritingHandlers implements AuthenticationEntryPoint, AccessDeniedHandler, AuthenticationFailureHandler {

    /** How long a caller should wait before retrying when the issuer's keys could not be fetched. */
    static final int KEYS_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

    private final JsonMapper json;
    private final String credentialHint;

    ProblemWritingHandlers(JsonMapper json, boolean tokensAccepted) {
        this.json = json;
        this.credentialHint = tokensAccepted
                ? "Send 'Authorization: Bearer <api key>' or 'Authorization: Bearer <access token>'."
                : "Send 'Authorization: Bearer <api key>'.";
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        ProblemDetail problem = Problems.of(
                HttpStatus.UNAUTHORIZED,
                "unauthorized",
                "Missing or invalid credentials",
                e.getMessage() == null || e.getMessage().startsWith("Full authentication")
                        ? credentialHint
                        : e.getMessage() + ". " + credentialHint);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"asof\"");
        write(request, response, problem);
    }

    /** A bearer JWT that did not authenticate: refused (401), or not checkable because the keys are out of reach (503). */
    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        if (TokenFailures.isKeysUnavailable(e)) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(KEYS_UNAVAILABLE_RETRY_AFTER_SECONDS));
            write(
                    request,
                    response,
                    Problems.of(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "token-keys-unavailable",
                            "Token keys unavailable",
                            "The token issuer's signing keys (JWK set) could not be fetched in time, so the token"
                                    + " could not be checked. Retry later."));
            return;
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"asof\", error=\"invalid_token\"");
        write(
                request,
                response,
                Problems.of(
                        HttpStatus.UNAUTHORIZED, "invalid-token", "Invalid bearer token", TokenFailures.describe(e)));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        write(
                request,
                response,
                Problems.of(
                        HttpStatus.FORBIDDEN,
                        "forbidden",
                        "Missing scope",
                        "These credentials lack the scope this endpoint requires."));
    }

    private void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
            throws IOException {
        problem.setInstance(dev.asof.support.web.Problems.instance(request));
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
