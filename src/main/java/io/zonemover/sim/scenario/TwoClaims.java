package io.zonemover.sim.scenario;

import io.zonemover.sim.World;

import java.util.Map;

/**
 * {@code two-claims} (issue 8: the pod is the unit of a move): the {@link StuckPod} incident with a database
 * whose pods each mount two claims. StatefulSet default/db (app=db), 4 replicas (500m / 512Mi each) on the
 * six-node cluster of {@link Clusters#twoSmallNodesPerZone}, StorageClass gp2 (Immediate, default), templates
 * data (20 GiB) and wal (5 GiB): claims data-db-N and wal-db-N, each bound to its own EBS volume and CSI PV
 * in the pod's zone (1b, 1c, 1d, 1b). db-3's node was drained while a batch pod fills the other 1b node, so
 * db-3 is Pending with {@code volume node affinity conflict} and both its volumes must move together; the
 * running pods write to both of theirs.
 */
public final class TwoClaims implements Scenario {

    @Override
    public String name() {
        return "two-claims";
    }

    @Override
    public String description() {
        return "db-3 Pending with `volume node affinity conflict`; its two claims, data and wal, move together";
    }

    @Override
    public World build(Map<String, String> options, long now) {
        WorldBuilder b = WorldBuilder.start(options, now).inTreeImmediate("gp2", true);
        Clusters.twoSmallNodesPerZone(b);
        b.statefulSet("default", "db").replicas(4)
                .container("postgres:16", "500m", "512Mi", 30)
                .claim("data", "gp2", 20, "/var/lib/postgresql/data")
                .claim("wal", "gp2", 5, "/var/lib/postgresql/wal")
                .volumesIn("us-east-1b", "us-east-1c", "us-east-1d", "us-east-1b")
                .create();
        b.pdb("default", "db", "db", 2);
        b.advance(3 * 60_000);
        Clusters.drainWithoutRoom(b, "default", "db-3");
        return b.world();
    }
}
