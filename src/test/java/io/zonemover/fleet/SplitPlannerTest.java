package io.zonemover.fleet;

import io.zonemover.domain.Placement;
import io.zonemover.domain.ZonemoverException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The split-per-zone planner: how replicas are divided, which pods are re-bound or copied, and room. */
class SplitPlannerTest {

    static final String B = "us-east-1b";
    static final String C = "us-east-1c";
    static final String D = "us-east-1d";
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** StatefulSet shop/orders whose pod N has one 10 GiB claim in zones[N], running. */
    static FleetState.SetState set(String... zones) {
        List<FleetState.PodState> pods = new ArrayList<>();
        for (int i = 0; i < zones.length; i++) {
            pods.add(new FleetState.PodState("orders-" + i, i, List.of(new FleetState.ClaimState("data-orders-" + i,
                    "vol-" + i, zones[i], 10)), "node-" + zones[i], true));
        }
        return new FleetState.SetState("shop", "orders", zones.length, Placement.PodNeeds.of(250, 256L << 20), pods,
                null);
    }

    static Placement.Node node(String zone, long freeMilliCpu) {
        return new Placement.Node("node-" + zone, zone, true, true, List.of(), Map.of(), 4000, 16L << 30,
                4000 - freeMilliCpu, 1L << 30);
    }

    static FleetState world(FleetState.SetState set, Placement.Node... nodes) {
        return new FleetState(List.of(set), List.of(nodes), List.of("us-east-1a", B, C, D));
    }

    static FleetPlan plan(FleetState.SetState set) {
        return SplitPlanner.plan(world(set, node(B, 4000), node(C, 4000), node(D, 4000)), set, List.of(), NOW);
    }

    /** "pod->zone/newOrdinal" per move, in the plan's order. */
    static List<String> moves(FleetPlan plan) {
        return plan.moves().stream().map(m -> m.podName() + "->" + m.to() + "/" + SplitPlanner.newOrdinal(plan.moves(), m))
                .toList();
    }

    @Test
    void threePodsCrowdedInOneZoneKeepOneThereAndCopyOneToEachOtherZone() {
        FleetPlan plan = plan(set(B, B, B));
        assertThat(plan.strategy().type()).isEqualTo(FleetPlan.StrategyType.SPLIT_PER_ZONE);
        assertThat(plan.strategy().zones()).containsExactly(B, C, D);
        assertThat(moves(plan)).containsExactly("orders-2->" + D + "/0", "orders-1->" + C + "/0", "orders-0->" + B + "/0");
        assertThat(plan.moves()).allMatch(m -> m.from().equals(B));
        assertThat(plan.before()).containsEntry("shop/orders", Map.of(B, 3));
        assertThat(plan.after()).containsEntry("shop/orders", Map.of(B, 1, C, 1, D, 1));
    }

    @Test
    void podsAlreadyOneInEachZoneAreAllReboundInPlace() {
        FleetPlan plan = plan(set(B, C, D));
        assertThat(plan.moves()).allMatch(m -> m.from().equals(m.to()));
        assertThat(moves(plan)).containsExactly("orders-2->" + D + "/0", "orders-1->" + C + "/0", "orders-0->" + B + "/0");
        assertThat(plan.notes()).anyMatch(n -> n.contains("orders-1 becomes orders-us-east-1c-0") && n.contains("nothing copied"));
    }

    @Test
    void theRemainderGoesToTheZonesHoldingTheMostVolumes() {
        // 5 pods over 3 zones: 2, 2, 1; 1b and 1c hold the most volumes, so they get the extra replicas.
        FleetPlan plan = plan(set(B, C, B, C, B));
        assertThat(plan.after().get("shop/orders")).isEqualTo(Map.of(B, 2, C, 2, D, 1));
        // 1b keeps its two lowest ordinals; its third pod (orders-4) is the one copied, to 1d.
        assertThat(moves(plan)).containsExactly("orders-4->" + D + "/0", "orders-3->" + C + "/0",
                "orders-2->" + B + "/0", "orders-1->" + C + "/1", "orders-0->" + B + "/1");
    }

    @Test
    void newOrdinalsFollowTheCarryOrderHighestOldOrdinalFirst() {
        FleetState.SetState set = set(B, B, B, B);
        FleetPlan plan = SplitPlanner.plan(world(set, node(B, 4000), node(C, 4000)), set, List.of(), NOW);
        assertThat(plan.strategy().zones()).containsExactly(B, C);
        assertThat(moves(plan)).containsExactly("orders-3->" + C + "/0", "orders-2->" + C + "/1",
                "orders-1->" + B + "/0", "orders-0->" + B + "/1");
    }

    @Test
    void theRuleNeedsOnlyTheMovesNotTheirOrderInTheFile() {
        FleetPlan plan = plan(set(B, B, B, B, B, B));
        List<FleetPlan.Move> shuffled = new ArrayList<>(plan.moves());
        java.util.Collections.reverse(shuffled);
        for (FleetPlan.Move m : plan.moves()) {
            assertThat(SplitPlanner.newOrdinal(shuffled, m)).isEqualTo(SplitPlanner.newOrdinal(plan.moves(), m));
        }
    }

