package dev.asof.support.security;

import dev.asof.support.web.RefusedPaths;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every endpoint but health requires {@code Authorization: Bearer <api key>}, or, when {@code
 * asof.security.oauth2.issuer-uri} is set, a bearer JWT from that issuer; controllers demand their scope with
 * {@code @PreAuthorize}. Metrics need {@code metrics:read}.
 */
@AutoConfiguration
@EnableMethodSecurity
@EnableConfigurationProperties({ApiKeyProperties.class, OAuth2Properties.class})
public class ApiSecurityConfiguration {

    @Bean
    ApiKeys apiKeys(ApiKeyProperties properties) {
        return new ApiKeys(properties.apiKeys());
    }

    /**
     * Spring Security's own observations (a timer around every filter of the chain, each authentication and each
     * authorization) are off: with Micrometer present they wrapped the dozen filters of every request in
     * observations and long-task timers (Micrometer's own frames were about 7 % of reconstruction-service's request
     * threads' samples in a flight recording of point-in-time reads at 32 clients). Requests are still timed as a whole
     * ({@code http.server.requests}), and every endpoint's own metrics are unchanged.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /** The firewall's refusals of a path, answered as problems naming {@code path} and the rule. */
    @Bean
    RequestRejectedHandler refusedPaths() {
        return new RefusedPaths();
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeys apiKeys, OAuth2Properties oauth2, JsonMapper json)
            throws Exception {
        boolean tokensAccepted = oauth2.enabled();
        ProblemWritingHandlers problems = new ProblemWritingHandlers(json, tokensAccepted);
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .authorizeHttpRequests(
                        requests -> requests.requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**")
                                .permitAll()
                                // a load balancer's check may be a HEAD (an outside probe got 401)
                                .requestMatchers(HttpMethod.HEAD, "/actuator/health", "/actuator/health/**")
                                .permitAll()
                                .requestMatchers("/actuator/**")
                                .hasAuthority(Scopes.authority(Scopes.METRICS_READ))
                                .requestMatchers("/error")
                                .permitAll()
                                .anyRequest()
                                .authenticated())
                .exceptionHandling(exceptions ->
                        exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .addFilterBefore(
                        new ApiKeyAuthenticationFilter(apiKeys, problems, tokensAccepted), AuthorizationFilter.class);
        if (tokensAccepted) {
            // Before the anonymous filter, so a token's authentication starts empty rather than merged with
            // ROLE_ANONYMOUS.
            http.addFilterBefore(bearerTokens(oauth2, problems), AnonymousAuthenticationFilter.class);
        }
        return http.build();
    }

    /**
     * Spring Security's bearer-token filter, given only JWT-shaped credentials (everything else is an API key), with
     * failures written as problems. Wired by hand rather than through {@code oauth2ResourceServer()} so that it shares
     * the header with API keys and a JWK set out of reach is a 503 instead of an exception.
     */
    private static BearerTokenAuthenticationFilter bearerTokens(
            OAuth2Properties oauth2, ProblemWritingHandlers problems) {
        BearerTokenAuthenticationFilter filter =
                new BearerTokenAuthenticationFilter(OAuth2Tokens.authenticationManager(oauth2), request -> {
                    String credential = BearerTokens.credential(request.getHeader(HttpHeaders.AUTHORIZATION));
                    return BearerTokens.looksLikeJwt(credential)
                            ? new BearerTokenAuthenticationToken(credential)
                            : null;
                });
        filter.setAuthenticationEntryPoint(problems);
        filter.setAuthenticationFailureHandler(problems);
        return filter;
    }

    /** No user accounts exist; this keeps Spring Boot from generating a default password. */
    @Bean
    UserDetailsService noUsers() {
        return new InMemoryUserDetailsManager();
    }
}
