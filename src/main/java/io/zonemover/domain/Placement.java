package io.zonemover.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which zones can run a pod, in the scheduler's own words (REFERENCE.md A.5). Pure: the records are
 * filled from the cluster by {@code io.zonemover.cluster.PvFacts}, and both {@code diagnose} and
 * {@code migrate --to auto} decide from them.
 *
 * <p>Per node the filters run in the default scheduler's order (NodeUnschedulable, TaintToleration,
 * NodeAffinity, NodeResourcesFit) and the first that rejects a node names its reason, as the scheduler's
 * {@code 0/6 nodes are available: ...} summary does. A NotReady node is rejected as the scheduler sees
 * it: by the {@code node.kubernetes.io/not-ready} taint the node lifecycle controller puts on it.
 */
public final class Placement {

    public static final String INSUFFICIENT_CPU = "Insufficient cpu";
    public static final String INSUFFICIENT_MEMORY = "Insufficient memory";
    public static final String UNSCHEDULABLE = "node(s) were unschedulable";
    public static final String AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector";
    public static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";

    private Placement() {
    }

    /** A node taint; only {@code NoSchedule} and {@code NoExecute} keep a pod off. */
    public record Taint(String key, String value, String effect) {
        public Taint {
            value = value == null ? "" : value;
        }

        boolean filters() {
            return "NoSchedule".equals(effect) || "NoExecute".equals(effect);
        }

        /** The scheduler's wording: {@code node(s) had untolerated taint {key: value}}. */
        public String reason() {
            return "node(s) had untolerated taint {" + key + ": " + value + "}";
        }
    }

    /** A pod toleration; operator {@code Equal} (default) or {@code Exists}; empty key with Exists tolerates all. */
    public record Toleration(String key, String operator, String value, String effect) {
        public boolean tolerates(Taint taint) {
            if (effect != null && !effect.isEmpty() && !effect.equals(taint.effect())) {
                return false;
            }
            boolean exists = "Exists".equals(operator);
            if (key == null || key.isEmpty()) {
                return exists;
            }
            if (!key.equals(taint.key())) {
                return false;
            }
            return exists || (value == null ? "" : value).equals(taint.value());
        }
    }

