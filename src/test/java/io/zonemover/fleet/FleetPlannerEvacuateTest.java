package io.zonemover.fleet;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan.Limits;
import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetPlan.StrategyType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.zonemover.fleet.FleetPlannerSpreadTest.PLANNER;
import static io.zonemover.fleet.FleetPlannerSpreadTest.SHOP;
import static io.zonemover.fleet.FleetPlannerSpreadTest.after;
import static io.zonemover.fleet.FleetPlannerSpreadTest.moves;
import static io.zonemover.fleet.FleetPlannerSpreadTest.unbalanced;
import static io.zonemover.fleet.Fleets.B;
import static io.zonemover.fleet.Fleets.C;
import static io.zonemover.fleet.Fleets.D;
import static io.zonemover.fleet.Fleets.fleet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FleetPlannerEvacuateTest {

    static final String A = "us-east-1a";

    static FleetPlan evacuate(Fleets fleet, String... zones) {
        return PLANNER.evacuate(fleet.state(), SHOP, List.of(zones), Limits.DEFAULT);
    }

    @Test
    void emptiesTheZoneSpreadingEachSetOverTheOthers() {
        FleetPlan plan = evacuate(unbalanced(), B);

        assertThat(plan.moves()).hasSize(7);
        assertThat(plan.moves()).allSatisfy(m -> assertThat(m.from()).isEqualTo(B));
        assertThat(after(plan, "orders")).containsExactly(Map.entry(B, 0), Map.entry(C, 1), Map.entry(D, 2));
        assertThat(after(plan, "catalog")).containsExactly(Map.entry(B, 0), Map.entry(C, 2), Map.entry(D, 1));
        assertThat(after(plan, "sessions")).containsExactly(Map.entry(B, 0), Map.entry(C, 2), Map.entry(D, 1));
        assertThat(plan.strategy().type()).isEqualTo(StrategyType.EVACUATE);
        assertThat(plan.strategy().zones()).containsExactly(B);
        assertThat(plan.name()).isEqualTo("evacuate-us-east-1b-20250304-050607");
        assertThat(plan.notes()).isEmpty();
    }

    @Test
    void eachPodGoesToTheZoneWithFewestPodsOfItsSetThenMostFreeCpuThenName() {
        // catalog (planned first) alternates c, d, c; then c has less cpu left, so orders starts in d.
        FleetPlan plan = evacuate(unbalanced(), B);

        assertThat(moves(plan)).containsExactly(
                "catalog-0->" + C, "catalog-2->" + C, "orders-1->" + C, "sessions-0->" + C,
                "catalog-1->" + D, "orders-0->" + D, "orders-2->" + D);
    }

    @Test
    void neverMovesIntoAZoneBeingEmptied() {
        FleetPlan plan = evacuate(fleet().zones(A, B, C, D).nodes(A, 2).nodes(B, 2).nodes(C, 2).nodes(D, 2)
                .set("shop", "db").pods(A, B, B, C).done(), A, B);

        assertThat(plan.moves()).extracting(Move::to).containsOnly(C, D);
        assertThat(after(plan, "db")).containsExactly(Map.entry(A, 0), Map.entry(B, 0), Map.entry(C, 2),
                Map.entry(D, 2));
        assertThat(plan.name()).isEqualTo("evacuate-us-east-1a-us-east-1b-20250304-050607");
    }

    @Test
    void aSplitPodWithAClaimInTheZoneMovesWithAllItsClaims() {
        FleetPlan plan = evacuate(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2)
                .set("shop", "db").pods(C).split(D, B).done(), B);

        assertThat(plan.moves()).singleElement().satisfies(m -> {
            assertThat(m.podName()).isEqualTo("db-1");
            assertThat(m.from()).isEqualTo(B + "," + D);
            assertThat(m.claims()).hasSize(2);
            assertThat(m.to()).isEqualTo(D);
        });
    }

    @Test
    void podsOutsideTheZoneStayEvenIfSplit() {
        FleetPlan plan = evacuate(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2)
                .set("shop", "db").pods(C, C, C).split(C, D).done(), B);

        assertThat(plan.nothingToDo()).isTrue();
        assertThat(plan.notes()).containsExactly("nothing to move: no selected pod has a claim in us-east-1b that "
                + "can move");
    }

    @Test
    void movesWhatFitsAndNotesThePodsLeftWithEachZonesReason() {
        FleetPlan plan = evacuate(fleet().nodes(B, 2).nodes(C, 1).cpu(C, 250).nodes(D, 1).cordoned(D)
                .set("shop", "db").pods(B, B).done(), B);

        assertThat(moves(plan)).containsExactly("db-0->" + C);
        assertThat(plan.notes()).containsExactly("shop/db: db-1 stays in us-east-1b: no other zone has room ("
                + "us-east-1c: 0/1 nodes are available: 1 Insufficient cpu.; us-east-1d: 0/1 nodes are available: "
                + "1 node(s) were unschedulable.)");
        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 1), Map.entry(C, 1));
    }

    @Test
    void roomIsSharedAcrossStatefulSets() {
        FleetPlan plan = evacuate(fleet().nodes(B, 2).nodes(C, 1).cpu(C, 500)
                .set("shop", "a").pods(B).done()
                .set("shop", "b").pods(B, B).done(), B);

        assertThat(moves(plan)).containsExactly("a-0->" + C, "b-0->" + C);
        assertThat(plan.notes()).singleElement().asString().startsWith("shop/b: b-1 stays in us-east-1b");
    }

    @Test
    void aPendingPodThatStaysKeepsItsSeat() {
        // c has one seat, and the Pending web-0 waits for it; d has room.
        FleetPlan plan = evacuate(fleet().nodes(B, 2).nodes(C, 1).cpu(C, 250).nodes(D, 1)
                .set("shop", "web").pending(C).done()
                .set("shop", "db").pods(B, B).done(), B);

        assertThat(moves(plan)).containsExactly("db-0->" + D, "db-1->" + D);
    }

    @Test
    void aPendingPodInTheZoneMovesLikeTheOthers() {
        FleetPlan plan = evacuate(fleet().nodes(B, 1).nodes(C, 1).set("shop", "db").pending(B).done(), B);

        assertThat(moves(plan)).containsExactly("db-0->" + C);
    }

    @Test
    void theTableShowsTheEmptiedZoneAndTheZonesWithRoom() {
        FleetPlan plan = evacuate(fleet().zones(A, B, C, D).nodes(B, 1).nodes(C, 1).nodes(D, 1).cordoned(D)
                .set("shop", "db").pods(B).done(), B);

        assertThat(plan.before().get("shop/db")).containsExactly(Map.entry(B, 1), Map.entry(C, 0));
        assertThat(plan.after().get("shop/db")).containsExactly(Map.entry(B, 0), Map.entry(C, 1));
    }

    @Test
    void refusesNoZoneAnUnknownZoneAndEveryZone() {
        FleetState state = unbalanced().state();
        assertThatThrownBy(() -> PLANNER.evacuate(state, SHOP, List.of(), Limits.DEFAULT))
                .isInstanceOf(ZonemoverException.class).hasMessage("evacuate needs at least one zone");
        assertThatThrownBy(() -> PLANNER.evacuate(state, SHOP, List.of("us-east-1z"), Limits.DEFAULT))
                .isInstanceOf(ZonemoverException.class)
                .hasMessage("cannot evacuate us-east-1z: not a zone of this region (us-east-1b, us-east-1c, us-east-1d)");
        assertThatThrownBy(() -> PLANNER.evacuate(state, SHOP, List.of(D, B, C), Limits.DEFAULT))
                .isInstanceOf(ZonemoverException.class)
                .hasMessageStartingWith("cannot evacuate every zone")
                .extracting(e -> ((ZonemoverException) e).kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT);
    }

    @Test
    void samePlanEveryTime() {
        assertThat(evacuate(unbalanced(), B)).isEqualTo(evacuate(unbalanced(), B));
    }
}
