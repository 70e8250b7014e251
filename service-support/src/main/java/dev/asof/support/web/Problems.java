package dev.asof.support.web;

import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * RFC 9457 problem details with a stable {@code type} per error kind: {@code /problems/<kind>}, documented in
 * {@code docs/problems.md}.
 */
public final class Problems {

    private Problems() {}

    /** A problem of {@code kind} with a title and a detail for a person. */
    public static ProblemDetail of(HttpStatus status, String kind, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(kind));
        problem.setTitle(title);
        return problem;
    }

    /**
     * {@code 503} with {@code Retry-After} (whole seconds, at least 1): a dependency did not answer; the detail says
     * what that means for the request (for a write: nothing half-written), and it may be sent again after that long.
     */
    public static ResponseEntity<ProblemDetail> unavailable(
            String kind, String title, String detail, long retryAfterSeconds) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfterSeconds)))
                .body(of(HttpStatus.SERVICE_UNAVAILABLE, kind, title, detail));
    }

    /**
     * The request's path as a problem's {@code instance}, or {@code null} when the raw path is no valid URI
     * reference (a hostile path must not turn a 4xx into a 500).
     */
    public static URI instance(jakarta.servlet.http.HttpServletRequest request) {
        String path = request.getRequestURI();
        if (path == null || path.length() > 2048) {
            return null;
        }
        try {
            return new URI(path);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** The kind of error a bare HTTP status stands for, for errors raised below the API (the container's). */
    public static String kindOf(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null
                ? "http-" + status
                : known.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Text from a request as a problem may quote it back: printable ASCII (anything else becomes {@code ?}), at most
     * 64 characters, so a hostile value can neither bloat the answer nor carry control characters into it.
     */
    public static String quoted(String text) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < text.length() && shown.length() < 64; i++) {
            char c = text.charAt(i);
            shown.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > 64 ? shown + "..." : shown.toString();
    }

    /** The stable type URI of an error kind. */
    public static URI type(String kind) {
        return URI.create("/problems/" + kind);
    }
}
