package io.zonemover.fleet;

import io.zonemover.domain.Placement.Node;
import io.zonemover.domain.Placement.PodNeeds;
import io.zonemover.domain.Placement.Taint;
import io.zonemover.fleet.FleetState.ClaimState;
import io.zonemover.fleet.FleetState.PodState;
import io.zonemover.fleet.FleetState.SetState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fluent fixture for fleets: nodes per zone (m5.xlarge-sized unless told) and StatefulSets whose running
 * pods take their requests on a node of their zone, round robin, as the scheduler would have placed them.
 */
final class Fleets {

    static final long MI = 1L << 20;
    static final String B = "us-east-1b";
    static final String C = "us-east-1c";
    static final String D = "us-east-1d";

    /** A node under construction; its requests grow as pods are put on it. */
    static final class NodeSpec {
        final String name;
        final String zone;
        boolean ready = true;
        boolean schedulable = true;
        List<Taint> taints = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        long cpu = 3920;
        long memory = 14884 * MI;
        long usedCpu;
        long usedMemory;

        NodeSpec(String name, String zone) {
            this.name = name;
            this.zone = zone;
            labels.put("topology.kubernetes.io/zone", zone);
        }

        Node build() {
            return new Node(name, zone, ready, schedulable, taints, labels, cpu, memory, usedCpu, usedMemory);
        }
    }

    private final List<NodeSpec> nodes = new ArrayList<>();
    private final List<SetState> sets = new ArrayList<>();
    private final Map<String, Integer> nextNode = new LinkedHashMap<>();
    private List<String> zones = List.of(B, C, D);

    static Fleets fleet() {
        return new Fleets();
    }

    Fleets zones(String... names) {
        zones = List.of(names);
        return this;
    }

    /** {@code count} Ready, schedulable m5.xlarge nodes (3920m, 14884Mi allocatable) named ZONE-N. */
    Fleets nodes(String zone, int count) {
        for (int i = 0; i < count; i++) {
            nodes.add(new NodeSpec(zone + "-" + nodes.stream().filter(n -> n.zone.equals(zone)).count(), zone));
        }
        return this;
    }

    /** Nodes of the zone that have at most this much cpu allocatable. */
    Fleets cpu(String zone, long milliCpu) {
        inZone(zone).forEach(n -> n.cpu = milliCpu);
        return this;
    }

    Fleets notReady(String zone) {
        inZone(zone).forEach(n -> n.ready = false);
        return this;
    }

    Fleets cordoned(String zone) {
        inZone(zone).forEach(n -> n.schedulable = false);
        return this;
    }

    Fleets taint(String zone, String key, String value) {
        inZone(zone).forEach(n -> n.taints.add(new Taint(key, value, "NoSchedule")));
        return this;
    }

    Fleets label(String zone, String key, String value) {
        inZone(zone).forEach(n -> n.labels.put(key, value));
        return this;
    }

    /** Requests already on every node of the zone (other workloads). */
    Fleets used(String zone, long milliCpu, long memoryBytes) {
        inZone(zone).forEach(n -> {
            n.usedCpu += milliCpu;
            n.usedMemory += memoryBytes;
        });
        return this;
    }

    Sts set(String namespace, String name) {
        return new Sts(namespace, name);
    }

    FleetState state() {
        return new FleetState(sets, nodes.stream().map(NodeSpec::build).toList(), zones);
    }

    private List<NodeSpec> inZone(String zone) {
        return nodes.stream().filter(n -> n.zone.equals(zone)).toList();
    }

    /** The next node of the zone, round robin, that takes the requests; null when the zone has none. */
    private String seat(String zone, PodNeeds needs) {
        List<NodeSpec> members = inZone(zone);
        if (members.isEmpty()) {
            return null;
        }
        int i = nextNode.merge(zone, 1, Integer::sum) - 1;
        NodeSpec n = members.get(i % members.size());
        n.usedCpu += needs.milliCpu();
        n.usedMemory += needs.memoryBytes();
        return n.name;
    }

    /** A StatefulSet under construction: pods are added in ordinal order. */
    final class Sts {
        final String namespace;
        final String name;
        PodNeeds needs = PodNeeds.of(250, 256 * MI);
        int sizeGiB = 10;
        final List<PodState> pods = new ArrayList<>();
        io.zonemover.domain.DisruptionBudget budget;

        Sts(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        Sts needs(PodNeeds needs) {
            this.needs = needs;
            return this;
        }

        Sts sizeGiB(int size) {
            this.sizeGiB = size;
            return this;
        }

        /** Running and Ready pods with one claim {@code data} each, in these zones, in ordinal order. */
        Sts pods(String... zonesOfPods) {
            for (String zone : zonesOfPods) {
                pod(zone, true, true, sizeGiB);
            }
            return this;
        }

        /** A pod with one claim of this size, bound to a node of its zone (or Pending) and Ready or not. */
        Sts pod(String zone, boolean bound, boolean ready, int size) {
            int ordinal = pods.size();
            String node = bound ? seat(zone, needs) : null;
            pods.add(new PodState(name + "-" + ordinal, ordinal, List.of(claim("data", ordinal, zone, size)), node,
                    ready && node != null));
            return this;
        }

        Sts pending(String zone) {
            return pod(zone, false, false, sizeGiB);
        }

        Sts notReady(String zone) {
            return pod(zone, true, false, sizeGiB);
        }

        /** A Pending pod whose claims are in several zones (claims data, logs, ...; one per zone, in order). */
        Sts split(String... claimZones) {
            int ordinal = pods.size();
            List<ClaimState> claims = new ArrayList<>();
            String[] templates = {"data", "logs", "wal"};
            for (int i = 0; i < claimZones.length; i++) {
                claims.add(claim(templates[i], ordinal, claimZones[i], sizeGiB - i));
            }
            pods.add(new PodState(name + "-" + ordinal, ordinal, claims, null, false));
            return this;
        }

        Sts budget(String minAvailable, String maxUnavailable) {
            budget = new io.zonemover.domain.DisruptionBudget(name, minAvailable, minAvailable == null ? maxUnavailable : null);
            return this;
        }

        ClaimState claim(String template, int ordinal, String zone, int size) {
            String claimName = template + "-" + name + "-" + ordinal;
            return new ClaimState(claimName, volumeId(namespace + "/" + claimName), zone, size);
        }

        Fleets done() {
            sets.add(new SetState(namespace, name, pods.size(), needs, pods, budget));
            return Fleets.this;
        }
    }

    /** A stable, EC2-shaped volume id for a claim. */
    static String volumeId(String claim) {
        return String.format("vol-%017x", Integer.toUnsignedLong(claim.hashCode()) * 2654435761L & 0xfffffffffffffffL);
    }
}
