package io.zonemover.fleet;

import io.zonemover.fleet.FleetState.ClaimState;
import io.zonemover.fleet.FleetState.PodState;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Empties some zones of one StatefulSet: every pod with any claim there moves, by ordinal, to the other zone
 * with the fewest pods of the set after the moves so far (then the most free cpu, then the name) that has a
 * seat for it. A pod no other zone has room for stays, with a note.
 */
final class Evacuate {

    private final SetWork work;
    private final Collection<String> regionZones;
    private final Set<String> evacuated;

    Evacuate(SetWork work, Collection<String> regionZones, Set<String> evacuated) {
        this.work = work;
        this.regionZones = regionZones;
        this.evacuated = evacuated;
    }

    /** True when the pod has a claim in one of the zones emptied. */
    static boolean leaves(PodState pod, Set<String> evacuated) {
        return pod.claims().stream().map(ClaimState::zone).anyMatch(evacuated::contains);
    }

    void plan() {
        List<String> targets = regionZones.stream().filter(z -> !evacuated.contains(z)).sorted().toList();
        targets.forEach(z -> work.counts.put(z, 0));
        targets.stream().filter(z -> work.ledger.fit(z, work.set.needs()).fits()).forEach(work.shown::add);
        List<PodState> pods = work.pods();
        pods.stream().filter(p -> !leaves(p, evacuated)).forEach(p -> work.counts.merge(p.dataZone(), 1, Integer::sum));
        for (PodState pod : pods) {
            if (leaves(pod, evacuated)) {
                List<String> order = targets.stream().sorted(work.fewestPodsFirst()).toList();
                if (work.place(pod, order).isEmpty()) {
                    work.note(pod.name() + " stays in " + SetWork.from(pod) + ": no other zone has room ("
                            + work.reasons(targets) + ")");
                }
            }
        }
    }
}
