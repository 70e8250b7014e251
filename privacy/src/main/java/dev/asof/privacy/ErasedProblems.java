package dev.asof.privacy;

import dev.asof.events.Timestamps;
import dev.asof.support.web.Problems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A read that meets a value of an erased data subject answers {@code 410 Gone} ({@code erased}, with the time of the
 * erasure): erased means gone, never an error of the service. A key service (KMS) that does not answer is
 * {@code 503}. Ordered before the catch-all handler.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ErasedProblems {

    private static final Logger log = LoggerFactory.getLogger(ErasedProblems.class);

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

    /** KMS did not answer or refused: nothing was written, retry later. */
    @ExceptionHandler(KeyServiceUnavailableException.class)
    ResponseEntity<ProblemDetail> keyServiceUnavailable(KeyServiceUnavailableException e) {
        log.warn("key service unavailable: {}", e.getMessage());
        return Problems.unavailable(
                "key-service-unavailable",
                "Key service unavailable",
                "the key service holding the key-encryption key did not answer; nothing was half-written."
                        + " Retry with the same request.",
                1);
    }
}
