package dev.asof.support.security;

import dev.asof.support.Digests;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Looks up a presented raw key among the configured hashes, in constant time per comparison. */
public final class ApiKeys {

    private final List<ApiKeyProperties.ApiKey> keys;
    private final List<byte[]> hashes;

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
        this.hashes =
                keys.stream().map(key -> HexFormat.of().parseHex(key.sha256())).toList();
    }

    /** The configured key whose hash matches {@code rawKey}. */
    public Optional<ApiKeyProperties.ApiKey> find(String rawKey) {
        byte[] presented = Digests.sha256(rawKey);
        ApiKeyProperties.ApiKey found = null;
        for (int i = 0; i < keys.size(); i++) {
            // Compare with every key, in constant time each, so timing does not tell which key nearly matched.
            if (MessageDigest.isEqual(presented, hashes.get(i)) && found == null) {
                found = keys.get(i);
            }
        }
        return Optional.ofNullable(found);
    }

    /** The lower-case hex SHA-256 of a raw key, as configuration wants it. */
    public static String sha256Hex(String rawKey) {
        return Digests.sha256Hex(rawKey);
    }
}
