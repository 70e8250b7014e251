package dev.asof.support.web;

import dev.asof.events.InvalidEventException;
import dev.asof.events.Violation;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every error into {@code application/problem+json}: contract violations name each field and rule;
 * Spring MVC's own errors (415, 405, 400 for unreadable bodies, ...) keep their status with a stable type.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final tools.jackson.databind.json.JsonMapper json;

    public ApiExceptionHandler(tools.jackson.databind.json.JsonMapper json) {
        this.json = json;
    }

    @ExceptionHandler(InvalidEventException.class)
    ProblemDetail invalidEvent(InvalidEventException e) {
        return invalid(e.violations());
    }

    @ExceptionHandler(ApiProblemException.class)
    ResponseEntity<ProblemDetail> apiProblem(ApiProblemException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.problem().getStatus());
        e.headers().forEach(response::header);
        return response.body(e.problem());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
        return invalid(List.of(
                new Violation(e.getName(), "type", "'" + e.getValue() + "' is not a valid value for " + e.getName())));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            org.springframework.http.converter.HttpMessageNotReadableException ex,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodySizeLimitFilter.BodyTooLargeException tooLarge) {
                ProblemDetail problem = Problems.of(
                        HttpStatus.CONTENT_TOO_LARGE,
                        "body-too-large",
                        "Request body too large",
                        tooLarge.getMessage());
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(problem);
            }
            if (cause instanceof BodySizeLimitFilter.BodyTooSlowException slow) {
                return ResponseEntity.status(HttpStatus.REQUEST_TIMEOUT).body(BodySizeLimitFilter.tooSlow(slow));
            }
        }
        if (ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")) {
            // as intake says it of an empty document (a body read as bytes is "missing" to Spring when empty): an
            // outside probe got "Failed to read request" naming nothing from merge-service's endpoints
            return ResponseEntity.badRequest()
                    .body(invalid(List.of(new Violation("", "json", "not valid JSON: the document is empty"))));
        }
        return super.handleHttpMessageNotReadable(ex, headers, status, request);
    }

    /**
     * 415 saying what was sent and what is taken, in words: Spring's own detail reads "Content-Type 'null' is not
     * supported" for a request without one, and names no charset.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
            org.springframework.web.HttpMediaTypeNotSupportedException ex,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        String accepted = ex.getSupportedMediaTypes().stream()
                .map(org.springframework.http.MediaType::toString)
                .distinct()
                .collect(java.util.stream.Collectors.joining(", "));
        String sent = request.getHeader(HttpHeaders.CONTENT_TYPE);
        String detail = sent == null || sent.isBlank()
                ? "The request has no Content-Type"
                : "Content-Type '" + Problems.quoted(sent) + "' is not accepted here";
        ProblemDetail problem = Problems.of(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                Problems.kindOf(HttpStatus.UNSUPPORTED_MEDIA_TYPE.value()),
                "Unsupported media type",
                detail + (accepted.isEmpty() ? "." : "; send " + accepted + " in UTF-8."));
        return handleExceptionInternal(ex, problem, headers, status, request);
    }

    /**
     * 406 as problem+json whatever the request's {@code Accept} says: answered through content negotiation, the
     * problem itself was not acceptable, and the answer went out with an empty body (an outside probe sent {@code
     * Accept: garbage///}). Written straight to the response.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotAcceptable(
            org.springframework.web.HttpMediaTypeNotAcceptableException ex,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        ProblemDetail problem = Problems.of(
                HttpStatus.NOT_ACCEPTABLE,
                Problems.kindOf(HttpStatus.NOT_ACCEPTABLE.value()),
                "Not acceptable",
                (accept == null ? "The request's Accept" : "Accept '" + Problems.quoted(accept) + "'")
                        + " names nothing this endpoint answers: ask for application/json (or leave Accept out);"
                        + " errors are application/problem+json.");
        jakarta.servlet.http.HttpServletResponse response =
                ((org.springframework.web.context.request.ServletWebRequest) request).getResponse();
        if (response == null || response.isCommitted()) {
            return null;
        }
        try {
            response.resetBuffer();
            response.setStatus(HttpStatus.NOT_ACCEPTABLE.value());
            response.setContentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            json.writeValue(response.getOutputStream(), problem);
            response.flushBuffer();
        } catch (java.io.IOException | tools.jackson.core.JacksonException gone) {
            log.debug("406 not written: {}", gone.getMessage());
        }
        return null;
    }

    /** Let Spring Security answer 403 with its own handler. */
    @ExceptionHandler({AccessDeniedException.class, AuthorizationDeniedException.class})
    void accessDenied(RuntimeException e) {
        throw e;
    }

    /**
     * DynamoDB unreachable, throttling or failing: the request did nothing that a retry would double (every
     * write path is idempotent), so say when to retry.
     */
    @ExceptionHandler({
        software.amazon.awssdk.core.exception.SdkClientException.class,
        software.amazon.awssdk.services.dynamodb.model.DynamoDbException.class
    })
    ResponseEntity<ProblemDetail> storeUnavailable(software.amazon.awssdk.core.exception.SdkException e) {
        if (e instanceof software.amazon.awssdk.services.dynamodb.model.DynamoDbException dynamo
                && dynamo.statusCode() > 0
                && dynamo.statusCode() < 500
                && !dynamo.isThrottlingException()) {
            return ResponseEntity.internalServerError().body(unexpected(e));
        }
        log.warn("DynamoDB unavailable: {}", e.getMessage());
        return Problems.unavailable(
                "store-unavailable",
                "Store unavailable",
                "DynamoDB did not answer; nothing was half-written. Retry with the same request.",
                1);
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("unexpected error", e);
        return Problems.of(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal-error",
                "Internal error",
                "The request failed unexpectedly; nothing was half-written. It is safe to retry.");
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null
                        || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(Problems.type(Problems.kindOf(statusCode.value())));
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    /** The most violations a 400 lists; {@code errors_total} says how many there were. */
    public static final int MAX_ERRORS = 100;

    /** A 400 listing the violations under {@code errors}: the first {@value #MAX_ERRORS}, and the total. */
    public static ProblemDetail invalid(List<Violation> violations) {
        ProblemDetail problem = Problems.of(
                HttpStatus.BAD_REQUEST,
                "invalid-request",
                "Invalid request",
                violations.size() == 1
                        ? describe(violations.get(0))
                        : violations.size() + " rules broken; see errors.");
        problem.setProperty(
                "errors",
                violations.stream()
                        .limit(MAX_ERRORS)
                        .map(v -> Map.of("pointer", v.pointer(), "rule", v.rule(), "detail", v.message()))
                        .toList());
        if (violations.size() > MAX_ERRORS) {
            problem.setProperty("errors_total", violations.size());
        }
        return problem;
    }

    private static String describe(Violation violation) {
        return (violation.pointer().isEmpty() ? "the request" : violation.pointer()) + ": " + violation.message()
                + " (rule: " + violation.rule() + ")";
    }
}
