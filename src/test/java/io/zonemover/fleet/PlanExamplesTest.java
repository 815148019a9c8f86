package io.zonemover.fleet;

import io.zonemover.domain.Placement.Node;
import io.zonemover.domain.Placement.PodNeeds;
import io.zonemover.fleet.FleetPlan.Limits;
import io.zonemover.fleet.FleetPlan.Selection;
import io.zonemover.fleet.FleetState.ClaimState;
import io.zonemover.fleet.FleetState.PodState;
import io.zonemover.fleet.FleetState.SetState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.zonemover.fleet.Fleets.MI;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example plans in jobs/examples/: written by PlanFile from the {@code unbalanced} world as
 * {@code zonemover sim init --scenario unbalanced} makes it (its nodes, where its pods run, its volume ids),
 * so they can be applied to that world as they are. Run with {@code -Dzonemover.examples.write=true} to
 * write them again after a change of the format.
 */
class PlanExamplesTest {

    static final Path EXAMPLES = Path.of("jobs", "examples");
    static final Path SPREAD = EXAMPLES.resolve("rebalance-spread.yaml");
    static final Path EVACUATE = EXAMPLES.resolve("rebalance-evacuate.yaml");
    static final FleetPlanner PLANNER = new FleetPlanner(Clock.fixed(Instant.parse("2025-06-02T09:30:00Z"),
            ZoneOffset.UTC));
    static final Selection SHOP = new Selection(List.of("shop"), false, null, List.of());
    static final Limits LIMITS = new Limits(2, 1, 1);

