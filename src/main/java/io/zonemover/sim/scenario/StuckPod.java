package io.zonemover.sim.scenario;

import io.zonemover.sim.World;

import java.util.Map;

import static io.zonemover.sim.scenario.WorldBuilder.PvShape.CSI_EBS_KEY;
import static io.zonemover.sim.scenario.WorldBuilder.PvShape.CSI_GA;
import static io.zonemover.sim.scenario.WorldBuilder.PvShape.IN_TREE;

/**
 * {@code stuck-pod}, the seeds' incident: StatefulSet default/web, 4 replicas (500m / 512Mi each) on the
 * six-node cluster of {@link Clusters#twoSmallNodesPerZone}, StorageClass gp2 (kubernetes.io/aws-ebs,
 * Immediate, Delete, default), claims www-web-N of 20Gi whose volumes were provisioned in 1b, 1c, 1d and 1b.
 * web-3's node was cordoned and drained while a batch pod fills the other 1b node, so web-3 is Pending: its
 * volume (in-tree awsElasticBlockStore PV, aws://us-east-1b/vol-...) is in 1b where no node has room; 1c and
 * 1d have room. The other PVs are CSI, with nodeAffinity on topology.kubernetes.io/zone (web-0, web-2) and
 * topology.ebs.csi.aws.com/zone (web-1).
 */
public final class StuckPod implements Scenario {

    @Override
    public String name() {
        return "stuck-pod";
    }

    @Override
    public String description() {
        return "the incident: web-3 Pending with `volume node affinity conflict`";
    }

    /**
     * The cluster before the incident: two small nodes per zone and StatefulSet default/web (with these
     * annotations) and its PodDisruptionBudget; {@link AutoRescue} starts from the same.
     */
    static WorldBuilder withWeb(Map<String, String> options, long now, Map<String, String> annotations) {
        WorldBuilder b = WorldBuilder.start(options, now).inTreeImmediate("gp2", true);
        Clusters.twoSmallNodesPerZone(b);
        // The claims' volumes, from the StatefulSet's history: provisioned over time by the in-tree plugin and,
        // after the CSI migration, by two versions of the EBS CSI driver (the zone key changed in v1.33.0).
        var web = b.statefulSet("default", "web").app("nginx").replicas(4);
        annotations.forEach(web::annotation);
        web.container("registry.k8s.io/nginx-slim:0.27", "500m", "512Mi", 10)
                .claim("www", "gp2", 20)
                .volumesIn("us-east-1b", "us-east-1c", "us-east-1d", "us-east-1b")
                .shapes(CSI_GA, CSI_EBS_KEY, CSI_GA, IN_TREE)
                .create();
        b.pdb("default", "web", "nginx", 2);
        return b;
    }

    @Override
    public World build(Map<String, String> options, long now) {
        WorldBuilder b = withWeb(options, now, Map.of());
        b.advance(3 * 60_000);
        Clusters.drainWithoutRoom(b, "default", "web-3");
        return b.world();
    }
}
