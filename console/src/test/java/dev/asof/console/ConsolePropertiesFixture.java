package dev.asof.console;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** {@link ConsoleProperties} for tests: every service at one address, the key "key", no local users. */
public final class ConsolePropertiesFixture {

    private ConsolePropertiesFixture() {}

    public static ConsoleProperties properties(
            URI services,
            int timelineMaxChanges,
            int readThreads,
            int timelineSlices,
            String oidcRolesClaim,
            int warmUpChanges) {
        return new ConsoleProperties(
                services,
                services,
                services,
                "key",
                Duration.ofSeconds(10),
                timelineMaxChanges,
                Duration.ofSeconds(30),
                List.of(),
                readThreads,
                timelineSlices,
                oidcRolesClaim,
                warmUpChanges);
    }
}
