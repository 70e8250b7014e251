package dev.asof.support.web;

import java.util.Map;
import org.springframework.http.ProblemDetail;

/** Thrown by controllers to answer with a specific problem (and optional headers such as Retry-After). */
public class ApiProblemException extends RuntimeException {

    private final transient ProblemDetail problem;
    private final Map<String, String> headers;

    public ApiProblemException(ProblemDetail problem) {
        this(problem, Map.of());
    }

    public ApiProblemException(ProblemDetail problem, Map<String, String> headers) {
        super(problem.getDetail());
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    public ProblemDetail problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
