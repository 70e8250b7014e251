package dev.asof.support.web;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.ApplicationBufferHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request answered before its body was read to its end (401, 403, 413, 415, 503 before {@link BodyPrereadFilter}
 * reads it; 404, 405, 429 for a streamed body) does not keep a
 * worker thread while the client sends the rest. Tomcat reads and drops up to {@code max-swallow-size} (2 MB) of such
 * a body after the answer, so that the client can read the answer before the connection closes; each read waits for
 * data, so a client trickling a byte every few seconds held the thread as long as it liked, and about 205 of them,
 * without credentials, froze a service, health included (an outside probe). Tomcat does so after its own 408 too.
 *
 * <p>Here the answer is sent first; then what of the body has already arrived is dropped without waiting on the
 * socket, and what arrives within {@link #DRAIN_WINDOW_MILLIS}. A body still not read to its end after that, or a
 * chunked one, is not drained: the connection is closed after the answer. A client
 * that sends its body promptly keeps its connection and reads its answer as before.
 *
 * <p>An engine valve, so it runs after the error pages are written. Asynchronous requests are left to Tomcat. The
 * close is {@link UnreadBodyAdapter}'s, for every request whose body is still not read to its end, including those
 * Tomcat answers before any valve; this valve only sends the answer first and drains.
 */
final class UnreadBodyValve extends ValveBase {

    private static final Logger log = LoggerFactory.getLogger(UnreadBodyValve.class);

    /** How long a body still arriving is drained after the answer before the connection is closed instead. */
    static final long DRAIN_WINDOW_MILLIS = 1_000;

    private static final long POLL_MILLIS = 5;

    UnreadBodyValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        getNext().invoke(request, response);
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        try {
            if (request.isAsync() || !UnreadBodyAdapter.hasBody(coyote) || UnreadBodyAdapter.fullyRead(coyote)) {
                return;
            }
            boolean chunked = request.getContentLengthLong() < 0;
            if (chunked && !response.isCommitted()) {
                // closed after the answer whatever arrives: say so, so that no client reuses the connection
                response.setHeader("Connection", "close");
            }
            // the answer goes out now, not after the drain
            response.finishResponse();
            if (!chunked) {
                drain(request);
            }
            // a body still not read to its end: UnreadBodyAdapter closes the connection after this request
        } catch (RuntimeException | IOException e) {
            // a header Tomcat could not parse (it has answered 400), or a connection gone: Tomcat ends the request
            log.debug("Unread body not dropped: {}", e.toString());
        }
    }

    /**
     * Reads and drops what arrives of a body of known length, never waiting on the socket: whatever is there now,
     * then more as it comes until the window ends or the body is read to its end.
     */
    private static void drain(Request request) {
        org.apache.coyote.Request body = request.getCoyoteRequest();
        long budget = maxSwallowBytes(request);
        long deadline = System.nanoTime() + DRAIN_WINDOW_MILLIS * 1_000_000;
        Dropped dropped = new Dropped();
        try {
            // asked before looking for more: a look past the body's end reads the next request's bytes
            while (budget > 0 && !UnreadBodyAdapter.fullyRead(body)) {
                // the servlet's stream is closed by now: read below it, and only what is already there
                body.action(ActionCode.AVAILABLE, Boolean.TRUE);
                if (body.getAvailable() > 0) {
                    int n = body.doRead(dropped);
                    if (n < 0) {
                        return;
                    }
                    budget -= n;
                } else if (System.nanoTime() > deadline) {
                    return;
                } else {
                    Thread.sleep(POLL_MILLIS);
                }
            }
        } catch (IOException broken) {
            // the connection is gone: Tomcat closes it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the container's view of the bytes read and drops it. */
    private static final class Dropped implements ApplicationBufferHandler {
        private ByteBuffer view = ByteBuffer.allocate(0);

        @Override
        public void setByteBuffer(ByteBuffer buffer) {
            view = buffer;
        }

        @Override
        public ByteBuffer getByteBuffer() {
            return view;
        }

        @Override
        public void expand(int size) {}
    }

    private static long maxSwallowBytes(Request request) {
        if (request.getConnector().getProtocolHandler() instanceof AbstractHttp11Protocol<?> http11
                && http11.getMaxSwallowSize() >= 0) {
            return http11.getMaxSwallowSize();
        }
        return 2L * 1024 * 1024;
    }
}
