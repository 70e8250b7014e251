package dev.asof.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Class-data sharing for the service JVMs of end-to-end tests, which start dozens of them. Most of a service's
 * start-up is loading classes: measured on ingestion-service, 14-16 s from the jar as built, 11.6 s from the same
 * jar extracted, 6-7.7 s extracted and started from an archive of the classes an earlier run loaded.
 *
 * <p>Per module, shared by the test JVMs of a build through files under {@code <module>/target/cds/} (a lock file
 * orders them): the jar is extracted once (Spring Boot's {@code extract}: the JDK shares classes from plain jars
 * only); one start writes the archive as its JVM exits ({@code -XX:ArchiveClassesAtExit}, about 13 s once), and
 * starts after that read it ({@code -XX:SharedArchiveFile}). A start while the archive is being written runs the
 * extracted jar without it; a writer that is killed leaves no archive, and a later start writes it. Whatever fails
 * here only costs the time: a failed extraction runs the jar as built, an unusable archive is ignored by the JVM
 * (its default {@code -Xshare:auto}).
 *
 * <p>Off unless the system property {@code asof.service-jar.cds} is {@code true}: the end-to-end module sets it;
 * benchmarks run the jars as {@code ./asof up} does.
 */
final class ClassDataSharing {

    static final boolean ENABLED = Boolean.getBoolean("asof.service-jar.cds");

    /** How a writer's JVM exits when its test stops it: SIGTERM, after the archive is written. */
    private static final int STOPPED = 143;

    /** How one start uses sharing. */
    record Run(Path jar, List<String> jvmOptions, Path writing) {

        /** The JVM was started; if it writes the archive, the archive is kept once it exited as stopped. */
        void started(Process process) {
            if (writing != null) {
                process.onExit().thenAccept(exited -> finishWriting(writing, exited.exitValue()));
            }
        }
    }

    private ClassDataSharing() {}

    /** How to start {@code module}'s {@code jar} now; empty: as built (extraction failed). */
    static Optional<Run> prepare(String module, Path jar) {
        Path directory = jar.resolveSibling("cds");
        try {
            Files.createDirectories(directory);
            return locked(directory, () -> {
                Path extracted = extracted(module, jar, directory);
                if (extracted == null) {
                    return Optional.empty();
                }
                Path archive = directory.resolve(module + ".jsa");
                Path writing = directory.resolve(module + ".jsa.writing");
                Path writer = directory.resolve(module + ".writer");
                if (Files.isRegularFile(archive)) {
                    return Optional.of(new Run(extracted, List.of("-XX:SharedArchiveFile=" + archive), null));
                }
                if (Files.exists(writer) && writerAlive(writer)) {
                    return Optional.of(new Run(extracted, List.of(), null));
                }
                // nobody writes it (the first start, or the writer was killed): this start does
                Files.deleteIfExists(writing);
                Files.writeString(writer, Long.toString(ProcessHandle.current().pid()));
                return Optional.of(new Run(extracted, List.of("-XX:ArchiveClassesAtExit=" + writing), writing));
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("class-data sharing off for " + module + ": " + e);
            return Optional.empty();
        }
    }

    /** The writer stopped: its archive is the module's if it exited as stopped (a killed JVM writes none). */
    private static void finishWriting(Path writing, int exitValue) {
        Path directory = writing.getParent();
        String module = writing.getFileName().toString().replace(".jsa.writing", "");
        try {
            locked(directory, () -> {
                if ((exitValue == STOPPED || exitValue == 0) && Files.isRegularFile(writing)) {
                    Files.move(
                            writing,
                            directory.resolve(module + ".jsa"),
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.deleteIfExists(writing);
                }
                Files.deleteIfExists(directory.resolve(module + ".writer"));
                return null;
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("class-data sharing: could not keep the archive of " + module + ": " + e);
        }
    }

    /** Whether the test JVM that started the archive's writer still runs (its writer may too). */
    private static boolean writerAlive(Path writer) throws IOException {
        try {
            long pid = Long.parseLong(Files.readString(writer).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException unreadable) {
            return false;
        }
    }

    /** {@code jar} extracted under {@code directory}, once per build of the jar; {@code null} if that failed. */
    private static Path extracted(String module, Path jar, Path directory) throws IOException {
        Path done = directory.resolve(module + ".extracted");
        String built = Files.getLastModifiedTime(jar).toMillis() + " " + Files.size(jar);
        Path extracted = directory.resolve("app").resolve(jar.getFileName());
        if (Files.isRegularFile(done) && Files.readString(done).equals(built) && Files.exists(extracted)) {
            return extracted;
        }
        // a jar built again: its old archive no longer matches
        Files.deleteIfExists(done);
        Files.deleteIfExists(directory.resolve(module + ".jsa"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = directory.resolve(module + "-extract.log");
        Process extract = new ProcessBuilder(
                        java.toString(),
                        "-Djarmode=tools",
                        "-jar",
                        jar.toString(),
                        "extract",
                        "--force",
                        "--destination",
                        directory.resolve("app").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!extract.waitFor(60, TimeUnit.SECONDS) || extract.exitValue() != 0 || !Files.exists(extracted)) {
                extract.destroyForcibly();
                System.err.println(
                        "class-data sharing off for " + module + ": extracting " + jar + " failed, see " + log);
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        Files.writeString(done, built);
        return extracted;
    }

    private interface Work<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} holding the directory's lock (test JVMs of one build share the directory). */
    private static synchronized <T> T locked(Path directory, Work<T> work) throws IOException {
        try (FileChannel channel = FileChannel.open(
                        directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            return work.run();
        }
    }
}
