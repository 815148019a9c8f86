package io.zonemover.fleet;

import io.zonemover.domain.Placement;
import io.zonemover.domain.Placement.Node;
import io.zonemover.domain.Placement.PodNeeds;
import io.zonemover.domain.Placement.ZoneFit;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What each node has left while a plan is made or checked: the cluster's requests plus every seat the plan
 * has taken so far, so a plan never sends more pods to a zone than its Ready, schedulable nodes can take. Moves run concurrently, so a seat is never given back because a pod leaves a node; only the
 * planner's own provisional seats (a Pending pod that then moves after all) are released.
 */
public final class Ledger {

    /** Most free cpu first, as the brief's first fit takes them; then name, so plans are repeatable. */
    private static final Comparator<Node> MOST_FREE_CPU = Comparator.comparingLong(Node::freeMilliCpu).reversed()
            .thenComparing(Node::name);

    private final Map<String, Node> nodes = new LinkedHashMap<>();

    public Ledger(List<Node> nodes) {
        nodes.forEach(n -> this.nodes.put(n.name(), n));
    }

    List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /** The zone of a node the cluster reported, or empty for a node it no longer has. */
    Optional<String> zoneOf(String nodeName) {
        return Optional.ofNullable(nodeName == null ? null : nodes.get(nodeName)).map(Node::zone);
    }

    /** The scheduler's verdict on the zone now, seats taken by the plan included. */
    public ZoneFit fit(String zone, PodNeeds needs) {
        return Placement.zone(nodes(), needs, zone);
    }

    /**
     * True when the zone has a node that could run the pod were it not full: Ready, schedulable, tolerated
     * and matching its affinity. A zone with pods of a set but no such node cannot keep them.
     */
    boolean usable(String zone, PodNeeds needs) {
        return nodes.values().stream().filter(n -> zone.equals(n.zone()))
                .anyMatch(n -> Placement.rejections(n, needs).stream().allMatch(Ledger::forLackOfRoom));
    }

    private static boolean forLackOfRoom(String reason) {
        return Placement.INSUFFICIENT_CPU.equals(reason) || Placement.INSUFFICIENT_MEMORY.equals(reason);
    }

    /** Takes a seat for the pod on the fitting node of the zone with the most free cpu; empty when none fits. */
    public Optional<String> reserve(String zone, PodNeeds needs) {
        Optional<Node> node = fit(zone, needs).fitting().stream().min(MOST_FREE_CPU);
        node.ifPresent(n -> add(n.name(), needs.milliCpu(), needs.memoryBytes()));
        return node.map(Node::name);
    }

    /** Gives back a seat this plan took (never one the cluster had). */
    void release(String nodeName, PodNeeds needs) {
        add(nodeName, -needs.milliCpu(), -needs.memoryBytes());
    }

    private void add(String nodeName, long milliCpu, long memoryBytes) {
        Node n = nodes.get(nodeName);
        nodes.put(nodeName, new Node(n.name(), n.zone(), n.ready(), n.schedulable(), n.taints(), n.labels(),
                n.allocatableMilliCpu(), n.allocatableMemoryBytes(), n.requestedMilliCpu() + milliCpu,
                n.requestedMemoryBytes() + memoryBytes));
    }
}
