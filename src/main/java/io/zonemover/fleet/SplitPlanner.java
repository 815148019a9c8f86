package io.zonemover.fleet;

import io.zonemover.domain.Placement;
import io.zonemover.domain.ZonemoverException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans the split of one StatefulSet into one StatefulSet per zone ({@code --split-per-zone}): how many
 * replicas each zone's set gets, and for each existing pod (all of its EBS claims together) the zone set it
 * goes to and whether its volumes are re-bound where they are or copied. Pure; the ordinal rule is in
 * {@link FleetPlan}'s javadoc.
 *
 * <p>The division: N pods over the Z zones that can run them, N/Z each, the remainder one each to the zones
 * that already hold the most of the set's volumes (ties: zone name). A zone keeps as many of the pods whose
 * data is there as its share allows (largest data first, then lowest ordinal), so as little as possible is
 * copied; the others are copied to the zones short of their share.
 */
public final class SplitPlanner {

    /**
     * The longest StatefulSet name whose pods can be created: each pod carries the label
     * {@code controller-revision-hash=<name>-<10-character hash>}, and label values stop at 63 characters.
     */
    public static final int MAX_SET_NAME = 52;

    private SplitPlanner() {
    }

    /** The StatefulSet the pods of {@code zone} go to: {@code NAME-<zone>}. */
    public static String zoneSetName(String statefulSet, String zone) {
        return statefulSet + "-" + zone;
    }

    /**
     * The ordinal the pod of {@code move} gets in its zone set: among the plan's moves to the same zone, the
     * number whose old ordinal is higher (they are carried first, and the set grows one ordinal at a time).
     */
    public static int newOrdinal(List<FleetPlan.Move> moves, FleetPlan.Move move) {
        int mine = oldOrdinal(move);
        return (int) moves.stream().filter(m -> m.to().equals(move.to()) && oldOrdinal(m) > mine).count();
    }

    /** The pod's ordinal in the original StatefulSet (the number after NAME-). */
    public static int oldOrdinal(FleetPlan.Move move) {
        String suffix = move.podName().substring(move.statefulSet().length() + 1);
        return Integer.parseInt(suffix);
    }

    /**
     * The plan for {@code set}: into {@code zones} (null or empty: every zone of the region with a Ready,
     * schedulable node the pods may run on), one move per pod, highest old ordinal first (the order they are
     * carried). Refused when a zone lacks room for the pods sent there, when a pod has no EBS claim, or when
     * a zone set's name would be too long.
     */
    public static FleetPlan plan(FleetState state, FleetState.SetState set, List<String> zones, Instant now) {
        List<FleetState.PodState> pods = pods(set);
        List<String> candidates = zones == null || zones.isEmpty() ? usableZones(state, set) : List.copyOf(zones);
        if (candidates.isEmpty()) {
            throw ZonemoverException.refused("no zone has a Ready, schedulable node that " + set.ref()
                    + "'s pods may run on");
        }
        Map<String, Integer> shares = shares(pods, candidates);
        Map<String, String> targets = assign(pods, shares);
        List<FleetPlan.Move> moves = new ArrayList<>();
        for (FleetState.PodState pod : pods.stream()
                .sorted(Comparator.comparingInt(FleetState.PodState::ordinal).reversed()).toList()) {
            moves.add(new FleetPlan.Move(set.namespace() + "/" + pod.name(), set.name(), pod.claims(), from(pod),
                    targets.get(pod.name()), 0));
        }
        List<String> setZones = shares.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .sorted().toList();
        for (String zone : setZones) {
            String name = zoneSetName(set.name(), zone);
            if (name.length() > MAX_SET_NAME) {
                throw ZonemoverException.refused("StatefulSet name " + name + " would be " + name.length()
                        + " characters; its pods cannot be created above " + MAX_SET_NAME
                        + " (the controller-revision-hash label must fit 63)");
            }
        }
        checkCapacity(state, set, pods, moves, setZones);
        Map<String, Integer> before = new TreeMap<>();
        pods.forEach(p -> before.merge(p.dataZone(), 1, Integer::sum));
        Map<String, Integer> after = new TreeMap<>();
        setZones.forEach(z -> after.put(z, shares.get(z)));
        return new FleetPlan("split-" + set.name(), now.toString(),
                new FleetPlan.Selection(List.of(set.namespace()), false, null, List.of(set.ref())),
                new FleetPlan.Strategy(FleetPlan.StrategyType.SPLIT_PER_ZONE, setZones), FleetPlan.Limits.DEFAULT,
                moves, Map.of(set.ref(), before), Map.of(set.ref(), after), notes(set, moves));
    }

    /** The pods of ordinals 0..replicas-1, each with at least one EBS claim. */
    private static List<FleetState.PodState> pods(FleetState.SetState set) {
        List<FleetState.PodState> pods = set.pods().stream().filter(p -> p.ordinal() < set.replicas())
                .sorted(Comparator.comparingInt(FleetState.PodState::ordinal)).toList();
        if (pods.size() != set.replicas()) {
            throw ZonemoverException.refused(set.ref() + " has " + set.replicas() + " replicas but only "
                    + pods.size() + " pods with claims; let it settle before splitting it");
        }
        for (FleetState.PodState pod : pods) {
            if (pod.claims().isEmpty()) {
                throw ZonemoverException.refused("pod " + set.namespace() + "/" + pod.name()
                        + " has no EBS claim: there is nothing to carry into a zone");
            }
        }
        return pods;
    }

