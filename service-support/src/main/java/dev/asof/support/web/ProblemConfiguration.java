package dev.asof.support.web;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/** problem+json error handling, the body size limit and the per-client rate limit, in every service. */
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@EnableConfigurationProperties(HttpLimitsProperties.class)
public class ProblemConfiguration {

    /** Just after Spring Security's filter chain ({@code spring.security.filter.order}, -100 by default). */
    static final int BODY_BUDGET_ORDER = -90;

    @Bean
    ApiExceptionHandler apiExceptionHandler(JsonMapper json) {
        return new ApiExceptionHandler(json);
    }

    /** Replaces Spring Boot's error controller: container errors are problem+json too. */
    @Bean
    ProblemErrorController problemErrorController() {
        return new ProblemErrorController();
    }

    /**
     * Tomcat's own error pages as problem+json: Spring Boot adds an {@code ErrorReportValve} to the host; this
     * replaces it (the customizer runs after Boot's).
     */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            StandardHost host = (StandardHost) context.getParent();
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve) {
                    host.getPipeline().removeValve(valve);
                }
            }
            host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            host.getPipeline().addValve(new ProblemErrorReportValve());
        });
    }

    /**
     * A body the service did not read is not drained from a slow client: {@link UnreadBodyValve}, and {@link
     * UnreadBodyAdapter} for the requests Tomcat answers before any valve.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> unreadBodies() {
        return factory -> {
            factory.addEngineValves(new UnreadBodyValve());
            factory.addConnectorCustomizers(connector -> connector.addLifecycleListener(event -> {
                if (org.apache.catalina.Lifecycle.AFTER_INIT_EVENT.equals(event.getType())) {
                    org.apache.coyote.ProtocolHandler handler = connector.getProtocolHandler();
                    handler.setAdapter(new UnreadBodyAdapter(handler.getAdapter()));
                }
            }));
        };
    }

    @Bean
    FilterRegistrationBean<RequestHygieneFilter> requestHygieneFilter(JsonMapper json) {
        FilterRegistrationBean<RequestHygieneFilter> registration =
                new FilterRegistrationBean<>(new RequestHygieneFilter(json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
        return registration;
    }

    @Bean
    FilterRegistrationBean<BodyBudgetFilter> bodyBudgetFilter(HttpLimitsProperties limits, JsonMapper json) {
        FilterRegistrationBean<BodyBudgetFilter> registration =
                new FilterRegistrationBean<>(new BodyBudgetFilter(limits, json));
        // After Spring Security (its filter chain is at -100): a request without credentials takes nothing from the
        // budget (an outside probe's four unauthenticated chunked bodies, trickled, took all of it: every other body
        // was 503 busy)
        registration.setOrder(BODY_BUDGET_ORDER);
        return registration;
    }

    @Bean
    FilterRegistrationBean<BodyPrereadFilter> bodyPrereadFilter(HttpLimitsProperties limits, JsonMapper json) {
        FilterRegistrationBean<BodyPrereadFilter> registration =
                new FilterRegistrationBean<>(new BodyPrereadFilter(limits, json));
        // Just after the budget: a body is read once it has its share, and only for a request with credentials
        registration.setOrder(BODY_BUDGET_ORDER + 5);
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(jakarta.servlet.DispatcherType.REQUEST, jakarta.servlet.DispatcherType.ASYNC);
        return registration;
    }

    @Bean
    FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(HttpLimitsProperties limits, JsonMapper json) {
        FilterRegistrationBean<BodySizeLimitFilter> registration =
                new FilterRegistrationBean<>(new BodySizeLimitFilter(limits, json));
        // Before Spring Security: an oversized body is refused before anyone reads it.
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /**
     * JSON only: the YAML converter Spring adds when Jackson's YAML module is on the classpath (springdoc brings it for
     * {@code /v3/api-docs.yaml}, which writes its own text) answered {@code Accept: application/yaml} with an
     * undocumented YAML form in camelCase (an outside probe); such a request now gets the JSON every client is
     * documented to get.
     */
    @Bean
    WebMvcConfigurer jsonOnly() {
        return new WebMvcConfigurer() {
            @Override
            public void extendMessageConverters(
                    java.util.List<org.springframework.http.converter.HttpMessageConverter<?>> converters) {
                converters.removeIf(converter -> converter.getSupportedMediaTypes().stream()
                        .anyMatch(type -> type.getSubtype().endsWith("yaml")));
            }
        };
    }

    @Bean
    WebMvcConfigurer rateLimit(HttpLimitsProperties limits) {
        RateLimitInterceptor interceptor = new RateLimitInterceptor(limits);
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(interceptor).addPathPatterns("/api/**", "/profile/**");
            }
        };
    }
}
