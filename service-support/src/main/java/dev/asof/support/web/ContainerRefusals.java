package dev.asof.support.web;

import dev.asof.events.Violation;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import org.apache.tomcat.util.http.MimeHeaders;

/**
 * What Tomcat refused before any application code saw the request, as the field and rule a client must fix: the
 * container's own error pages otherwise say only "malformed" (an outside probe's bad request line, header and Host
 * answers named nothing). Read from what Tomcat leaves, most certain first: the exception its parser threw, the
 * message it set, then the headers it parsed. Its messages quote the request (a path, a header line); they are
 * matched, never repeated.
 */
final class ContainerRefusals {

    private ContainerRefusals() {}

    /**
     * The violation behind a container error of {@code status}, or {@code null} when none can be named.
     *
     * @param thrown what Tomcat's parser threw ({@code null} for errors it raised without one)
     * @param message the message Tomcat set with the status ({@code null} when none)
     * @param headers the headers Tomcat parsed, as far as it got
     * @param http11 whether the request line said HTTP/1.1 (which requires a Host header)
     */
    static Violation of(int status, Throwable thrown, String message, MimeHeaders headers, boolean http11) {
        if (status == 505) {
            return new Violation("protocol", "http-version", "the request line's version is not HTTP/1.1 or HTTP/1.0");
        }
        if (status != 400 && status != 501) {
            return null;
        }
        String failure = thrown == null || thrown.getMessage() == null ? "" : thrown.getMessage();
        if (failure.startsWith("Invalid character found in the request target")) {
            return new Violation(
                    "request-target",
                    "request-target-characters",
                    "the path or query holds a character that must be percent-encoded (\" < > \\ ^ ` { | } or a"
                            + " control character)");
        }
        if (failure.startsWith("Invalid character found in the HTTP protocol")) {
            return new Violation(
                    "request-line",
                    "request-line",
                    "the request line is not 'METHOD target HTTP/1.1': a space or control character in the target"
                            + " splits it; percent-encode it");
        }
        if (failure.startsWith("Invalid character found in method name")) {
            return new Violation("method", "method-token", "the method is not an HTTP token");
        }
        if (failure.startsWith("Request header is too large")) {
            return new Violation(
                    "headers",
                    "header-size",
                    "the request line and headers are over 8 KB (server.max-http-request-header-size)");
        }
        if (failure.startsWith("The HTTP header line")) {
            return new Violation(
                    "headers",
                    "header-syntax",
                    "a header line is not 'Name: value' as RFC 9112 defines it (a space or control character in"
                            + " its name, a line folded onto the next)");
        }
        if (thrown != null) {
            return null;
        }
        String said = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (said.startsWith("invalid uri")) {
            if (said.contains("hexadecimal") || said.contains("end of file")) {
                return new Violation("path", "percent-encoding", "a '%' in the path is not followed by two hex digits");
            }
            if (said.contains("encoded slash")) {
                return new Violation(
                        "path", "path-characters", "an encoded slash (%2F) in the path; ids never hold one");
            }
            return new Violation(
                    "path",
                    "path-normalization",
                    "the path does not normalize: an encoded NUL or backslash, a '..' segment above the root, or no"
                            + " leading '/'");
        }
        List<String> codings = values(headers, "Transfer-Encoding");
        if (codings.size() > 1 || (codings.size() == 1 && !codings.get(0).equalsIgnoreCase("chunked"))) {
            return new Violation(
                    "Transfer-Encoding",
                    "transfer-coding",
                    "the only transfer coding accepted is chunked, alone; or send the body as it is, with a"
                            + " Content-Length");
        }
        if (status == 501) {
            return new Violation(
                    "method",
                    "method-implemented",
                    "the method (CONNECT) is not one this server implements; the API takes GET and POST");
        }
        int hosts = values(headers, "Host").size();
        if (hosts > 1 || (hosts == 0 && http11)) {
            return new Violation("Host", "host-header", "an HTTP/1.1 request carries exactly one Host header");
        }
        List<String> lengths = values(headers, "Content-Length");
        if (lengths.size() > 1 || !lengths.stream().allMatch(ContainerRefusals::digits)) {
            return new Violation(
                    "Content-Length",
                    "content-length",
                    "at most one Content-Length, of decimal digits only (or none, with Transfer-Encoding: chunked)");
        }
        return null;
    }

    /** Every value of header {@code name}, each comma-separated element apart and trimmed. */
    private static List<String> values(MimeHeaders headers, String name) {
        List<String> values = new ArrayList<>();
        Enumeration<String> lines = headers.values(name);
        while (lines.hasMoreElements()) {
            for (String element : lines.nextElement().split(",", -1)) {
                values.add(element.strip());
            }
        }
        return values;
    }

    private static boolean digits(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
