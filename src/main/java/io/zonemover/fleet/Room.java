package io.zonemover.fleet;

import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The room left on the nodes as moves are planned: each move reserves its pod's requests on one node of its
 * target zone that fits it, in the scheduler's terms ({@link Placement}), so that a plan never sends more pods
 * to a zone than its Ready, schedulable nodes can take. Room a leaving pod frees is not credited: the moves
 * of a plan run concurrently.
 */
public final class Room {

    private final List<Placement.Node> nodes;

    public Room(List<Placement.Node> nodes) {
        this.nodes = new ArrayList<>(nodes);
    }

    /** Reserves room for one pod in the zone on the fitting node with the most free cpu; the node, if any fits. */
    public Optional<String> reserve(Placement.PodNeeds needs, String zone) {
        Optional<Placement.Node> best = nodes.stream()
                .filter(n -> zone.equals(n.zone()) && Placement.fits(n, needs))
                .max(Comparator.comparingLong(Placement.Node::freeMilliCpu).thenComparing(Placement.Node::name,
                        Comparator.reverseOrder()));
        best.ifPresent(n -> nodes.set(nodes.indexOf(n), new Placement.Node(n.name(), n.zone(), n.ready(),
                n.schedulable(), n.taints(), n.labels(), n.allocatableMilliCpu(), n.allocatableMemoryBytes(),
                n.requestedMilliCpu() + needs.milliCpu(), n.requestedMemoryBytes() + needs.memoryBytes())));
        return best.map(Placement.Node::name);
    }

    /** True when one more such pod fits in the zone now. */
    public boolean fits(Placement.PodNeeds needs, String zone) {
        return Placement.zone(nodes, needs, zone).fits();
    }

    /** Why the zone has no room for one more such pod, in the scheduler's words. */
    public String why(Placement.PodNeeds needs, String zone) {
        return Placement.zone(nodes, needs, zone).summary();
    }

    /** Free cpu (millicores) on the zone's nodes that fit the pod, for choosing between zones. */
    public long freeMilliCpu(Placement.PodNeeds needs, String zone) {
        return Placement.zone(nodes, needs, zone).freeMilliCpu();
    }
}
