package dev.asof.support.security;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Bearer JWTs from one OAuth2 issuer, accepted next to API keys ({@code asof.security.oauth2.*}). Off unless
 * {@code issuer-uri} is set; API keys work either way.
 *
 * @param issuerUri the exact {@code iss} a token must carry; empty turns OAuth2 off
 * @param jwkSetUri where the issuer publishes its signing keys (JWK set); required with {@code issuer-uri}. It is
 *     fetched on the first token, then kept for {@code jwk-set-cache-ttl} and fetched again early when a token names
 *     a key id the cached set lacks
 * @param audiences when not empty, a token's {@code aud} must contain one of them
 * @param scopeClaim the claim holding the token's scopes (space-separated string or list); when a token lacks it,
 *     {@code scope} and then {@code scp} are read. Only asof's scopes count; others are ignored
 * @param clockSkew how far {@code exp} and {@code nbf} may be off the server clock
 * @param jwkSetTimeout connect and read timeout of each JWK set fetch, and the longest a request waits for another
 *     request's fetch in progress; no request waits on the issuer longer than a few times this
 * @param jwkSetCacheTtl how long a fetched JWK set is used before it is fetched again
 */
@Validated
@ConfigurationProperties("asof.security.oauth2")
public record OAuth2Properties(
        String issuerUri,
        URI jwkSetUri,
        List<String> audiences,
        @NotBlank @DefaultValue("scope") String scopeClaim,
        @NotNull @DefaultValue("60s") Duration clockSkew,
        @NotNull @DefaultValue("2s") Duration jwkSetTimeout,
        @NotNull @DefaultValue("5m") Duration jwkSetCacheTtl) {

    public OAuth2Properties {
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
    }

    /** Whether bearer JWTs are accepted at all. */
    public boolean enabled() {
        return issuerUri != null && !issuerUri.isBlank();
    }

    @AssertTrue(message = "asof.security.oauth2.jwk-set-uri is required when issuer-uri is set")
    boolean isJwkSetUriGivenWithIssuer() {
        return !enabled() || jwkSetUri != null;
    }

    @AssertTrue(message = "asof.security.oauth2.jwk-set-uri must be an absolute http(s) URI")
    boolean isJwkSetUriHttp() {
        return jwkSetUri == null
                || ("https".equalsIgnoreCase(jwkSetUri.getScheme()) || "http".equalsIgnoreCase(jwkSetUri.getScheme()))
                        && jwkSetUri.getHost() != null;
    }

    @AssertTrue(message = "asof.security.oauth2.clock-skew must not be negative")
    boolean isClockSkewNotNegative() {
        return clockSkew == null || !clockSkew.isNegative();
    }

    @AssertTrue(message = "asof.security.oauth2.jwk-set-timeout must be between 1 ms and 60 s")
    boolean isJwkSetTimeoutBounded() {
        return jwkSetTimeout == null
                || jwkSetTimeout.toMillis() >= 1 && jwkSetTimeout.compareTo(Duration.ofSeconds(60)) <= 0;
    }

    @AssertTrue(message = "asof.security.oauth2.jwk-set-cache-ttl must be longer than jwk-set-timeout")
    boolean isJwkSetCacheTtlLongerThanTimeout() {
        return jwkSetCacheTtl == null || jwkSetTimeout == null || jwkSetCacheTtl.compareTo(jwkSetTimeout) > 0;
    }
}
