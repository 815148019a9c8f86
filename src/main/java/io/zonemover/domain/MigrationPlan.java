package io.zonemover.domain;

import java.util.List;

/**
 * What a migration will do, decided before anything changes: shown to the user, then carried by the job.
 * The unit is the pod: every EBS claim of the pod that is not already in the target zone moves, together.
 *
 * @param claim    the claim the user named (with --pod: the pod's first moved claim)
 * @param moves    the claims that move, the named one first
 * @param podState how the pod is now ("Pending: 0/6 nodes are available..." or "Running, Ready")
 * @param deadNode for a rescue from snapshots: the down node the pod was on (null when it is on none)
 */
public record MigrationPlan(ClaimRef claim, List<ClaimMove> moves, String toZone, String podName, String podState,
                            String statefulSetNamespace, String statefulSetName, int replicas,
                            boolean preSnapshot, List<String> notes, String deadNode) {

    /**
     * One claim of the pod that moves: its PV and EBS volume where they are now. For a rescue from
     * snapshots (its zone is down), the completed snapshot it is restored from and that snapshot's age: what
     * the pod wrote after it is lost.
     */
    public record ClaimMove(ClaimRef claim, String pvName, String volumeId, String fromZone, int sizeGiB,
                            String volumeType, String sourceSnapshotId, Long recoveryPointAgeSeconds) {

        public ClaimMove(ClaimRef claim, String pvName, String volumeId, String fromZone, int sizeGiB, String volumeType) {
            this(claim, pvName, volumeId, fromZone, sizeGiB, volumeType, null, null);
        }
    }

    public MigrationPlan(ClaimRef claim, List<ClaimMove> moves, String toZone, String podName, String podState,
                         String statefulSetNamespace, String statefulSetName, int replicas, boolean preSnapshot,
                         List<String> notes) {
        this(claim, moves, toZone, podName, podState, statefulSetNamespace, statefulSetName, replicas, preSnapshot,
                notes, null);
    }

    /** True when the volumes are restored from existing snapshots, not from the volumes themselves. */
    public boolean fromSnapshots() {
        return moves.get(0).sourceSnapshotId() != null;
    }

    /** The data-loss window of a rescue: the age of the oldest snapshot used; null for a live move. */
    public Long dataLossWindowSeconds() {
        return moves.stream().map(ClaimMove::recoveryPointAgeSeconds).filter(java.util.Objects::nonNull)
                .max(Long::compare).orElse(null);
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
