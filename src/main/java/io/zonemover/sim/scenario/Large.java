package io.zonemover.sim.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.World;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.zonemover.sim.scenario.WorldBuilder.PvShape.CSI_EBS_KEY;
import static io.zonemover.sim.scenario.WorldBuilder.PvShape.CSI_GA;
import static io.zonemover.sim.scenario.WorldBuilder.PvShape.IN_TREE;

/**
 * {@code large}, for benchmarks: options pods (10000), claims (5000), nodes (300), zones (3). Namespaces
 * team-00..19, StatefulSets db-NNN (10 replicas, one claim each) and app-NNN (10 replicas, no claims) spread
 * over m5.4xlarge nodes; StorageClass gp3 (WaitForFirstConsumer, default) and gp2-immediate (Immediate,
 * in-tree); plus StatefulSet legacy/legacy-db (Parallel, 3 replicas) whose gp2-immediate volumes are in
 * us-east-1a, a zone with no nodes: 3 stuck pods.
 *
 * <p>The only scenario that builds its objects directly (pods already scheduled, claims already bound, nothing
 * settled until the end) so that ten thousand pods take seconds; the controllers still attach and start them.
 */
public final class Large implements Scenario {

    private static final List<String> ZONES = List.of("us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e",
            "us-east-1f");

    @Override
    public String name() {
        return "large";
    }

    @Override
    public String description() {
        return "thousands of pods and claims for benchmarks; options pods, claims, nodes, zones";
    }

    @Override
    public World build(Map<String, String> options, long now) {
        WorldBuilder b = WorldBuilder.start(options, now);
        int pods = ScenarioOptions.intOption(options, "pods", 10000, 0);
        int claims = Math.min(ScenarioOptions.intOption(options, "claims", 5000, 0), pods);
        int nodeCount = ScenarioOptions.intOption(options, "nodes", 300, 0);
        int zoneCount = ScenarioOptions.intOption(options, "zones", 3, 0);
        if (zoneCount < 1 || zoneCount > ZONES.size()) {
            throw new IllegalArgumentException("scenario option zones must be 1.." + ZONES.size());
        }
        if (nodeCount < 1) {
            throw new IllegalArgumentException("scenario option nodes must be at least 1");
        }
        b.csiWaitForFirstConsumer("gp3").inTreeImmediate("gp2-immediate", false);
        List<String> nodeNames = new ArrayList<>();
        List<String> nodeZones = new ArrayList<>();
        int podsPerNode = (pods + nodeCount - 1) / nodeCount;
        WorldBuilder.NodeType type = new WorldBuilder.NodeType("m5.4xlarge", "16", "15890m", "64Gi", "61398Mi",
                Math.max(110, podsPerNode + 10));
        for (int i = 0; i < nodeCount; i++) {
            String zone = ZONES.get(i % zoneCount);
            String name = "ip-10-" + (i % zoneCount + 1) + "-" + (i / 250) + "-" + (i % 250 + 1) + ".ec2.internal";
            b.nodes(type, zone, name);
            nodeNames.add(name);
            nodeZones.add(zone);
        }
        int podIndex = 0;
        for (int stsIndex = 0; podIndex < pods; stsIndex++) {
            boolean db = podIndex < claims;
            int replicas = Math.min(10, db ? claims - podIndex : pods - podIndex);
            String ns = String.format("team-%02d", stsIndex % 20);
            String stsName = (db ? "db-" : "app-") + String.format("%03d", stsIndex);
            StatefulSetBuilder sts = b.statefulSet(ns, stsName).replicas(replicas).parallel();
            if (db) {
                sts.container("postgres:16", "100m", "128Mi", 30).claim("data", "gp3", 10);
            } else {
                sts.container("nginx:1.27", "100m", "128Mi", 30);
            }
            ObjectNode created = sts.createQuietly();
            for (int i = 0; i < replicas; i++, podIndex++) {
                int node = podIndex % nodeCount;
                ObjectNode pod = StatefulSetBuilder.controllerPod(created, i);
                pod.with("spec").put("nodeName", nodeNames.get(node));
                if (db) {
                    String claimName = "data-" + stsName + "-" + i;
                    String pvName = b.staticPv(ns, claimName, "gp3", 10, nodeZones.get(node),
                            podIndex % 3 == 0 ? CSI_EBS_KEY : CSI_GA, "gp3");
                    b.boundClaim(ns, claimName, "gp3", "10Gi", pvName, stsName);
                }
                b.createQuietly(ResourceType.PODS, ns, pod);
            }
        }
        // Findings: three pods whose Immediate-bound volumes sit in a zone with no nodes left.
        b.statefulSet("legacy", "legacy-db").replicas(3).parallel().container("mysql:8.4", "500m", "1Gi", 30)
                .claim("data", "gp2-immediate", 50)
                .volumesIn("us-east-1a", "us-east-1a", "us-east-1a").shapes(IN_TREE, IN_TREE, IN_TREE)
                .createQuietly();
        b.settle();
        b.advance(60_000);
        return b.world();
    }
}
