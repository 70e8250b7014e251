package dev.asof.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class OAuth2PropertiesTest {

    @Configuration
    @EnableConfigurationProperties(OAuth2Properties.class)
    static class Bound {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @Test
    void offWithoutAnIssuerAndDefaultsOtherwise() {
        runner.run(context -> {
            OAuth2Properties properties = context.getBean(OAuth2Properties.class);
            assertThat(properties.enabled()).isFalse();
            assertThat(properties.scopeClaim()).isEqualTo("scope");
            assertThat(properties.clockSkew()).hasSeconds(60);
            assertThat(properties.jwkSetTimeout()).hasSeconds(2);
            assertThat(properties.audiences()).isEmpty();
        });
    }

    @Test
    void anIssuerNeedsAJwkSetUri() {
        runner.withPropertyValues("asof.security.oauth2.issuer-uri=https://idp.example.test")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("jwk-set-uri is required when issuer-uri is set"));
    }

    @Test
    void theJwkSetTimeoutIsBounded() {
        runner.withPropertyValues(
                        "asof.security.oauth2.issuer-uri=https://idp.example.test",
                        "asof.security.oauth2.jwk-set-uri=https://idp.example.test/keys",
                        "asof.security.oauth2.jwk-set-timeout=5m")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("jwk-set-timeout must be between 1 ms and 60 s"));
    }
}
