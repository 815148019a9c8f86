package io.zonemover.cli;

import java.lang.management.ManagementFactory;

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
            long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
            long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1_000_000;
            System.err.printf("trace %5d ms (cpu %5d ms) %s [%s]%n", uptime, cpu, point, Thread.currentThread().getName());
        }
    }
}
