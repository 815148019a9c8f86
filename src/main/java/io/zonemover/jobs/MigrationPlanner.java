package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.MigrationPlan.ClaimMove;
import io.zonemover.domain.Placement;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Preflight: resolves the pod behind a claim (or the pod named), reads every claim of that pod, its PV and
 * EBS volume, and decides the target zone. The pod is the unit: all of its EBS claims move together. Read
 * only. Every reason not to move is a refusal (exit 3) that names the problem.
 */
public final class MigrationPlanner {

    public static final String AUTO = "auto";

    private final Cluster cluster;
    private final BlockStore blockStore;

    public MigrationPlanner(Cluster cluster, BlockStore blockStore) {
        this.cluster = cluster;
        this.blockStore = blockStore;
    }

    /**
     * Where a rescue's data comes from when the volumes' zone is down: {@code latest} (each volume's newest
     * completed snapshot, anyone's) or snapshot ids, comma-separated; {@code nodeIsDown} when the user vouches
     * that the pod's node cannot run it any more although EC2 does not say its instance is stopped.
     */
    public record SnapshotSource(String spec, boolean nodeIsDown) {
        public static final String LATEST = "latest";
    }

    /** A claim of the pod as found: the EBS ones move, the others are only checked. */
    private record PodClaim(Cluster.Claim claim, Cluster.Pv pv, EbsVolume volume) {
    }

    /** Plans the move of the pod that uses this claim. */
    public MigrationPlan plan(ClaimRef ref, String requestedZone, boolean preSnapshot, String ownJobId) {
        return plan(ref, requestedZone, preSnapshot, ownJobId, null);
    }

    /** Plans the move of the pod that uses this claim; with a source, a rescue from snapshots. */
    public MigrationPlan plan(ClaimRef ref, String requestedZone, boolean preSnapshot, String ownJobId,
                              SnapshotSource source) {
        Cluster.Claim named = cluster.claim(ref).orElseThrow(() -> ZonemoverException.badInput("claim " + ref + " not found"));
        Cluster.StatefulSet sts = cluster.statefulSetOwning(ref).orElseThrow(() ->
                ZonemoverException.refused("claim " + ref + " does not come from a StatefulSet's volumeClaimTemplates; "
                        + "zonemover moves StatefulSet claims only"));
        int ordinal = Integer.parseInt(ref.name().substring(ref.name().lastIndexOf('-') + 1));
        return plan(sts, ordinal, named.ref(), requestedZone, preSnapshot, ownJobId, source);
    }

    /** Plans the move of a StatefulSet pod named NAMESPACE/POD. */
    public MigrationPlan planPod(ClaimRef podRef, String requestedZone, boolean preSnapshot, String ownJobId) {
        return planPod(podRef, requestedZone, preSnapshot, ownJobId, null);
    }

