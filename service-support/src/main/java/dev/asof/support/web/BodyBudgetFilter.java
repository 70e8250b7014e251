package dev.asof.support.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bounds the request-body bytes a service reads and parses at once ({@code asof.http.max-body-bytes-in-flight}).
 * A body is at most {@code asof.http.max-body-size}, but parsed into a JSON tree it takes ten to twenty times that;
 * counting requests would not do, since one 2 MB body weighs as much as a thousand small events. Each request
 * takes its {@code Content-Length} from the budget (a chunked one the most a body may be) and gives it back when
 * answered. One that finds no room within {@code asof.http.max-body-wait} gets {@code 503 busy} with {@code
 * Retry-After}: safe to retry, since nothing of it was read.
 */
class BodyBudgetFilter extends OncePerRequestFilter {

    private final Semaphore budgetKib;
    private final int maxBodyKib;
    private final long waitMillis;
    private final JsonMapper json;
    private final java.util.Set<String> streamedPaths;

    BodyBudgetFilter(HttpLimitsProperties limits, JsonMapper json) {
        this.streamedPaths = limits.streamedBodies().keySet();
        this.budgetKib = new Semaphore(kib(limits.maxBodyBytesInFlight().toBytes()), true);
        this.maxBodyKib = kib(limits.maxBodySize().toBytes());
        this.waitMillis = limits.maxBodyWait().toMillis();
        this.json = json;
    }

    private static int kib(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (bytes + 1023) / 1024));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return streamedPaths.contains(request.getRequestURI())
                || request.getContentLengthLong() == 0
                || (request.getContentLengthLong() < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long length = request.getContentLengthLong();
        // Larger than the limit: BodySizeLimitFilter refuses it without reading; it takes no more than the limit.
        int weight = length < 0 ? maxBodyKib : Math.min(maxBodyKib, kib(length));
        boolean admitted;
        try {
            admitted = budgetKib.tryAcquire(weight, waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            busy(request, response);
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            budgetKib.release(weight);
        }
    }

    private void busy(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, "1");
        response.setHeader(HttpHeaders.CONNECTION, "close");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        var problem = Problems.of(
                HttpStatus.SERVICE_UNAVAILABLE,
                "busy",
                "Busy",
                "More request bodies are being processed than this service takes at once; nothing of this one was"
                        + " read. Retry after a second.");
        problem.setInstance(Problems.instance(request));
        json.writeValue(response.getOutputStream(), problem);
    }
}
