package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's restarts, step by step on a clock the test moves, with small real processes as children. */
class SupervisorTest {

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock();
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private final List<Integer> launched = new ArrayList<>();

    @AfterEach
    void stopWhatRuns() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aChildThatDiesIsStartedAgainOnceItsBackoffIsOver() throws Exception {
        Supervisor supervisor = supervisor(RestartPolicy.withMaxRapidFailures(3));
        Supervisor.Launch sleeper = restart -> {
            launched.add(restart);
            return start("sleep", "60");
        };
        SupervisedProcess first = sleeper.start(0);
        supervisor.add("sleeper", log(), first, sleeper);

        clock.advance(Duration.ofSeconds(2));
        kill(first);
        assertThat(supervisor.checkOnce()).isEmpty();

        assertThat(reports)
                .containsExactly("sleeper: exited unexpectedly with code 137 (killed by SIGKILL) after 2.0 s;"
                        + " restarting in 1.0 s (attempt 1 of 3, log " + log() + ")");
        assertThat(supervisor.current("sleeper")).isEmpty();
        supervisor.checkOnce();
        assertThat(launched).as("not before the backoff is over").containsExactly(0);

        clock.advance(Duration.ofSeconds(1));
        supervisor.checkOnce();

        assertThat(launched).containsExactly(0, 1);
        SupervisedProcess second = supervisor.current("sleeper").orElseThrow();
        assertThat(second.handle().isAlive()).isTrue();
        assertThat(supervisor.restarts("sleeper")).isEqualTo(1);
        supervisor.checkOnce();
        assertThat(reports)
                .endsWith(
                        "sleeper: restarting (attempt 1 of 3)",
                        "sleeper: started again (pid " + second.handle().pid() + ", restart 1 in all)",
                        "sleeper: ready again");

        kill(second);
        supervisor.checkOnce();
        assertThat(reports.get(reports.size() - 1)).contains("restarting in 2.0 s (attempt 2 of 3");
        clock.advance(Duration.ofSeconds(2));
        supervisor.checkOnce();
        SupervisedProcess third = supervisor.current("sleeper").orElseThrow();

        clock.advance(Duration.ofMinutes(1));
        kill(third);
        supervisor.checkOnce();
        assertThat(reports.get(reports.size() - 1))
                .as("a minute up: the count starts over")
                .contains("after 60.0 s; restarting in 1.0 s (attempt 1 of 3");
        assertThat(supervisor.restarts("sleeper")).isEqualTo(2);
    }

    @Test
    void givesUpOnAChildThatKeepsDyingAndNamesItsLog() throws Exception {
        Supervisor supervisor = supervisor(RestartPolicy.withMaxRapidFailures(2));
        Supervisor.Launch failing = restart -> {
            launched.add(restart);
            return start("sh", "-c", "exit 3");
        };
        supervisor.add("failing", log(), failing.start(0), failing);

        awaitExit(supervisor, "failing");
        assertThat(supervisor.checkOnce()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        supervisor.checkOnce();
        awaitExit(supervisor, "failing");
        assertThat(supervisor.checkOnce()).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        supervisor.checkOnce();
        awaitExit(supervisor, "failing");

        var gaveUp = supervisor.checkOnce();

        assertThat(launched).containsExactly(0, 1, 2);
        assertThat(gaveUp).isPresent();
        assertThat(gaveUp.get().child()).isEqualTo("failing");
        assertThat(gaveUp.get().log()).isEqualTo(log());
        assertThat(gaveUp.get().message())
                .isEqualTo("failing exited unexpectedly with code 3 after 0.0 s. It failed 3 times in a row without"
                        + " staying up 60.0 s in between; not restarting it again. Its log: " + log());
    }

    @Test
    void aChildThatCannotStartAgainCountsAsAnotherFailure() throws Exception {
        Supervisor supervisor = supervisor(RestartPolicy.withMaxRapidFailures(3));
        Supervisor.Launch portTaken = restart -> {
            launched.add(restart);
            if (restart > 0) {
                throw new StackException("port 8000 is in use");
            }
            return start("sleep", "60");
        };
        SupervisedProcess first = portTaken.start(0);
        supervisor.add("dynalite", log(), first, portTaken);
        kill(first);
        supervisor.checkOnce();
        clock.advance(Duration.ofSeconds(1));

        assertThat(supervisor.checkOnce()).isEmpty();

        assertThat(reports.get(reports.size() - 1))
                .isEqualTo("dynalite: did not start again: port 8000 is in use; restarting in 2.0 s (attempt 2 of 3,"
                        + " log " + log() + ")");
        assertThat(supervisor.restarts("dynalite")).isZero();
    }

    @Test
    void nothingIsRestartedAfterAStop() throws Exception {
        Supervisor supervisor = supervisor(RestartPolicy.withMaxRapidFailures(3));
        Supervisor.Launch sleeper = restart -> {
            launched.add(restart);
            return start("sleep", "60");
        };
        SupervisedProcess first = sleeper.start(0);
        supervisor.add("sleeper", log(), first, sleeper);

        var running = supervisor.stop();
        running.values().forEach(SupervisedProcess::close);
        clock.advance(Duration.ofMinutes(5));

        assertThat(running).containsOnlyKeys("sleeper");
        assertThat(supervisor.checkOnce()).isEmpty();
        assertThat(supervisor.watch()).as("returns at once").isEmpty();
        assertThat(launched).containsExactly(0);
        assertThat(reports).isEmpty();
        assertThat(supervisor.stop()).as("the second stop has nothing left").isEmpty();
    }

    @Test
    void exitCodesAboveOneHundredTwentyEightNameTheSignal() {
        assertThat(Supervisor.describeExit(137)).isEqualTo("code 137 (killed by SIGKILL)");
        assertThat(Supervisor.describeExit(143)).isEqualTo("code 143 (killed by SIGTERM)");
        assertThat(Supervisor.describeExit(1)).isEqualTo("code 1");
    }

    private Supervisor supervisor(RestartPolicy policy) {
        return new Supervisor(policy, clock, (child, message) -> reports.add(child + ": " + message));
    }

    private Path log() {
        return dir.resolve("child.log");
    }

    private SupervisedProcess start(String... command) throws StackException {
        try {
            Process process = ChildProcesses.start(List.of(command), dir, log());
            started.add(process);
            return new RealProcess(process);
        } catch (java.io.IOException e) {
            throw new StackException("could not start " + List.of(command), e);
        }
    }

    private static void kill(SupervisedProcess process) {
        process.handle().destroyForcibly();
        process.handle().onExit().join();
    }

    private static void awaitExit(Supervisor supervisor, String name) {
        supervisor.current(name).orElseThrow().handle().onExit().join();
    }

    /** A child as the supervisor sees one; the process is real. */
    private record RealProcess(Process process) implements SupervisedProcess {

        @Override
        public ProcessHandle handle() {
            return process.toHandle();
        }

        @Override
        public int exitValue() {
            return process.onExit().join().exitValue();
        }

        @Override
        public boolean isReady() {
            return process.isAlive();
        }

        @Override
        public void close() {
            ChildProcesses.stop(process.toHandle(), Duration.ofSeconds(5));
        }
    }

    /** Time moves only when the test says so. */
    private static final class MovableClock extends Clock {

        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
