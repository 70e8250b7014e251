package dev.asof.support.security;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.net.MalformedURLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Verifies bearer JWTs with Spring Security's resource server (Nimbus underneath): RS256 signatures against the
 * issuer's JWK set, then {@code iss}, {@code exp}/{@code nbf}, {@code typ}, optionally {@code aud}, and a caller name.
 * A verified token becomes an authentication with asof's scopes only.
 */
final class OAuth2Tokens {

    /**
     * Token callers' principal names start with this, so a caller never shares a rate-limit bucket or idempotency keys
     * with an API key of the same name.
     */
    static final String PRINCIPAL_PREFIX = "oauth2:";

    /** The claims that may name the caller, in order: a user or client ({@code sub}), else the client. */
    static final List<String> CALLER_CLAIMS = List.of(JwtClaimNames.SUB, "client_id", "azp");

    /** A JWK set larger than this is refused; real ones are a few KB. */
    private static final int JWK_SET_SIZE_LIMIT = 256 * 1024;

    private OAuth2Tokens() {}

    /** The authentication manager behind the bearer-token filter. */
    static AuthenticationManager authenticationManager(OAuth2Properties properties) {
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder(properties));
        provider.setJwtAuthenticationConverter(jwt -> authentication(jwt, properties.scopeClaim()));
        return provider::authenticate;
    }

    static JwtDecoder decoder(OAuth2Properties properties) {
        NimbusJwtDecoder decoder =
                NimbusJwtDecoder.withJwkSource(keys(properties)).build();
        decoder.setJwtValidator(validator(properties));
        return decoder;
    }

    /**
     * The issuer's keys, fetched lazily and cached. Every wait on the issuer is bounded by {@code jwk-set-timeout}: the
     * connect and the read of a fetch, and a request waiting for another request's fetch. Keys that were fetched once
     * stay usable for ten cache lifetimes while the issuer cannot be reached.
     */
    private static JWKSource<SecurityContext> keys(OAuth2Properties properties) {
        int timeout = Math.toIntExact(properties.jwkSetTimeout().toMillis());
        try {
            return JWKSourceBuilder.<SecurityContext>create(
                            properties.jwkSetUri().toURL(),
                            new DefaultResourceRetriever(timeout, timeout, JWK_SET_SIZE_LIMIT))
                    .cache(properties.jwkSetCacheTtl().toMillis(), timeout)
                    .refreshAheadCache(false)
                    .rateLimited(false)
                    .outageTolerant(true)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("asof.security.oauth2.jwk-set-uri is not a URL", e);
        }
    }

    /**
     * What {@link JwtValidators#createDefaultWithIssuer} checks (type, timestamps with the configured skew, issuer,
     * certificate binding), plus the audience when configured and a caller name. Each failure's description is
     * Spring's or asof's fixed text, never a piece of the token, so it can go into the 401.
     */
    static OAuth2TokenValidator<Jwt> validator(OAuth2Properties properties) {
        JwtTypeValidator type = new JwtTypeValidator("JWT", "at+jwt", "application/at+jwt");
        type.setAllowEmpty(true);
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(type);
        JwtTimestampValidator timestamps = new JwtTimestampValidator(properties.clockSkew());
        timestamps.setAllowEmptyExpiryClaim(false); // a token that never expires is refused
        validators.add(timestamps);
        validators.add(new JwtIssuerValidator(properties.issuerUri()));
        if (!properties.audiences().isEmpty()) {
            Set<String> accepted = Set.copyOf(properties.audiences());
            validators.add(new JwtClaimValidator<Collection<String>>(
                    JwtClaimNames.AUD,
                    audience -> audience != null && audience.stream().anyMatch(accepted::contains)));
        }
        validators.add(OAuth2Tokens::namesCaller);
        return JwtValidators.createDefaultWithValidators(validators);
    }

    private static OAuth2TokenValidatorResult namesCaller(Jwt jwt) {
        return caller(jwt) == null
                ? OAuth2TokenValidatorResult.failure(new OAuth2Error(
                        OAuth2ErrorCodes.INVALID_TOKEN, "The token names no caller (sub, client_id or azp)", null))
                : OAuth2TokenValidatorResult.success();
    }

    private static String caller(Jwt jwt) {
        for (String claim : CALLER_CLAIMS) {
            String value = jwt.getClaimAsString(claim);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /** A verified token as an authentication: named after its caller, holding the asof scopes it grants. */
    static JwtAuthenticationToken authentication(Jwt jwt, String scopeClaim) {
        List<GrantedAuthority> authorities = scopes(jwt, scopeClaim).stream()
                .<GrantedAuthority>map(scope -> new SimpleGrantedAuthority(Scopes.authority(scope)))
                .toList();
        return new JwtAuthenticationToken(jwt, authorities, PRINCIPAL_PREFIX + caller(jwt));
    }

    /**
     * The asof scopes in the first of {@code scopeClaim}, {@code scope}, {@code scp} the token has, read as a
     * space-separated string or a list of strings. Scopes asof does not know are ignored.
     */
    static Set<String> scopes(Jwt jwt, String scopeClaim) {
        Object value = Stream.of(scopeClaim, "scope", "scp")
                .filter(jwt::hasClaim)
                .findFirst()
                .map(jwt::getClaim)
                .orElse(null);
        Stream<String> granted;
        if (value instanceof String text) {
            granted = Stream.of(text.trim().split("\\s+"));
        } else if (value instanceof Collection<?> list) {
            granted = list.stream().filter(String.class::isInstance).map(String.class::cast);
        } else {
            granted = Stream.empty();
        }
        Set<String> scopes = new LinkedHashSet<>();
        granted.filter(Scopes.ALL::contains).forEach(scopes::add);
        return scopes;
    }
}
