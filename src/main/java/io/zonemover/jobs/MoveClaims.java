package io.zonemover.jobs;

import io.zonemover.state.PlanStore.Move;
import io.zonemover.state.PlanStore.MoveState;
import io.zonemover.state.PlanStore.Plan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The claim rule of a plan several workers share: which move one worker may take now, from the plan's rows as
 * they stand under the plan's lock. Pure: the only question it asks outside the rows is a StatefulSet's
 * disruption budget, and only of a move it would otherwise take.
 *
 * <p>In order: a move whose worker's lease lapsed (its worker died or lost the database) is taken over first,
 * whatever the limits, as it is in flight already. Then nothing new starts once --max-failures moves failed or
 * a --check paused the plan. A new move may start when fewer moves than the ramp's window are in flight across
 * all workers (one at first, one more per move done, up to --parallel), no move of its StatefulSet is in flight
 * or failed, and its StatefulSet's budget allows one more pod down. Moves are taken longest StatefulSet queue
 * first ({@link MoveOrder}).
 */
final class MoveClaims {

    enum Kind {
        /** Start this move. */
        TAKE,
        /** Go on with this move, whose worker's lease lapsed (resume or roll back its job). */
        TAKE_OVER,
        /** Nothing to take now; look again after a poll (moves in flight, or budgets that allow none yet). */
        WAIT,
        /** Every move is done or skipped. */
        COMPLETE,
        /** The plan stopped (failures, brake, pause) and no move is in flight: nothing is left to do. */
        STOPPED
    }

    /** @param blockedByBudgets WAIT only because disruption budgets allow none, with nothing in flight */
    record Decision(Kind kind, Move move, String why, boolean blockedByBudgets) {
        static Decision of(Kind kind, Move move, String why) {
            return new Decision(kind, move, why, false);
        }
    }

    private MoveClaims() {
    }

    /**
     * @param blocked why no pod of a StatefulSet (NAMESPACE/NAME) may go down now, empty when one may
     */
    static Decision decide(Plan plan, List<Move> moves, Instant now, Function<String, Optional<String>> blocked) {
        for (Move m : moves) {
            if (m.state() == MoveState.RUNNING && !live(m, now)) {
                return Decision.of(Kind.TAKE_OVER, m, m.worker() == null ? "no worker holds it"
                        : "the lease of worker " + m.worker() + " lapsed");
            }
        }
        long done = moves.stream().filter(m -> m.state() == MoveState.DONE || m.state() == MoveState.SKIPPED).count();
        long failed = moves.stream().filter(m -> m.state() == MoveState.FAILED).count();
        long inFlight = moves.stream().filter(m -> m.state() == MoveState.RUNNING).count();
        if (done == moves.size()) {
            return Decision.of(Kind.COMPLETE, null, "every move is done");
        }
        String stop = failed >= plan.maxFailures()
                ? failed + " move(s) failed (--max-failures " + plan.maxFailures() + ")" : plan.paused();
        if (stop != null) {
            return Decision.of(inFlight > 0 ? Kind.WAIT : Kind.STOPPED, null, stop);
        }
        long window = Math.min(plan.parallel(), 1 + done);
        if (inFlight >= window) {
            return Decision.of(Kind.WAIT, null, inFlight + " move(s) in flight, the most the plan allows now");
        }
        Set<String> busy = new HashSet<>();
        Set<String> braked = new HashSet<>();
        for (Move m : moves) {
            if (m.state() == MoveState.RUNNING) {
                busy.add(m.statefulSet());
            } else if (m.state() == MoveState.FAILED) {
                braked.add(m.statefulSet());
            }
        }
        Set<String> asked = new HashSet<>();
        List<String> refusals = new ArrayList<>();
        boolean anyWaiting = false;
        for (Move m : MoveOrder.longestQueueFirst(moves)) {
            if (m.state() != MoveState.WAITING || braked.contains(m.statefulSet())) {
                continue;
            }
            anyWaiting = true;
            if (busy.contains(m.statefulSet()) || !asked.add(m.statefulSet())) {
                continue;
            }
            Optional<String> no = blocked.apply(m.statefulSet());
            if (no.isEmpty()) {
                return Decision.of(Kind.TAKE, m, "next of the StatefulSet with the most moves waiting");
            }
            refusals.add(no.get());
        }
        if (inFlight > 0) {
            return Decision.of(Kind.WAIT, null, refusals.isEmpty() ? inFlight + " move(s) in flight"
                    : String.join("; ", refusals));
        }
        if (!anyWaiting) {
            return Decision.of(Kind.STOPPED, null, "the StatefulSets of the waiting moves had a move fail");
        }
        return new Decision(Kind.WAIT, null, String.join("; ", refusals), true);
    }

    /** The worker holding the move still has a lease on it, by the database's clock. */
    static boolean live(Move m, Instant now) {
        return m.worker() != null && m.leaseUntil() != null && m.leaseUntil().isAfter(now);
    }
}
