package dev.asof.support.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses oversized request bodies with 413 before anything reads them: at once when {@code Content-Length}
 * says so, and mid-stream for chunked bodies that grow past the limit. Refuses a body that arrives slower than
 * {@code asof.http.min-body-rate} once {@code asof.http.slow-body-grace} has passed ({@link BodyTooSlowException},
 * answered {@code 408 body-too-slow}): each read of a body waits for data, so a client sending a byte every few
 * seconds would otherwise hold a worker thread for as long as it liked.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {

    private final HttpLimitsProperties limits;
    private final JsonMapper json;

    BodySizeLimitFilter(HttpLimitsProperties limits, JsonMapper json) {
        this.limits = limits;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long maxBytes = limits.maxBodyBytes(request.getRequestURI());
        if (request.getContentLengthLong() > maxBytes) {
            response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setHeader("Connection", "close");
            json.writeValue(response.getOutputStream(), tooLarge(maxBytes));
            return;
        }
        chain.doFilter(
                new LimitedRequest(
                        request,
                        maxBytes,
                        limits.minBodyRate().toBytes(),
                        limits.slowBodyGrace().toNanos()),
                response);
    }

    static org.springframework.http.ProblemDetail tooLarge(long maxBytes) {
        return Problems.of(
                HttpStatus.CONTENT_TOO_LARGE,
                "body-too-large",
                "Request body too large",
                "The request body exceeds the limit of " + maxBytes + " bytes; split it into smaller requests.");
    }

    /** Signals a body that grew past the limit while being read (a handler that streams the body may catch it). */
    public static class BodyTooLargeException extends IOException {
        BodyTooLargeException(long maxBytes) {
            super("request body exceeds " + maxBytes + " bytes");
        }
    }

    /** Signals a body that arrives slower than the least rate taken (a handler that streams the body may catch it). */
    public static class BodyTooSlowException extends IOException {
        BodyTooSlowException(long bytesRead, long bytesPerSecond) {
            this("the request body arrived slower than " + bytesPerSecond + " bytes a second (" + bytesRead
                    + " bytes so far)");
        }

        BodyTooSlowException(String message) {
            super(message);
        }
    }

    /**
     * Whether {@code bytes} of a body begun at {@code startNanos} are fewer than {@code bytesPerSecond} for each
     * second after the grace period.
     */
    static boolean belowLeastRate(long bytes, long startNanos, long graceNanos, long bytesPerSecond) {
        long late = System.nanoTime() - startNanos - graceNanos;
        return late > 0 && bytes < (double) bytesPerSecond * late / 1e9;
    }

    /** The 408 for a body that arrived too slowly; the container closes the connection after it. */
    static org.springframework.http.ProblemDetail tooSlow(BodyTooSlowException slow) {
        return Problems.of(
                HttpStatus.REQUEST_TIMEOUT,
                "body-too-slow",
                "Request body too slow",
                slow.getMessage() + "; nothing of it was processed. Send the whole body promptly.");
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long maxBytes;
        private final long minBytesPerSecond;
        private final long graceNanos;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long maxBytes, long minBytesPerSecond, long graceNanos) {
            super(request);
            this.maxBytes = maxBytes;
            this.minBytesPerSecond = minBytesPerSecond;
            this.graceNanos = graceNanos;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), maxBytes, minBytesPerSecond, graceNanos);
            }
            return stream;
        }
    }

    private static final class LimitedStream extends ServletInputStream {
        private final ServletInputStream delegate;
        private final long maxBytes;
        private final long minBytesPerSecond;
        private final long graceNanos;
        private final long startNanos = System.nanoTime();
        private long read;

        LimitedStream(ServletInputStream delegate, long maxBytes, long minBytesPerSecond, long graceNanos) {
            this.delegate = delegate;
            this.maxBytes = maxBytes;
            this.minBytesPerSecond = minBytesPerSecond;
            this.graceNanos = graceNanos;
        }

        @Override
        public int read() throws IOException {
            checkRate();
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            checkRate();
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
            checkRate();
        }

        /**
         * Past the grace period, the bytes read so far must average the least rate over the time after it (a body
         * read to its end is not checked: the check comes before a read, and after one that got data).
         */
        private void checkRate() throws BodyTooSlowException {
            if (belowLeastRate(read, startNanos, graceNanos, minBytesPerSecond) && !delegate.isFinished()) {
                throw new BodyTooSlowException(read, minBytesPerSecond);
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
