package io.zonemover.domain;

import java.util.List;

/**
 * What a migration will do, decided before anything changes: shown to the user, then carried by the job.
 * The unit is the pod: every EBS claim of the pod that is not already in the target zone moves, together.
 *
 * @param claim    the claim the user named (with --pod: the pod's first moved claim)
 * @param moves    the claims that move, the named one first
 * @param podState how the pod is now ("Pending: 0/6 nodes are available..." or "Running, Ready")
 */
public record MigrationPlan(ClaimRef claim, List<ClaimMove> moves, String toZone, String podName, String podState,
                            String statefulSetNamespace, String statefulSetName, int replicas,
                            boolean preSnapshot, List<String> notes) {

    /** One claim of the pod that moves: its PV and EBS volume where they are now. */
    public record ClaimMove(ClaimRef claim, String pvName, String volumeId, String fromZone, int sizeGiB,
                            String volumeType) {
    }

    public MigrationPlan {
        if (moves.isEmpty()) {
            throw new IllegalArgumentException("a plan moves at least one claim");
        }
        moves = List.copyOf(moves);
        notes = List.copyOf(notes);
    }

    private ClaimMove primary() {
        return moves.get(0);
    }

    /** The zone the volumes leave (their zones, comma-separated, when a split pod is reunited). */
    public String fromZone() {
        return String.join(",", moves.stream().map(ClaimMove::fromZone).distinct().toList());
    }

    public String pvName() {
        return primary().pvName();
    }

    public String volumeId() {
        return primary().volumeId();
    }

    public int sizeGiB() {
        return primary().sizeGiB();
    }

    public String volumeType() {
        return primary().volumeType();
    }

    /** What will be stopped, in words users recognise. */
    public String disruption() {
        return "StatefulSet " + statefulSetNamespace + "/" + statefulSetName + " is deleted with --cascade=orphan "
                + "(its other " + Math.max(0, replicas - 1) + " pod(s) keep running) and recreated; pod " + podName
                + " is stopped until its " + (moves.size() == 1 ? "volume is" : moves.size() + " volumes are")
                + " restored in " + toZone;
    }
}
