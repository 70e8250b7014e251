package dev.asof.privacy;

import dev.asof.events.Timestamps;
import dev.asof.support.web.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A read that meets a value of an erased data subject answers {@code 410 Gone} ({@code erased}, with the time of the
 * erasure): erased means gone, never an error of the service. Ordered before the catch-all handler.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ErasedProblems {

    @ExceptionHandler(SubjectErasedException.class)
    ProblemDetail erased(SubjectErasedException e) {
        ProblemDetail problem = Problems.of(
                HttpStatus.GONE,
                "erased",
                "Erased",
                "customer " + e.customerId() + " was erased at " + Timestamps.format(e.erasedAt())
                        + " at the data subject's request; its data is gone and cannot be read at any time");
        problem.setProperty("customer_id", e.customerId());
        problem.setProperty("erased_at", Timestamps.format(e.erasedAt()));
        return problem;
    }
}
