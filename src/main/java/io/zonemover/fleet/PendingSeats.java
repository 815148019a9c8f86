package io.zonemover.fleet;

import io.zonemover.fleet.FleetState.PodState;
import io.zonemover.fleet.FleetState.SetState;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Room for the Pending pods that stay where their data is. A Pending pod's requests are on no node yet, so
 * before any move takes a seat, each one (by StatefulSet, then ordinal) takes a seat in its own zone: a
 * rebalance must not fill the room a pod is waiting for. One for which its zone has no room left is stuck
 * (the stuck-pod incident) and is planned like a pod of a zone without usable nodes: it moves.
 */
final class PendingSeats {

    private final Map<String, String> seats = new HashMap<>();
    private final Map<String, String> stuck = new HashMap<>();

    private PendingSeats() {
    }

    /**
     * Seats every Pending, whole pod for which {@code stays} holds, in its data zone when that zone has a
     * usable node (a zone without one strands its pods anyway).
     */
    static PendingSeats take(FleetState state, Ledger ledger, BiPredicate<SetState, PodState> stays) {
        PendingSeats out = new PendingSeats();
        state.sets().stream().sorted(Comparator.comparing(SetState::ref)).forEach(set -> set.pods().stream()
                .filter(pod -> pod.node() == null && pod.dataZone() != null && !pod.split())
                .filter(pod -> stays.test(set, pod))
                .filter(pod -> ledger.usable(pod.dataZone(), set.needs()))
                .sorted(Comparator.comparingInt(PodState::ordinal))
                .forEach(pod -> {
                    String ref = set.namespace() + "/" + pod.name();
                    Optional<String> node = ledger.reserve(pod.dataZone(), set.needs());
                    if (node.isPresent()) {
                        out.seats.put(ref, node.get());
                    } else {
                        out.stuck.put(ref, ledger.fit(pod.dataZone(), set.needs()).summary());
                    }
                }));
        return out;
    }

    /** Why the pod's zone has no room for it (the scheduler's summary), or empty when it is not stuck. */
    Optional<String> stuck(String podRef) {
        return Optional.ofNullable(stuck.get(podRef));
    }

    /** The pod leaves after all: the seat kept for it in its old zone is free again. */
    void release(String podRef, Ledger ledger, SetState set) {
        String node = seats.remove(podRef);
        if (node != null) {
            ledger.release(node, set.needs());
        }
    }
}
