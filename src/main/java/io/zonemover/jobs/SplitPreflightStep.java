package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.SplitPlanner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.zonemover.jobs.SplitContext.CLAIM;
import static io.zonemover.jobs.SplitContext.CLAIM_COUNT;
import static io.zonemover.jobs.SplitContext.NEW_ORDINAL;
import static io.zonemover.jobs.SplitContext.OLD_PV;
import static io.zonemover.jobs.SplitContext.OLD_VOLUME;
import static io.zonemover.jobs.SplitContext.ORDINAL;
import static io.zonemover.jobs.SplitContext.POD;
import static io.zonemover.jobs.SplitContext.TEMPLATE;
import static io.zonemover.jobs.SplitContext.TO_ZONE;
import static io.zonemover.jobs.SplitContext.ZONE;

/**
 * Split step 1, read only: checks the plan against the cluster again (the StatefulSet as planned, no zone set
 * in the way, every claim Bound to an EBS volume whose zone its PV agrees with), then writes, per pod in
 * carry order, where it goes, its new ordinal, and its claims, PVs, volumes and their zones.
 */
final class SplitPreflightStep extends MigrationStep {

    SplitPreflightStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "split-preflight";
    }

    /**
     * The original StatefulSet, when the plan still fits it: one move per ordinal 0..replicas-1, volume claim
     * templates to carry, and no StatefulSet yet under a zone set's name. Refused otherwise, nothing changed.
     */
    static Cluster.StatefulSet check(Cluster cluster, String namespace, String name, List<SplitMoves.Move> moves) {
        Cluster.StatefulSet sts = cluster.statefulSet(namespace, name).filter(s -> !s.deleting()).orElseThrow(() ->
                ZonemoverException.refused("StatefulSet " + namespace + "/" + name + " not found"));
        Set<Integer> ordinals = moves.stream().map(SplitMoves.Move::ordinal).collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> expected = IntStream.range(0, sts.replicas()).boxed().collect(Collectors.toCollection(TreeSet::new));
        if (ordinals.size() != moves.size() || !ordinals.equals(expected)) {
            throw ZonemoverException.refused("the plan moves pods " + ordinals + " of " + namespace + "/" + name
                    + ", which has " + sts.replicas() + " replicas now; plan it again");
        }
        if (sts.claimTemplates().isEmpty()) {
            throw ZonemoverException.refused("StatefulSet " + namespace + "/" + name + " has no volumeClaimTemplates: "
                    + "there are no volumes to carry");
        }
        for (String zone : moves.stream().map(SplitMoves.Move::zone).distinct().toList()) {
            String set = SplitPlanner.zoneSetName(name, zone);
            if (cluster.statefulSet(namespace, set).isPresent()) {
                throw ZonemoverException.refused("StatefulSet " + namespace + "/" + set + " exists already; a split "
                        + "makes it, so it must not exist (if an earlier split made it, `zonemover jobs resume` that "
                        + "job; otherwise plan into other zones)");
            }
        }
        return sts;
    }

    @Override
    Next next(MigrationContext ctx) {
        SplitContext s = new SplitContext(ctx);
        if (s.has(SplitContext.POD_COUNT)) {
            return Next.DONE;
        }
        Cluster cluster = services.cluster();
        List<SplitMoves.Move> moves = new ArrayList<>(SplitMoves.parse(ctx.param(SplitJob.PARAM_MOVES)));
        Cluster.StatefulSet sts = check(cluster, s.namespace(), s.statefulSet(), moves);
        moves.sort(Comparator.comparingInt(SplitMoves.Move::ordinal).reversed());
        Map<String, Integer> nextOrdinal = new HashMap<>();
        Map<String, String> pvZones = new HashMap<>();
        for (int p = 0; p < moves.size(); p++) {
            SplitMoves.Move move = moves.get(p);
            s.put(POD, p, s.statefulSet() + "-" + move.ordinal());
            s.put(ORDINAL, p, move.ordinal());
            s.put(TO_ZONE, p, move.zone());
            s.put(NEW_ORDINAL, p, nextOrdinal.merge(move.zone(), 1, Integer::sum) - 1);
            s.put(CLAIM_COUNT, p, sts.claimTemplates().size());
            for (int c = 0; c < sts.claimTemplates().size(); c++) {
                String template = sts.claimTemplates().get(c);
                Cluster.Pv pv = boundPv(cluster, new ClaimRef(s.namespace(), sts.claimName(template, move.ordinal())));
                s.put(CLAIM, p, c, sts.claimName(template, move.ordinal()));
                s.put(TEMPLATE, p, c, template);
                s.put(OLD_PV, p, c, pv.name());
                s.put(OLD_VOLUME, p, c, pv.volumeId());
                pvZones.put(pv.volumeId(), String.valueOf(pv.zone()));
            }
        }
        recordZones(s, moves.size(), pvZones);
        s.put(SplitContext.ORIGINAL_MANIFEST, sts.manifest());
        s.put(SplitContext.POD_COUNT, moves.size());
        audit(ctx, "planned", "split " + s.namespace() + "/" + s.statefulSet() + " into " + s.zones().stream()
                .map(z -> SplitPlanner.zoneSetName(s.statefulSet(), z)).toList() + ": " + IntStream.range(0, moves.size())
                .mapToObj(p -> s.oldPod(p) + " -> " + s.newPod(p)).collect(Collectors.joining(", ")));
        return Next.DONE;
    }

    private static Cluster.Pv boundPv(Cluster cluster, ClaimRef ref) {
        Cluster.Claim claim = cluster.claim(ref).orElseThrow(() ->
                ZonemoverException.refused("claim " + ref + " not found; there is no volume to carry"));
        Cluster.Pv pv = claim.volumeName() == null ? null : cluster.pv(claim.volumeName()).orElse(null);
        if (!"Bound".equals(claim.phase()) || pv == null) {
            throw ZonemoverException.refused("claim " + ref + " is " + claim.phase() + ", not Bound to a volume");
        }
        if (!pv.ebs() || pv.volumeId() == null) {
            throw ZonemoverException.refused("claim " + ref + " is on PV " + pv.name() + ", not an EBS volume");
        }
        return pv;
    }

    /** Each claim's zone is its volume's, as EC2 says; its PV's nodeAffinity, when it names one, must agree. */
    private void recordZones(SplitContext s, int pods, Map<String, String> pvZones) {
        Map<String, String> zones = new HashMap<>();
        for (EbsVolume v : services.blockStore().volumes(List.copyOf(pvZones.keySet()))) {
            zones.put(v.id(), v.zone());
        }
        for (int p = 0; p < pods; p++) {
            for (int c = 0; c < s.claimCount(p); c++) {
                String id = s.get(OLD_VOLUME, p, c);
                String zone = zones.get(id);
                String pvZone = pvZones.get(id);
                if (zone == null || !"null".equals(pvZone) && !pvZone.equals(zone)) {
                    throw ZonemoverException.refused("volume " + id + " of claim " + s.oldClaim(p, c) + " is "
                            + (zone == null ? "not known to EC2" : "in " + zone + " but its PV says " + pvZone));
                }
                s.put(ZONE, p, c, zone);
            }
        }
    }
}
