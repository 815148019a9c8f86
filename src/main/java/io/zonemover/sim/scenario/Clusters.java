package io.zonemover.sim.scenario;

import static io.zonemover.sim.scenario.WorldBuilder.NodeType.M5_LARGE;

/** Node layouts more than one scenario starts from. */
final class Clusters {

    private Clusters() {
    }

    /**
     * The seeds' incident cluster: six m5.large nodes (2 vCPU, 1930m allocatable), two per zone over
     * us-east-1b/c/d: ip-10-0-11-21/ip-10-0-11-84 (b), ip-10-0-12-37/ip-10-0-12-152 (c),
     * ip-10-0-13-60/ip-10-0-13-199 (d), all .ec2.internal.
     */
    static WorldBuilder twoSmallNodesPerZone(WorldBuilder b) {
        return b.nodes(M5_LARGE, "us-east-1b", "ip-10-0-11-21.ec2.internal", "ip-10-0-11-84.ec2.internal")
                .nodes(M5_LARGE, "us-east-1c", "ip-10-0-12-37.ec2.internal", "ip-10-0-12-152.ec2.internal")
                .nodes(M5_LARGE, "us-east-1d", "ip-10-0-13-60.ec2.internal", "ip-10-0-13-199.ec2.internal");
    }

    /**
     * Leaves no room in us-east-1b for pod {@code ns/pod} (running there): a 1200m batch pod
     * (batch/nightly-report) takes most of ip-10-0-11-21, then the pod's node is cordoned and the pod evicted,
     * as a node replacement does. The StatefulSet controller recreates it, and the scheduler finds no node
     * in the zone of its volumes: Pending with {@code volume node affinity conflict}.
     */
    static void drainWithoutRoom(WorldBuilder b, String ns, String pod) {
        b.pod("batch", "nightly-report").app("report").container("busybox:1.36", "1200m", "1Gi")
                .onNode("ip-10-0-11-21.ec2.internal").create();
        b.advance(30_000);
        b.cordon(b.nodeOf(ns, pod));
        b.deletePod(ns, pod);
        b.advance(5 * 60_000);
    }
}
