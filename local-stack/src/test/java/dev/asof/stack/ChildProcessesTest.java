package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessesTest {

    @TempDir
    Path dir;

    @Test
    void aFailureTailLeadsWithWhatWentWrong() throws Exception {
        Path log = Files.writeString(dir.resolve("service.log"), """
                INFO starting
                ERROR Application run failed
                java.lang.IllegalStateException: Failed to start bean 'registry'
                \tat org.example.A.a(A.java:1)
                Caused by: java.lang.IllegalArgumentException: wrapper
                \tat org.example.B.b(B.java:2)
                Caused by: java.net.BindException: Address already in use
                \tat org.example.C.c(C.java:3)

                ***************************
                APPLICATION FAILED TO START
                ***************************

                Description:

                Web server failed to start. Port 8081 was already in use.

                Action:
                """);

        String tail = ChildProcesses.tail(log, 3);

        assertThat(tail.lines().toList())
                .containsExactly(
                        "    Web server failed to start. Port 8081 was already in use.",
                        "    root cause: java.net.BindException: Address already in use",
                        "    | Web server failed to start. Port 8081 was already in use.",
                        "    | ",
                        "    | Action:");
    }

    @Test
    void aMissingLogIsSaidSo() {
        assertThat(ChildProcesses.tail(dir.resolve("nothing.log"), 5)).contains("no log at");
    }

    @Test
    void childrenIgnoreCtrlCButStopOnRequest() throws Exception {
        Process sleeper = ChildProcesses.start(List.of("sleep", "30"), dir, dir.resolve("sleep.log"));
        // The wrapper shell sets the trap, then execs: a signal sent before that would reach a shell without it.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sleeper.toHandle().info().command().orElse("").endsWith("sleep") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        new ProcessBuilder("kill", "-INT", Long.toString(sleeper.pid())).start().waitFor();
        Thread.sleep(300);
        assertThat(sleeper.isAlive()).as("SIGINT is ignored").isTrue();

        ChildProcesses.stop(sleeper.toHandle(), Duration.ofSeconds(5));

        assertThat(sleeper.isAlive()).isFalse();
    }
}
