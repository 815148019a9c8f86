package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 9 end to end: `rebalance plan` then `rebalance apply` against the simulated world, judged from the
 * world's ground truth and its own history (placement, data, disruption), not from the tool's output.
 */
class RebalanceEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ZONES = List.of("us-east-1b", "us-east-1c", "us-east-1d");

    @TempDir
    Path dir;

    @Test
    void spreadingTheUnbalancedShopEvensEveryStatefulSetWithDataIntactAndOnePodDownAtATime() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        // EC2 throttles a fifth of all calls: the shared adaptive retry absorbs it, no move fails for it.
        SimWorlds.Run throttle = SimWorlds.run("sim", "fault", dir.toString(), "--throttle-rate", "0.2");
        assertThat(throttle.exit()).as(throttle.err()).isZero();
        SimWorlds.View before = SimWorlds.View.of(dir);
        Path plan = dir.resolve("spread.yaml");

        SimWorlds.Run planned = SimWorlds.run("--sim", dir.toString(), "rebalance", "plan", "-n", "shop", "--out",
                plan.toString());
        assertThat(planned.exit()).as(planned.err()).isZero();
        assertThat(planned.out()).contains("shop/orders", "->");
        assertThat(Files.readString(plan)).contains("apiVersion: zonemover.io/v1alpha1", "kind: MigrationPlan");

        JsonNode result = apply(plan, "--parallel", "3");
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("COMPLETED");

        SimWorlds.View after = SimWorlds.View.of(dir);
        for (String sts : List.of("orders", "catalog", "sessions")) {
            Fleets.assertEven(after, "shop", sts, 3, ZONES);
        }
        assertThat(Fleets.assertMovedIntact(before, after)).as("orders and catalog each send two pods away")
                .hasSize(4);
        Fleets.assertDisruptionWithinBudgets(after, 1);
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> calls = (java.util.Map<String, Object>) after.raw().get("apiCalls");
        assertThat(((Number) calls.get("ec2Throttled")).longValue()).as("EC2 did throttle").isPositive();
    }

    @Test
    void spreadingTheFleetEvensEverySetWithinEachKindOfDisruptionBudget() throws Exception {
        SimWorlds.create(dir, "fleet");
        SimWorlds.View before = SimWorlds.View.of(dir);
        Path plan = dir.resolve("spread.yaml");
        SimWorlds.Run planned = SimWorlds.run("--sim", dir.toString(), "rebalance", "plan", "-A", "--out",
                plan.toString());
        assertThat(planned.exit()).as(planned.err()).isZero();

        JsonNode result = apply(plan, "--parallel", "4");
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("COMPLETED");

        SimWorlds.View after = SimWorlds.View.of(dir);
        for (String sts : List.of("orders", "catalog", "sessions", "search")) {
            Fleets.assertEven(after, "fleet", sts, 3, ZONES);
        }
        assertThat(Fleets.assertMovedIntact(before, after)).as("orders moves data and wal together").contains(
                "data-orders-1", "wal-orders-1");
        Fleets.assertDisruptionWithinBudgets(after, 1);
    }

    @Test
    void evacuatingAZoneLeavesNoSelectedVolumeThere() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        SimWorlds.View before = SimWorlds.View.of(dir);
        Path plan = dir.resolve("evacuate.yaml");
        SimWorlds.Run planned = SimWorlds.run("--sim", dir.toString(), "rebalance", "plan", "-n", "shop", "--evacuate",
                "us-east-1b", "--out", plan.toString());
        assertThat(planned.exit()).as(planned.err()).isZero();

        JsonNode result = apply(plan, "--parallel", "3");
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("COMPLETED");

        SimWorlds.View after = SimWorlds.View.of(dir);
        for (var pvc : after.list("pvcs")) {
            String volume = after.claimVolume(String.valueOf(pvc.get("name")));
            assertThat(after.volume(volume).get("zone")).as(pvc.get("name") + " left us-east-1b")
                    .isNotEqualTo("us-east-1b");
        }
        assertThat(after.list("pods")).allSatisfy(p -> assertThat(p.get("ready")).as(String.valueOf(p.get("name")))
                .isEqualTo(true));
        assertThat(Fleets.assertMovedIntact(before, after)).as("every volume that was in us-east-1b").hasSize(7);
        Fleets.assertDisruptionWithinBudgets(after, 1);
    }

    private JsonNode apply(Path plan, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--sim", dir.toString(), "rebalance", "apply",
                plan.toString(), "--yes", "--poll-interval", "100ms", "-o", "json"));
        args.addAll(List.of(extra));
        SimWorlds.Run run = SimWorlds.run(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isIn(0, 1);
        return JSON.readTree(run.out());
    }
}
