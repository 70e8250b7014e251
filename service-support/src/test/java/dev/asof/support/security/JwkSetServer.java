package dev.asof.support.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An issuer's JWK set endpoint on a free loopback port: {@code /jwks} serves the public keys (or hangs like
 * {@code /hang} once {@link #goDown()} was called), {@code /hang} accepts the request and never answers (until
 * {@link #stop()}).
 */
final class JwkSetServer {

    private final HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean down;

    private JwkSetServer(HttpServer server) {
        this.server = server;
    }

    static JwkSetServer start(JWKSet keys) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            JwkSetServer jwks = new JwkSetServer(server);
            byte[] body = keys.toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks", exchange -> {
                if (jwks.down) {
                    jwks.hang();
                    exchange.close();
                    return;
                }
                jwks.fetches.incrementAndGet();
                exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                exchange.sendResponseHeaders(200, body.length);
                try (var out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.createContext("/hang", exchange -> {
                jwks.hang();
                exchange.close();
            });
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            return jwks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void hang() {
        try {
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** From now on {@code /jwks} accepts requests and never answers. */
    void goDown() {
        down = true;
    }

    URI jwkSetUri() {
        return uri("/jwks");
    }

    URI hangingUri() {
        return uri("/hang");
    }

    /** How many times the JWK set was served. */
    int fetches() {
        return fetches.get();
    }

    void stop() {
        released.countDown();
        server.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }
}
