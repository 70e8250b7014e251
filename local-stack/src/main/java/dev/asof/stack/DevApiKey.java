package dev.asof.stack;

import dev.asof.support.Digests;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An API key of the local stack: random, created on the first {@code up}, kept in a file only its owner can read
 * ({@link SecretFile}), and reused so scripts and saved requests keep working across restarts. The services only
 * see its hash. Two exist: the dev key (every scope, for people and scripts) and the console's (only what the
 * console needs).
 */
record DevApiKey(String name, String scopes, String value) {

    static final String NAME = "local-dev";
    static final String SCOPES = "events:write,profile:read,merge:write,gdpr:erase,metrics:read";
    static final String CONSOLE_NAME = "console";
    /** The console reads profiles, histories, identities, matches and campaigns, and requests erasures. */
    static final String CONSOLE_SCOPES = "profile:read,gdpr:erase";

    /** The dev key in {@code file}, created when the file does not exist. */
    static DevApiKey loadOrCreate(Path file) throws IOException {
        return new DevApiKey(NAME, SCOPES, SecretFile.readOrCreate(file, "asof_dev_", 24));
    }

    /** The console's key in {@code file}, created when the file does not exist. */
    static DevApiKey loadOrCreateConsoleKey(Path file) throws IOException {
        return new DevApiKey(CONSOLE_NAME, CONSOLE_SCOPES, SecretFile.readOrCreate(file, "asof_console_", 24));
    }

    /** Lower-case hex SHA-256 of the key, the form {@code asof.security.api-keys[i].sha256} expects. */
    String sha256() {
        return Digests.sha256Hex(value);
    }

    @Override
    public String toString() {
        return "DevApiKey[" + name + "]";
    }
}
