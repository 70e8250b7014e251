package dev.asof.reconstruction.web;

import dev.asof.reconstruction.resilience.ProfileStoreGuard;
import dev.asof.reconstruction.resilience.ProfileStoreUnavailableException;
import dev.asof.support.web.Problems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * DynamoDB slow or down: {@code 503 /problems/store-unavailable} with {@code Retry-After}, the same problem the
 * shared handler answers for a DynamoDB failure, here also for a read that ran out of its time budget or met an
 * open circuit breaker. Ordered before
 * the shared handler, whose catch-all would otherwise answer 500.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ProfileStoreProblems {

    private static final Logger log = LoggerFactory.getLogger(ProfileStoreProblems.class);

    @ExceptionHandler(ProfileStoreUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(ProfileStoreUnavailableException e) {
        log.warn("profile store unavailable: {}", e.getMessage());
        long retryAfter = ProfileStoreGuard.seconds(e.retryAfter());
        return Problems.unavailable(
                "store-unavailable",
                "Store unavailable",
                e.getMessage() + " Retry after " + retryAfter + " s.",
                retryAfter);
    }
}