    @Test
    void fewerPodsThanZonesMakeSetsOnlyWherePodsGo() {
        FleetPlan plan = plan(set(B, B));
        assertThat(plan.strategy().zones()).containsExactly(B, C);
        assertThat(moves(plan)).containsExactly("orders-1->" + C + "/0", "orders-0->" + B + "/0");
    }

    @Test
    void zonesWithoutAUsableNodeAreLeftOutAndTheirVolumesCopied() {
        FleetState.SetState set = set(B, C, D);
        Placement.Node cordoned = new Placement.Node("node-d", D, true, false, List.of(), Map.of(), 4000, 16L << 30, 0, 0);
        FleetPlan plan = SplitPlanner.plan(world(set, node(B, 4000), node(C, 4000), cordoned), set, List.of(), NOW);
        assertThat(plan.strategy().zones()).containsExactly(B, C);
        assertThat(plan.moves()).filteredOn(m -> m.podName().equals("orders-2")).singleElement()
                .satisfies(m -> assertThat(m.from()).isEqualTo(D));
        assertThat(plan.after().get("shop/orders")).isEqualTo(Map.of(B, 2, C, 1));
    }

    @Test
    void namedZonesAreUsedAsGiven() {
        FleetState.SetState set = set(B, B, B);
        FleetPlan plan = SplitPlanner.plan(world(set, node(B, 4000), node(C, 4000), node(D, 4000)), set, List.of(C, D), NOW);
        assertThat(plan.strategy().zones()).containsExactly(C, D);
        assertThat(plan.moves()).noneMatch(m -> m.to().equals(B));
    }

    @Test
    void aZoneWithoutRoomForTheCopiesIsRefusedByName() {
        FleetState.SetState set = set(B, B, B);
        FleetState state = world(set, node(B, 4000), node(C, 4000), node(D, 100));
        assertThatThrownBy(() -> SplitPlanner.plan(state, set, List.of(), NOW))
                .isInstanceOf(ZonemoverException.class)
                .satisfies(e -> assertThat(((ZonemoverException) e).kind()).isEqualTo(ZonemoverException.Kind.REFUSED))
                .hasMessageContaining("zone " + D).hasMessageContaining("room for 0 of the 1")
                .hasMessageContaining("Insufficient cpu");
    }

    @Test
    void podsReboundInPlaceNeedNoNewRoom() {
        FleetState.SetState set = set(B, C, D);
        // Every zone is full: the pods running there give back what they take when they restart.
        FleetPlan plan = SplitPlanner.plan(world(set, node(B, 0), node(C, 0), node(D, 0)), set, List.of(B, C, D), NOW);
        assertThat(plan.moves()).allMatch(m -> m.from().equals(m.to()));
    }

    @Test
    void roomIsCountedPerPodNotPerZone() {
        FleetState.SetState set = set(B, B, B, B, B);
        // 1c has room for exactly one 250m pod, but two would be copied there.
        FleetState state = world(set, node(B, 4000), node(C, 300));
        assertThatThrownBy(() -> SplitPlanner.plan(state, set, List.of(B, C), NOW))
                .hasMessageContaining("zone " + C + " has room for 1 of the 2");
    }

    @Test
    void aSplitPodsZonesAreAllNamedAndItGoesWhereMostOfItsDataIs() {
        FleetState.PodState split = new FleetState.PodState("orders-0", 0, List.of(
                new FleetState.ClaimState("data-orders-0", "vol-a", C, 100),
                new FleetState.ClaimState("wal-orders-0", "vol-b", B, 10)), "node-" + C, true);
        FleetState.SetState set = new FleetState.SetState("shop", "orders", 1, Placement.PodNeeds.of(250, 1), List.of(split),
                null);
        FleetPlan plan = SplitPlanner.plan(world(set, node(B, 4000), node(C, 4000)), set, List.of(B, C), NOW);
        assertThat(plan.moves()).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(C + "," + B);
            assertThat(m.to()).isEqualTo(C);
        });
        assertThat(plan.notes().get(0)).contains("1 of its 2 volume(s) copied to " + C);
    }

    @Test
    void aZoneSetNameTooLongForItsPodsIsRefused() {
        FleetState.PodState pod = new FleetState.PodState("a-very-long-statefulset-name-for-the-orders-0", 0, List.of(
                new FleetState.ClaimState("data", "vol-a", B, 1)), "n", true);
        FleetState.SetState set = new FleetState.SetState("shop", "a-very-long-statefulset-name-for-the-orders", 1,
                Placement.PodNeeds.of(1, 1), List.of(pod), null);
        assertThatThrownBy(() -> SplitPlanner.plan(world(set, node(B, 4000)), set, List.of(), NOW))
                .hasMessageContaining("a-very-long-statefulset-name-for-the-orders-us-east-1b").hasMessageContaining("52");
    }

    @Test
    void aPodWithoutAnEbsClaimIsRefused() {
        FleetState.SetState set = new FleetState.SetState("shop", "orders", 1, Placement.PodNeeds.of(1, 1),
                List.of(new FleetState.PodState("orders-0", 0, List.of(), null, false)), null);
        assertThatThrownBy(() -> plan(set)).hasMessageContaining("orders-0 has no EBS claim");
    }
}
