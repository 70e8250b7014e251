package dev.asof.support.web;

import dev.asof.events.Violation;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses requests whose framing is ambiguous before anything reads them, each with a problem+json naming the
 * rule:
 *
 * <ul>
 *   <li>{@code Content-Encoding} other than {@code identity}: 415 {@code unsupported-content-encoding}. Bodies are
 *       small JSON; a compressed body would need the size limit applied to its inflated form, and refusing it is
 *       simpler and safe against decompression bombs;
 *   <li>a query parameter given twice ({@code ?customer_id=a&customer_id=b}): 400 rule {@code repeated-parameter}.
 *       Every parameter of the API is single-valued, and joining the values with a comma (Spring's default) would
 *       read a customer nobody asked for;
 *   <li>a query string that is not valid UTF-8 once percent-decoded: 400 rule {@code utf-8};
 *   <li>a single-valued header given twice ({@code Authorization}, {@code Content-Type}, {@code Idempotency-Key},
 *       ...): 400 rule {@code repeated-header}.
 * </ul>
 */
class RequestHygieneFilter extends OncePerRequestFilter {

    private static final List<String> SINGLE_HEADERS = List.of(
            HttpHeaders.AUTHORIZATION,
            HttpHeaders.CONTENT_TYPE,
            HttpHeaders.CONTENT_ENCODING,
            HttpHeaders.ACCEPT,
            "Idempotency-Key",
            "X-Correlation-Id");

    private final JsonMapper json;

    RequestHygieneFilter(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return true;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ProblemDetail problem = check(request);
        if (problem != null) {
            problem.setInstance(Problems.instance(request));
            response.setStatus(problem.getStatus());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            json.writeValue(response.getOutputStream(), problem);
            return;
        }
        chain.doFilter(request, response);
    }

    private static ProblemDetail check(HttpServletRequest request) {
        for (String name : SINGLE_HEADERS) {
            if (Collections.list(request.getHeaders(name)).size() > 1) {
                return ApiExceptionHandler.invalid(List.of(
                        new Violation(name, "repeated-header", "the header " + name + " may be sent only once")));
            }
        }
        String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
            return Problems.of(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-content-encoding",
                    "Unsupported content encoding",
                    "Content-Encoding '" + Problems.quoted(encoding) + "' is not accepted; send the body uncompressed"
                            + " (bodies are limited to a few MB of JSON).");
        }
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return null;
        }
        Set<String> seen = new HashSet<>();
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name;
            try {
                name = percentDecode(equals < 0 ? pair : pair.substring(0, equals));
                percentDecode(equals < 0 ? "" : pair.substring(equals + 1));
            } catch (IllegalArgumentException e) {
                return ApiExceptionHandler.invalid(List.of(new Violation(
                        "query", "utf-8", "the query string is not valid percent-encoded UTF-8: " + e.getMessage())));
            }
            if (!seen.add(name)) {
                return ApiExceptionHandler.invalid(List.of(new Violation(
                        Problems.quoted(name),
                        "repeated-parameter",
                        "the query parameter '" + Problems.quoted(name) + "' may be given only once")));
            }
        }
        return null;
    }

    /** Decodes {@code %XX} escapes and {@code +} strictly as UTF-8; anything malformed is refused. */
    static String percentDecode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0 && text.chars().allMatch(c -> c < 0x80)) {
            return text;
        }
        ByteBuffer bytes = ByteBuffer.allocate(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw new IllegalArgumentException("a '%' is not followed by two hex digits");
                }
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("a '%' is not followed by two hex digits");
                }
                bytes.put((byte) (high * 16 + low));
                i += 2;
            } else if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                throw new IllegalArgumentException("a raw non-ASCII character");
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the escapes are not valid UTF-8");
        }
    }
}
