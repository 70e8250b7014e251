package dev.asof.support.web;

import dev.asof.events.Violation;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers the container's error dispatches ({@code sendError} from Tomcat, Spring Security's firewall, a
 * request that timed out) with problem+json, in place of Spring Boot's default JSON. A request for {@code /error}
 * itself is a 404 like any unknown path.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping(
            path = "/error",
            produces = {MediaType.APPLICATION_PROBLEM_JSON_VALUE, "*/*"})
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 && value <= 599 ? value : 404;
        Object refusedPath = request.getAttribute(RefusedPaths.REASON);
        ProblemDetail problem;
        if (request.getAttribute(BodyPrereadFilter.UNREADABLE) != null) {
            // Tomcat's answer to a body read without a thread that failed is a 500
            status = 400;
            problem = unreadableBody();
        } else if (status == 400 && refusedPath instanceof String reason) {
            problem = ApiExceptionHandler.invalid(List.of(new Violation(
                    "path",
                    "path-characters",
                    reason + ". Paths take ids as they are: no semicolon, encoded slash or dot segment, no double"
                            + " slash or backslash")));
        } else if (status == 400 && bodyUnreadable(request.getAttribute(RequestDispatcher.ERROR_EXCEPTION))) {
            problem = unreadableBody();
        } else {
            problem = problem(status);
        }
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (code != null && uri instanceof String path) {
            try {
                problem.setInstance(new java.net.URI(path));
            } catch (java.net.URISyntaxException e) {
                // a hostile path is no instance worth naming
            }
        }
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    /** The 400 for a body that could not be read to its end. */
    static ProblemDetail unreadableBody() {
        return Problems.of(
                HttpStatus.BAD_REQUEST,
                "unreadable-body",
                "Unreadable body",
                "The request body could not be read to its end (it broke off, or its length or chunked framing"
                        + " is wrong); nothing of it was stored. Send it again.");
    }

    /**
     * Whether the container refused the request because its body could not be read: Tomcat marks the response 400
     * when a read of a body fails (it broke off, a chunk header is not one) whatever the application then answers,
     * and names the failure here (an outside probe's broken-off campaign upload got the generic 400 instead).
     */
    private static boolean bodyUnreadable(Object failure) {
        Object cause = failure;
        for (int depth = 0; depth < 10 && cause instanceof Throwable thrown; depth++) {
            if (thrown instanceof java.io.IOException) {
                return true;
            }
            cause = thrown.getCause();
        }
        return false;
    }

    /** The problem for a bare status raised by the container, with a stable type per status. */
    static ProblemDetail problem(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = switch (status) {
            case 400 ->
                "The container refused the request before the API saw it, for a reason it did not leave behind (the"
                        + " ones it does are named: docs/problems.md). It was not processed.";
            case 404 -> "No such resource; see /v3/api-docs for the API.";
            case 405 -> "This method is not allowed on this path.";
            case 408 -> "The request body did not arrive in time; send the whole body promptly.";
            case 413 -> "The request is too large.";
            case 431 -> "The request's headers are too large.";
            case 503 -> "The service is unavailable right now; retry shortly.";
            default ->
                status >= 500
                        ? "The request failed unexpectedly; nothing was half-written. It is safe to retry."
                        : "The request was refused (" + title + ").";
        };
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
        problem.setType(Problems.type(Problems.kindOf(status)));
        problem.setTitle(title);
        return problem;
    }
}
