package io.zonemover.diagnose;

import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds StatefulSets whose replicas' volumes crowd one zone (more than ceil(replicas / zones with ready
 * nodes)), and proposes moving the surplus, highest ordinals first, to the least loaded zones that have
 * room; counting replicas that earlier findings already move where they will land.
 */
final class ZoneImbalanceDetector implements Detector {

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        Set<String> zones = new TreeSet<>();
        facts.nodes().stream().filter(Placement.Node::ready).map(Placement.Node::zone)
                .filter(z -> z != null && !z.isEmpty()).forEach(zones::add);
        List<Finding> out = new ArrayList<>();
        if (zones.size() < 2) {
            return out;
        }
        for (StatefulSet sts : facts.statefulSets()) {
            if (facts.inScope(sts.namespace()) && sts.replicas() >= 2 && !sts.claimTemplates().isEmpty()) {
                out.addAll(crowding(facts, soFar, sts, zones.size()));
            }
        }
        return out;
    }

    private static List<Finding> crowding(ClusterFacts facts, Findings soFar, StatefulSet sts, int zoneCount) {
        String ns = sts.namespace();
        String name = sts.name();
        int replicas = sts.replicas();
        // zone -> replicas there, counting proposed moves where they will land.
        Map<String, List<Replicas.Replica>> byZone = new TreeMap<>();
        for (Replicas.Replica r : Replicas.of(facts, sts)) {
            String zone = soFar.zoneAfterProposedMoves(ns, r.first().claimName(), r.zone());
            byZone.computeIfAbsent(zone, z -> new ArrayList<>()).add(r);
        }
        int allowed = (replicas + zoneCount - 1) / zoneCount;
        Map<String, Integer> counts = new TreeMap<>();
        byZone.forEach((z, rs) -> counts.put(z, rs.size()));
        List<Finding> out = new ArrayList<>();
        for (var entry : byZone.entrySet()) {
            String zone = entry.getKey();
            List<Replicas.Replica> here = new ArrayList<>(entry.getValue());
            if (here.size() <= allowed) {
                continue;
            }
            int crowd = here.size();
            // Replicas another finding covers, or whose volumes cannot move together, stay where they are.
            here.removeIf(r -> soFar.flagged(ns, r.first().claimName()) || !r.movable()
                    || r.volumes().underMove(soFar));
            here.sort(Comparator.comparingInt(Replicas.Replica::ordinal).reversed());
            int surplus = Math.min(crowd - allowed, here.size());
            for (Replicas.Replica r : here.subList(0, surplus)) {
                Optional<String> target = Placement.suggestZone(facts.nodes(), sts.templateNeeds(), zone, counts)
                        .filter(t -> counts.getOrDefault(t, 0) + 1 < counts.get(zone));
                var ebs = r.volumes().ebs();
                String what = ebs.size() == 1 ? r.first().claimName()
                        : "pod " + r.pod() + "'s " + ebs.size() + " volumes";
                String msg = "StatefulSet " + ns + "/" + name + " keeps " + crowd + " of " + replicas
                        + " volumes in " + zone + " (at most " + allowed + " per zone across " + zoneCount
                        + " zones with nodes): losing " + zone + " takes down " + crowd + " replicas.";
                msg += target.map(t -> " Move " + what + " to " + t + ".")
                        .orElse(" No other zone has room for another replica now.");
                target.ifPresent(t -> {
                    counts.merge(zone, -1, Integer::sum);
                    counts.merge(t, 1, Integer::sum);
                });
                var mount = r.first();
                Finding.Builder b = Finding.builder(Kind.ZoneImbalance).object(ns + "/" + mount.claimName())
                        .namespace(ns).pod(r.pod()).claim(mount.claimName()).pv(mount.volume().name())
                        .volumeId(mount.volume().volumeId()).volumeZone(zone)
                        .suggestedZone(target.orElse(null)).statefulSet(name).message(msg)
                        .command(target.map(t -> Moves.command(ns, r.pod(), ebs, t)).orElse(null));
                if (ebs.size() > 1) {
                    b.claims(PodVolumes.refs(ebs));
                }
                out.add(b.build());
            }
        }
        return out;
    }
}
