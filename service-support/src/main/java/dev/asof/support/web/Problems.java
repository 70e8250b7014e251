package dev.asof.support.web;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

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

    /** The stable type URI of an error kind. */
    public static URI type(String kind) {
        return URI.create("/problems/" + kind);
    }
}
