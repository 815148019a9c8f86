package io.zonemover.jobs;

import io.zonemover.jobs.MoveClaims.Decision;
import io.zonemover.jobs.MoveClaims.Kind;
import io.zonemover.state.PlanStore.Move;
import io.zonemover.state.PlanStore.MoveState;
import io.zonemover.state.PlanStore.Plan;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The claim rule of a plan its workers share, on rows written by hand: which move a worker may take now. */
class MoveClaimsTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Function<String, Optional<String>> ALL_ALLOWED = set -> Optional.empty();

    private final List<Move> rows = new ArrayList<>();

    private MoveClaimsTest move(String set, MoveState state) {
        return move(set, state, state == MoveState.RUNNING ? "w1" : null, state == MoveState.RUNNING ? NOW.plusSeconds(20) : null);
    }

    private MoveClaimsTest move(String set, MoveState state, String worker, Instant leaseUntil) {
        int i = rows.size();
        rows.add(new Move("zp-1", i, "fleet/" + set + "-" + i, "fleet/" + set, "us-east-1b", "us-east-1c",
                state == MoveState.WAITING ? null : "zm-" + i, state, null, null, null, worker, null, leaseUntil));
        return this;
    }

    private static Plan plan(int parallel, int maxFailures, String paused) {
        return new Plan("zp-1", "spread", "f.yaml", "{}", parallel, 1, maxFailures, null, null, null, NOW, NOW, 30, paused);
    }

    private Decision decide(Plan plan) {
        return MoveClaims.decide(plan, rows, NOW, ALL_ALLOWED);
    }

    @Test
    void theFirstWaitingMoveIsTakenInThePlansOrder() {
        move("orders", MoveState.DONE).move("catalog", MoveState.WAITING).move("orders", MoveState.WAITING);
        Decision d = decide(plan(3, 1, null));
        assertThat(d.kind()).isEqualTo(Kind.TAKE);
        assertThat(d.move().index()).isEqualTo(1);
    }

    @Test
    void oneMovePerStatefulSetInFlightAcrossAllWorkers() {
        move("orders", MoveState.RUNNING, "w2", NOW.plusSeconds(5)).move("orders", MoveState.WAITING)
                .move("catalog", MoveState.WAITING).move("done", MoveState.DONE).move("done", MoveState.DONE);
        Decision d = decide(plan(5, 1, null));
        assertThat(d.kind()).isEqualTo(Kind.TAKE);
        assertThat(d.move().statefulSet()).as("orders has a move in flight on another worker").isEqualTo("fleet/catalog");

        rows.set(2, withState(rows.get(2), MoveState.RUNNING, "w3", NOW.plusSeconds(5)));
        assertThat(decide(plan(5, 1, null)).kind()).as("only orders' second move is left, and orders is busy")
                .isEqualTo(Kind.WAIT);
    }

    @Test
    void parallelIsTheTotalInFlightAcrossWorkersAfterTheRamp() {
        move("a", MoveState.RUNNING).move("b", MoveState.WAITING).move("c", MoveState.WAITING);
        assertThat(decide(plan(3, 1, null)).kind()).as("nothing done yet: the ramp allows one move").isEqualTo(Kind.WAIT);

        rows.clear();
        move("d", MoveState.DONE).move("e", MoveState.DONE).move("a", MoveState.RUNNING).move("b", MoveState.RUNNING)
                .move("c", MoveState.WAITING);
        Decision d = decide(plan(2, 1, null));
        assertThat(d.kind()).as("two in flight on any workers, --parallel 2").isEqualTo(Kind.WAIT);
        assertThat(d.why()).contains("2 move(s) in flight");
        assertThat(decide(plan(3, 1, null)).kind()).as("--parallel 3 leaves room for a third").isEqualTo(Kind.TAKE);
    }

    @Test
    void theBudgetIsAskedOnlyAboutCandidatesAndARefusalSkipsThatSet() {
        move("d", MoveState.DONE).move("d", MoveState.DONE).move("orders", MoveState.WAITING)
                .move("orders", MoveState.WAITING).move("catalog", MoveState.WAITING).move("busy", MoveState.RUNNING)
                .move("busy", MoveState.WAITING);
        Set<String> asked = new HashSet<>();
        Decision d = MoveClaims.decide(plan(3, 1, null), rows, NOW, set -> {
            asked.add(set);
            return set.equals("fleet/orders") ? Optional.of("PodDisruptionBudget orders allows no disruption")
                    : Optional.empty();
        });
        assertThat(d.kind()).isEqualTo(Kind.TAKE);
        assertThat(d.move().statefulSet()).isEqualTo("fleet/catalog");
        assertThat(asked).as("orders asked once, catalog taken, busy never asked").containsExactlyInAnyOrder(
                "fleet/orders", "fleet/catalog");
    }

    @Test
    void budgetsThatAllowNothingWithNothingInFlightAreReportedAsSuch() {
        move("orders", MoveState.WAITING);
        Decision d = MoveClaims.decide(plan(3, 1, null), rows, NOW, set -> Optional.of("2/3 Ready"));
        assertThat(d.kind()).isEqualTo(Kind.WAIT);
        assertThat(d.blockedByBudgets()).isTrue();
        assertThat(d.why()).contains("2/3 Ready");
    }

    @Test
    void aMoveWhoseLeaseLapsedIsTakenOverFirstWhateverTheLimits() {
        move("orders", MoveState.RUNNING, "w2", NOW.minusMillis(1)).move("catalog", MoveState.WAITING)
                .move("x", MoveState.FAILED);
        Decision d = decide(plan(1, 1, "--check failed"));
        assertThat(d.kind()).as("failures and a pause stop new moves, not the ones in flight").isEqualTo(Kind.TAKE_OVER);
        assertThat(d.move().index()).isZero();
        assertThat(d.why()).contains("w2", "lapsed");

        rows.set(0, withState(rows.get(0), MoveState.RUNNING, "w2", NOW.plusMillis(1)));
        assertThat(decide(plan(1, 1, null)).kind()).as("a live lease is left alone").isNotEqualTo(Kind.TAKE_OVER);
    }

    @Test
    void aRunningMoveNoWorkerHoldsIsTakenOver() {
        move("orders", MoveState.RUNNING, null, null);
        assertThat(decide(plan(1, 1, null)).kind()).as("left RUNNING by a single-process run that died")
                .isEqualTo(Kind.TAKE_OVER);
    }

    @Test
    void maxFailuresAcrossWorkersStopsNewMovesAndTheWorkerStopsOnceNothingIsInFlight() {
        move("a", MoveState.FAILED).move("b", MoveState.RUNNING).move("c", MoveState.WAITING);
        Decision waiting = decide(plan(3, 1, null));
        assertThat(waiting.kind()).as("b is in flight on another worker; a lapse would be this one's to take")
                .isEqualTo(Kind.WAIT);
        assertThat(waiting.why()).contains("--max-failures 1");

        rows.set(1, withState(rows.get(1), MoveState.DONE, null, null));
        Decision stopped = decide(plan(3, 1, null));
        assertThat(stopped.kind()).isEqualTo(Kind.STOPPED);
        assertThat(decide(plan(3, 2, null)).kind()).as("--max-failures 2 lets c go on").isEqualTo(Kind.TAKE);
    }

    @Test
    void aFailedMoveBrakesItsStatefulSetOnly() {
        move("orders", MoveState.FAILED).move("orders", MoveState.WAITING).move("catalog", MoveState.WAITING)
                .move("ok", MoveState.DONE);
        Decision d = decide(plan(3, 5, null));
        assertThat(d.move().statefulSet()).isEqualTo("fleet/catalog");

        rows.set(2, withState(rows.get(2), MoveState.DONE, null, null));
        assertThat(decide(plan(3, 5, null)).kind()).as("only braked moves are left").isEqualTo(Kind.STOPPED);
    }

    @Test
    void aPausedPlanStartsNothingNew() {
        move("ok", MoveState.DONE).move("a", MoveState.WAITING);
        Decision d = decide(plan(3, 1, "--check failed: exit 1"));
        assertThat(d.kind()).isEqualTo(Kind.STOPPED);
        assertThat(d.why()).contains("--check failed");
    }

    @Test
    void everyMoveDoneOrSkippedCompletesThePlan() {
        move("a", MoveState.DONE).move("b", MoveState.SKIPPED);
        assertThat(decide(plan(3, 1, null)).kind()).isEqualTo(Kind.COMPLETE);
    }

    /** Many workers claiming one at a time, as the plan's lock makes them: no set twice, never over --parallel. */
    @Test
    void workersClaimingInTurnNeverExceedTheLimits() {
        for (int i = 0; i < 12; i++) {
            move(List.of("orders", "catalog", "sessions").get(i % 3), MoveState.WAITING);
        }
        for (int i = 0; i < 4; i++) {
            move("done", MoveState.DONE);
        }
        for (int worker = 0; worker < 6; worker++) {
            Decision d = decide(plan(5, 1, null));
            if (d.kind() != Kind.TAKE) {
                break;
            }
            rows.set(d.move().index(), withState(d.move(), MoveState.RUNNING, "w" + worker, NOW.plusSeconds(30)));
        }
        Map<String, Long> inFlight = new java.util.TreeMap<>();
        rows.stream().filter(m -> m.state() == MoveState.RUNNING)
                .forEach(m -> inFlight.merge(m.statefulSet(), 1L, Long::sum));
        assertThat(inFlight).as("one per StatefulSet, three sets").containsOnlyKeys("fleet/orders", "fleet/catalog",
                "fleet/sessions").allSatisfy((set, n) -> assertThat(n).isEqualTo(1L));
    }

    private static Move withState(Move m, MoveState state, String worker, Instant lease) {
        return new Move(m.planId(), m.index(), m.pod(), m.statefulSet(), m.fromZone(), m.toZone(), m.jobId(), state,
                m.detail(), m.startedAt(), m.endedAt(), worker, m.worker(), lease);
    }
}
