package dev.asof.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An API key's name is its caller's name; token callers' names begin with {@code oauth2:}, so a key named so would
 * share a token caller's rate-limit bucket, body share and idempotency keys. Such a name is refused at start.
 */
class ApiKeyNamesTest {

    private static final String SHA256 = "0".repeat(64);

    private final Validator validator =
            Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void aKeyNamedLikeATokenCallerIsRefused() {
        for (String name : List.of("oauth2:ci-client", "OAuth2:ci-client", "oauth2:", "OAUTH2:x\ny")) {
            Set<ConstraintViolation<ApiKeyProperties.ApiKey>> refused =
                    validator.validate(new ApiKeyProperties.ApiKey(name, SHA256, Set.of("events:write")));
            assertThat(refused).as("%s", name).hasSize(1);
            ConstraintViolation<ApiKeyProperties.ApiKey> violation =
                    refused.iterator().next();
            assertThat(violation.getPropertyPath()).hasToString("name");
            assertThat(violation.getMessage()).startsWith("must not begin with oauth2:");
        }
    }

    @Test
    void otherNamesAreTaken() {
        for (String name : List.of("dev", "console", "genesys-prod", "my-oauth2:key", "oauth2-client", "line\nbreak")) {
            assertThat(validator.validate(new ApiKeyProperties.ApiKey(name, SHA256, Set.of("events:write"))))
                    .as("%s", name)
                    .isEmpty();
        }
    }
}
