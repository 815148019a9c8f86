package io.zonemover.rescue;

import java.time.Instant;

/** Where the rescuer writes one line per decision and per step of its moves (the command line prints them). */
@FunctionalInterface
public interface RescueLog {

    /**
     * @param event what happened: a {@link Decision.Kind} in lower case with dashes (waiting, started, ...),
     *              {@code step} for a step of a move, or {@code leader}, {@code standby}, {@code error}
     * @param pod   NAMESPACE/POD, or null
     */
    record Line(Instant at, String event, String pod, String statefulSet, String jobId, String zone, String message) {
    }

    void line(Line line);
}
