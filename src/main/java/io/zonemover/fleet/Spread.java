package io.zonemover.fleet;

import io.zonemover.fleet.FleetState.PodState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Evens out one StatefulSet over the zones with room, with the fewest moves. The zones with room are those
 * with a usable node (Ready, schedulable, tolerated, matching) that either has a seat for a pod or already
 * seats whole pods of the set (running there, or Pending with room kept for them). First the pods that must move anyway (split pods, pods of a zone without usable
 * nodes, stuck Pending pods) go to the zones with the fewest pods; then, while the fullest zone holds two
 * more than the emptiest that has a seat, one pod moves from the one to the other. Both steps fill the
 * emptiest zones first, which is what giving the larger share (the ceiling of n/zones) to the zones that
 * hold the most amounts to, so no pod moves that a count target would have kept.
 */
final class Spread {

    /** Which pod leaves an over-full zone: a pod that is down anyway, then the least data, then the newest. */
    static final Comparator<PodState> LEAVES_FIRST = Comparator.comparing(PodState::ready)
            .thenComparingInt(PodState::sizeGiB)
            .thenComparing(Comparator.comparingInt(PodState::ordinal).reversed());

    private final SetWork work;
    private final Collection<String> regionZones;

    Spread(SetWork work, Collection<String> regionZones) {
        this.work = work;
        this.regionZones = regionZones;
    }

    void plan() {
        List<PodState> pods = work.pods();
        Set<String> seatedZones = pods.stream().filter(this::seated).map(PodState::dataZone)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> withRoom = zonesWithRoom(pods, seatedZones);
        withRoom.forEach(z -> work.counts.put(z, 0));
        work.shown.addAll(withRoom);

        List<PodState> staying = new ArrayList<>();
        List<PodState> mustMove = new ArrayList<>();
        for (PodState pod : pods) {
            if (seated(pod) && withRoom.contains(pod.dataZone())) {
                staying.add(pod);
                work.counts.merge(pod.dataZone(), 1, Integer::sum);
            } else {
                mustMove.add(pod);
            }
        }
        mustMove.forEach(pod -> placeMustMove(pod, withRoom));
        even(staying, withRoom);
        noteIfUneven(withRoom);
    }

    /** A whole pod with a seat in its zone: on a node, or Pending with room kept for it there. */
    private boolean seated(PodState pod) {
        return !pod.split() && work.pending.stuck(work.ref(pod)).isEmpty();
    }

    /**
     * The zones with a usable node that has a seat or already runs pods of the set. Usable zones that are
     * full are remembered with the scheduler's reason (a set that cannot use them may stay uneven); zones
     * holding pods but no usable node are noted, as their pods move.
     */
    private Set<String> zonesWithRoom(List<PodState> pods, Set<String> seatedZones) {
        Set<String> candidates = new TreeSet<>(regionZones);
        pods.forEach(p -> candidates.add(p.dataZone()));
        Set<String> out = new TreeSet<>();
        for (String zone : candidates) {
            boolean usable = work.ledger.usable(zone, work.set.needs());
            boolean fits = work.ledger.fit(zone, work.set.needs()).fits();
            if (usable && (fits || seatedZones.contains(zone))) {
                out.add(zone);
            } else if (usable) {
                work.full.put(zone, work.ledger.fit(zone, work.set.needs()).summary());
            } else if (seatedZones.contains(zone)) {
                work.note(zone + " has no usable node (" + work.ledger.fit(zone, work.set.needs()).summary() + ")");
            }
        }
        return out;
    }

    /** A split pod prefers, among the emptiest zones, the one holding most of its data: less to copy. */
    private void placeMustMove(PodState pod, Set<String> withRoom) {
        work.pending.stuck(work.ref(pod)).ifPresent(why -> work.note(pod.name() + " is Pending: "
                + pod.dataZone() + " has no room for it (" + why + ")"));
        Map<String, Integer> gib = new TreeMap<>();
        pod.claims().forEach(c -> gib.merge(c.zone(), c.sizeGiB(), Integer::sum));
        List<String> order = withRoom.stream()
                .filter(z -> pod.split() || !z.equals(pod.dataZone()))
                .sorted(Comparator.<String>comparingInt(z -> work.counts.getOrDefault(z, 0))
                        .thenComparing(Comparator.<String>comparingInt(z -> gib.getOrDefault(z, 0)).reversed())
                        .thenComparing(work.fewestPodsFirst()))
                .toList();
        if (work.place(pod, order).isEmpty()) {
            Set<String> tried = new TreeSet<>(order);
            work.full.keySet().stream().filter(z -> pod.split() || !z.equals(pod.dataZone())).forEach(tried::add);
            work.note(pod.name() + " stays in " + SetWork.from(pod) + ": " + (tried.isEmpty()
                    ? "no other zone has a usable node for it" : "no zone has room (" + work.reasons(tried) + ")"));
        }
    }

    /** Moves one pod at a time from the fullest zone to the emptiest with a seat, while they differ by two. */
    private void even(List<PodState> staying, Set<String> withRoom) {
        while (true) {
            String donor = staying.stream().map(PodState::dataZone).distinct()
                    .max(Comparator.<String>comparingInt(work.counts::get).thenComparing(Comparator.reverseOrder()))
                    .orElse(null);
            if (donor == null) {
                return;
            }
            int most = work.counts.get(donor);
            List<String> receivers = withRoom.stream()
                    .filter(z -> !work.full.containsKey(z) && work.counts.get(z) <= most - 2)
                    .sorted(work.fewestPodsFirst()).toList();
            PodState leaver = staying.stream().filter(p -> p.dataZone().equals(donor)).min(LEAVES_FIRST).orElseThrow();
            if (receivers.isEmpty() || work.place(leaver, receivers).isEmpty()) {
                return;
            }
            staying.remove(leaver);
            work.counts.merge(donor, -1, Integer::sum);
        }
    }

    /** Names the zones whose lack of room leaves the set more than one apart, counting full zones as 0. */
    private void noteIfUneven(Set<String> withRoom) {
        Set<String> zones = new TreeSet<>(withRoom);
        zones.addAll(work.full.keySet());
        IntSummaryStatistics spread = zones.stream().mapToInt(z -> work.counts.getOrDefault(z, 0)).summaryStatistics();
        if (zones.isEmpty() || spread.getMax() - spread.getMin() <= 1) {
            return;
        }
        String counts = zones.stream().map(z -> z + " " + work.counts.getOrDefault(z, 0))
                .collect(Collectors.joining(", "));
        List<String> lacking = zones.stream().filter(work.full::containsKey).toList();
        work.note("uneven after the plan (" + counts + "): "
                + (lacking.isEmpty() ? "no pod could move" : "no room in " + work.reasons(lacking)));
    }
}
