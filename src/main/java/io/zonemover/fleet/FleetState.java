package io.zonemover.fleet;

import io.zonemover.domain.DisruptionBudget;
import io.zonemover.domain.Placement;

import java.util.List;
import java.util.Map;

/**
 * The selected StatefulSets as the planner sees them, read once from the cluster and EC2: per pod its EBS
 * claims and their zones, per StatefulSet what a pod asks of a node and its disruption budget, and the
 * nodes (with what is already requested of them).
 *
 * @param zones the region's available zones, in name order
 */
public record FleetState(List<SetState> sets, List<Placement.Node> nodes, List<String> zones) {

    public FleetState {
        sets = List.copyOf(sets);
        nodes = List.copyOf(nodes);
        zones = List.copyOf(zones);
    }

    /**
     * One StatefulSet.
     *
     * @param budget its PodDisruptionBudget, or null when none selects its pods
     */
    public record SetState(String namespace, String name, int replicas, Placement.PodNeeds needs,
                           List<PodState> pods, DisruptionBudget budget) {
        public SetState {
            pods = List.copyOf(pods);
        }

        public String ref() {
            return namespace + "/" + name;
        }
    }

    /**
     * One pod (present or not: a Pending or missing pod still has its claims).
     *
     * @param node  the node it is bound to, or null
     * @param ready Running and Ready
     */
    public record PodState(String name, int ordinal, List<ClaimState> claims, String node, boolean ready) {
        public PodState {
            claims = List.copyOf(claims);
        }

        /** Where the pod's data is: the zone holding most of its GiB (ties: zone name); null without EBS claims. */
        public String dataZone() {
            Map<String, Integer> gib = new java.util.TreeMap<>();
            claims.forEach(c -> gib.merge(c.zone(), c.sizeGiB(), Integer::sum));
            return gib.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                    .map(Map.Entry::getKey).orElse(null);
        }

        /** True when its claims are in more than one zone (a split pod). */
        public boolean split() {
            return claims.stream().map(ClaimState::zone).distinct().count() > 1;
        }

        public int sizeGiB() {
            return claims.stream().mapToInt(ClaimState::sizeGiB).sum();
        }
    }

    /** One EBS claim of a pod and the volume behind it. */
    public record ClaimState(String name, String volumeId, String zone, int sizeGiB) {
    }
}
