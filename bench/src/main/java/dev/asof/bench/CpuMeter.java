package dev.asof.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time each process of a run spent in a phase (the benchmark itself, the service, the broker, dynalite), to see
 * where the two cores go: on these machines everything shares them, so a service that burns CPU slows the store.
 */
final class CpuMeter {

    private final Map<String, ProcessHandle> processes = new LinkedHashMap<>();

    CpuMeter add(String name, ProcessHandle process) {
        processes.put(name, process);
        return this;
    }

    /**
     * CPU seconds so far per process: the benchmark's own JVM alone (its children are the other processes), each
     * other process with its descendants.
     */
    Map<String, Double> sample() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        processes.forEach((name, process) ->
                seconds.put(name, process.equals(ProcessHandle.current()) ? own(process) : cpuSeconds(process)));
        return seconds;
    }

    private static double own(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
    }

    /** "name 1.23 ms/event" for each process between two samples, and the wall share of the two. */
    static String perEvent(Map<String, Double> before, Map<String, Double> after, int events, double wallSeconds) {
        return line("cpu ms/event:", before, after, events, wallSeconds);
    }

    /** "name 1.23 ms/read" for each process between two samples, and the wall share of the two. */
    static String perRead(Map<String, Double> before, Map<String, Double> after, int reads, double wallSeconds) {
        return line("cpu ms/read:", before, after, reads, wallSeconds);
    }

    /** "name 12.3 ms/s" (CPU milliseconds per wall second) for each process between two samples. */
    static String perSecond(Map<String, Double> before, Map<String, Double> after, double wallSeconds) {
        return line("cpu ms/s:", before, after, wallSeconds, wallSeconds);
    }

    private static String line(
            String title, Map<String, Double> before, Map<String, Double> after, double events, double wallSeconds) {
        StringBuilder line = new StringBuilder(title);
        double total = 0;
        for (Map.Entry<String, Double> entry : after.entrySet()) {
            double spent = entry.getValue() - before.getOrDefault(entry.getKey(), 0.0);
            total += spent;
            line.append(String.format(Locale.ROOT, " %s %.2f", entry.getKey(), 1000 * spent / events));
        }
        line.append(String.format(
                Locale.ROOT,
                " | total %.2f; cores busy %.2f of %d",
                1000 * total / events,
                total / wallSeconds,
                Runtime.getRuntime().availableProcessors()));
        return line.toString();
    }

    private static double cpuSeconds(ProcessHandle process) {
        double seconds = own(process);
        for (ProcessHandle child : process.descendants().toList()) {
            seconds += own(child);
        }
        return seconds;
    }
}
