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

    /** A request, the part and rule its answer must name, and a part of it the answer and log must not quote. */
    record Refusal(String name, String request, String pointer, String rule, String quoted) {}

    static List<Refusal> refusals() {
        return List.of(
                refusal(
                        "a pipe in the query",
                        "GET /probe?q=qz|zq",
                        "Host: x",
                        "request-target",
                        "request-target-characters",
                        "qz|zq"),
                refusal(
                        "braces in the path",
                        "GET /probe/{qzx}",
                        "Host: x",
                        "request-target",
                        "request-target-characters",
                        "{qzx}"),
                refusal(
                        "a space in the target",
                        "GET /pro qzbe",
                        "Host: x",
                        "request-line",
                        "request-line",
                        "pro qzbe"),
                refusal("an encoded slash", "GET /probe/qz%2Fzq", "Host: x", "path", "path-characters", "qz%2Fzq"),
                refusal("a bad escape in the path", "GET /probe/qz%zz", "Host: x", "path", "percent-encoding", "qz%zz"),
                refusal("an escape cut short", "GET /probe/qz%4", "Host: x", "path", "percent-encoding", "qz%4"),
                refusal("an encoded NUL", "GET /probe/qz%00", "Host: x", "path", "path-normalization", "qz%00"),
                refusal(
                        "a dot segment above the root",
                        "GET /../qzetc",
                        "Host: x",
                        "path",
                        "path-normalization",
                        "qzetc"),
                refusal(
                        "headers over 8 KB",
                        "GET /probe",
                        "Host: x\r\nX-Big: " + "qz".repeat(4500),
                        "headers",
                        "header-size",
                        "qzqzqzqz"),
                refusal(
                        "a space in a header name",
                        "GET /probe",
                        "Host: x\r\nQz Header: y",
                        "headers",
                        "header-syntax",
                        "Qz Header"),
                // the header line Tomcat failed on, not the transfer coding it never looked at
                refusal(
                        "a bad header line after a transfer coding",
                        "POST /probe",
                        "Host: x\r\nTransfer-Encoding: x-qzip\r\nQz Header: y",
                        "headers",
                        "header-syntax",
                        "Qz Header"),
                refusal("a method that is no token", "G@QZ /probe", "Host: x", "method", "method-token", "G@QZ"),
                refusal("CONNECT", "CONNECT qzhost:443", "Host: qzhost:443", "method", "method-implemented", "qzhost"),
                refusal("no Host", "GET /probe", "X-Other: x", "Host", "host-header", null),
                refusal("two Hosts", "GET /probe", "Host: x\r\nHost: y", "Host", "host-header", null),
                refusal(
                        "a Content-Length that is no number",
                        "POST /probe",
                        "Host: x\r\nContent-Length: q7zq",
                        "Content-Length",
                        "content-length",
                        "q7zq"),
                refusal(
                        "two Content-Lengths",
                        "POST /probe",
                        "Host: x\r\nContent-Length: 1\r\nContent-Length: 2",
                        "Content-Length",
                        "content-length",
                        null),
                refusal(
                        "a negative Content-Length",
                        "POST /probe",
                        "Host: x\r\nContent-Length: -1",
                        "Content-Length",
                        "content-length",
                        null),
                refusal(
                        "chunked not the last transfer coding",
                        "POST /probe",
                        "Host: x\r\nTransfer-Encoding: br, chunked, x-qzip",
                        "Transfer-Encoding",
                        "transfer-coding",
                        "x-qzip"),
                refusal(
                        "transfer codings on two lines",
                        "POST /probe",
                        "Host: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x-qzip",
                        "Transfer-Encoding",
                        "transfer-coding",
                        "x-qzip"),
                refusal(
                        "a transfer coding other than chunked",
                        "POST /probe",
                        "Host: x\r\nTransfer-Encoding: x-qzip",
                        "Transfer-Encoding",
                        "transfer-coding",
                        "x-qzip"),
                new Refusal(
                        "an HTTP version not served",
                        "GET /probe HTTP/9.9\r\nHost: x\r\n" + AUTHORIZATION + "\r\n\r\n",
                        "protocol",
                        "http-version",
                        "HTTP/9.9"));
    }

    /** {@code line} (an HTTP/1.1 request line without its version), {@code headers}, a key, no body. */
    private static Refusal refusal(
            String name, String line, String headers, String pointer, String rule, String quoted) {
        String request = line + " HTTP/1.1\r\n" + headers + "\r\n" + AUTHORIZATION + "\r\n\r\n";
        return new Refusal(name, request, pointer, rule, quoted);
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
            assertThat(error.path("rule").asString()).as(refusal.name()).isEqualTo(refusal.rule());
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
