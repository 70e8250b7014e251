package dev.asof.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests Tomcat refuses before the API sees them, sent as raw bytes to the real container: each answered {@code
 * 400} problem+json naming the field and the rule (ContainerRefusals), never a 5xx, never quoting the request, in
 * the answer or in the log.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ContainerRefusalsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String AUTHORIZATION = "Authorization: Bearer " + SecuredTestApplication.ALL_SCOPES_KEY;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SecuredTestApplication.apiKeys(registry);
    }

    record Refusal(String name, String request, String pointer, String quoted) {}

    static List<Refusal> refusals() {
        return List.of(
                refusal("a pipe in the query", "GET /probe?q=a|b HTTP/1.1", "Host: x", "request-target", "a|b"),
                refusal("braces in the path", "GET /probe/{x} HTTP/1.1", "Host: x", "request-target", "{x}"),
                refusal("a space in the target", "GET /pro be HTTP/1.1", "Host: x", "request-line", "pro be"),
                refusal("an encoded slash", "GET /probe/a%2Fb HTTP/1.1", "Host: x", "path", "a%2Fb"),
                refusal("a bad escape in the path", "GET /probe/%zz HTTP/1.1", "Host: x", "path", "%zz"),
                refusal("an encoded NUL", "GET /probe/%00 HTTP/1.1", "Host: x", "path", "%00"),
                refusal(
                        "headers over 8 KB",
                        "GET /probe HTTP/1.1",
                        "Host: x\r\nX-Big: " + "b".repeat(9000),
                        "headers",
                        "bbbb"),
                refusal(
                        "a space in a header name",
                        "GET /probe HTTP/1.1",
                        "Host: x\r\nBad Header: y",
                        "headers",
                        "Bad Header"),
                refusal("a method that is no token", "G@T /probe HTTP/1.1", "Host: x", "method", "G@T"),
                refusal("no Host", "GET /probe HTTP/1.1", "X-Other: x", "Host", null),
                refusal("two Hosts", "GET /probe HTTP/1.1", "Host: x\r\nHost: y", "Host", null),
                refusal(
                        "a Content-Length that is no number",
                        "POST /probe HTTP/1.1",
                        "Host: x\r\nContent-Length: abc",
                        "Content-Length",
                        "abc"),
                refusal(
                        "two Content-Lengths",
                        "POST /probe HTTP/1.1",
                        "Host: x\r\nContent-Length: 1\r\nContent-Length: 2",
                        "Content-Length",
                        null),
                refusal(
                        "a negative Content-Length",
                        "POST /probe HTTP/1.1",
                        "Host: x\r\nContent-Length: -1",
                        "Content-Length",
                        null),
                refusal(
                        "chunked not the last transfer coding",
                        "POST /probe HTTP/1.1",
                        "Host: x\r\nTransfer-Encoding: br, chunked, gzip",
                        "Transfer-Encoding",
                        null),
                refusal("an HTTP version not served", "GET /probe HTTP/9.9", "Host: x", "protocol", "9.9"),
                refusal(
                        "a transfer coding other than chunked",
                        "POST /probe HTTP/1.1",
                        "Host: x\r\nTransfer-Encoding: gzip",
                        "Transfer-Encoding",
                        "gzip"));
    }

    private static Refusal refusal(String name, String line, String headers, String pointer, String quoted) {
        String request = line + "\r\n" + headers + "\r\n" + AUTHORIZATION + "\r\n\r\n";
        return new Refusal(name, request, pointer, quoted);
    }

    @Test
    void everyContainerRefusalNamesItsFieldAndRule(CapturedOutput log) throws IOException {
        for (Refusal refusal : refusals()) {
            String answer = send(refusal.request());
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(head).as(refusal.name()).startsWith("HTTP/1.1 400 ");
            assertThat(head.toLowerCase()).as(refusal.name()).contains("content-type: application/problem+json");
            JsonNode problem = JSON.readTree(body);
            assertThat(problem.path("type").asString()).as(refusal.name()).isEqualTo("/problems/invalid-request");
            assertThat(problem.path("status").asInt()).as(refusal.name()).isEqualTo(400);
            JsonNode error = problem.path("errors").path(0);
            assertThat(error.path("pointer").asString()).as(refusal.name()).isEqualTo(refusal.pointer());
            assertThat(error.path("rule").asString()).as(refusal.name()).isNotBlank();
            assertThat(problem.path("detail").asString())
                    .as(refusal.name())
                    .startsWith(refusal.pointer() + ": ")
                    .endsWith("(rule: " + error.path("rule").asString() + ")");
            if (refusal.quoted() != null) {
                assertThat(body).as(refusal.name()).doesNotContain(refusal.quoted());
                assertThat(log.getAll()).as(refusal.name() + ", the log").doesNotContain(refusal.quoted());
            }
        }
    }

    /** One request on its own connection; the whole answer (the container closes it after a refusal). */
    private String send(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
