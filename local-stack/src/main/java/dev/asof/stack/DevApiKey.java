package dev.asof.stack;

import dev.asof.support.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The API key of the local stack: random, created on the first {@code up}, kept in a file only its owner can read,
 * and reused so scripts and saved requests keep working across restarts. The services only see its hash.
 */
record DevApiKey(String value) {

    static final String NAME = "local-dev";
    static final String SCOPES = "events:write,profile:read,merge:write,gdpr:erase";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Reads the key from {@code file}, creating the file with a new random key when it does not exist. */
    static DevApiKey loadOrCreate(Path file) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (Files.exists(file)) {
            if (posix) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            String value = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!value.isEmpty()) {
                return new DevApiKey(value);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        DevApiKey key = new DevApiKey(
                "asof_dev_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (posix) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        Files.writeString(temporary, key.value() + System.lineSeparator(), StandardCharsets.UTF_8);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return key;
    }

    /** Lower-case hex SHA-256 of the key, the form {@code asof.security.api-keys[i].sha256} expects. */
    String sha256() {
        return Digests.sha256Hex(value);
    }

    @Override
    public String toString() {
        return "DevApiKey[" + NAME + "]";
    }
}
