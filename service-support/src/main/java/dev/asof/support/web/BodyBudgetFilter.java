package dev.asof.support.web;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
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
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bounds the request-body bytes a service reads and parses at once ({@code asof.http.max-body-bytes-in-flight}).
 * A body is at most {@code asof.http.max-body-size}, but parsed into a JSON tree it takes ten to twenty times that;
 * counting requests would not do, since one 2 MB body weighs as much as a thousand small events. Each request
 * takes its {@code Content-Length} from the budget (a chunked one the most a body may be) and gives it back when
 * answered. One that finds no room within {@code asof.http.max-body-wait}, or finds {@code
 * asof.http.max-body-waiters} requests waiting already, or whose caller holds {@code
 * asof.http.max-body-bytes-per-client} already, gets {@code 503 busy} with {@code
 * Retry-After}: safe to retry, since nothing of it was read. A request whose body is read asynchronously ({@link
 * BodyPrereadFilter}) keeps its share until its asynchronous handling ends.
 */
class BodyBudgetFilter extends OncePerRequestFilter {

    /** The request attribute holding the request's share ({@link Release}), for {@link BodyPrereadFilter}. */
    static final String SHARE = BodyBudgetFilter.class.getName() + ".share";

    private final Semaphore budgetKib;
    private final Semaphore waiters;
    private final int clientShareKib;
    /**
     * KiB each caller holds now. A caller is here only while it holds some: the map is as large as the callers with
     * bodies being handled, however many have come and gone (one entry per caller ever seen, kept for good, was a
     * slow leak with many token callers).
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> clientShares =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final int maxBodyKib;
    private final long waitMillis;
    private final JsonMapper json;
    private final java.util.Set<String> streamedPaths;

    BodyBudgetFilter(HttpLimitsProperties limits, JsonMapper json) {
        this.streamedPaths = limits.streamedBodies().keySet();
        this.budgetKib = new Semaphore(kib(limits.maxBodyBytesInFlight().toBytes()), true);
        this.maxBodyKib = kib(limits.maxBodySize().toBytes());
        this.waitMillis = limits.maxBodyWait().toMillis();
        this.waiters = new Semaphore(limits.maxBodyWaiters());
        // at least one body of the largest size
        this.clientShareKib =
                Math.max(maxBodyKib, kib(limits.maxBodyBytesPerClient().toBytes()));
        this.json = json;
    }

    private static int kib(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (bytes + 1023) / 1024));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return streamedPaths.contains(request.getRequestURI()) || !BodyPrereadFilter.hasBody(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long length = request.getContentLengthLong();
        // Larger than the limit: BodySizeLimitFilter refuses it without reading; it takes no more than the limit.
        int weight = length < 0 ? maxBodyKib : Math.min(maxBodyKib, kib(length));
        String caller = callerName();
        if (caller == null) {
            // an endpoint open to all (health, /error) reads no body: left unread, it takes nothing from the budget
            // and is not read (UnreadBodyValve answers and closes)
            chain.doFilter(request, response);
            return;
        }
        if (!takeClientShare(caller, weight)) {
            busy(request, response, Admission.CLIENT_SHARE_TAKEN);
            return;
        }
        Admission admission = admit(weight);
        if (admission != Admission.TAKEN) {
            giveClientShare(caller, weight);
            busy(request, response, admission);
            return;
        }
        Release release = new Release(weight, caller);
        request.setAttribute(SHARE, release);
        boolean async = false;
        try {
            chain.doFilter(request, response);
            async = request.isAsyncStarted();
        } finally {
            if (async) {
                // the body is being read without a thread (BodyPrereadFilter): given back once answered
                request.getAsyncContext().addListener(release);
            } else {
                release.run();
            }
        }
    }

    /**
     * The name of the request's authenticated caller (an API key's name, or a token's caller), {@code null} for a
     * request without one. Each caller may hold at most {@code max-body-bytes-per-client} of the budget at once, so
     * that one client's slow or stalled bodies cannot hold the whole of it and make every other client's bodies
     * {@code 503 busy} (an outside probe: 19 clients sending chunked requests that never sent a byte of their body
     * did so for as long as they went on).
     */
    static String callerName() {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (caller == null || !caller.isAuthenticated() || caller instanceof AnonymousAuthenticationToken) {
            return null;
        }
        return caller.getName();
    }

