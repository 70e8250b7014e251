package dev.asof.support.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Spring Security's firewall refusing a request's path (a semicolon, an encoded dot segment, a double slash, ...):
 * the reason is kept on the request and {@link ProblemErrorController} answers a {@code 400} naming {@code path} and
 * the rule, instead of the bare "malformed" the container's own refusals get. The firewall's reasons name the
 * character or form refused, never the rest of the path.
 */
public final class RefusedPaths implements RequestRejectedHandler {

    /** The request attribute holding the firewall's reason. */
    static final String REASON = RefusedPaths.class.getName() + ".reason";

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
            throws IOException {
        request.setAttribute(REASON, rejected.getMessage());
        response.sendError(HttpServletResponse.SC_BAD_REQUEST);
    }
}
