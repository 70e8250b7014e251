package dev.asof.support.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The API keys a service accepts, configured hashed: {@code asof.security.api-keys[i].name}, {@code .sha256}
 * (lower-case hex SHA-256 of the raw key) and {@code .scopes}. With no key configured every request but health
 * is refused. A key's name is its caller's name (rate limits, body shares, idempotency keys), so it may not begin with
 * {@code oauth2:}, which token callers' names do ({@link OAuth2Tokens#PRINCIPAL_PREFIX}).
 */
@Validated
@ConfigurationProperties("asof.security")
public record ApiKeyProperties(@Valid List<ApiKey> apiKeys) {

    public ApiKeyProperties {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    }

    /** One configured key. */
    public record ApiKey(
            @NotBlank
            @Pattern(
                    regexp = "(?si)^(?!oauth2:).*$",
                    message = "must not begin with oauth2: (the names of token callers do: a key of such a name would"
                            + " share a token caller's rate-limit bucket, body share and idempotency keys)")
            String name,

            @NotBlank @Pattern(regexp = "^[0-9a-f]{64}$", message = "must be 64 lower-case hex digits (SHA-256)")
            String sha256,

            @NotEmpty Set<String> scopes) {

        public ApiKey {
            scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
        }
    }
}
