package dev.asof.support.web;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;

/** Per-client rate limit (one bucket per API key): over the limit is 429 with Retry-After, nothing processed. */
class RateLimitInterceptor implements HandlerInterceptor {

    private final RateLimiterRegistry limiters;
    private final Duration period;

    RateLimitInterceptor(HttpLimitsProperties properties) {
        this.period = properties.rateLimitPeriod();
        this.limiters = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod(properties.rateLimit())
                .limitRefreshPeriod(properties.rateLimitPeriod())
                .timeoutDuration(Duration.ZERO)
                .build());
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (caller == null || !caller.isAuthenticated()) {
            return true;
        }
        RateLimiter limiter = limiters.rateLimiter(caller.getName());
        if (limiter.acquirePermission()) {
            return true;
        }
        long retryAfter = Math.max(1, (period.toMillis() + 999) / 1000);
        throw new ApiProblemException(
                Problems.of(
                        HttpStatus.TOO_MANY_REQUESTS,
                        "rate-limited",
                        "Too many requests",
                        "This API key made more than "
                                + limiter.getRateLimiterConfig().getLimitForPeriod() + " requests per "
                                + period.toMillis() + " ms; retry after " + retryAfter + " s."),
                Map.of("Retry-After", Long.toString(retryAfter)));
    }
}
