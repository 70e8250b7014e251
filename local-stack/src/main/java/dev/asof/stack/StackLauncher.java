package dev.asof.stack;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code java -jar local-stack/target/asof-local-stack.jar up|down|status|reset|campaign [options]}, normally run through
 * the {@code ./asof} script, which builds what is missing first. See {@code docs/local-stack.md}.
 */
public final class StackLauncher {

    /** The launcher only orchestrates and watches: a small heap that gives memory back (same as ./asof). */
    static final List<String> LAUNCHER_JVM_OPTIONS = List.of(
            "-Xms8m",
            "-Xmx128m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30");

    private StackLauncher() {}

    public static void main(String[] args) {
        int code = run(List.of(args), System.getenv(), System.out, System.err);
        System.exit(code);
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        StackConfig config;
        try {
            config = StackConfig.parse(args, env, launcherJar(), Path.of("").toAbsolutePath());
        } catch (StackConfig.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("See `./asof --help`.");
            return 2;
        }
        try {
            switch (config.command()) {
                case HELP:
                    out.print(StackConfig.USAGE);
                    return 0;
                case UP:
                    return config.detach()
                            ? new StackControl(config, out).detach(launcherCommand())
                            : new LocalStack(config, out).run();
                case DOWN:
                    return new StackControl(config, out).down();
                case STATUS:
                    return new StackControl(config, out).status();
                case RESET:
                    return new StackControl(config, out).reset();
                case CAMPAIGN:
                    return new CampaignCommand(config, env, out, System.console() != null).run();
                default:
                    throw new IllegalStateException("unhandled command " + config.command());
            }
        } catch (StackException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** The jar this launcher runs from, when started with {@code java -jar}. */
    private static Optional<Path> launcherJar() {
        String classPath = System.getProperty("java.class.path", "");
        return classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)
                ? Optional.of(Path.of(classPath).toAbsolutePath())
                : Optional.empty();
    }

    /** How to start another launcher like this one, for the background launcher of {@code up --detach}. */
    private static List<String> launcherCommand() {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaExecutable().toString());
        command.addAll(LAUNCHER_JVM_OPTIONS);
        Optional<Path> jar = launcherJar();
        if (jar.isPresent()) {
            command.add("-jar");
            command.add(jar.get().toString());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(StackLauncher.class.getName());
        }
        return command;
    }
}
