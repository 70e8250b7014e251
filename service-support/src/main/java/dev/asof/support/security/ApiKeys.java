package dev.asof.support.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Looks up a presented raw key among the configured hashes, in constant time per comparison. */
public final class ApiKeys {

    private final List<ApiKeyProperties.ApiKey> keys;

    public ApiKeys(List<ApiKeyProperties.ApiKey> keys) {
        for (ApiKeyProperties.ApiKey key : keys) {
            for (String scope : key.scopes()) {
                if (!Scopes.ALL.contains(scope)) {
                    throw new IllegalArgumentException(
                            "API key '" + key.name() + "' has unknown scope '" + scope + "'; known: " + Scopes.ALL);
                }
            }
        }
        this.keys = List.copyOf(keys);
    }

    /** The configured key whose hash matches {@code rawKey}. */
    public Optional<ApiKeyProperties.ApiKey> find(String rawKey) {
        byte[] presented = sha256(rawKey);
        ApiKeyProperties.ApiKey found = null;
        for (ApiKeyProperties.ApiKey key : keys) {
            if (MessageDigest.isEqual(presented, HexFormat.of().parseHex(key.sha256())) && found == null) {
                found = key;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The lower-case hex SHA-256 of a raw key, as configuration wants it. */
    public static String sha256Hex(String rawKey) {
        return HexFormat.of().formatHex(sha256(rawKey));
    }

    private static byte[] sha256(String rawKey) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(rawKey.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
