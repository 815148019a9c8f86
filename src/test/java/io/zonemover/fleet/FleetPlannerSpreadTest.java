package io.zonemover.fleet;

import io.zonemover.domain.Placement.PodNeeds;
import io.zonemover.domain.Placement.Requirement;
import io.zonemover.domain.Placement.Toleration;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan.Limits;
import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetPlan.Selection;
import io.zonemover.fleet.FleetPlan.StrategyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.zonemover.fleet.Fleets.B;
import static io.zonemover.fleet.Fleets.C;
import static io.zonemover.fleet.Fleets.D;
import static io.zonemover.fleet.Fleets.MI;
import static io.zonemover.fleet.Fleets.fleet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FleetPlannerSpreadTest {

    static final Selection SHOP = new Selection(List.of("shop"), false, null, List.of());
    static final FleetPlanner PLANNER = new FleetPlanner(
            Clock.fixed(Instant.parse("2025-03-04T05:06:07.890Z"), ZoneOffset.UTC));

    static FleetPlan spread(Fleets fleet) {
        return PLANNER.spread(fleet.state(), SHOP, Limits.DEFAULT);
    }

    /** "pod->to" for each move, in plan order. */
    static List<String> moves(FleetPlan plan) {
        return plan.moves().stream().map(m -> m.podName() + "->" + m.to()).toList();
    }

    static Map<String, Integer> after(FleetPlan plan, String set) {
        return plan.after().get("shop/" + set);
    }

    /** The unbalanced scenario: orders and catalog all in 1b, sessions one per zone; 4, 2 and 2 nodes. */
    static Fleets unbalanced() {
        return fleet().nodes(B, 4).nodes(C, 2).nodes(D, 2)
                .set("shop", "orders").pods(B, B, B).done()
                .set("shop", "catalog").pods(B, B, B).done()
                .set("shop", "sessions").pods(B, C, D).done();
    }

    @Test
    void unbalancedScenarioMovesTwoPodsOfEachCrowdedSetOneToEachEmptyZone() {
        FleetPlan plan = spread(unbalanced());

        assertThat(moves(plan)).containsExactly("catalog-2->" + C, "orders-2->" + C, "catalog-1->" + D,
                "orders-1->" + D);
        for (String set : List.of("orders", "catalog", "sessions")) {
            assertThat(after(plan, set)).containsExactly(Map.entry(B, 1), Map.entry(C, 1), Map.entry(D, 1));
        }
        assertThat(plan.before().get("shop/orders")).containsExactly(Map.entry(B, 3), Map.entry(C, 0), Map.entry(D, 0));
        assertThat(plan.notes()).isEmpty();
        assertThat(plan.strategy().type()).isEqualTo(StrategyType.SPREAD);
        assertThat(plan.name()).isEqualTo("spread-20250304-050607");
        assertThat(plan.createdAt()).isEqualTo("2025-03-04T05:06:07Z");
        assertThat(plan.selection()).isEqualTo(SHOP);
        assertThat(plan.limits()).isEqualTo(Limits.DEFAULT);
    }

    @Test
    void aMoveCarriesThePodItsStatefulSetItsClaimsAndBothZones() {
        Move m = spread(unbalanced()).moves().get(1);

        assertThat(m.pod()).isEqualTo("shop/orders-2");
        assertThat(m.statefulSet()).isEqualTo("orders");
        assertThat(m.setRef()).isEqualTo("shop/orders");
        assertThat(m.ordinal()).isEqualTo(2);
        assertThat(m.from()).isEqualTo(B);
        assertThat(m.claims()).extracting(FleetState.ClaimState::name).containsExactly("data-orders-2");
        assertThat(m.line()).isZero();
    }

    @Test
    void anEvenFleetHasNothingToDoAndSaysSo() {
        FleetPlan plan = spread(fleet().nodes(B, 1).nodes(C, 1).nodes(D, 1)
                .set("shop", "web").pods(B, C, D, B).done());

        assertThat(plan.nothingToDo()).isTrue();
        assertThat(plan.notes()).singleElement().asString().startsWith("nothing to move");
        assertThat(plan.after()).isEqualTo(plan.before());
    }

    /** Pods per zone before (b, c, d) and the fewest moves that even them out. */
    @ParameterizedTest(name = "{0} {1} {2} -> {3} moves")
    @CsvSource({
            "3, 0, 0, 2", "4, 0, 0, 2", "5, 0, 0, 3", "6, 0, 0, 4", "2, 2, 0, 1", "3, 2, 0, 1",
            "3, 3, 0, 2", "2, 1, 0, 1", "1, 1, 0, 0", "2, 1, 1, 0", "4, 1, 1, 2", "3, 1, 1, 1", "0, 0, 4, 2", "7, 1, 0, 4"})
    void movesTheFewestPodsThatEvenTheZonesOut(int b, int c, int d, int expected) {
        Fleets fleet = fleet().nodes(B, 3).nodes(C, 3).nodes(D, 3);
        List<String> zones = new ArrayList<>();
        zones.addAll(java.util.Collections.nCopies(b, B));
        zones.addAll(java.util.Collections.nCopies(c, C));
        zones.addAll(java.util.Collections.nCopies(d, D));
        FleetPlan plan = spread(fleet.set("shop", "db").pods(zones.toArray(String[]::new)).done());

        assertThat(plan.moves()).hasSize(expected);
        Map<String, Integer> after = after(plan, "db");
        int n = b + c + d;
        assertThat(after.values()).allSatisfy(count -> assertThat(count).isBetween(n / 3, (n + 2) / 3));
        assertThat(after.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(n);
    }

    @Test
    void theLargerShareStaysWithTheZonesThatHoldTheMost() {
        // 5 over 3 zones: 2, 2, 1. b and c hold 3 and 2, so they keep 2 each and only one pod moves.
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2)
                .set("shop", "db").pods(B, B, C, B, C).done());

        assertThat(moves(plan)).containsExactly("db-3->" + D);
        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 2), Map.entry(C, 2), Map.entry(D, 1));
    }

    @Test
    void notReadyPodsLeaveFirstThenTheSmallestThenTheNewest() {
        Fleets fleet = fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2);
        Fleets.Sts db = fleet.set("shop", "db");
        db.pod(B, true, true, 10).pod(B, true, true, 5).pod(B, true, false, 50).pod(B, true, true, 5)
                .pod(B, true, true, 10).pod(B, true, true, 10);
        FleetPlan plan = spread(db.done());

        // 6 in b -> 2, 2, 2: db-2 (not Ready), then the 5 GiB ones, newest first: db-3, db-1; then db-5.
        assertThat(plan.moves()).extracting(Move::podName).containsExactlyInAnyOrder("db-2", "db-3", "db-1", "db-5");
        assertThat(moves(plan)).containsExactly("db-1->" + C, "db-2->" + C, "db-3->" + D, "db-5->" + D);
    }

    @Test
    void movesAreOrderedZoneByZoneThenByStatefulSetThenOrdinal() {
        FleetPlan plan = spread(fleet().nodes(B, 4).nodes(C, 4).nodes(D, 4)
                .set("shop", "zeta").pods(B, B, B, B, B, B).done()
                .set("shop", "alpha").pods(D, D, D, D, D, D).done());

        assertThat(plan.moves()).isSortedAccordingTo(FleetPlanner.ZONE_BY_ZONE);
        assertThat(moves(plan)).containsExactly("alpha-2->" + B, "alpha-4->" + B, "alpha-3->" + C, "alpha-5->" + C,
                "zeta-3->" + C, "zeta-5->" + C, "zeta-2->" + D, "zeta-4->" + D);
    }

    @Test
    void samePlanEveryTime() {
        assertThat(spread(unbalanced())).isEqualTo(spread(unbalanced()));
    }

    @Test
    void podsOfAZoneWithoutUsableNodesMoveAndTheZoneLeavesTheBalance() {
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2).notReady(D)
                .set("shop", "db").pods(B, C, D, D).done());

        assertThat(moves(plan)).containsExactly("db-2->" + B, "db-3->" + C);
        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 2), Map.entry(C, 2), Map.entry(D, 0));
        assertThat(plan.notes()).singleElement().asString()
                .isEqualTo("shop/db: us-east-1d has no usable node (0/2 nodes are available: "
                        + "2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.)");
    }

    @Test
    void aCordonedZoneIsNoZoneWithRoom() {
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2).cordoned(D)
                .set("shop", "db").pods(B, B).done());

        assertThat(moves(plan)).containsExactly("db-1->" + C);
        assertThat(plan.before().get("shop/db")).containsOnlyKeys(B, C);
    }

    @Test
    void aTaintedZoneCountsOnlyForPodsThatTolerateIt() {
        Fleets fleet = fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2).taint(D, "dedicated", "batch");
        FleetPlan intolerant = spread(fleet.set("shop", "db").pods(B, B, B, B).done());
        assertThat(after(intolerant, "db")).containsExactly(Map.entry(B, 2), Map.entry(C, 2));

        PodNeeds tolerant = new PodNeeds(250, 256 * MI, Map.of(), List.of(),
                List.of(new Toleration("dedicated", "Equal", "batch", "NoSchedule")));
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2).taint(D, "dedicated", "batch")
                .set("shop", "db").needs(tolerant).pods(B, B, B, B).done());
        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 2), Map.entry(C, 1), Map.entry(D, 1));
    }

    @Test
    void requiredNodeAffinityLimitsTheZones() {
        PodNeeds onlyBAndD = new PodNeeds(250, 256 * MI, Map.of(),
                List.of(List.of(new Requirement("topology.kubernetes.io/zone", "In", List.of(B, D)))), List.of());
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2)
                .set("shop", "db").needs(onlyBAndD).pods(B, B, B, B).done());

        assertThat(moves(plan)).containsExactly("db-2->" + D, "db-3->" + D);
        assertThat(plan.before().get("shop/db")).containsOnlyKeys(B, D);
    }

    @Test
    void aZoneWithoutNodesIsNoZoneWithRoom() {
        FleetPlan plan = spread(fleet().zones("us-east-1a", B, C, D).nodes(B, 1).nodes(C, 1).nodes(D, 1)
                .set("shop", "db").pods(B, B, B).done());

        assertThat(after(plan, "db")).containsOnlyKeys(B, C, D);
    }

    @Test
    void aZoneFullOfItsOwnPodsKeepsThemAndStillCounts() {
        // b's one node has room for exactly the two pods it runs; c and d have room to spare.
        FleetPlan plan = spread(fleet().nodes(B, 1).cpu(B, 500).nodes(C, 1).nodes(D, 1)
                .set("shop", "db").pods(B, B, C, D).done());

        assertThat(plan.nothingToDo()).isTrue();
        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 2), Map.entry(C, 1), Map.entry(D, 1));
    }

    @Test
    void movesWhatFitsAndNamesTheSetTheZoneAndWhyWhenAZoneIsShortOfRoom() {
        // c's one node has room for one 250m pod, d's for two.
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 1).cpu(C, 300).nodes(D, 1).cpu(D, 600)
                .set("shop", "db").pods(B, B, B, B, B, B).done());

        assertThat(moves(plan)).containsExactly("db-4->" + C, "db-3->" + D, "db-5->" + D);
        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 3), Map.entry(C, 1), Map.entry(D, 2));
        assertThat(plan.notes()).singleElement().asString().isEqualTo("shop/db: uneven after the plan ("
                + "us-east-1b 3, us-east-1c 1, us-east-1d 2): no room in us-east-1c: 0/1 nodes are available: "
                + "1 Insufficient cpu.");
    }

    @Test
    void memoryCountsAsMuchAsCpu() {
        FleetPlan plan = spread(fleet().nodes(B, 1).nodes(C, 1).used(C, 0, 14884 * MI - 300 * MI).nodes(D, 1)
                .set("shop", "db").pods(B, B, B, B, B, B).done());

        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 3), Map.entry(C, 1), Map.entry(D, 2));
        assertThat(plan.notes()).singleElement().asString().contains("no room in us-east-1c: 0/1 nodes are "
                + "available: 1 Insufficient memory.");
    }

    @Test
    void aSeatTakenForOneStatefulSetIsNotGivenToTheNext() {
        // c and d each have room for one more pod: alpha takes both, beta gets none.
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 1).cpu(C, 250).nodes(D, 1).cpu(D, 250)
                .set("shop", "alpha").pods(B, B, B).done()
                .set("shop", "beta").pods(B, B, B).done());

        assertThat(moves(plan)).containsExactly("alpha-2->" + C, "alpha-1->" + D);
        assertThat(after(plan, "beta")).containsExactly(Map.entry(B, 3));
        assertThat(plan.notes()).containsExactly("shop/beta: uneven after the plan (us-east-1b 3, us-east-1c 0, "
                + "us-east-1d 0): no room in us-east-1c: 0/1 nodes are available: 1 Insufficient cpu.; "
                + "us-east-1d: 0/1 nodes are available: 1 Insufficient cpu.");
    }

    @Test
    void roomIsPerNodeNotTheZonesSum() {
        // c's two nodes have 200m free each: 400m in all, but no node can take a 250m pod.
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).cpu(C, 200)
                .set("shop", "db").pods(B, B).done());

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.notes()).contains("shop/db: uneven after the plan (us-east-1b 2, us-east-1c 0): no room in "
                + "us-east-1c: 0/2 nodes are available: 2 Insufficient cpu.");
    }

    @Test
    void aSplitPodMovesWholeToTheZoneWithMostOfItsDataWhenThatZoneNeedsIt() {
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2)
                .set("shop", "db").pods(B, D).split(C, B).done());

        Move m = plan.moves().get(0);
        assertThat(plan.moves()).hasSize(1);
        assertThat(m.podName()).isEqualTo("db-2");
        assertThat(m.from()).isEqualTo(B + "," + C);
        assertThat(m.to()).isEqualTo(C);
        assertThat(m.claims()).extracting(FleetState.ClaimState::name).containsExactly("data-db-2", "logs-db-2");
        assertThat(after(plan, "db")).containsExactly(Map.entry(B, 1), Map.entry(C, 1), Map.entry(D, 1));
    }

    @Test
    void aSplitPodGoesWhereTheCountsNeedItEvenAwayFromItsData() {
        FleetPlan plan = spread(fleet().nodes(B, 2).nodes(C, 2).nodes(D, 2)
                .set("shop", "db").pods(B, C).split(C, B).done());

        assertThat(moves(plan)).containsExactly("db-2->" + D);
        assertThat(plan.moves().get(0).claims()).hasSize(2);
    }

    @Test
    void aSplitPodAloneIsMadeWholeWhereMostOfItsDataIs() {
        FleetPlan plan = spread(fleet().nodes(B, 1).nodes(C, 1)
                .set("shop", "db").split(C, B).done());

        assertThat(moves(plan)).containsExactly("db-0->" + C);
        assertThat(plan.before().get("shop/db")).containsExactly(Map.entry(B, 0), Map.entry(C, 1));
        assertThat(plan.after()).isEqualTo(plan.before());
    }

    @Test
    void aPendingPodWhoseZoneHasNoRoomIsStuckAndMoves() {
        // The stuck-pod incident: web-3's volume is in b, whose one node is full.
        FleetPlan plan = spread(fleet().nodes(B, 1).used(B, 3920, 0).nodes(C, 1).nodes(D, 1)
                .set("shop", "web").pods(C, C, D).pending(B).done());

        assertThat(moves(plan)).containsExactly("web-3->" + D);
        assertThat(plan.notes()).startsWith("shop/web: web-3 is Pending: us-east-1b has no room for it "
                + "(0/1 nodes are available: 1 Insufficient cpu.)");
        assertThat(after(plan, "web")).containsExactly(Map.entry(B, 0), Map.entry(C, 2), Map.entry(D, 2));
    }

    @Test
    void aPendingPodKeepsTheRoomItWaitsForFromOtherMoves() {
        // c's node has room for one pod: the Pending db-0 waits for it, so web cannot move there.
        Fleets fleet = fleet().nodes(B, 2).nodes(C, 1).cpu(C, 250);
        FleetPlan plan = spread(fleet.set("shop", "db").pending(C).done()
                .set("shop", "web").pods(B, B).done());

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.notes()).anySatisfy(n -> assertThat(n).startsWith("shop/web: uneven after the plan"));
    }

    @Test
    void aPendingPodThatLeavesGivesItsSeatBack() {
        // c's node has room for two: both Pending db pods wait there, then db-1 leaves for b, so web-2 can
        // take the seat it kept.
        Fleets fleet = fleet().zones(B, C).nodes(B, 1).nodes(C, 1).cpu(C, 500);
        FleetPlan plan = spread(fleet.set("shop", "db").pending(C).pending(C).done()
                .set("shop", "web").pods(B, B, B).done());

        assertThat(moves(plan)).containsExactly("db-1->" + B, "web-2->" + C);
        assertThat(plan.notes()).isEmpty();
    }

    @Test
    void aSetWithoutEbsClaimsIsNoted() {
        FleetState state = fleet().nodes(B, 1).state();
        FleetState withEmpty = new FleetState(List.of(new FleetState.SetState("shop", "cache", 0,
                PodNeeds.of(1, 1), List.of(), null)), state.nodes(), state.zones());

        FleetPlan plan = PLANNER.spread(withEmpty, SHOP, Limits.DEFAULT);

        assertThat(plan.notes()).contains("shop/cache: no pod with an EBS claim: nothing to move");
        assertThat(plan.before()).containsKey("shop/cache");
    }

    @Test
    void aPodWithNowhereToGoStaysWithANote() {
        FleetPlan plan = spread(fleet().nodes(B, 1).used(B, 3920, 0).nodes(C, 1).notReady(C)
                .set("shop", "db").pods(C).done());

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.notes()).contains("shop/db: db-0 stays in us-east-1c: no zone has room (us-east-1b: "
                + "0/1 nodes are available: 1 Insufficient cpu.)");
    }

    @Test
    void aPodOfTheOnlyZoneWithNodesHasNowhereElse() {
        FleetPlan plan = spread(fleet().nodes(C, 1).notReady(C).set("shop", "db").pods(C).done());

        assertThat(plan.notes()).contains("shop/db: db-0 stays in us-east-1c: no other zone has a usable node for it");
    }

    @ParameterizedTest
    @CsvSource({"0, 1, 1", "1, 0, 1", "1, 1, 0", "-1, 1, 1"})
    void limitsMustEachBeAtLeastOne(int parallel, int maxUnavailable, int maxFailures) {
        assertThatThrownBy(() -> PLANNER.spread(unbalanced().state(), SHOP,
                new Limits(parallel, maxUnavailable, maxFailures)))
                .isInstanceOf(ZonemoverException.class)
                .hasMessageStartingWith("limits must each be at least 1")
                .extracting(e -> ((ZonemoverException) e).kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT);
    }

    @Test
    void theCountsAddUpForManyRandomFleets() {
        java.util.Random random = new java.util.Random(42);
        for (int run = 0; run < 300; run++) {
            Fleets fleet = fleet();
            String[] zones = {B, C, D};
            for (String z : zones) {
                fleet.nodes(z, random.nextInt(3)).cpu(z, 250L * (1 + random.nextInt(4)));
            }
            int n = 1 + random.nextInt(7);
            String[] podZones = new String[n];
            Arrays.setAll(podZones, i -> zones[random.nextInt(3)]);
            Fleets.Sts set = fleet.set("shop", "db");
            for (String z : podZones) {
                set.pod(z, random.nextBoolean(), random.nextBoolean(), 1 + random.nextInt(20));
            }
            FleetState state = set.done().state();
            FleetPlan plan = PLANNER.spread(state, SHOP, Limits.DEFAULT);
            int r = run;

            Map<String, Integer> after = after(plan, "db");
            assertThat(after.values().stream().mapToInt(Integer::intValue).sum()).as("run %d", run).isEqualTo(n);
            assertThat(plan.moves()).extracting(Move::pod).doesNotHaveDuplicates();
            assertThat(plan.moves()).allSatisfy(m -> assertThat(m.to()).isNotEqualTo(m.from()));
            assertThat(seatsPerZone(plan)).allSatisfy((zone, seats) -> assertThat(seats)
                    .as("run %d: moves into %s", r, zone).isLessThanOrEqualTo(freeSeats(state, zone)));
            if (plan.notes().stream().noneMatch(note -> note.startsWith("shop/"))) {
                IntSummaryStatistics counts = after.values().stream().mapToInt(Integer::intValue).summaryStatistics();
                assertThat(counts.getMax() - counts.getMin()).as("run %d: %s", run, after).isLessThanOrEqualTo(1);
            }
        }
    }

    private static Map<String, Long> seatsPerZone(FleetPlan plan) {
        return plan.moves().stream().collect(Collectors.groupingBy(Move::to, Collectors.counting()));
    }

    /** Seats of 250m the zone's Ready, schedulable nodes have before the plan. */
    private static long freeSeats(FleetState state, String zone) {
        return state.nodes().stream().filter(n -> n.zone().equals(zone) && n.ready() && n.schedulable())
                .mapToLong(n -> Math.max(0, n.freeMilliCpu() / 250)).sum();
    }
}