    /** One node-selector requirement: In, NotIn, Exists, DoesNotExist, Gt, Lt. */
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = values == null ? List.of() : List.copyOf(values);
        }

        public boolean matches(Map<String, String> labels) {
            String actual = labels.get(key);
            return switch (operator) {
                case "In" -> actual != null && values.contains(actual);
                case "NotIn" -> actual == null || !values.contains(actual);
                case "Exists" -> actual != null;
                case "DoesNotExist" -> actual == null;
                case "Gt", "Lt" -> compare(actual, operator);
                default -> false;
            };
        }

        private boolean compare(String actual, String op) {
            if (actual == null || values.size() != 1) {
                return false;
            }
            try {
                long have = Long.parseLong(actual);
                long want = Long.parseLong(values.get(0));
                return "Gt".equals(op) ? have > want : have < want;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    /**
     * A node as placement sees it. {@code requested*} sums the requests of the non-terminated pods
     * already bound to it.
     */
    public record Node(String name, String zone, boolean ready, boolean schedulable, List<Taint> taints,
                       Map<String, String> labels, long allocatableMilliCpu, long allocatableMemoryBytes,
                       long requestedMilliCpu, long requestedMemoryBytes) {
        public Node {
            taints = taints == null ? List.of() : List.copyOf(taints);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        public long freeMilliCpu() {
            return allocatableMilliCpu - requestedMilliCpu;
        }

        public long freeMemoryBytes() {
            return allocatableMemoryBytes - requestedMemoryBytes;
        }
    }

    /**
     * What a pod asks of a node. {@code requiredAffinity} is the list of nodeSelectorTerms (ORed), each a
     * list of requirements (ANDed); empty means no required affinity.
     */
    public record PodNeeds(long milliCpu, long memoryBytes, Map<String, String> nodeSelector,
                           List<List<Requirement>> requiredAffinity, List<Toleration> tolerations) {
        public PodNeeds {
            nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
            requiredAffinity = requiredAffinity == null ? List.of()
                    : requiredAffinity.stream().map(List::copyOf).toList();
            tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        }

        public static PodNeeds of(long milliCpu, long memoryBytes) {
            return new PodNeeds(milliCpu, memoryBytes, Map.of(), List.of(), List.of());
        }
    }

    /** One zone's verdict: how many nodes, how many fit, and why the others don't (reason -> nodes). */
    public record ZoneFit(String zone, int nodes, List<Node> fitting, Map<String, Integer> rejections) {
        public boolean fits() {
            return !fitting.isEmpty();
        }

        public long freeMilliCpu() {
            return fitting.stream().mapToLong(Node::freeMilliCpu).sum();
        }

        /** The scheduler's summary, e.g. {@code 0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were unschedulable.} */
        public String summary() {
            StringBuilder s = new StringBuilder().append(fitting.size()).append('/').append(nodes)
                    .append(" nodes are available");
            if (!rejections.isEmpty()) {
                s.append(": ");
                List<String> parts = new ArrayList<>();
                rejections.forEach((reason, count) -> parts.add(count + " " + reason));
                s.append(String.join(", ", parts));
            }
            return s.append('.').toString();
        }
    }

    /** Why this node cannot take the pod; empty when it can. Insufficient cpu and memory may both appear. */
    public static List<String> rejections(Node node, PodNeeds needs) {
        if (!node.schedulable()) {
            return List.of(UNSCHEDULABLE);
        }
        List<Taint> taints = new ArrayList<>(node.taints());
        if (!node.ready() && taints.stream().noneMatch(t -> NOT_READY_TAINT.equals(t.key()))) {
            taints.add(new Taint(NOT_READY_TAINT, "", "NoSchedule"));
        }
        for (Taint taint : taints) {
            if (taint.filters() && needs.tolerations().stream().noneMatch(t -> t.tolerates(taint))) {
                return List.of(taint.reason());
            }
        }
        if (!matchesAffinity(node.labels(), needs)) {
            return List.of(AFFINITY_MISMATCH);
        }
        List<String> out = new ArrayList<>(2);
        if (needs.milliCpu() > node.freeMilliCpu()) {
            out.add(INSUFFICIENT_CPU);
        }
        if (needs.memoryBytes() > node.freeMemoryBytes()) {
            out.add(INSUFFICIENT_MEMORY);
        }
        return out;
    }

    public static boolean fits(Node node, PodNeeds needs) {
        return rejections(node, needs).isEmpty();
    }

    static boolean matchesAffinity(Map<String, String> labels, PodNeeds needs) {
        for (Map.Entry<String, String> e : needs.nodeSelector().entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        if (needs.requiredAffinity().isEmpty()) {
            return true;
        }
        // Terms are ORed; an empty term matches nothing (as in the scheduler).
        return needs.requiredAffinity().stream()
                .anyMatch(term -> !term.isEmpty() && term.stream().allMatch(r -> r.matches(labels)));
    }

    /** Every zone that has nodes, in name order, with its verdict. Nodes without a zone are left out. */
    public static Map<String, ZoneFit> byZone(List<Node> nodes, PodNeeds needs) {
        Map<String, List<Node>> grouped = new TreeMap<>();
        for (Node node : nodes) {
            if (node.zone() != null && !node.zone().isEmpty()) {
                grouped.computeIfAbsent(node.zone(), z -> new ArrayList<>()).add(node);
            }
        }
        Map<String, ZoneFit> out = new LinkedHashMap<>();
        grouped.forEach((zone, members) -> out.put(zone, fit(zone, members, needs)));
        return out;
    }

    /** The verdict for the nodes of one zone (an empty list gives {@code 0/0 nodes are available.}). */
    public static ZoneFit zone(List<Node> nodes, PodNeeds needs, String zone) {
        return fit(zone, nodes.stream().filter(n -> zone.equals(n.zone())).toList(), needs);
    }

    private static ZoneFit fit(String zone, List<Node> members, PodNeeds needs) {
        List<Node> fitting = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (Node node : members) {
            List<String> reasons = rejections(node, needs);
            if (reasons.isEmpty()) {
                fitting.add(node);
            }
            reasons.forEach(r -> counts.merge(r, 1, Integer::sum));
        }
        // Largest count first, as the scheduler sorts its summary; then by reason for a stable order.
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return new ZoneFit(zone, members.size(), List.copyOf(fitting), sorted);
    }

    /** The zones with at least one node that fits, in name order. */
    public static Set<String> zonesThatFit(List<Node> nodes, PodNeeds needs) {
        Set<String> out = new TreeSet<>();
        byZone(nodes, needs).forEach((zone, fit) -> {
            if (fit.fits()) {
                out.add(zone);
            }
        });
        return out;
    }

    /** Zones that have at least one node, whatever its state. */
    public static Set<String> zones(List<Node> nodes) {
        Set<String> out = new TreeSet<>();
        nodes.stream().map(Node::zone).filter(z -> z != null && !z.isEmpty()).forEach(out::add);
        return out;
    }

    /**
     * A zone other than {@code excludeZone} with a node that fits, preferring the zone with the fewest
     * pods of the same StatefulSet (so a move spreads replicas), then the most free cpu on fitting nodes,
     * then the zone name. Empty when no other zone has room now (an autoscaler may add nodes later).
     */
    public static Optional<String> suggestZone(List<Node> nodes, PodNeeds needs, String excludeZone,
                                               Map<String, Integer> podsOfSameStatefulSetPerZone) {
        Map<String, Integer> counts = podsOfSameStatefulSetPerZone == null ? Map.of() : podsOfSameStatefulSetPerZone;
        return byZone(nodes, needs).values().stream()
                .filter(ZoneFit::fits)
                .filter(fit -> !fit.zone().equals(excludeZone))
                .min(Comparator.<ZoneFit>comparingInt(fit -> counts.getOrDefault(fit.zone(), 0))
                        .thenComparing(Comparator.comparingLong(ZoneFit::freeMilliCpu).reversed())
                        .thenComparing(ZoneFit::zone))
                .map(ZoneFit::zone);
    }
}
