package io.zonemover.fleet;

import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetState.ClaimState;
import io.zonemover.fleet.FleetState.PodState;
import io.zonemover.fleet.FleetState.SetState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One StatefulSet while it is planned: its pods per zone as the moves so far leave them, its moves and its
 * notes, and the one way a pod is given a zone (the first zone, in the strategy's order, with a seat).
 */
final class SetWork {

    final SetState set;
    final Ledger ledger;
    final PendingSeats pending;
    /** Pods per zone after the moves planned so far, over the zones the set may use. */
    final Map<String, Integer> counts = new TreeMap<>();
    final List<Move> moves = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** The zones the before/after table shows besides those holding pods: the ones with room. */
    final SortedSet<String> shown = new TreeSet<>();
    /** Zones found full while placing, with the scheduler's reason, for the notes. */
    final Map<String, String> full = new TreeMap<>();

    SetWork(SetState set, Ledger ledger, PendingSeats pending) {
        this.set = set;
        this.ledger = ledger;
        this.pending = pending;
    }

    /** The pods that have EBS data, by ordinal: the only ones a zone move concerns. */
    List<PodState> pods() {
        return set.pods().stream().filter(p -> p.dataZone() != null)
                .sorted(Comparator.comparingInt(PodState::ordinal)).toList();
    }

    String ref(PodState pod) {
        return set.namespace() + "/" + pod.name();
    }

    /** Fewest pods of the set first (after the moves so far), then most free cpu on fitting nodes, then name. */
    Comparator<String> fewestPodsFirst() {
        return Comparator.<String>comparingInt(z -> counts.getOrDefault(z, 0))
                .thenComparing(Comparator.<String>comparingLong(z -> ledger.fit(z, set.needs()).freeMilliCpu())
                        .reversed())
                .thenComparing(Comparator.naturalOrder());
    }

    /**
     * Moves the pod to the first of {@code zones} that has a seat for it and returns that zone; empty (and
     * each zone's reason remembered in {@link #full}) when none has. A pod already on a node of a zone keeps
     * its own seat there.
     */
    Optional<String> place(PodState pod, List<String> zones) {
        for (String zone : zones) {
            boolean seated = zone.equals(ledger.zoneOf(pod.node()).orElse(null));
            if (seated || ledger.reserve(zone, set.needs()).isPresent()) {
                pending.release(ref(pod), ledger, set);
                move(pod, zone);
                return Optional.of(zone);
            }
            full.put(zone, ledger.fit(zone, set.needs()).summary());
        }
        return Optional.empty();
    }

    private void move(PodState pod, String to) {
        counts.merge(to, 1, Integer::sum);
        moves.add(new Move(ref(pod), set.name(), pod.claims(), from(pod), to, 0));
    }

    /** The zone of the pod's data; for a split pod every zone of its claims, comma-separated. */
    static String from(PodState pod) {
        return pod.claims().stream().map(ClaimState::zone).distinct().sorted().collect(Collectors.joining(","));
    }

    /** "us-east-1b: 0/2 nodes are available: 2 Insufficient cpu.; us-east-1c: ..." for the given zones. */
    String reasons(Collection<String> zones) {
        return zones.stream().map(z -> z + ": " + full.getOrDefault(z, ledger.fit(z, set.needs()).summary()))
                .collect(Collectors.joining("; "));
    }

    void note(String text) {
        notes.add(set.ref() + ": " + text);
    }

    /** Pods per zone now, by where their data is; zones with room but no pod show 0. */
    Map<String, Integer> before() {
        Map<String, Integer> out = new TreeMap<>();
        shown.forEach(z -> out.put(z, 0));
        pods().forEach(p -> out.merge(p.dataZone(), 1, Integer::sum));
        return out;
    }

    /** Pods per zone once every move is done. */
    Map<String, Integer> after() {
        Map<String, Integer> out = before();
        Map<String, PodState> byRef = new TreeMap<>();
        pods().forEach(p -> byRef.put(ref(p), p));
        for (Move m : moves) {
            out.merge(byRef.get(m.pod()).dataZone(), -1, Integer::sum);
            out.merge(m.to(), 1, Integer::sum);
        }
        return out;
    }
}
