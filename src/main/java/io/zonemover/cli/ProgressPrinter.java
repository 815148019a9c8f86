package io.zonemover.cli;

import io.zonemover.jobs.Progress;
import io.zonemover.jobs.ProgressLabel;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines on stderr (stdout stays clean for -o json): time, the move (in a plan), step, what is happening. */
final class ProgressPrinter implements Progress {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintWriter err;

    ProgressPrinter(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void report(String step, String message) {
        String label = ProgressLabel.current();
        err.printf("%s  %s%-15s %s%n", LocalTime.now().format(TIME), label == null ? "" : label + "  ", step, message);
        err.flush();
    }
}
