package io.zonemover.cli;

import java.time.Duration;
import java.time.Instant;

/**
 * With ZONEMOVER_TRACE set, prints to stderr how long after the JVM started each named point of a run was
 * reached, and the CPU time so far: where a cold start spends its time, measured without a profiler.
 */
public final class StartupTrace {

    private static final boolean ON = System.getenv("ZONEMOVER_TRACE") != null;

    private StartupTrace() {
    }

    /** Notes that the run reached {@code point}. Costs nothing when tracing is off. */
    public static void mark(String point) {
        if (ON) {
            // From /proc, to 10 ms; not the management beans, whose own start would be in the figures.
            ProcessHandle.Info info = ProcessHandle.current().info();
            long uptime = Duration.between(info.startInstant().orElse(Instant.now()), Instant.now()).toMillis();
            long cpu = info.totalCpuDuration().orElse(Duration.ZERO).toMillis();
            System.err.printf("trace %5d ms (cpu %5d ms) %s [%s]%n", uptime, cpu, point, Thread.currentThread().getName());
        }
    }
}
