package io.zonemover.sim.scenario;

import io.zonemover.sim.World;

import java.util.Map;

/**
 * {@code auto-rescue}: {@link StuckPod}'s incident with two stuck pods, for {@code rescue --watch}. StatefulSet
 * default/web (as in stuck-pod, with its PodDisruptionBudget) opted in to auto-rescue
 * ({@code zonemover.io/auto-rescue: "true"}); StatefulSet default/db (2 replicas of 250m, volumes in 1c and
 * 1b, no budget) did not. Both 1b nodes are then left without room for them (a batch pod fills one, the other
 * is cordoned and drained), so web-3 and db-1 are both Pending with {@code volume node affinity conflict}, and
 * 1c and 1d have room for each.
 */
public final class AutoRescue implements Scenario {

    @Override
    public String name() {
        return "auto-rescue";
    }

    @Override
    public String description() {
        return "web-3 (opted in to auto-rescue) and db-1 (not) both Pending on their volumes' zone";
    }

    @Override
    public World build(Map<String, String> options, long now) {
        ScenarioOptions.onlyThese(options, name());
        WorldBuilder b = StuckPod.withWeb(options, now, Map.of("zonemover.io/auto-rescue", "true"));
        b.statefulSet("default", "db").app("db").replicas(2)
                .container("postgres:16", "250m", "256Mi", 10)
                .claim("data", "gp2", 10)
                .volumesIn("us-east-1c", "us-east-1b")
                .create();
        b.advance(3 * 60_000);
        Clusters.drainWithoutRoom(b, "default", "web-3");
        String dbNode = b.nodeOf("default", "db-1");
        if (!dbNode.isEmpty()) {
            b.cordon(dbNode);
            b.deletePod("default", "db-1");
            b.advance(5 * 60_000);
        }
        return b.world();
    }
}
