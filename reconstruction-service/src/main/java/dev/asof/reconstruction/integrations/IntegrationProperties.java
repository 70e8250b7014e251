package dev.asof.reconstruction.integrations;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Contact-centre integration settings ({@code asof.integrations.*}).
 *
 * @param publicBaseUrl the URL Genesys and CXone reach this service at, used in the generated data action
 * @param maxFlatBytes the flat view never exceeds this many UTF-8 bytes (CXone Studio refuses responses over
 *     32 KB; the default leaves room for headers and encoding differences)
 * @param catalogOnly whether the flat view shows only catalog attributes ({@code true}) or every attribute
 */
@Validated
@ConfigurationProperties("asof.integrations")
public record IntegrationProperties(
        @NotBlank @DefaultValue("http://localhost:8082") String publicBaseUrl,
        @Min(1024) @Max(1_048_576) @DefaultValue("30000") int maxFlatBytes,
        @DefaultValue("false") boolean catalogOnly) {}
