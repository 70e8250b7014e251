package dev.asof.support.web;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request body whole before the endpoint runs, without holding a worker thread while the body arrives: the
 * request goes asynchronous, the container calls back as bytes come (a non-blocking read, chunk framing included),
 * and once the body is in, the request is dispatched again with the body in memory. A client that sends slowly, or
 * stalls inside a chunk's framing, therefore holds a connection and its share of the body budget, never a thread.
 *
 * <p>A body must arrive whole within {@code asof.http.max-body-time} and, once {@code asof.http.slow-body-grace} has
 * passed, at {@code asof.http.min-body-rate} on average; otherwise it is {@code 408 body-too-slow} and the
 * connection is closed without reading the rest. A chunked body that grows past {@code asof.http.max-body-size} is
 * {@code 413}. The body is at most that size, and it is counted in the body budget ({@link BodyBudgetFilter}, just
 * before this filter) until the request is answered.
 *
 * <p>Runs after Spring Security, so a request without valid credentials is refused before anything of its body is
 * read. Streamed bodies (campaign uploads) are left to their handler, which reads them as they come.
 */
class BodyPrereadFilter extends OncePerRequestFilter {

    /** The request attribute that carries the body from the reading to the dispatch that handles it. */
    static final String BODY = BodyPrereadFilter.class.getName() + ".body";

    /** Set on a request whose body could not be read to its end. */
    static final String UNREADABLE = BodyPrereadFilter.class.getName() + ".unreadable";

    private static final int READ_BUFFER = 8192;

    private final HttpLimitsProperties limits;
    private final Set<String> streamedPaths;
    private final JsonMapper json;

    BodyPrereadFilter(HttpLimitsProperties limits, JsonMapper json) {
        this.limits = limits;
        this.streamedPaths = limits.streamedBodies().keySet();
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        // the dispatch that handles the body read
        return false;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (request.getAttribute(BODY) != null) {
            return false;
        }
        return streamedPaths.contains(request.getRequestURI()) || !hasBody(request);
    }

    /** Whether the request announced a body: a length above zero, or a transfer coding. */
    static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0
                || (request.getContentLengthLong() < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getAttribute(BODY) instanceof byte[] body) {
            chain.doFilter(new ReadBody(request, body), response);
            return;
        }
        if (request.getDispatcherType() != DispatcherType.REQUEST || !request.isAsyncSupported()) {
            chain.doFilter(request, response);
            return;
        }
        if (BodyBudgetFilter.callerName() == null) {
            // A request without credentials reaches only endpoints open to all (health, /error), which take no body:
            // they see none, and this one is never read (UnreadBodyValve answers and closes). Actuator's health
            // endpoint reads a JSON body if there is one: trickled, it held a worker thread.
            chain.doFilter(new ReadBody(request, new byte[0]), response);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(limits.maxBodyTime().toMillis());
        Reading reading = new Reading(async, (HttpServletRequest) async.getRequest());
        async.addListener(reading);
        async.getRequest().getInputStream().setReadListener(reading);
    }

    /** One body being read; called back by the container as bytes arrive, when all have, and at the deadline. */
    private final class Reading implements ReadListener, AsyncListener {

        private final AsyncContext async;
        private final HttpServletRequest request;
        private final long maxBytes;
        private final long startNanos = System.nanoTime();
        private final byte[] buffer = new byte[READ_BUFFER];
        private final ByteArrayOutputStream body;
        private boolean done;

        Reading(AsyncContext async, HttpServletRequest request) {
            this.async = async;
            this.request = request;
            this.maxBytes = limits.maxBodyBytes(request.getRequestURI());
            long length = request.getContentLengthLong();
            this.body = new ByteArrayOutputStream((int) Math.min(maxBytes, length > 0 ? length : READ_BUFFER));
        }

