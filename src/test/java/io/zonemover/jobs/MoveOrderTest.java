package io.zonemover.jobs;

import io.zonemover.state.PlanStore.Move;
import io.zonemover.state.PlanStore.MoveState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The longest StatefulSet queue is served first, the plan's order among equals and within a set. */
class MoveOrderTest {

    private static List<Move> plan(String... setsAndStates) {
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < setsAndStates.length; i++) {
            String[] p = setsAndStates[i].split(":");
            moves.add(new Move("zp-1", i, "ns/" + p[0] + "-" + i, "ns/" + p[0], "us-east-1b", "us-east-1c", null,
                    p.length > 1 ? MoveState.valueOf(p[1]) : MoveState.WAITING, null, null, null));
        }
        return moves;
    }

    private static List<String> order(List<Move> moves) {
        return MoveOrder.longestQueueFirst(moves).stream().map(m -> m.statefulSet().substring(3) + m.index()).toList();
    }

    @Test
    void theSetWithTheMostWaitingMovesComesFirstAndEqualsKeepThePlansOrder() {
        assertThat(order(plan("a", "b", "b", "c", "b", "c")))
                .containsExactly("b1", "b2", "b4", "c3", "c5", "a0");
        assertThat(order(plan("a", "b", "a", "b"))).containsExactly("a0", "b1", "a2", "b3");
    }

    @Test
    void onlyWaitingMovesCountTowardsAQueue() {
        // a has three moves but two are done: b's two waiting moves come first.
        assertThat(order(plan("a:DONE", "a:DONE", "a", "b", "b"))).startsWith("b3", "b4");
    }

    @Test
    void theClaimRuleTakesTheLongestQueueAndNotThePlansFirstMove() {
        List<Move> moves = plan("a", "b", "b", "b");
        java.time.Instant now = java.time.Instant.now();
        var plan = new io.zonemover.state.PlanStore.Plan("zp-1", "p", "f.yaml", "{}", 2, 1, 1, null, null, null, now,
                now, 30, null);
        MoveClaims.Decision d = MoveClaims.decide(plan, moves, now, set -> java.util.Optional.empty());
        assertThat(d.kind()).isEqualTo(MoveClaims.Kind.TAKE);
        assertThat(d.move().statefulSet()).isEqualTo("ns/b");
    }
}
