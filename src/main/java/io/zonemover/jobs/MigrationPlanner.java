package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.Placement;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Preflight: reads the claim, its PV, the EBS volume, the pod and the StatefulSet, and decides the target
 * zone. Read only. Every reason not to move is a refusal (exit 3) that names the problem.
 */
public final class MigrationPlanner {

    public static final String AUTO = "auto";

    private final Cluster cluster;
    private final BlockStore blockStore;

    public MigrationPlanner(Cluster cluster, BlockStore blockStore) {
        this.cluster = cluster;
        this.blockStore = blockStore;
    }

    public MigrationPlan plan(ClaimRef ref, String requestedZone, boolean preSnapshot, String ownJobId) {
        Cluster.Claim claim = cluster.claim(ref).orElseThrow(() ->
                ZonemoverException.badInput("claim " + ref + " not found"));
        String holder = claim.annotations().get(Tags.MIGRATION_ANNOTATION);
        if (holder != null && !holder.equals(ownJobId)) {
            throw ZonemoverException.refused("claim " + ref + " is held by job " + holder
                    + " (annotation " + Tags.MIGRATION_ANNOTATION + "); see `zonemover jobs show " + holder + "`");
        }
        if (claim.deleting()) {
            throw ZonemoverException.refused("claim " + ref + " is being deleted");
        }
        if (!"Bound".equals(claim.phase()) || claim.volumeName() == null) {
            throw ZonemoverException.refused("claim " + ref + " is not Bound (phase " + claim.phase() + ")");
        }
        if (claim.accessModes().contains("ReadWriteMany")) {
            throw ZonemoverException.refused("claim " + ref + " is ReadWriteMany; EBS volumes are single-zone "
                    + "block devices and zonemover moves only ReadWriteOnce claims");
        }
        Cluster.Pv pv = cluster.pv(claim.volumeName()).orElseThrow(() ->
                ZonemoverException.refused("claim " + ref + " is bound to PV " + claim.volumeName() + ", which does not exist"));
        if (!pv.ebs() || pv.volumeId() == null) {
            throw ZonemoverException.refused("PV " + pv.name() + " is not EBS-backed (neither ebs.csi.aws.com nor "
                    + "awsElasticBlockStore); nothing zonemover can move");
        }
        EbsVolume volume = blockStore.volume(pv.volumeId()).orElseThrow(() ->
                ZonemoverException.refused("EBS volume " + pv.volumeId() + " of PV " + pv.name()
                        + " does not exist in this region"));
        if (pv.zone() != null && !pv.zone().equals(volume.zone())) {
            throw ZonemoverException.refused("PV " + pv.name() + " says zone " + pv.zone() + " but EC2 says volume "
                    + volume.id() + " is in " + volume.zone() + "; fix the PV before moving it");
        }
        String fromZone = volume.zone();
        Cluster.StatefulSet sts = cluster.statefulSetOwning(ref).orElseThrow(() ->
                ZonemoverException.refused("claim " + ref + " does not come from a StatefulSet's volumeClaimTemplates; "
                        + "zonemover moves StatefulSet claims only"));
        String podName = sts.name() + ref.name().substring(ref.name().lastIndexOf('-'));
        Optional<Cluster.Pod> pod = cluster.pod(ref.namespace(), podName);
        String podState = pod.map(MigrationPlanner::describe).orElse("absent");

        List<String> zones = blockStore.zones();
        Placement.PodNeeds needs = cluster.podNeeds(sts);
        List<Placement.Node> nodes = cluster.placementNodes();
        String toZone;
        List<String> notes = new ArrayList<>();
        if (AUTO.equals(requestedZone)) {
            if (pod.isPresent() && pod.get().ready() && fromZone.equals(pod.get().zone())) {
                throw ZonemoverException.refused("nothing to do: pod " + podName + " is Running and Ready in "
                        + fromZone + "; name a zone with --to ZONE to move it anyway");
            }
            Map<String, Integer> spread = cluster.podsPerZone(sts);
            toZone = Placement.suggestZone(nodes, needs, fromZone, spread).orElseThrow(() ->
                    ZonemoverException.refused("no zone other than " + fromZone + " has a Ready, schedulable node "
                            + "with room for pod " + podName + " (" + needs.milliCpu() + "m cpu); add capacity or "
                            + "name a zone with --to"));
            notes.add("auto chose " + toZone + ": it has room and the fewest pods of " + sts.name());
        } else {
            toZone = requestedZone;
            if (!zones.contains(toZone)) {
                throw ZonemoverException.refused("zone " + toZone + " is not an available zone of this region ("
                        + String.join(", ", zones) + ")");
            }
            if (toZone.equals(fromZone)) {
                throw ZonemoverException.refused("nothing to do: claim " + ref + " is already in " + toZone
                        + " (volume " + volume.id() + ")");
            }
            Placement.ZoneFit fit = Placement.zone(nodes, needs, toZone);
            if (!fit.fits()) {
                throw ZonemoverException.refused("zone " + toZone + " has no Ready, schedulable node with room for pod "
                        + podName + ": " + fit.summary());
            }
        }
        if ("Delete".equals(pv.reclaimPolicy())) {
            notes.add("PV " + pv.name() + " will be switched to Retain first, so no delete can reach " + volume.id());
        }
        return new MigrationPlan(ref, pv.name(), volume.id(), fromZone, toZone, volume.sizeGiB(), volume.type(),
                podName, podState, sts.namespace(), sts.name(), sts.replicas(), preSnapshot, notes);
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