    /** Zones of the region with a node the pods may run on, requests aside (room is checked afterwards). */
    private static List<String> usableZones(FleetState state, FleetState.SetState set) {
        Placement.PodNeeds any = withoutRequests(set.needs());
        return Placement.zonesThatFit(state.nodes(), any).stream()
                .filter(z -> state.zones().isEmpty() || state.zones().contains(z)).toList();
    }

    private static Placement.PodNeeds withoutRequests(Placement.PodNeeds needs) {
        return new Placement.PodNeeds(0, 0, needs.nodeSelector(), needs.requiredAffinity(), needs.tolerations());
    }

    /** Replicas per zone: N/Z each, one more for the zones holding the most volumes (ties: name). */
    static Map<String, Integer> shares(List<FleetState.PodState> pods, List<String> zones) {
        Map<String, Long> held = new TreeMap<>();
        zones.forEach(z -> held.put(z, pods.stream().filter(p -> z.equals(p.dataZone())).count()));
        List<String> byHeld = zones.stream().sorted(Comparator.<String>comparingLong(held::get).reversed()
                .thenComparing(Comparator.naturalOrder())).toList();
        Map<String, Integer> shares = new TreeMap<>();
        for (int i = 0; i < byHeld.size(); i++) {
            shares.put(byHeld.get(i), pods.size() / zones.size() + (i < pods.size() % zones.size() ? 1 : 0));
        }
        return shares;
    }

    /** Pod name to zone: each zone keeps its own pods up to its share, the rest fill the zones short of theirs. */
    private static Map<String, String> assign(List<FleetState.PodState> pods, Map<String, Integer> shares) {
        Map<String, String> targets = new LinkedHashMap<>();
        Map<String, Integer> left = new TreeMap<>(shares);
        pods.stream().sorted(Comparator.comparingInt(FleetState.PodState::sizeGiB).reversed()
                        .thenComparingInt(FleetState.PodState::ordinal))
                .forEach(p -> {
                    String zone = p.dataZone();
                    if (left.getOrDefault(zone, 0) > 0) {
                        targets.put(p.name(), zone);
                        left.merge(zone, -1, Integer::sum);
                    }
                });
        List<String> slots = new ArrayList<>();
        left.forEach((zone, n) -> {
            for (int i = 0; i < n; i++) {
                slots.add(zone);
            }
        });
        List<FleetState.PodState> rest = pods.stream().filter(p -> !targets.containsKey(p.name())).toList();
        for (int i = 0; i < rest.size(); i++) {
            targets.put(rest.get(i).name(), slots.get(i));
        }
        return targets;
    }

    /** Where the pod's data is; a split pod's zones comma-separated, its main zone first. */
    private static String from(FleetState.PodState pod) {
        List<String> zones = new ArrayList<>(List.of(pod.dataZone()));
        pod.claims().stream().map(FleetState.ClaimState::zone).distinct().sorted().filter(z -> !zones.contains(z))
                .forEach(zones::add);
        return String.join(",", zones);
    }

    /**
     * Every zone must have room, in the scheduler's terms, for the pods that will start there and do not run
     * there now (copies, and pods not running at all); pods re-bound in place give back what they take.
     */
    private static void checkCapacity(FleetState state, FleetState.SetState set, List<FleetState.PodState> pods,
                                      List<FleetPlan.Move> moves, List<String> zones) {
        Map<String, FleetState.PodState> byName = new LinkedHashMap<>();
        pods.forEach(p -> byName.put(p.name(), p));
        for (String zone : zones) {
            List<FleetPlan.Move> into = moves.stream().filter(m -> m.to().equals(zone)).toList();
            long arriving = into.stream().filter(m -> !zone.equals(byName.get(m.podName()).dataZone())
                    || byName.get(m.podName()).node() == null).count();
            Placement.ZoneFit fit = Placement.zone(state.nodes(), set.needs(), zone);
            Placement.ZoneFit anyFit = Placement.zone(state.nodes(), withoutRequests(set.needs()), zone);
            long room = slots(fit.fitting(), set.needs(), arriving);
            if (room < arriving || !anyFit.fits()) {
                throw ZonemoverException.refused("zone " + zone + " has room for " + room + " of the " + arriving
                        + " pods of " + set.ref() + " that would start there (" + fit.summary() + ")");
            }
        }
    }

    /** How many pods of these needs the nodes can take, at most {@code cap} (enough to decide). */
    private static long slots(List<Placement.Node> nodes, Placement.PodNeeds needs, long cap) {
        long total = 0;
        for (Placement.Node node : nodes) {
            long byCpu = needs.milliCpu() <= 0 ? cap : node.freeMilliCpu() / needs.milliCpu();
            long byMemory = needs.memoryBytes() <= 0 ? cap : node.freeMemoryBytes() / needs.memoryBytes();
            total += Math.min(byCpu, byMemory);
            if (total >= cap) {
                return cap;
            }
        }
        return total;
    }

    private static List<String> notes(FleetState.SetState set, List<FleetPlan.Move> moves) {
        List<String> notes = new ArrayList<>();
        for (FleetPlan.Move m : moves) {
            long copied = m.claims().stream().filter(c -> !c.zone().equals(m.to())).count();
            notes.add("pod " + m.podName() + " becomes " + zoneSetName(set.name(), m.to()) + "-" + newOrdinal(moves, m)
                    + ": " + (copied == 0 ? "its volumes re-bound in " + m.to() + ", nothing copied"
                    : copied + " of its " + m.claims().size() + " volume(s) copied to " + m.to() + " (snapshot, restore)"));
        }
        notes.add("pods are renamed " + set.name() + "-<zone>-<n>; update anything that addresses them by name "
                + "(peer lists, clients). The original StatefulSet is removed once the new ones are Ready");
        return notes;
    }
}
