package io.zonemover.rescue;

import io.zonemover.jobs.Progress;

import java.time.Clock;
import java.util.function.Supplier;

/**
 * The progress of the rescuer's moves as log lines ({@code step}), each naming its pod and job: the rescuer
 * runs every move on a thread of its own and says here which one, since a step's progress line does not.
 */
public final class RescueProgress implements Progress {

    private record Move(String pod, String jobId) {
    }

    private static final ThreadLocal<Move> CURRENT = new ThreadLocal<>();

    private final RescueLog log;
    private final Clock clock;

    public RescueProgress(RescueLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Runs a move with its progress lines labelled with the pod and the job. */
    static <T> T during(String pod, String jobId, Supplier<T> move) {
        CURRENT.set(new Move(pod, jobId));
        try {
            return move.get();
        } finally {
            CURRENT.remove();
        }
    }

    @Override
    public void report(String step, String message) {
        Move m = CURRENT.get();
        log.line(new RescueLog.Line(clock.instant(), "step", m == null ? null : m.pod(), null,
                m == null ? null : m.jobId(), null, step + ": " + message));
    }

    @Override
    public void action(Action action) {
        Move m = CURRENT.get();
        String set = action.statefulSet() == null ? null : action.namespace() + "/" + action.statefulSet();
        log.line(new RescueLog.Line(clock.instant(), "step", m == null ? null : m.pod(), set, action.jobId(), null,
                action.step() + ": " + action.message()));
    }
}
