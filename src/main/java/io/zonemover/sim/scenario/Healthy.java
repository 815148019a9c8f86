package io.zonemover.sim.scenario;

import io.zonemover.sim.World;

import java.util.Map;

/**
 * {@code healthy}: the six-node cluster of {@link Clusters#twoSmallNodesPerZone}; StorageClass gp3
 * (WaitForFirstConsumer, default); StatefulSet default/web with 3 replicas, whose claims are provisioned where
 * the scheduler puts the pods: one per zone. All Running.
 */
public final class Healthy implements Scenario {

    @Override
    public String name() {
        return "healthy";
    }

    @Override
    public String description() {
        return "nothing to rescue: web spread over three zones";
    }

    @Override
    public World build(Map<String, String> options, long now) {
        WorldBuilder b = WorldBuilder.start(options, now).csiWaitForFirstConsumer("gp3");
        Clusters.twoSmallNodesPerZone(b);
        b.statefulSet("default", "web").app("nginx").replicas(3)
                .container("registry.k8s.io/nginx-slim:0.27", "500m", "512Mi", 10)
                .claim("www", "gp3", 20)
                .create();
        b.advance(3 * 60_000);
        return b.world();
    }
}
