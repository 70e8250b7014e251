package dev.asof.privacy;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-subject keys ({@code asof.privacy}): whether intake encrypts new attribute values ({@code enabled}, default
 * {@code true}; reads decrypt either way, so turning it off later keeps what was encrypted readable), where the local key-encryption keyset lives ({@code
 * kek-keyset-path}, default {@code .asof/privacy/kek.json} relative to the working directory, created when
 * missing), and the cache of unwrapped data keys: at most {@code key-cache-size} subjects (default 10,000), each
 * kept at most {@code key-cache-ttl} (default 60 s). The TTL is also how long another replica may still use a
 * data key after it was destroyed (see {@link SubjectKeys}). On AWS, {@code kek-uri}
 * ({@code aws-kms://<key or alias ARN>}) makes the KEK a KMS key instead of the local keyset; {@code kms-endpoint}
 * overrides KMS's endpoint (a VPC endpoint), and {@code kms-timeout} (default 5 s) bounds each KMS call.
 *
 * <p>Moving to a different KEK: {@code previous-kek-uri} (a KMS key URI) or {@code previous-kek-keyset-path} (a
 * keyset file that must exist) names the KEK the stored data keys were wrapped with; it only unwraps what the
 * current KEK cannot, until the rewrap pass has rewrapped every key ({@link KeyEncryptionKey#unwrappingAlsoWith}).
 * {@code previous-kms-endpoint} overrides the endpoint of the previous KMS key's client ({@code kms-endpoint} is the
 * current key's only: an endpoint belongs to one region).
 */
@Validated
@ConfigurationProperties("asof.privacy")
public record PrivacyProperties(
        @DefaultValue("true") boolean enabled,

        @NotNull @DefaultValue(".asof/privacy/kek.json") Path kekKeysetPath,

        @Min(1) @Max(10_000_000) @DefaultValue("10000") int keyCacheSize,

        @NotNull @DefaultValue("60s") Duration keyCacheTtl,

        String kekUri,

        URI kmsEndpoint,

        @NotNull @DefaultValue("5s") Duration kmsTimeout,

        String previousKekUri,

        Path previousKekKeysetPath,

        URI previousKmsEndpoint) {

    public PrivacyProperties {
        if (kekUri != null && !kekUri.isBlank()) {
            KeyEncryptionKey.kmsKeyArn(kekUri);
        }
        if (previousKekUri != null && !previousKekUri.isBlank()) {
            if (previousKekKeysetPath != null) {
                throw new IllegalArgumentException("set asof.privacy.previous-kek-uri or"
                        + " asof.privacy.previous-kek-keyset-path, not both: there is one previous KEK");
            }
            try {
                KeyEncryptionKey.kmsKeyArn(previousKekUri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replace("kek-uri", "previous-kek-uri"), e);
            }
        }
        if (kmsTimeout != null && (kmsTimeout.isNegative() || kmsTimeout.isZero())) {
            throw new IllegalArgumentException("asof.privacy.kms-timeout must be positive, got " + kmsTimeout);
        }
        if (keyCacheTtl != null && (keyCacheTtl.isNegative() || keyCacheTtl.isZero())) {
            throw new IllegalArgumentException("asof.privacy.key-cache-ttl must be positive, got " + keyCacheTtl);
        }
    }
}
