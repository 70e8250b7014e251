package dev.asof.console.security;

import dev.asof.console.ConsoleProperties;
import dev.asof.console.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.authority.mapping.GrantedAuthoritiesMapper;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;
import org.springframework.security.oauth2.core.user.OAuth2UserAuthority;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.csrf.MissingCsrfTokenException;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Who may see what. Local operators sign in with a form (passwords hashed in configuration); when an OpenID Connect
 * client is configured ({@code spring.security.oauth2.client.registration.*}) its login is offered beside the form.
 * Every page but sign-in, static files and health needs a console role; the privacy pages need
 * {@code privacy-officer}. CSRF protection is on for every form (Spring Security's default, kept).
 */
@Configuration
class ConsoleSecurity {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    SecurityFilterChain consoleFilterChain(
            HttpSecurity http, ObjectProvider<ClientRegistrationRepository> oidcClients, ConsoleProperties properties)
            throws Exception {
        http.authorizeHttpRequests(requests -> requests.requestMatchers(
                                "/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error")
                        .permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers("/privacy/**")
                        .hasRole(Role.PRIVACY_OFFICER.name())
                        .anyRequest()
                        .hasAnyRole(Role.AUDITOR.name(), Role.PRIVACY_OFFICER.name()))
                .formLogin(form -> form.loginPage("/login").permitAll())
                // an htmx request after the session ended: the whole page goes to sign-in, not the sign-in page
                // into a panel
                .exceptionHandling(exceptions ->
                        exceptions.authenticationEntryPoint(signIn()).accessDeniedHandler(formOfAnEndedSession()))
                .logout(logout -> logout.logoutSuccessUrl("/login?signed-out"))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
                        .referrerPolicy(
                                referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
        if (oidcClients.getIfAvailable() != null) {
            http.oauth2Login(login -> login.loginPage("/login")
                    .userInfoEndpoint(userInfo -> userInfo.userAuthoritiesMapper(rolesFromClaim(properties))));
        }
        return http.build();
    }

    /**
     * A form posted after its session ended (nobody signed in, no token in any session) is a sign-in matter, not a
     * refusal, so it goes to sign-in. A signed-in post without its token or with a wrong one, or without the role,
     * stays {@code 403}.
     */
    static AccessDeniedHandler formOfAnEndedSession() {
        AccessDeniedHandlerImpl refuse = new AccessDeniedHandlerImpl();
        return (request, response, denied) -> {
            Authentication who = SecurityContextHolder.getContext().getAuthentication();
            boolean signedOut = who == null || !who.isAuthenticated();
            if (denied instanceof MissingCsrfTokenException && signedOut) {
                signIn().commence(request, response, new InsufficientAuthenticationException("the session ended"));
            } else {
                refuse.handle(request, response, denied);
            }
        };
    }

    /**
     * Where a request without a session goes: the sign-in page; an htmx request (a panel refreshing after the session
     * ended) gets {@code 401} with {@code HX-Redirect}, so the whole window goes to sign-in instead of the sign-in
     * page landing inside a panel.
     */
    static AuthenticationEntryPoint signIn() {
        LoginUrlAuthenticationEntryPoint page = new LoginUrlAuthenticationEntryPoint("/login");
        return (request, response, failure) -> {
            if (request.getHeader("HX-Request") != null) {
                response.setHeader("HX-Redirect", request.getContextPath() + "/login");
                response.setStatus(401);
            } else {
                page.commence(request, response, failure);
            }
        };
    }

    /**
     * Spring Security's hash formats ({@code {bcrypt}$2a$10$...}, {@code {argon2}...}); a hash without its
     * {@code {id}} prefix is read as bcrypt, the form {@code htpasswd -B} and most tools print.
     */
    @Bean
    PasswordEncoder passwordEncoder() {
        DelegatingPasswordEncoder encoder =
                (DelegatingPasswordEncoder) PasswordEncoderFactories.createDelegatingPasswordEncoder();
        encoder.setDefaultPasswordEncoderForMatches(new BCryptPasswordEncoder());
        return encoder;
    }

    @Bean
    UserDetailsService localOperators(ConsoleProperties properties) {
        List<UserDetails> users = new ArrayList<>();
        for (ConsoleProperties.User user : properties.users()) {
            if (user.passwordHash().startsWith("{noop}")) {
                throw new IllegalStateException("asof.console.users: the password of " + user.username()
                        + " is in clear ({noop}); configure a hash, e.g. {bcrypt}$2a$10$... (docs/console.md)");
            }
            users.add(User.withUsername(user.username())
                    .password(user.passwordHash())
                    .authorities(user.roles().stream().map(Role::authority).toArray(String[]::new))
                    .build());
        }
        return new InMemoryUserDetailsManager(users);
    }

    /** OpenID Connect users get the console roles their IdP names in the configured claim, nothing else. */
    static GrantedAuthoritiesMapper rolesFromClaim(ConsoleProperties properties) {
        return authorities -> {
            Set<GrantedAuthority> mapped = new HashSet<>();
            for (GrantedAuthority authority : authorities) {
                Object claim = null;
                if (authority instanceof OidcUserAuthority oidc) {
                    claim = oidc.getAttributes().get(properties.oidcRolesClaim());
                    if (claim == null && oidc.getUserInfo() != null) {
                        claim = oidc.getUserInfo().getClaims().get(properties.oidcRolesClaim());
                    }
                } else if (authority instanceof OAuth2UserAuthority oauth2) {
                    claim = oauth2.getAttributes().get(properties.oidcRolesClaim());
                }
                for (String value : values(claim)) {
                    Role.fromLabel(value).ifPresent(role -> mapped.add(new SimpleGrantedAuthority(role.authority())));
                }
            }
            return mapped;
        };
    }

    private static List<String> values(Object claim) {
        List<String> values = new ArrayList<>();
        if (claim instanceof String text) {
            for (String part : text.split("[\\s,]+")) {
                if (!part.isBlank()) {
                    values.add(part);
                }
            }
        } else if (claim instanceof Collection<?> list) {
            for (Object item : list) {
                if (item != null) {
                    values.add(item.toString());
                }
            }
        }
        return values;
    }
}
