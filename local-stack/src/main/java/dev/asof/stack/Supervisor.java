package dev.asof.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the children of the local stack running: one that dies on its own is started again after a backoff
 * ({@link RestartPolicy}), and the console says which, why and when. One that keeps dying makes {@link #watch()}
 * give up. Nothing is restarted once {@link #stop()} was called, so Ctrl-C and {@code ./asof down} stay stops.
 *
 * <p>Restarts run on the watching thread, one at a time, in the order the children were added (Kafka and dynalite
 * before the services). {@link #stop()} may come from a shutdown hook at any moment.
 */
final class Supervisor {

    private static final Duration POLL = Duration.ofMillis(250);

    /** Starts a child again; {@code restart} counts its restarts, 1 for the first. */
    @FunctionalInterface
    interface Launch {
        SupervisedProcess start(int restart) throws StackException, InterruptedException;
    }

    /** Where the supervisor reports, e.g. {@code [ 12.3s] dynalite  restarted}. */
    @FunctionalInterface
    interface Progress {
        void report(String child, String message);
    }

    /** The supervisor stopped watching because {@code child} failed too often in a row; the message says so. */
    record GaveUp(String child, Path log, String message) {}

    private final RestartPolicy policy;
    private final Clock clock;
    private final Progress progress;

    // Guarded by this: stop() comes from a shutdown hook while the watching thread restarts.
    private final Map<String, Child> children = new LinkedHashMap<>();
    private boolean stopping;
    private boolean restarting;

    Supervisor(RestartPolicy policy, Clock clock, Progress progress) {
        this.policy = policy;
        this.clock = clock;
        this.progress = progress;
    }

    private static final class Child {
        final String name;
        final Path log;
        final Launch launch;
        SupervisedProcess process; // null while waiting for a restart
        Instant startedAt;
        Instant restartAt;
        int rapidFailures;
        int restarts;
        boolean awaitingReady;

        Child(String name, Path log, Launch launch, SupervisedProcess process, Instant startedAt) {
            this.name = name;
            this.log = log;
            this.launch = launch;
            this.process = process;
            this.startedAt = startedAt;
        }
    }

    /** Watches {@code process} from now on; stops it at once when the stack is already stopping. */
    void add(String name, Path log, SupervisedProcess process, Launch launch) throws StackException {
        synchronized (this) {
            if (!stopping) {
                children.put(name, new Child(name, log, launch, process, clock.instant()));
                return;
            }
        }
        process.close();
        throw new StackException("stopped while starting");
    }

    /**
     * Restarts nothing from now on and hands over what runs, by name in the order added, for the caller to stop
     * in the order it needs. Safe to call more than once; later calls return nothing.
     */
    synchronized Map<String, SupervisedProcess> stop() {
        Map<String, SupervisedProcess> running = new LinkedHashMap<>();
        if (!stopping) {
            stopping = true;
            children.forEach((name, child) -> {
                if (child.process != null) {
                    running.put(name, child.process);
                }
            });
        }
        return running;
    }

    /**
     * Waits up to {@code limit} for a restart that was under way when {@link #stop()} came; it stops what it
     * started itself, and whatever it recorded is then safe to clear.
     */
    synchronized void awaitRestartFinished(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (restarting) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** How often {@code name} was started again. */
    synchronized int restarts(String name) {
        Child child = children.get(name);
        return child == null ? 0 : child.restarts;
    }

    /** What runs as {@code name} now; empty while it waits for a restart. */
    synchronized Optional<SupervisedProcess> current(String name) {
        return Optional.ofNullable(children.get(name)).map(child -> child.process);
    }

    /**
     * Blocks while the stack runs, restarting what dies. Returns empty after {@link #stop()}, or why it gave up
     * when a child failed too often in a row (the caller then stops the stack).
     */
    Optional<GaveUp> watch() throws InterruptedException {
        while (!isStopping()) {
            Optional<GaveUp> gaveUp = checkOnce();
            if (gaveUp.isPresent()) {
                return gaveUp;
            }
            Thread.sleep(POLL.toMillis());
        }
        return Optional.empty();
    }

    /** One look at every child: notes who died, restarts those whose backoff is over. {@link #watch()} repeats it. */
    Optional<GaveUp> checkOnce() throws InterruptedException {
        List<Child> all;
        synchronized (this) {
            all = new ArrayList<>(children.values());
        }
        for (Child child : all) {
            Optional<GaveUp> gaveUp = check(child);
            if (gaveUp.isPresent()) {
                return gaveUp;
            }
        }
        return Optional.empty();
    }

    private Optional<GaveUp> check(Child child) throws InterruptedException {
        SupervisedProcess process;
        synchronized (this) {
            if (stopping) {
                return Optional.empty();
            }
            process = child.process;
        }
        Instant now = clock.instant();
        if (process == null) {
            return now.isBefore(child.restartAt) ? Optional.empty() : restart(child);
        }
        if (process.handle().isAlive()) {
            if (child.awaitingReady && process.isReady()) {
                child.awaitingReady = false;
                progress.report(child.name, "ready again");
            }
            return Optional.empty();
        }
        synchronized (this) {
            // A child stopped on purpose dies after stop() set stopping: that is no failure.
            if (stopping) {
                return Optional.empty();
            }
            child.process = null;
        }
        return failed(
                child,
                "exited unexpectedly with " + describeExit(process.exitValue()) + " after "
                        + seconds(Duration.between(child.startedAt, now)));
    }

    private Optional<GaveUp> restart(Child child) throws InterruptedException {
        synchronized (this) {
            if (stopping) {
                return Optional.empty();
            }
            restarting = true;
        }
        try {
            int restart = child.restarts + 1;
            String attempt = "attempt " + child.rapidFailures + " of " + policy.maxRapidFailures();
            progress.report(child.name, "restarting (" + attempt + ")");
            markLog(child.log, "the asof launcher restarts " + child.name + " (" + attempt + ")");
            SupervisedProcess started;
            try {
                started = child.launch.start(restart);
            } catch (StackException e) {
                if (isStopping()) {
                    return Optional.empty();
                }
                child.startedAt = clock.instant();
                return failed(child, "did not start again: " + e.getMessage());
            }
            boolean keep;
            synchronized (this) {
                keep = !stopping;
                if (keep) {
                    child.process = started;
                    child.startedAt = clock.instant();
                    child.restarts = restart;
                    child.awaitingReady = true;
                }
            }
            if (!keep) {
                started.close();
                return Optional.empty();
            }
            progress.report(
                    child.name, "started again (pid " + started.handle().pid() + ", restart " + restart + " in all)");
            return Optional.empty();
        } finally {
            synchronized (this) {
                restarting = false;
                notifyAll();
            }
        }
    }

    private Optional<GaveUp> failed(Child child, String what) {
        Duration uptime = Duration.between(child.startedAt, clock.instant());
        RestartPolicy.Decision decision = policy.afterExit(child.rapidFailures, uptime);
        child.rapidFailures = decision.rapidFailures();
        if (decision.restartAfter().isPresent()) {
            Duration backoff = decision.restartAfter().get();
            child.restartAt = clock.instant().plus(backoff);
            progress.report(
                    child.name,
                    what + "; restarting in " + seconds(backoff) + " (attempt " + decision.rapidFailures() + " of "
                            + policy.maxRapidFailures() + ", log " + child.log + ")");
            return Optional.empty();
        }
        String message = child.name + " " + what + ". "
                + (policy.maxRapidFailures() == 0
                        ? "Restarts are off (--restart-limit 0)"
                        : "It failed " + decision.rapidFailures() + " times in a row without staying up "
                                + seconds(policy.stableUptime()) + " in between; not restarting it again")
                + ". Its log: " + child.log;
        progress.report(child.name, "giving up");
        return Optional.of(new GaveUp(child.name, child.log, message));
    }

    private synchronized boolean isStopping() {
        return stopping;
    }

    /** A line in the child's log, so a reader sees where one run ends and the next begins. */
    private void markLog(Path log, String what) {
        try {
            Files.writeString(
                    log,
                    System.lineSeparator() + "---- " + clock.instant() + " " + what + " ----" + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // Only a convenience for the reader; the restart matters more.
        }
    }

    /** {@code code 137 (killed by SIGKILL)}: the shell convention, 128 + the signal. */
    static String describeExit(int code) {
        if (code <= 128 || code > 128 + 64) {
            return "code " + code;
        }
        int signal = code - 128;
        String name = switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 6 -> "SIGABRT";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
        return "code " + code + " (killed by " + name + ")";
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