        @Override
        public synchronized void onDataAvailable() throws IOException {
            ServletInputStream in = request.getInputStream();
            while (!done && in.isReady()) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException broken) {
                    unreadable();
                    return;
                }
                if (n < 0) {
                    return;
                }
                body.write(buffer, 0, n);
                if (body.size() > maxBytes) {
                    refuse(BodySizeLimitFilter.tooLarge(maxBytes));
                    return;
                }
            }
            long rate = limits.minBodyRate().toBytes();
            // a body of known length that has arrived whole is not checked (Tomcat reports it finished rather than
            // reading -1), however long it took within max-body-time
            if (!done
                    && !in.isFinished()
                    && BodySizeLimitFilter.belowLeastRate(
                            body.size(), startNanos, limits.slowBodyGrace().toNanos(), rate)) {
                refuse(BodySizeLimitFilter.tooSlow(new BodySizeLimitFilter.BodyTooSlowException(body.size(), rate)));
            }
        }

        @Override
        public synchronized void onAllDataRead() {
            if (done) {
                return;
            }
            done = true;
            if (request.getAttribute(BodyBudgetFilter.SHARE) instanceof BodyBudgetFilter.Release share) {
                share.shrinkTo(body.size());
            }
            request.setAttribute(BODY, body.toByteArray());
            async.dispatch();
        }

        @Override
        public synchronized void onError(Throwable failure) {
            if (failure instanceof SocketTimeoutException) {
                // nothing arrived for server.tomcat.connection-timeout: the client is there, but stopped sending
                refuse(BodySizeLimitFilter.tooSlow(new BodySizeLimitFilter.BodyTooSlowException(
                        "no byte of the request body arrived for too long (" + body.size() + " bytes so far)")));
            } else {
                unreadable();
            }
        }

        /**
         * The body broke off or its chunked framing is not valid (or the client went away): Tomcat answers through its
         * error page, which this marks as {@code 400 unreadable-body} ({@link ProblemErrorController}). An answer
         * written here would be replaced by a 500.
         */
        private void unreadable() {
            if (done) {
                // read already: an error during the dispatch that handles it is that dispatch's own
                return;
            }
            done = true;
            request.setAttribute(UNREADABLE, Boolean.TRUE);
        }

        @Override
        public synchronized void onTimeout(AsyncEvent event) {
            refuse(BodySizeLimitFilter.tooSlow(
                    new BodySizeLimitFilter.BodyTooSlowException("the request body was not received within "
                            + limits.maxBodyTime().toSeconds() + " s (" + body.size() + " bytes so far)")));
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onComplete(AsyncEvent event) {}

        @Override
        public void onStartAsync(AsyncEvent event) {}

        /** Answers {@code problem} and ends the request; the rest of the body is not read (the connection closes). */
        private void refuse(ProblemDetail problem) {
            if (done) {
                return;
            }
            done = true;
            try {
                HttpServletResponse response = (HttpServletResponse) async.getResponse();
                if (!response.isCommitted()) {
                    response.setStatus(problem.getStatus());
                    response.setHeader(HttpHeaders.CONNECTION, "close");
                    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                    problem.setInstance(Problems.instance(request));
                    json.writeValue(response.getOutputStream(), problem);
                    // out now: after a read timeout Tomcat closes the connection once the listener returns
                    response.flushBuffer();
                }
            } catch (IOException | RuntimeException gone) {
                // the client went away while it was answered: the request ends all the same
            } finally {
                async.complete();
            }
        }
    }

    /** The request as the endpoint sees it: its body already read, served from memory. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;
        private ServletInputStream stream;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            if (stream == null) {
                ByteArrayInputStream in = new ByteArrayInputStream(body);
                stream = new ServletInputStream() {
                    @Override
                    public int read() {
                        return in.read();
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) {
                        return in.read(buffer, offset, length);
                    }

                    @Override
                    public boolean isFinished() {
                        return in.available() == 0;
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        throw new IllegalStateException("the body has been read already");
                    }
                };
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
