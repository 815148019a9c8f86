package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Placement;
import io.zonemover.domain.SchedulerMessages;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds Pending pods whose volumes are all in one zone where no node can take the pod, and the zone to
 * move all of them to.
 *
 * <p>Found two ways, and either is enough: the scheduler's own words (the PodScheduled condition, or a
 * FailedScheduling event matched by the pod's uid, in every wording of {@link SchedulerMessages}), and a
 * computation from the volumes' zone and the nodes there (ready, not cordoned, taints tolerated, affinity
 * matched, room for the requests), so it is found even after the events have expired. The suggested zone
 * fits the pod, and spreads its StatefulSet. A pod with a volume of another driver pinned to the zone gets
 * no move: moving its EBS volumes alone would not free it.
 */
final class VolumeNodeAffinityConflictDetector implements Detector {

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        List<Finding> out = new ArrayList<>();
        // Each move proposed here counts for the next pod's choice of zone, as for later detectors.
        Findings known = soFar;
        for (Pod pod : facts.pods()) {
            if (!waitingForANode(facts, pod)) {
                continue;
            }
            PodVolumes volumes = new PodVolumes(pod.namespace(), facts.mounts(pod));
            List<Mount> ebs = volumes.ebs();
            if (ebs.isEmpty() || volumes.zones().size() != 1 || volumes.underMove(known)
                    || volumes.inOutage(known)) {
                continue;
            }
            String zone = volumes.zones().iterator().next();
            String said = schedulerSaid(facts, pod);
            Placement.ZoneFit there = Placement.zone(facts.nodes(), pod.needs(), zone);
            if (there.fits() && said == null) {
                continue;
            }
            List<Mount> pinned = volumes.pinned();
            Optional<String> target = pinned.isEmpty()
                    ? Placement.suggestZone(facts.nodes(), pod.needs(), zone, replicasPerZone(facts, known, pod))
                    : Optional.empty();
            StringBuilder msg = new StringBuilder("Pending: ");
            if (ebs.size() == 1) {
                msg.append("its volume ").append(ebs.get(0).volume().volumeId()).append(" is in ").append(zone);
            } else {
                msg.append("its volumes ").append(Moves.volumesNamed(ebs)).append(" are all in ").append(zone);
            }
            if (!there.fits()) {
                msg.append(", where no node can take the pod (").append(Moves.trimPeriod(there.summary())).append(')');
            } else {
                msg.append("; the scheduler reports a volume zone conflict, but ").append(zone)
                        .append(" has room now (").append(Moves.trimPeriod(there.summary()))
                        .append("), so a retry may place it");
            }
            if (said != null) {
                msg.append(". Scheduler: ").append(Moves.trimPeriod(said.strip()));
            }
            if (!pinned.isEmpty()) {
                msg.append(". ").append(Moves.pinnedBy(pinned)).append(" Add capacity in ").append(zone).append('.');
            } else if (target.isPresent()) {
                msg.append(ebs.size() == 1 ? ". Move the volume to " : ". Move its " + ebs.size() + " volumes together to ")
                        .append(target.get()).append(", which has room.");
            } else {
                msg.append(". No other zone has a node with room for this pod now; add capacity in ")
                        .append(zone).append(" or elsewhere.");
            }
            List<Mount> concerned = new ArrayList<>(ebs);
            concerned.addAll(pinned);
            Finding finding = Finding.builder(Kind.VolumeNodeAffinityConflict)
                    .object(pod.key()).namespace(pod.namespace()).pod(pod.name())
                    .claims(PodVolumes.refs(concerned))
                    .suggestedZone(target.orElse(null)).statefulSet(pod.statefulSet())
                    .message(msg.toString())
                    .command(target.map(z -> Moves.command(pod.namespace(), pod.name(), ebs, z)).orElse(null))
                    .build();
            out.add(finding);
            known = known.with(List.of(finding));
        }
        return out;
    }

    /** In scope, alive, and not yet on a node: the scheduler still has to place it. */
    static boolean waitingForANode(ClusterFacts facts, Pod pod) {
        return facts.inScope(pod.namespace()) && !pod.terminated() && pod.hasSpec() && pod.nodeName() == null
                && !pod.deleting();
    }

    /** The scheduler's latest volume-zone complaint about this very pod (condition, else uid-matched event). */
    static String schedulerSaid(ClusterFacts facts, Pod pod) {
        for (String m : pod.notScheduledMessages()) {
            if (SchedulerMessages.isVolumeZoneConflict(m)) {
                return m;
            }
        }
        return facts.eventsFor(pod.uid()).stream()
                .filter(e -> "FailedScheduling".equals(e.reason()))
                .filter(e -> SchedulerMessages.isVolumeZoneConflict(e.message()))
                .max(Comparator.comparing(Facts.Event::when))
                .map(Facts.Event::message).orElse(null);
    }

    /**
     * Where the pod's StatefulSet siblings live, by their volumes' zones (where they will run, after the
     * moves already proposed), leaving out the pod itself.
     */
    static Map<String, Integer> replicasPerZone(ClusterFacts facts, Findings soFar, Pod pod) {
        Map<String, Integer> out = new LinkedHashMap<>();
        var sts = facts.statefulSet(pod.namespace(), pod.statefulSet());
        if (sts.isEmpty()) {
            return out;
        }
        for (Replicas.Replica r : Replicas.of(facts, sts.get())) {
            if (!r.pod().equals(pod.name())) {
                out.merge(soFar.zoneAfterProposedMoves(pod.namespace(), r.first().claimName(), r.zone()), 1,
                        Integer::sum);
            }
        }
        return out;
    }
}
