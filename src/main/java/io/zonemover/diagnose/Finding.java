package io.zonemover.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One problem found, with the objects concerned and the command that fixes it. Field names are the
 * {@code diagnose -o json} contract (DESIGN.md): add fields, never rename them.
 *
 * <p>{@code claim}, {@code pv}, {@code volumeId} and {@code volumeZone} name the first (primary) claim;
 * {@code claims} names every claim concerned, as {@code {claim, pv, volumeId, volumeZone}} (volumeId null
 * for a volume that is not EBS). It is always there on the pod-level kinds ({@link Kind#InterruptedMove},
 * {@link Kind#VolumeNodeAffinityConflict}, {@link Kind#SplitPodVolumes}), on the others only when the move
 * takes more than one claim, and left out of the JSON otherwise, so the older kinds print as before. The
 * move fields ({@code jobId}, {@code step}, {@code statefulSetMissing}, {@code pointOfNoReturn},
 * {@code fromZone}, {@code toZone}, {@code updatedAt}) appear only on {@link Kind#InterruptedMove}; the outage
 * fields ({@code zone}, {@code notReadyNodes}, {@code recoveryPointsKnown}, {@code pods}, each pod with its
 * {@code command} and its claims' {@code recoveryPointSnapshotId} and {@code recoveryPointAgeSeconds}) only on
 * {@link Kind#ZoneOutage}; {@code recoveryPointSnapshotId}, {@code recoveryPointAgeSeconds} and
 * {@code rpoSeconds} only on {@link Kind#RecoveryPointObjective}.
 *
 * @param kind          what was found; see {@link Kind}
 * @param object        what the finding is about, for the table ({@code default/web-3}, {@code storageclass/gp2})
 * @param namespace     namespace of the pod or claim; null for cluster-scoped objects
 * @param suggestedZone where to move the volumes, when a move is the fix
 * @param command       the exact command that fixes it, or null when there is none to give
 * @param claims        the pod's claims concerned, primary first; null when not about a pod's claims
 * @param move          the interrupted move's record; null for every other kind
 * @param outage        the zone that is down and the pods in it; only on {@link Kind#ZoneOutage}
 * @param recoveryPoint the claim's newest completed snapshot; only on {@link Kind#RecoveryPointObjective}
 */
public record Finding(Kind kind, String object, String namespace, String pod, String claim, String pv,
                      String volumeId, String volumeZone, String suggestedZone, String storageClass,
                      String statefulSet, String message, String command, List<ClaimRef> claims, Move move,
                      Outage outage, RecoveryPoint recoveryPoint) {

    /** In the order {@code diagnose} reports them (most urgent first), though detectors set the order. */
    public enum Kind {
        /** A move was interrupted; its workload is part-way through (StatefulSet deleted, pod stopped...). */
        InterruptedMove,
        /**
         * Every node of a zone is NotReady: the pods with EBS volumes there can only be rescued from their
         * volumes' newest completed snapshots, losing what was written since, or wait for the zone.
         */
        ZoneOutage,
        /** A Pending pod whose volumes are all in a zone with no room for it. */
        VolumeNodeAffinityConflict,
        /** A pod whose volumes are in different zones: no node can ever take it. */
        SplitPodVolumes,
        AttachFailure,
        ZoneImbalance,
        /** A StatefulSet claim whose newest completed snapshot is older than {@code --rpo}, or that has none. */
        RecoveryPointObjective,
        ImmediateBindingStorageClass
    }

    /**
     * A zone whose nodes are all NotReady.
     *
     * @param zone                the zone
     * @param notReadyNodes       its nodes, all NotReady, by name
     * @param recoveryPointsKnown false when EC2 could not be reached, so every recovery point is unknown
     * @param pods                the pods with EBS volumes there (or on its nodes), by namespace then name
     */
    public record Outage(String zone, List<String> notReadyNodes, boolean recoveryPointsKnown,
                         List<OutagePod> pods) {
        public Outage {
            notReadyNodes = List.copyOf(notReadyNodes);
            pods = List.copyOf(pods);
        }
    }

    /**
     * A pod caught in a zone outage.
     *
     * @param node    the node it is bound to, or null while Pending
     * @param command what rescues it from snapshots (accepting the loss of what was written since), or null
     *                when there is nothing to rescue it with
     */
    public record OutagePod(String namespace, String pod, String statefulSet, String node, String command,
                            List<ClaimPoint> claims) {
        public OutagePod {
            claims = List.copyOf(claims);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", namespace);
            m.put("pod", pod);
            m.put("statefulSet", statefulSet);
            m.put("node", node);
            m.put("command", command);
            List<Map<String, Object>> list = new ArrayList<>();
            claims.forEach(c -> list.add(c.toJson()));
            m.put("claims", list);
            return m;
        }
    }

    /**
     * A claim, its volume, and the volume's recovery point: its newest completed snapshot and that snapshot's
     * age in seconds on the cloud's clock (both null when it has none, or when EC2 could not be read).
     */
    public record ClaimPoint(String claim, String pv, String volumeId, String volumeZone,
                             String recoveryPointSnapshotId, Long recoveryPointAgeSeconds) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("claim", claim);
            m.put("pv", pv);
            m.put("volumeId", volumeId);
            m.put("volumeZone", volumeZone);
            m.put("recoveryPointSnapshotId", recoveryPointSnapshotId);
            m.put("recoveryPointAgeSeconds", recoveryPointAgeSeconds);
            return m;
        }
    }

    /**
     * A claim's recovery point against the objective.
     *
     * @param snapshotId       its volume's newest completed snapshot; null when it has none
     * @param ageSeconds       that snapshot's age on the cloud's clock; null when it has none
     * @param objectiveSeconds the objective asked for ({@code --rpo})
     */
    public record RecoveryPoint(String snapshotId, Long ageSeconds, long objectiveSeconds) {
    }

    /** One claim of the pod, with its volume; {@code volumeId} is null for a volume that is not EBS. */
    public record ClaimRef(String claim, String pv, String volumeId, String volumeZone) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("claim", claim);
            m.put("pv", pv);
            m.put("volumeId", volumeId);
            m.put("volumeZone", volumeZone);
            return m;
        }
    }

    /**
     * What the cluster says about an interrupted move (its ConfigMap {@code zonemover-<jobId>}, or only the
     * claims' {@code zonemover.io/migration} annotation when the ConfigMap is gone: then the rest is null).
     *
     * @param statefulSetMissing true when the StatefulSet named by the move does not exist; null when unknown
     * @param step               the step in progress, or {@code rollback}; null when unknown
     */
    public record Move(String jobId, String step, Boolean statefulSetMissing, Boolean pointOfNoReturn,
                       String fromZone, String toZone, String updatedAt) {
    }

    public Finding {
        claims = claims == null ? null : List.copyOf(claims);
    }

    /** The names of the claims concerned: {@code claims}, else the one {@code claim}, else none. */
    public List<String> claimNames() {
        if (claims != null) {
            return claims.stream().map(ClaimRef::claim).toList();
        }
        return claim == null ? List.of() : List.of(claim);
    }

    /** The JSON object, keys in a stable order, absent values as null (the optional groups left out). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.name());
        m.put("namespace", namespace);
        m.put("pod", pod);
        m.put("claim", claim);
        m.put("pv", pv);
        m.put("volumeId", volumeId);
        m.put("volumeZone", volumeZone);
        m.put("suggestedZone", suggestedZone);
        m.put("storageClass", storageClass);
        m.put("statefulSet", statefulSet);
        m.put("message", message);
        m.put("command", command);
        if (claims != null) {
            List<Map<String, Object>> list = new ArrayList<>();
            claims.forEach(c -> list.add(c.toJson()));
            m.put("claims", list);
        }
        if (move != null) {
            m.put("jobId", move.jobId());
            m.put("step", move.step());
            m.put("statefulSetMissing", move.statefulSetMissing());
            m.put("pointOfNoReturn", move.pointOfNoReturn());
            m.put("fromZone", move.fromZone());
            m.put("toZone", move.toZone());
            m.put("updatedAt", move.updatedAt());
        }
        if (outage != null) {
            m.put("zone", outage.zone());
            m.put("notReadyNodes", outage.notReadyNodes());
            m.put("recoveryPointsKnown", outage.recoveryPointsKnown());
            List<Map<String, Object>> pods = new ArrayList<>();
            outage.pods().forEach(p -> pods.add(p.toJson()));
            m.put("pods", pods);
        }
        if (recoveryPoint != null) {
            m.put("recoveryPointSnapshotId", recoveryPoint.snapshotId());
            m.put("recoveryPointAgeSeconds", recoveryPoint.ageSeconds());
            m.put("rpoSeconds", recoveryPoint.objectiveSeconds());
        }
        return m;
    }

    static Builder builder(Kind kind) {
        return new Builder(kind);
    }

    static final class Builder {
        private final Kind kind;
        private String object;
        private String namespace;
        private String pod;
        private String claim;
        private String pv;
        private String volumeId;
        private String volumeZone;
        private String suggestedZone;
        private String storageClass;
        private String statefulSet;
        private String message;
        private String command;
        private List<ClaimRef> claims;
        private Move move;
        private Outage outage;
        private RecoveryPoint recoveryPoint;

        private Builder(Kind kind) {
            this.kind = kind;
        }

        Builder object(String v) { object = v; return this; }
        Builder namespace(String v) { namespace = v; return this; }
        Builder pod(String v) { pod = v; return this; }
        Builder claim(String v) { claim = v; return this; }
        Builder pv(String v) { pv = v; return this; }
        Builder volumeId(String v) { volumeId = v; return this; }
        Builder volumeZone(String v) { volumeZone = v; return this; }
        Builder suggestedZone(String v) { suggestedZone = v; return this; }
        Builder storageClass(String v) { storageClass = v; return this; }
        Builder statefulSet(String v) { statefulSet = v; return this; }
        Builder message(String v) { message = v; return this; }
        Builder command(String v) { command = v; return this; }
        Builder move(Move v) { move = v; return this; }
        Builder outage(Outage v) { outage = v; return this; }
        Builder recoveryPoint(RecoveryPoint v) { recoveryPoint = v; return this; }

        /** The claims concerned; the first also fills claim, pv, volumeId and volumeZone. */
        Builder claims(List<ClaimRef> v) {
            claims = v;
            if (v != null && !v.isEmpty()) {
                ClaimRef first = v.get(0);
                claim = first.claim();
                pv = first.pv();
                volumeId = first.volumeId();
                volumeZone = first.volumeZone();
            }
            return this;
        }

        Finding build() {
            return new Finding(kind, object, namespace, pod, claim, pv, volumeId, volumeZone, suggestedZone,
                    storageClass, statefulSet, message, command, claims, move, outage, recoveryPoint);
        }
    }
}
