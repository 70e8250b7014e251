package dev.asof.console.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requests the console answers before anything else reads them, sign-in included:
 *
 * <ul>
 *   <li>a query string or form whose parameters Tomcat cannot decode (invalid UTF-8, a broken {@code %} escape):
 *       {@code 400} with a short page. Left to Tomcat, the first read of a parameter throws, and the container logs
 *       the exception with the parameter's value (what a person searched for, or a forged log line);
 *   <li>{@code /error} asked for directly: {@code 404} like any unknown path (Spring Boot's error page has no
 *       status to show then and answers {@code 500}).
 * </ul>
 */
@Configuration
class UndecodableRequests {

    static final String PAGE = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bad request"
            + "</title><link rel=\"stylesheet\" href=\"/css/console.css\"></head><body><main id=\"main\""
            + " class=\"narrow\"><h1>Bad request</h1><p id=\"error-status\">HTTP 400</p><p class=\"alert\""
            + " role=\"alert\" id=\"error-message\">The address or the form could not be read (not valid UTF-8,"
            + " a broken %-escape, or too many fields). Nothing was done.</p><p><a href=\"/\">Find a customer</a></p></main>"
            + "</body></html>";

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> undecodableRequestsFilter() {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new Check());
        // after Spring Boot's CharacterEncodingFilter (HIGHEST_PRECEDENCE), which makes forms UTF-8: parsed before it,
        // a form would be read as ISO-8859-1 for good
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }

    static final class Check extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            // the decoded path: /%65rror is /error too
            if ("/error".equals(request.getServletPath())
                    && request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) == null) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            try {
                // parses the query string and a form body once (Tomcat keeps the result)
                request.getParameterMap();
            } catch (RuntimeException undecodable) {
                // the exception's message quotes the parameter: never logged
                response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
                response.setContentType("text/html;charset=UTF-8");
                // written before Spring Security adds its headers: the ones a static page needs
                response.setHeader("X-Content-Type-Options", "nosniff");
                response.setHeader("X-Frame-Options", "DENY");
                response.setHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
                response.getOutputStream().write(PAGE.getBytes(StandardCharsets.UTF_8));
                return;
            }
            chain.doFilter(request, response);
        }
    }
}
