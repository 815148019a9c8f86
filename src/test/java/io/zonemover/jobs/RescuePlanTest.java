package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.testing.FakeCluster;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.zonemover.testing.FakeWorld.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rescue from snapshots when the volumes' zone is down: which snapshot each claim comes back from, how old
 * it is against the cloud's clock, and the refusals that keep the pod from running twice.
 */
class RescuePlanTest {

    private static final String B = "us-east-1b";
    private static final String C = "us-east-1c";
    private static final ClaimRef POD = ClaimRef.parse("default/db-1");

    private FakeWorld world;
    private FakeCluster cluster;

    /** db-1's two volumes and its node are in 1b, which is down; 1c has room. */
    @BeforeEach
    void zoneDown() {
        world = FakeWorld.withoutNodes(B, C);
        cluster = world.cluster();
        cluster.addNode(node("b1", B, 4000, 500));
        cluster.addNode(node("c1", C, 4000, 500));
        world.statefulSet("default", "db").pods(2).claims("data", "wal").zone(i -> i == 1 ? B : C).add();
        cluster.podState("default", "db-1").nodeName = "b1";
        cluster.nodeFacts.put("b1", new Cluster.Node("b1", B, false, "i-0b1", List.of()));
        world.ec2().instanceStates.put("i-0b1", "stopped");
    }

    private String volumeOf(String claim) {
        return cluster.pvState(cluster.claimState("default", claim).volumeName).volumeId;
    }

    private String snapshot(String claim) throws Exception {
        String id = world.ec2().createSnapshot(volumeOf(claim), "daily", Map.of());
        world.ec2().tick();
        world.ec2().tick();
        return id;
    }

    private MigrationPlan plan(String spec, boolean nodeIsDown) {
        return new MigrationPlanner(cluster, world.ec2()).planPod(POD, "auto", true, null,
                new MigrationPlanner.SnapshotSource(spec, nodeIsDown));
    }

    @Test
    void latestTakesEachVolumesNewestCompletedSnapshotAndMeasuresItsAgeOnTheCloudsClock() throws Exception {
        snapshot("data-db-1");
        world.ec2().advanceClock(300);
        String newestData = snapshot("data-db-1");
        String wal = snapshot("wal-db-1");
        world.ec2().createSnapshot(volumeOf("data-db-1"), "still pending", Map.of());
        world.ec2().advanceClock(600);

        MigrationPlan plan = plan("latest", false);
        assertThat(plan.toZone()).isEqualTo(C);
        assertThat(plan.deadNode()).isEqualTo("b1");
        assertThat(plan.preSnapshot()).isFalse();
        assertThat(plan.moves()).extracting(MigrationPlan.ClaimMove::sourceSnapshotId).containsExactly(newestData, wal);
        assertThat(plan.moves()).allSatisfy(m -> assertThat(m.recoveryPointAgeSeconds()).isBetween(600L, 605L));
        assertThat(plan.dataLossWindowSeconds()).isBetween(600L, 605L);
    }

    @Test
    void namedSnapshotsAreUsedOnePerClaim() throws Exception {
        String data = snapshot("data-db-1");
        String wal = snapshot("wal-db-1");
        MigrationPlan plan = plan(data + "," + wal, false);
        assertThat(plan.moves()).extracting(MigrationPlan.ClaimMove::sourceSnapshotId).containsExactly(data, wal);
        assertThatThrownBy(() -> plan(data, false)).isInstanceOfSatisfying(ZonemoverException.class,
                e -> assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT));
    }

    @Test
    void aVolumeWithoutACompletedSnapshotIsRefused() throws Exception {
        snapshot("data-db-1");
        assertRefused(() -> plan("latest", false), "has no completed snapshot");
    }

    @Test
    void aRunningInstanceIsRefusedUnlessTheUserSaysTheNodeIsDown() throws Exception {
        snapshot("data-db-1");
        snapshot("wal-db-1");
        world.ec2().instanceStates.put("i-0b1", "running");
        assertRefused(() -> plan("latest", false), "might still run");
        assertThat(plan("latest", true).deadNode()).isEqualTo("b1");
    }

    @Test
    void aReadyNodeMeansTheZoneIsNotDownForThisPod() throws Exception {
        snapshot("data-db-1");
        snapshot("wal-db-1");
        cluster.nodeFacts.put("b1", new Cluster.Node("b1", B, true, "i-0b1", List.of()));
        assertRefused(() -> plan("latest", true), "is Ready");
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ZonemoverException.class, e -> {
            assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.REFUSED);
            assertThat(e.getMessage()).contains(reason);
        });
    }
}