    /** The unbalanced world at {@code sim init}: 4 m5.xlarge in 1b, 2 in 1c, 2 in 1d; 9 pods of 250m/256Mi. */
    static FleetState unbalancedWorld() {
        Map<String, List<String>> podsOnNode = Map.of(
                "ip-10-0-11-5.ec2.internal", List.of("orders-2", "sessions-0"),
                "ip-10-0-11-17.ec2.internal", List.of("catalog-2", "orders-0"),
                "ip-10-0-11-40.ec2.internal", List.of("catalog-0", "orders-1"),
                "ip-10-0-11-66.ec2.internal", List.of("catalog-1"),
                "ip-10-0-12-88.ec2.internal", List.of("sessions-1"),
                "ip-10-0-13-120.ec2.internal", List.of("sessions-2"));
        List<Node> nodes = new ArrayList<>();
        for (String[] node : new String[][]{
                {"ip-10-0-11-5.ec2.internal", "us-east-1b"}, {"ip-10-0-11-17.ec2.internal", "us-east-1b"},
                {"ip-10-0-11-40.ec2.internal", "us-east-1b"}, {"ip-10-0-11-66.ec2.internal", "us-east-1b"},
                {"ip-10-0-12-9.ec2.internal", "us-east-1c"}, {"ip-10-0-12-88.ec2.internal", "us-east-1c"},
                {"ip-10-0-13-14.ec2.internal", "us-east-1d"}, {"ip-10-0-13-120.ec2.internal", "us-east-1d"}}) {
            int pods = podsOnNode.getOrDefault(node[0], List.of()).size();
            nodes.add(new Node(node[0], node[1], true, true, List.of(),
                    Map.of("topology.kubernetes.io/zone", node[1], "node.kubernetes.io/instance-type", "m5.xlarge"),
                    3920, 14884 * MI, 250L * pods, 256 * MI * pods));
        }
        Map<String, String[]> volumes = Map.of(
                "orders", new String[]{"vol-c73304c3f9cda6e20", "vol-152563835d2063b2b", "vol-b736cc41eed11f932"},
                "catalog", new String[]{"vol-c2f9beb8650a86228", "vol-165df10955dc744bc", "vol-99b4f8222c1c8fe31"},
                "sessions", new String[]{"vol-7f7fe6683d15b6d02", "vol-e3e9682b87816cf9b", "vol-6ef4bc196df5cc4a6"});
        Map<String, String[]> zones = Map.of(
                "orders", new String[]{"us-east-1b", "us-east-1b", "us-east-1b"},
                "catalog", new String[]{"us-east-1b", "us-east-1b", "us-east-1b"},
                "sessions", new String[]{"us-east-1b", "us-east-1c", "us-east-1d"});
        List<SetState> sets = new ArrayList<>();
        for (String set : List.of("orders", "catalog", "sessions")) {
            List<PodState> pods = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String pod = set + "-" + i;
                String node = podsOnNode.entrySet().stream().filter(e -> e.getValue().contains(pod))
                        .map(Map.Entry::getKey).findFirst().orElseThrow();
                pods.add(new PodState(pod, i, List.of(new ClaimState("data-" + pod, volumes.get(set)[i],
                        zones.get(set)[i], 10)), node, true));
            }
            sets.add(new SetState("shop", set, 3, PodNeeds.of(250, 256 * MI), pods, null));
        }
        return new FleetState(sets, nodes, List.of("us-east-1b", "us-east-1c", "us-east-1d"));
    }

    static FleetPlan spreadPlan() {
        return PLANNER.spread(unbalancedWorld(), SHOP, LIMITS);
    }

    static FleetPlan evacuatePlan() {
        return PLANNER.evacuate(unbalancedWorld(), SHOP, List.of("us-east-1b"), LIMITS);
    }

    @Test
    void theSpreadExampleIsWhatThePlannerWritesForTheUnbalancedWorld() throws IOException {
        assertExample(SPREAD, spreadPlan());
    }

    @Test
    void theEvacuateExampleIsWhatThePlannerWritesForTheUnbalancedWorld() throws IOException {
        assertExample(EVACUATE, evacuatePlan());
    }

    @Test
    void bothExamplesReadBackToThePlansTheyWereWrittenFrom() {
        List<String> zones = unbalancedWorld().zones();
        assertThat(PlanFile.read(SPREAD, zones)).isEqualTo(withLines(spreadPlan(), PlanFile.read(SPREAD)));
        assertThat(PlanFile.read(EVACUATE, zones)).isEqualTo(withLines(evacuatePlan(), PlanFile.read(EVACUATE)));
    }

    @Test
    void theSpreadExampleEvensOutTheUnbalancedWorld() {
        FleetPlan plan = PlanFile.read(SPREAD);

        assertThat(plan.moves()).extracting(m -> m.podName() + "->" + m.to()).containsExactly(
                "catalog-2->us-east-1c", "orders-2->us-east-1c", "catalog-1->us-east-1d", "orders-1->us-east-1d");
        assertThat(plan.after().values()).allSatisfy(zones -> assertThat(zones.values()).containsOnly(1));
    }

    @Test
    void theEvacuateExampleEmptiesUsEast1b() {
        FleetPlan plan = PlanFile.read(EVACUATE);

        assertThat(plan.moves()).hasSize(7).allSatisfy(m -> assertThat(m.to()).isNotEqualTo("us-east-1b"));
        assertThat(plan.after().values()).allSatisfy(zones -> assertThat(zones).containsEntry("us-east-1b", 0));
    }

    @Test
    void everyExamplePlanValidates() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            List<Path> plans = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(plans).contains(SPREAD, EVACUATE);
            plans.forEach(p -> assertThat(PlanFile.read(p).moves()).as(p.toString()).isNotEmpty());
        }
    }

    /** The plan as read from a file: the same, but each move knows its line. */
    static FleetPlan withLines(FleetPlan made, FleetPlan read) {
        List<FleetPlan.Move> moves = new ArrayList<>();
        for (int i = 0; i < made.moves().size(); i++) {
            FleetPlan.Move m = made.moves().get(i);
            moves.add(new FleetPlan.Move(m.pod(), m.statefulSet(), m.claims(), m.from(), m.to(),
                    read.moves().get(i).line()));
        }
        return new FleetPlan(made.name(), made.createdAt(), made.selection(), made.strategy(), made.limits(), moves,
                made.before(), made.after(), made.notes());
    }

    private static void assertExample(Path file, FleetPlan plan) throws IOException {
        String yaml = PlanFile.toYaml(plan);
        if (Boolean.getBoolean("zonemover.examples.write")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
        }
        assertThat(file).as("%s is written by PlanFile (run this test with -Dzonemover.examples.write=true)", file)
                .hasContent(yaml);
    }
}
