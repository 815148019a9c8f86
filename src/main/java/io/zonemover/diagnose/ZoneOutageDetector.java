package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds zones whose nodes are all NotReady (Ready not True; the node lifecycle controller also taints them
 * {@code node.kubernetes.io/unreachable}), one finding per zone, with every pod caught there: a pod on one of
 * its nodes, or a pod with an EBS volume in it (Pending, being deleted, or anywhere: an EBS volume attaches
 * only in its own zone, so that pod cannot run until the zone is back).
 *
 * <p>A volume in a failed zone cannot be snapshotted, so the only rescue is a restore from each volume's
 * newest completed snapshot (its recovery point, read from EC2 only because this finding needs it), losing
 * what was written since; waiting for the zone loses nothing. The finding says both, with each recovery
 * point's age, and gives per pod the command that rescues it. The claims it covers get no ordinary move
 * suggestion from later detectors ({@link Findings#inOutage}): that move would start by snapshotting a dead
 * volume.
 */
final class ZoneOutageDetector implements Detector {

    static final String UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";

    /** A zone that is down, its nodes, and the pods caught there with their EBS claims. */
    record Outage(String zone, List<Placement.Node> nodes, List<Caught> pods) {
    }

    record Caught(Pod pod, PodVolumes volumes) {
    }

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        List<Outage> outages = outages(facts, soFar);
        boolean everyZone = !outages.isEmpty() && outages.size() == zonesWithNodes(facts).size();
        List<Finding> out = new ArrayList<>();
        for (Outage outage : outages) {
            out.add(finding(facts, outage, everyZone));
        }
        return out;
    }

    /**
     * The zones that are down, by name, each with the in-scope pods caught there; a pod whose claims an
     * interrupted move owns is left to that move's finding.
     */
    static List<Outage> outages(ClusterFacts facts, Findings soFar) {
        Map<String, List<Placement.Node>> byZone = new TreeMap<>();
        for (Placement.Node n : facts.nodes()) {
            if (n.zone() != null && !n.zone().isEmpty()) {
                byZone.computeIfAbsent(n.zone(), z -> new ArrayList<>()).add(n);
            }
        }
        Map<String, List<Placement.Node>> down = new LinkedHashMap<>();
        byZone.forEach((zone, nodes) -> {
            if (nodes.stream().noneMatch(Placement.Node::ready)) {
                List<Placement.Node> sorted = new ArrayList<>(nodes);
                sorted.sort(Comparator.comparing(Placement.Node::name));
                down.put(zone, sorted);
            }
        });
        if (down.isEmpty()) {
            return List.of();
        }
        Map<String, List<Caught>> caught = new LinkedHashMap<>();
        down.keySet().forEach(z -> caught.put(z, new ArrayList<>()));
        for (Pod pod : facts.pods()) {
            if (!facts.inScope(pod.namespace()) || pod.terminated() || !pod.hasSpec()) {
                continue;
            }
            PodVolumes volumes = new PodVolumes(pod.namespace(), facts.mounts(pod));
            if (volumes.ebs().isEmpty() || volumes.underMove(soFar)) {
                continue;
            }
            String zone = null;
            String nodeZone = facts.nodeZone(pod.nodeName());
            if (nodeZone != null && down.containsKey(nodeZone)) {
                zone = nodeZone;
            } else {
                for (Mount m : volumes.ebs()) {
                    if (down.containsKey(m.volume().zone())) {
                        zone = m.volume().zone();
                        break;
                    }
                }
            }
            if (zone != null) {
                caught.get(zone).add(new Caught(pod, volumes));
            }
        }
        List<Outage> out = new ArrayList<>();
        down.forEach((zone, nodes) -> out.add(new Outage(zone, nodes, caught.get(zone))));
        return out;
    }

    /** The EBS volume ids of the pods caught in outages: what the recovery points are read for. */
    static Set<String> volumeIds(List<Outage> outages) {
        Set<String> ids = new TreeSet<>();
        for (Outage o : outages) {
            for (Caught c : o.pods()) {
                c.volumes().ebs().forEach(m -> {
                    if (m.volume().volumeId() != null) {
                        ids.add(m.volume().volumeId());
                    }
                });
            }
        }
        return ids;
    }

    /** {@code zonemover migrate --pod NS/POD --to auto --from-snapshot latest --accept-data-loss}. */
    static String rescueCommand(String namespace, String pod) {
        return "zonemover migrate --pod " + namespace + "/" + pod + " --to auto --from-snapshot latest"
                + " --accept-data-loss";
    }

    private static Set<String> zonesWithNodes(ClusterFacts facts) {
        Set<String> zones = new TreeSet<>();
        facts.nodes().stream().map(Placement.Node::zone).filter(z -> z != null && !z.isEmpty()).forEach(zones::add);
        return zones;
    }

    private static Finding finding(ClusterFacts facts, Outage outage, boolean everyZone) {
        RecoveryPoints points = facts.recoveryPoints();
        boolean known = points.known();
        String zone = outage.zone();
        int nodes = outage.nodes().size();
        long tainted = outage.nodes().stream()
                .filter(n -> n.taints().stream().anyMatch(t -> UNREACHABLE_TAINT.equals(t.key()))).count();

        StringBuilder msg = new StringBuilder();
        msg.append(nodes == 1 ? "The only node in " + zone + " is NotReady" : "All " + nodes + " nodes in " + zone
                + " are NotReady");
        if (tainted > 0) {
            msg.append(" (").append(tainted == nodes ? (nodes == 1 ? "tainted " : "all tainted ")
                    : tainted + " tainted ").append(UNREACHABLE_TAINT).append(')');
        }
        msg.append(": the zone looks down.");
        if (everyZone) {
            msg.append(" Every zone with nodes is NotReady, which looks more like the control plane losing touch"
                    + " with the nodes than like zones failing: check that before restoring anything from"
                    + " snapshots; no rescue command is given.");
        }

        List<Finding.OutagePod> pods = new ArrayList<>();
        List<String> noSnapshot = new ArrayList<>();
        List<String> notRescued = new ArrayList<>();
        long youngest = Long.MAX_VALUE;
        long oldest = -1;
        for (Caught c : outage.pods()) {
            Pod pod = c.pod();
            List<Finding.ClaimPoint> claims = new ArrayList<>();
            boolean missing = false;
            for (Mount m : c.volumes().ebs()) {
                var point = points.newest(m.volume().volumeId());
                Long age = point.map(RecoveryPoints.Point::ageSeconds).orElse(null);
                claims.add(new Finding.ClaimPoint(m.claimName(), m.volume().name(), m.volume().volumeId(),
                        m.volume().zone(), point.map(RecoveryPoints.Point::snapshotId).orElse(null), age));
                if (known && point.isEmpty()) {
                    missing = true;
                    noSnapshot.add(m.claimName() + " (" + pod.key() + ")");
                }
                if (age != null) {
                    youngest = Math.min(youngest, age);
                    oldest = Math.max(oldest, age);
                }
            }
            String why = null;
            if (everyZone) {
                why = "every zone is NotReady";
            } else if (pod.statefulSet() == null) {
                why = "it is not a StatefulSet pod, and zonemover moves StatefulSet pods";
            } else if (!c.volumes().pinned().isEmpty()) {
                why = "its claim " + c.volumes().pinned().get(0).claimName() + " is not EBS and zonemover cannot"
                        + " move it";
            } else if (missing) {
                why = "a volume of it has no completed snapshot to restore from";
            }
            if (why != null && !everyZone) {
                notRescued.add(pod.key() + " (" + why + ")");
            }
            pods.add(new Finding.OutagePod(pod.namespace(), pod.name(), pod.statefulSet(), pod.nodeName(),
                    why == null ? rescueCommand(pod.namespace(), pod.name()) : null, claims));
        }

        if (pods.isEmpty()) {
            msg.append(" No pod").append(facts.namespace() == null ? "" : " in namespace " + facts.namespace())
                    .append(" has an EBS volume there or runs there, so there is nothing to rescue; its volumes"
                            + " keep their data until it comes back.");
        } else {
            msg.append(' ').append(pods.size()).append(pods.size() == 1 ? " pod is" : " pods are")
                    .append(" caught there: ")
                    .append(Moves.and(pods.stream().map(p -> p.namespace() + "/" + p.pod()).toList())).append('.');
            msg.append(" An EBS volume in a failed zone cannot be snapshotted, so each volume's newest completed"
                    + " snapshot is the freshest data reachable");
            if (!points.read()) {
                msg.append("; its age was not read.");
            } else if (!known) {
                msg.append("; EC2 could not be read (").append(Moves.trimPeriod(points.problem()))
                        .append("), so how old it is is unknown.");
            } else if (oldest < 0) {
                msg.append(", and none of these volumes has one.");
            } else if (youngest == oldest) {
                msg.append(", and it is ").append(RecoveryPoints.age(oldest)).append(" old.");
            } else {
                msg.append(", and those are ").append(RecoveryPoints.age(youngest)).append(" to ")
                        .append(RecoveryPoints.age(oldest)).append(" old.");
            }
            if (!noSnapshot.isEmpty()) {
                msg.append(" No completed snapshot at all for ").append(Moves.and(noSnapshot)).append('.');
            }
            msg.append(" Restoring from ").append(known && oldest >= 0 ? "them" : "snapshots")
                    .append(" loses every write made since they were taken.");
        }
        msg.append(" Waiting for ").append(zone).append(" to come back loses nothing: the volumes keep their data.");
        if (!pods.isEmpty() && !everyZone) {
            if (notRescued.size() < pods.size()) {
                msg.append(" To rescue a pod now, accepting that loss, run the command given for it.");
            }
            if (!notRescued.isEmpty()) {
                msg.append(" No rescue command for ").append(Moves.and(notRescued)).append('.');
            }
        }

        Finding.Builder b = Finding.builder(Kind.ZoneOutage).object("zone/" + zone).volumeZone(zone)
                .message(msg.toString())
                .outage(new Finding.Outage(zone, outage.nodes().stream().map(Placement.Node::name).toList(),
                        known, pods));
        if (pods.size() == 1) {
            Finding.OutagePod only = pods.get(0);
            b.namespace(only.namespace()).pod(only.pod()).statefulSet(only.statefulSet()).command(only.command());
        }
        return b.build();
    }
}
