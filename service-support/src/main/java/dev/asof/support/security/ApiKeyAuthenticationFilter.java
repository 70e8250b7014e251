package dev.asof.support.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <api key>}; a wrong key is refused at once with a 401. When bearer JWTs
 * are accepted, a JWT-shaped credential is left to the token filter, which ran before this one.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private final ApiKeys apiKeys;
    private final AuthenticationEntryPoint entryPoint;
    private final boolean tokensAccepted;

    ApiKeyAuthenticationFilter(ApiKeys apiKeys, AuthenticationEntryPoint entryPoint, boolean tokensAccepted) {
        this.apiKeys = apiKeys;
        this.entryPoint = entryPoint;
        this.tokensAccepted = tokensAccepted;
    }

    /**
     * Also on the dispatch that handles a body read asynchronously ({@code BodyPrereadFilter}): the authentication
     * of the first dispatch was cleared when it returned.
     */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            chain.doFilter(request, response);
            return;
        }
        String credential = BearerTokens.credential(header);
        if (credential == null) {
            entryPoint.commence(
                    request, response, new BadCredentialsException("Authorization must be 'Bearer <api key>'"));
            return;
        }
        if (tokensAccepted && BearerTokens.looksLikeJwt(credential)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<ApiKeyProperties.ApiKey> key = apiKeys.find(credential);
        if (key.isEmpty()) {
            entryPoint.commence(request, response, new BadCredentialsException("unknown API key"));
            return;
        }
        List<SimpleGrantedAuthority> authorities = key.get().scopes().stream()
                .map(scope -> new SimpleGrantedAuthority(Scopes.authority(scope)))
                .toList();
        SecurityContextHolder.getContext()
                .setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                        key.get().name(), null, authorities));
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