    /** Whether {@code caller} could take {@code weight} KiB more of its share. */
    private boolean takeClientShare(String caller, int weight) {
        boolean[] taken = new boolean[1];
        clientShares.compute(caller, (name, held) -> {
            int now = held == null ? 0 : held;
            if (now + weight > clientShareKib) {
                return held;
            }
            taken[0] = true;
            return now + weight;
        });
        return taken[0];
    }

    /** Gives {@code weight} KiB back to {@code caller}'s share; a caller that holds none is forgotten. */
    private void giveClientShare(String caller, int weight) {
        clientShares.computeIfPresent(caller, (name, held) -> held <= weight ? null : held - weight);
    }

    /** How many callers hold part of their share now (what the filter remembers of callers). */
    int callersHolding() {
        return clientShares.size();
    }

    /**
     * Whether {@code weight} KiB of the budget were taken: at once, or within {@code max-body-wait} if fewer than
     * {@code max-body-waiters} requests are waiting already (a waiting request holds its worker thread, so clients
     * that keep the budget full must not get every thread waiting).
     */
    private Admission admit(int weight) {
        try {
            // timed, so that it queues behind requests already waiting (an untimed one would barge past them)
            if (budgetKib.tryAcquire(weight, 0, TimeUnit.MILLISECONDS)) {
                return Admission.TAKEN;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Admission.NO_ROOM;
        }
        if (!waiters.tryAcquire()) {
            return Admission.TOO_MANY_WAITING;
        }
        try {
            return budgetKib.tryAcquire(weight, waitMillis, TimeUnit.MILLISECONDS)
                    ? Admission.TAKEN
                    : Admission.NO_ROOM;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Admission.NO_ROOM;
        } finally {
            waiters.release();
        }
    }

    private enum Admission {
        TAKEN,
        NO_ROOM,
        TOO_MANY_WAITING,
        CLIENT_SHARE_TAKEN
    }

    /**
     * Gives a request's share back, to the budget and to its caller's share: when answered, or when its asynchronous
     * handling ends, however it ends (once).
     */
    final class Release implements AsyncListener, Runnable {
        private final String caller;
        private int weight;
        private boolean released;

        Release(int weight, String caller) {
            this.weight = weight;
            this.caller = caller;
        }

        /**
         * Keeps only what a body read whole takes ({@code bytes}): a chunked body is counted as the largest body until
         * then, and one client's chunked bodies would otherwise take its whole share for as long as each is handled.
         */
        synchronized void shrinkTo(long bytes) {
            int kept = Math.min(weight, kib(bytes));
            if (!released && kept < weight) {
                budgetKib.release(weight - kept);
                giveClientShare(caller, weight - kept);
                weight = kept;
            }
        }

        @Override
        public synchronized void run() {
            if (!released) {
                released = true;
                budgetKib.release(weight);
                giveClientShare(caller, weight);
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {}

        @Override
        public void onError(AsyncEvent event) {}

        @Override
        public void onStartAsync(AsyncEvent event) {
            // a new cycle (an endpoint going asynchronous after the body was read) keeps the share until it ends
            event.getAsyncContext().addListener(this);
        }
    }

    private void busy(HttpServletRequest request, HttpServletResponse response, Admission admission)
            throws IOException {
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, "1");
        response.setHeader(HttpHeaders.CONNECTION, "close");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        var problem = Problems.of(
                HttpStatus.SERVICE_UNAVAILABLE,
                "busy",
                "Busy",
                switch (admission) {
                            case TOO_MANY_WAITING ->
                                "More request bodies are being processed than this service takes at once, and as"
                                        + " many requests as may wait for room are waiting already";
                            case CLIENT_SHARE_TAKEN ->
                                "This client's request bodies being processed already take the most one client may"
                                        + " hold at once (asof.http.max-body-bytes-per-client)";
                            default -> "More request bodies are being processed than this service takes at once";
                        }
                        + "; nothing of this one was read. Retry after a second.");
        problem.setInstance(Problems.instance(request));
        json.writeValue(response.getOutputStream(), problem);
    }
}