    /** Plans the move of a StatefulSet pod named NAMESPACE/POD; with a source, a rescue from snapshots. */
    public MigrationPlan planPod(ClaimRef podRef, String requestedZone, boolean preSnapshot, String ownJobId,
                                 SnapshotSource source) {
        String name = podRef.name();
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || !name.substring(dash + 1).matches("\\d+")) {
            throw ZonemoverException.badInput("pod " + podRef + " is not named like a StatefulSet pod (NAME-ORDINAL)");
        }
        Optional<Cluster.Pod> pod = cluster.pod(podRef.namespace(), name);
        String stsName = pod.map(Cluster.Pod::ownerStatefulSet).orElse(name.substring(0, dash));
        Cluster.StatefulSet sts = cluster.statefulSet(podRef.namespace(), stsName).orElseThrow(() ->
                pod.isEmpty() ? ZonemoverException.badInput("pod " + podRef + " not found")
                        : ZonemoverException.refused("pod " + podRef + " has no StatefulSet " + stsName
                        + "; zonemover moves StatefulSet pods only"));
        return plan(sts, Integer.parseInt(name.substring(dash + 1)), null, requestedZone, preSnapshot, ownJobId,
                source);
    }

    private MigrationPlan plan(Cluster.StatefulSet sts, int ordinal, ClaimRef named, String requestedZone,
                               boolean preSnapshot, String ownJobId, SnapshotSource source) {
        String namespace = sts.namespace();
        String podName = sts.name() + "-" + ordinal;
        Optional<Cluster.Pod> pod = cluster.pod(namespace, podName);
        List<String> notes = new ArrayList<>();
        List<PodClaim> ebs = new ArrayList<>();
        for (String claimName : claimNames(sts, ordinal, named)) {
            PodClaim found = read(new ClaimRef(namespace, claimName), podName, ownJobId, notes);
            if (found != null) {
                ebs.add(found);
            }
        }
        if (ebs.isEmpty()) {
            throw ZonemoverException.refused("pod " + namespace + "/" + podName + " has no EBS-backed claim; "
                    + "nothing zonemover can move");
        }
        List<String> volumeZones = ebs.stream().map(c -> c.volume().zone()).distinct().toList();
        Rescues rescues = new Rescues(cluster, blockStore);
        String deadNode = source == null ? null : rescues.checkNodeIsDown(pod, source);
        String toZone = targetZone(requestedZone, sts, podName, source == null ? pod : Optional.empty(), ebs,
                volumeZones, notes);
        if (source != null && volumeZones.contains(toZone)) {
            throw ZonemoverException.refused("zone " + toZone + " holds the volumes being rescued; name another zone");
        }
        Map<String, Rescues.RecoveryPoint> points = source == null ? Map.of()
                : rescues.recoveryPoints(ebs.stream().map(c -> c.volume().id()).toList(), source);
        List<ClaimMove> moves = new ArrayList<>();
        for (PodClaim c : ebs) {
            if (c.volume().zone().equals(toZone)) {
                notes.add("claim " + c.claim().ref().name() + " is already in " + toZone + " (" + c.volume().id()
                        + "); it stays bound as it is");
                continue;
            }
            Rescues.RecoveryPoint point = points.get(c.volume().id());
            moves.add(new ClaimMove(c.claim().ref(), c.pv().name(), c.volume().id(), c.volume().zone(),
                    c.volume().sizeGiB(), c.volume().type(), point == null ? null : point.snapshotId(),
                    point == null ? null : point.ageSeconds()));
            if ("Delete".equals(c.pv().reclaimPolicy())) {
                notes.add("PV " + c.pv().name() + " will be switched to Retain first, so no delete can reach "
                        + c.volume().id());
            }
        }
        if (moves.isEmpty()) {
            throw ZonemoverException.refused("nothing to do: every EBS claim of pod " + podName + " is already in " + toZone);
        }
        if (moves.size() > 1) {
            notes.add(0, "pod " + podName + " has " + moves.size() + " EBS claims; they move together, to one zone");
        }
        if (source != null) {
            notes.add(0, "rescue from snapshots: the volumes are not read; what the pod wrote after each snapshot "
                    + "is lost (at most " + moves.stream().map(ClaimMove::recoveryPointAgeSeconds).max(Long::compare)
                    .orElse(0L) + " s); the old volumes are kept and untouched");
        }
        return new MigrationPlan(moves.get(0).claim(), moves, toZone, podName, pod.map(MigrationPlanner::describe)
                .orElse("absent"), namespace, sts.name(), sts.replicas(), preSnapshot && source == null, notes, deadNode);
    }

    /** The pod's claims: from each volumeClaimTemplate, and any its template names directly; the named one first. */
    private static List<String> claimNames(Cluster.StatefulSet sts, int ordinal, ClaimRef named) {
        List<String> names = new ArrayList<>();
        if (named != null) {
            names.add(named.name());
        }
        for (String template : sts.claimTemplates()) {
            String name = sts.claimName(template, ordinal);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        sts.sharedClaims().stream().filter(n -> !names.contains(n)).forEach(names::add);
        return names;
    }

    /** Reads one claim of the pod; null for a claim that is not EBS and not zonal (it stays as it is). */
    private PodClaim read(ClaimRef ref, String podName, String ownJobId, List<String> notes) {
        Cluster.Claim claim = cluster.claim(ref).orElseThrow(() -> ZonemoverException.refused("claim " + ref
                + " of pod " + podName + " does not exist"));
        String holder = claim.annotations().get(Tags.MIGRATION_ANNOTATION);
        if (holder != null && !holder.equals(ownJobId)) {
            throw ZonemoverException.refused("claim " + ref + " is held by move " + holder + " (annotation "
                    + Tags.MIGRATION_ANNOTATION + "); see `zonemover jobs show " + holder + "`, or `zonemover jobs adopt "
                    + ref + "` from a machine that does not know it");
        }
        if (claim.deleting()) {
            throw ZonemoverException.refused("claim " + ref + " is being deleted");
        }
        if (!"Bound".equals(claim.phase()) || claim.volumeName() == null) {
            throw ZonemoverException.refused("claim " + ref + " is not Bound (phase " + claim.phase() + ")");
        }
        Cluster.Pv pv = cluster.pv(claim.volumeName()).orElseThrow(() ->
                ZonemoverException.refused("claim " + ref + " is bound to PV " + claim.volumeName() + ", which does not exist"));
        if (!pv.ebs() || pv.volumeId() == null) {
            if (pv.zone() != null) {
                throw ZonemoverException.refused("claim " + ref + " of pod " + podName + " is on PV " + pv.name()
                        + " (" + (pv.driver() == null ? "not EBS" : pv.driver()) + "), which is bound to zone "
                        + pv.zone() + " and zonemover cannot move it; the pod could not run elsewhere");
            }
            notes.add("claim " + ref.name() + " (PV " + pv.name() + ", " + (pv.driver() == null ? "not EBS" : pv.driver())
                    + ") is not zonal; it stays as it is");
            return null;
        }
        if (claim.accessModes().contains("ReadWriteMany")) {
            throw ZonemoverException.refused("claim " + ref + " is ReadWriteMany; EBS volumes are single-zone "
                    + "block devices and zonemover moves only ReadWriteOnce claims");
        }
        EbsVolume volume = blockStore.volume(pv.volumeId()).orElseThrow(() ->
                ZonemoverException.refused("EBS volume " + pv.volumeId() + " of PV " + pv.name()
                        + " does not exist in this region"));
        if (pv.zone() != null && !pv.zone().equals(volume.zone())) {
            throw ZonemoverException.refused("PV " + pv.name() + " says zone " + pv.zone() + " but EC2 says volume "
                    + volume.id() + " is in " + volume.zone() + "; fix the PV before moving it");
        }
        return new PodClaim(claim, pv, volume);
    }

    private String targetZone(String requestedZone, Cluster.StatefulSet sts, String podName, Optional<Cluster.Pod> pod,
                              List<PodClaim> ebs, List<String> volumeZones, List<String> notes) {
        Placement.PodNeeds needs = cluster.podNeeds(sts);
        List<Placement.Node> nodes = cluster.placementNodes();
        if (!AUTO.equals(requestedZone)) {
            List<String> zones = blockStore.zones();
            if (!zones.contains(requestedZone)) {
                throw ZonemoverException.refused("zone " + requestedZone + " is not an available zone of this region ("
                        + String.join(", ", zones) + ")");
            }
            Placement.ZoneFit fit = Placement.zone(nodes, needs, requestedZone);
            if (!fit.fits() && !(pod.isPresent() && requestedZone.equals(pod.get().zone()))) {
                throw ZonemoverException.refused("zone " + requestedZone + " has no Ready, schedulable node with room "
                        + "for pod " + podName + ": " + fit.summary());
            }
            return requestedZone;
        }
        if (volumeZones.size() == 1) {
            String fromZone = volumeZones.get(0);
            if (pod.isPresent() && pod.get().ready() && fromZone.equals(pod.get().zone())) {
                throw ZonemoverException.refused("nothing to do: pod " + podName + " is Running and Ready in "
                        + fromZone + "; name a zone with --to ZONE to move it anyway");
            }
            String zone = Placement.suggestZone(nodes, needs, fromZone, cluster.podsPerZone(sts)).orElseThrow(() ->
                    ZonemoverException.refused("no zone other than " + fromZone + " has a Ready, schedulable node "
                            + "with room for pod " + podName + " (" + needs.milliCpu() + "m cpu); add capacity or "
                            + "name a zone with --to"));
            notes.add("auto chose " + zone + ": it has room and the fewest pods of " + sts.name());
            return zone;
        }
        // A split pod: reunite its volumes where most of its data already is, if that zone has room.
        Map<String, Integer> gibPerZone = new LinkedHashMap<>();
        ebs.forEach(c -> gibPerZone.merge(c.volume().zone(), c.volume().sizeGiB(), Integer::sum));
        Optional<String> zone = gibPerZone.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .filter(z -> Placement.zone(nodes, needs, z).fits() || pod.isPresent() && z.equals(pod.get().zone()))
                .findFirst()
                .or(() -> Placement.suggestZone(nodes, needs, null, cluster.podsPerZone(sts)));
        String chosen = zone.orElseThrow(() -> ZonemoverException.refused("pod " + podName + " has volumes in "
                + String.join(", ", volumeZones) + " and no zone has room for it; add capacity or name a zone with --to"));
        notes.add("auto chose " + chosen + " to reunite the pod's volumes (split over " + String.join(", ", volumeZones) + ")");
        return chosen;
    }

    static String describe(Cluster.Pod pod) {
        if (pod.deleting()) {
            return "Terminating";
        }
        if (pod.unschedulableMessage() != null) {
            return pod.phase() + ": " + pod.unschedulableMessage();
        }
        return pod.phase() + (pod.ready() ? ", Ready" : ", not Ready") + (pod.zone() == null ? "" : " in " + pod.zone());
    }

}
