package io.zonemover.fleet;

import io.zonemover.fleet.FleetPlan.Limits;
import io.zonemover.fleet.FleetPlan.Selection;
import io.zonemover.fleet.FleetPlan.Strategy;
import io.zonemover.fleet.FleetPlan.StrategyType;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlanTableTest {

    @Test
    void showsEachStatefulSetsPodsPerZoneBeforeAndAfter() {
        PlanTable table = PlanTable.of(PlanExamplesTest.spreadPlan());

        assertThat(table.headers()).containsExactly("STATEFULSET", "us-east-1b", "us-east-1c", "us-east-1d");
        assertThat(table.rows()).containsExactly(
                List.of("shop/catalog", "3 -> 1", "0 -> 1", "0 -> 1"),
                List.of("shop/orders", "3 -> 1", "0 -> 1", "0 -> 1"),
                List.of("shop/sessions", "1 -> 1", "1 -> 1", "1 -> 1"));
    }

    @Test
    void aZoneASetDoesNotUseShowsADash() {
        Map<String, Map<String, Integer>> before = new LinkedHashMap<>();
        before.put("a/x", Map.of("us-east-1a", 2));
        before.put("a/y", Map.of("us-east-1b", 1, "us-east-1c", 1));
        Map<String, Map<String, Integer>> after = new LinkedHashMap<>();
        after.put("a/x", Map.of("us-east-1a", 1, "us-east-1c", 1));
        after.put("a/y", Map.of("us-east-1b", 1, "us-east-1c", 1));
        FleetPlan plan = new FleetPlan("p", null, new Selection(null, true, null, null),
                new Strategy(StrategyType.SPREAD, null), Limits.DEFAULT, List.of(), before, after, null);

        PlanTable table = PlanTable.of(plan);

        assertThat(table.headers()).containsExactly("STATEFULSET", "us-east-1a", "us-east-1b", "us-east-1c");
        assertThat(table.rows()).containsExactly(
                List.of("a/x", "2 -> 1", "-", "0 -> 1"),
                List.of("a/y", "-", "1 -> 1", "1 -> 1"));
    }

    @Test
    void aPlanWithoutTablesHasOnlyTheHeader() {
        FleetPlan plan = new FleetPlan("p", null, new Selection(null, true, null, null),
                new Strategy(StrategyType.SPREAD, null), Limits.DEFAULT, List.of(), null, null, null);

        assertThat(PlanTable.of(plan).headers()).containsExactly("STATEFULSET");
        assertThat(PlanTable.of(plan).rows()).isEmpty();
    }
}
