package dev.asof.support.web;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bounds how many requests with a body are read and parsed at once ({@code asof.http.max-concurrent-bodies}).
 * Each body is at most {@code asof.http.max-body-size}, but its parsed form takes several times that; without a
 * bound, a few hundred concurrent large bodies would exhaust any heap. A request that finds no place within
 * {@code asof.http.max-body-wait} is answered {@code 503 busy} with {@code Retry-After}: safe to retry, since
 * nothing of it was read.
 */
class BodyBulkheadFilter extends OncePerRequestFilter {

    private final Bulkhead bulkhead;
    private final JsonMapper json;

    BodyBulkheadFilter(Bulkhead bulkhead, JsonMapper json) {
        this.bulkhead = bulkhead;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getContentLengthLong() == 0
                || (request.getContentLengthLong() < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            bulkhead.executeCheckedSupplier(() -> {
                chain.doFilter(request, response);
                return null;
            });
        } catch (BulkheadFullException e) {
            response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            var problem = Problems.of(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "busy",
                    "Busy",
                    "Too many requests with a body are being processed at once; nothing of this one was read."
                            + " Retry after a second.");
            problem.setInstance(Problems.instance(request));
            json.writeValue(response.getOutputStream(), problem);
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new ServletException(e);
        }
    }
}
