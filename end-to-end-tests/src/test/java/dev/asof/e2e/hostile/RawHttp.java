package dev.asof.e2e.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: a hostile client sends what java.net.http refuses to
 * (wrong Content-Length, repeated or oversized headers, raw bytes in the path). One request per connection.
 */
final class RawHttp {

    /** What came back; {@code status} is -1 when the server closed without answering, -2 when it hung. */
    record Answer(int status, Map<String, String> headers, String body, long millis) {

        String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        boolean isProblem() {
            return contentType().startsWith("application/problem+json");
        }
    }

    private static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    private RawHttp() {}

    /** Builds a request: request line, Host, Connection: close, the given header lines, then the body. */
    static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: localhost\r\nConnection: close\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null && headers.keySet().stream().noneMatch(RawHttp::isFraming)) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] payload = body == null ? new byte[0] : body;
        byte[] all = new byte[start.length + payload.length];
        System.arraycopy(start, 0, all, 0, start.length);
        System.arraycopy(payload, 0, all, start.length, payload.length);
        return all;
    }

    private static boolean isFraming(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("content-length") || lower.equals("transfer-encoding");
    }

    /** Sends {@code request} to localhost:{@code port} and reads the whole answer, waiting at most {@code timeoutMillis}. */
    static Answer send(int port, byte[] request, int timeoutMillis) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException refusedMidway) {
                // the server may answer and close before reading everything (413, 400): read what it said
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            try {
                for (int n; (n = in.read(buffer)) >= 0 && answer.size() < MAX_ANSWER_BYTES; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException hung) {
                if (answer.size() == 0) {
                    return new Answer(-2, Map.of(), "", elapsed(start));
                }
            } catch (IOException reset) {
                // a reset after the answer was sent still leaves the answer
            }
            return parse(answer.toByteArray(), elapsed(start));
        } catch (IOException e) {
            return new Answer(-1, Map.of(), String.valueOf(e.getMessage()), elapsed(start));
        }
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static Answer parse(byte[] raw, long millis) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            return new Answer(-1, Map.of(), text, millis);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        String body = new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
        return new Answer(status, headers, body, millis);
    }
}
