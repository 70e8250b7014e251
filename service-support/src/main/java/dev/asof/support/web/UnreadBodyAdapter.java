package dev.asof.support.web;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.coyote.ActionCode;
import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.tomcat.util.net.SocketEvent;

/**
 * The connector's side of {@link UnreadBodyValve}: some requests are answered by Tomcat before any valve runs ({@code
 * OPTIONS *}, a request it refuses while mapping it), and Tomcat then read the rest of their body at the client's
 * pace, as it did after an early answer (a review found {@code OPTIONS *} with a trickled body holding a worker). After
 * any request that is not asynchronous, a body not read to its end is not drained: the connection closes after the
 * answer. {@link UnreadBodyValve} sends an early answer first and drains what arrives within a second; a request it
 * drained to the end keeps its connection.
 */
final class UnreadBodyAdapter implements Adapter {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnreadBodyAdapter.class);

    private final Adapter delegate;

    UnreadBodyAdapter(Adapter delegate) {
        this.delegate = delegate;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        delegate.service(request, response);
        closeIfUnread(request);
    }

    /**
     * Once a request is no longer asynchronous: a body it announced and did not read to its end is not drained (the
     * connection closes after the answer).
     */
    private static void closeIfUnread(Request request) {
        try {
            AtomicBoolean async = new AtomicBoolean();
            request.action(ActionCode.ASYNC_IS_ASYNC, async);
            if (async.get() || !hasBody(request)) {
                return;
            }
            if (!fullyRead(request)) {
                request.action(ActionCode.DISABLE_SWALLOW_INPUT, null);
                LOG.debug(
                        "Body of {} {} not read to its end: the connection closes after the answer",
                        request.method(),
                        request.requestURI());
            }
        } catch (RuntimeException unparsable) {
            // a Content-Length Tomcat could not read: it has answered 400 and closes the connection
        }
    }

    /** Whether the request announced a body: a length, or a transfer coding. */
    static boolean hasBody(Request request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /** Whether the request's body has been read to its end. */
    static boolean fullyRead(Request request) {
        AtomicBoolean done = new AtomicBoolean();
        request.action(ActionCode.REQUEST_BODY_FULLY_READ, done);
        return done.get();
    }

    @Override
    public boolean prepare(Request request, Response response) throws Exception {
        return delegate.prepare(request, response);
    }

    @Override
    public boolean asyncDispatch(Request request, Response response, SocketEvent status) throws Exception {
        boolean result = delegate.asyncDispatch(request, response, status);
        // a body read asynchronously and refused before its end (BodyPrereadFilter: too slow, too large)
        closeIfUnread(request);
        return result;
    }

    @Override
    public void log(Request request, Response response, long time) {
        delegate.log(request, response, time);
    }

    @Override
    public void checkRecycled(Request request, Response response) {
        delegate.checkRecycled(request, response);
    }

    @Override
    public String getDomain() {
        return delegate.getDomain();
    }
}
