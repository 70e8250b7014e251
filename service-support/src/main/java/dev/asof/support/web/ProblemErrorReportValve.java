package dev.asof.support.web;

import dev.asof.events.Violation;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * Tomcat's own error pages (requests it refuses before any application code sees them: an encoded slash or NUL in
 * the path, a bad URI encoding, a disallowed method) as problem+json instead of HTML, naming the field and rule when
 * {@link ContainerRefusals} can tell them. Spring is not involved here, so the JSON is written by hand from fixed,
 * escaped parts.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        Violation refused = ContainerRefusals.of(
                status,
                throwable,
                response.getMessage(),
                request.getCoyoteRequest().getMimeHeaders(),
                "HTTP/1.1".equals(request.getProtocol()));
        ProblemDetail problem;
        String errors = "";
        if (refused != null) {
            // a request the client must change, named like the API's own 400s (ApiExceptionHandler.invalid); the
            // HTTP version, transfer coding or CONNECT Tomcat answers 505 or 501 too: bad input is never a 5xx
            status = HttpServletResponse.SC_BAD_REQUEST;
            response.setStatus(status);
            problem = ApiExceptionHandler.invalid(List.of(refused));
            errors = ",\"errors\":[{\"pointer\":\"" + escape(refused.pointer()) + "\",\"rule\":\""
                    + escape(refused.rule()) + "\",\"detail\":\"" + escape(refused.message()) + "\"}]";
        } else {
            problem = ProblemErrorController.problem(status);
        }
        String json = "{\"type\":\"" + problem.getType() + "\",\"title\":\"" + escape(problem.getTitle())
                + "\",\"status\":" + status + ",\"detail\":\"" + escape(problem.getDetail()) + "\"" + errors + "}";
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(json);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was committed: nothing more to say
        }
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
