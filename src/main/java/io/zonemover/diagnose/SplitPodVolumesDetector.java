package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Finds pods whose volumes sit in different zones, which no node can ever take, and the zone that reunites
 * them: of the zones holding its volumes, the one with the most of its data that has room for the pod;
 * failing that, any zone with room.
 */
final class SplitPodVolumesDetector implements Detector {

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        List<Finding> out = new ArrayList<>();
        // Each move proposed here counts for the next pod's choice of zone, as for later detectors.
        Findings known = soFar;
        for (Pod pod : facts.pods()) {
            if (!VolumeNodeAffinityConflictDetector.waitingForANode(facts, pod)) {
                continue;
            }
            PodVolumes volumes = new PodVolumes(pod.namespace(), facts.mounts(pod));
            List<Mount> ebs = volumes.ebs();
            if (ebs.isEmpty() || volumes.zones().size() < 2 || volumes.underMove(known)
                    || volumes.inOutage(known)) {
                continue;
            }
            List<Mount> pinned = volumes.pinned();
            Map<String, Long> bytes = volumes.bytesPerZone();
            List<String> byData = new ArrayList<>(bytes.keySet());
            byData.sort(Comparator.comparingLong((String z) -> bytes.get(z)).reversed());
            String mostData = byData.get(0);
            String target = null;
            boolean reunitedInPlace = false;
            if (pinned.isEmpty()) {
                for (String zone : byData) {
                    if (Placement.zone(facts.nodes(), pod.needs(), zone).fits()) {
                        target = zone;
                        reunitedInPlace = true;
                        break;
                    }
                }
                if (target == null) {
                    target = Placement.suggestZone(facts.nodes(), pod.needs(), null,
                            VolumeNodeAffinityConflictDetector.replicasPerZone(facts, known, pod)).orElse(null);
                }
            }
            List<Mount> concerned = new ArrayList<>(ebs);
            concerned.addAll(pinned);
            StringBuilder msg = new StringBuilder("Pending: its volumes are in different zones (");
            msg.append(Moves.and(concerned.stream().map(m -> m.claimName() + " in " + m.volume().zone()).toList()))
                    .append("), and a node is in only one zone, so no node can ever take it");
            String said = VolumeNodeAffinityConflictDetector.schedulerSaid(facts, pod);
            if (said != null) {
                msg.append(". Scheduler: ").append(Moves.trimPeriod(said.strip()));
            }
            if (!pinned.isEmpty()) {
                msg.append(". ").append(Moves.pinnedBy(pinned));
            } else if (reunitedInPlace) {
                msg.append(". Move them together to ").append(target).append(target.equals(mostData)
                        ? ", which holds most of the data (" + gib(bytes.get(target)) + " of " + gib(total(bytes))
                                + ") and has room."
                        : ", which has room (" + mostData + ", holding most of the data, has none).");
            } else if (target != null) {
                msg.append(". None of ").append(Moves.and(byData)).append(" has room for the pod; move them all to ")
                        .append(target).append(", which has.");
            } else {
                msg.append(". No zone has a node with room for this pod now; add capacity in ").append(mostData)
                        .append(", which holds most of its data.");
            }
            String zone = target;
            Finding finding = Finding.builder(Kind.SplitPodVolumes)
                    .object(pod.key()).namespace(pod.namespace()).pod(pod.name())
                    .claims(PodVolumes.refs(concerned))
                    .suggestedZone(zone).statefulSet(pod.statefulSet())
                    .message(msg.toString())
                    .command(zone == null ? null : Moves.podCommand(pod.namespace(), pod.name(), zone))
                    .build();
            out.add(finding);
            known = known.with(List.of(finding));
        }
        return out;
    }

    private static long total(Map<String, Long> bytes) {
        return bytes.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String gib(long bytes) {
        double g = bytes / (double) (1L << 30);
        return (g == Math.rint(g) ? String.valueOf((long) g) : String.format(java.util.Locale.ROOT, "%.1f", g)) + " GiB";
    }
}
