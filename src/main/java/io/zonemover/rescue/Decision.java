package io.zonemover.rescue;

/**
 * What the rescuer decided about one stuck pod in one scan, or what came of it. {@link RescuePolicy} decides
 * the first five from the scan alone; the others come from the checks and the move that follow a MOVE.
 */
public record Decision(Kind kind, Candidate candidate, String detail, String jobId) {

    public enum Kind {
        /** Its StatefulSet did not opt in: left alone (told once per pod). */
        NOT_OPTED_IN,
        /** Opted in, stuck for less than the grace period (or for a time the API does not say). */
        WAITING,
        /** Past the grace period, but no zone has room for it: a move would not help. */
        NO_ROOM,
        /** Due, but --max-concurrent moves are in flight in the cluster already. */
        DEFERRED,
        /** Due, with room for one more move: the PodDisruptionBudget and the plan decide next. */
        MOVE,
        /** Opted in and due, but diagnose does not see a volume zone conflict a move would fix (an outage, a move under way). */
        NOT_DIAGNOSED,
        /** Its PodDisruptionBudget allows no disruption now. */
        BLOCKED,
        /** The move was refused before it started (the plan's checks, a claim locked by another move). */
        REFUSED,
        /** --dry-run: what it would have started. */
        WOULD_MOVE,
        STARTED,
        /** A move a rescuer started and whose process died before it ended: resumed by this one. */
        RESUMED,
        COMPLETED,
        FAILED,
        /** A move of this pod started by this process failed before: not tried again by it. */
        NOT_RETRIED
    }

    static Decision of(Kind kind, Candidate candidate, String detail) {
        return new Decision(kind, candidate, detail, null);
    }
}
