package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.testing.FakeCluster;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.zonemover.testing.FakeWorld.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Preflight decisions on the in-memory fakes of the two ports: every refusal, and the zone `auto` picks. */
class MigrationPlannerTest {

    private static final ClaimRef CLAIM = ClaimRef.parse("default/www-web-3");
    private static final String B = "us-east-1b";
    private static final String C = "us-east-1c";
    private static final String D = "us-east-1d";

    private FakeWorld world;
    private FakeCluster cluster;

    /** The seeds' incident: web-3's volume is in 1b, which has no room left, so web-3 is Pending. */
    @BeforeEach
    void stuckPod() {
        world = FakeWorld.withoutNodes(B, C, D);
        cluster = world.cluster();
        cluster.addNode(node("b1", B, 1930, 1900));
        cluster.addNode(node("c1", C, 1930, 500));
        cluster.addNode(node("d1", D, 1930, 500));
        String[] zones = {D, C, C, B};
        world.statefulSet("default", "web").pods(4).zone(i -> zones[i]).volumes(20, "gp2").add();
        FakeCluster.PodObj pod = cluster.podState("default", "web-3");
        pod.phase = "Pending";
        pod.ready = false;
        pod.started = false;
        pod.nodeName = null;
        pod.zone = null;
        pod.unschedulable = "0/3 nodes are available: 2 node(s) had volume node affinity conflict.";
        world.ec2().detach(cluster.pvState("pvc-www-web-3").volumeId);
    }

    private MigrationPlan plan(String to) {
        return new MigrationPlanner(cluster, world.ec2()).plan(CLAIM, to, true, null);
    }

    private void assertRefused(String to, String reason) {
        assertThatThrownBy(() -> plan(to)).isInstanceOfSatisfying(ZonemoverException.class, e -> {
            assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.REFUSED);
            assertThat(e.getMessage()).contains(reason);
        });
    }

    @Test
    void autoPicksAZoneWithRoomAndFewestPodsOfTheStatefulSet() {
        MigrationPlan plan = plan("auto");
        assertThat(plan.fromZone()).isEqualTo(B);
        assertThat(plan.toZone()).isEqualTo(D);
        assertThat(plan.podName()).isEqualTo("web-3");
        assertThat(plan.volumeId()).isEqualTo(cluster.pvState("pvc-www-web-3").volumeId);
        assertThat(plan.notes()).anyMatch(n -> n.contains("Retain"));
    }

    @Test
    void anExplicitZoneWithRoomIsTaken() {
        assertThat(plan(C).toZone()).isEqualTo(C);
    }

    @Test
    void refusals() {
        assertRefused(B, "has no Ready, schedulable node with room");
        cluster.nodes().set(0, node("b1", B, 1930, 500));
        assertRefused(B, "already in us-east-1b");
        assertRefused("us-east-1z", "not an available zone");
        cluster.nodes().set(1, node("c1", C, 1930, 1900));
        assertRefused(C, "has no Ready, schedulable node with room");
    }

    @Test
    void autoWithNoRoomAnywhereElseIsRefused() {
        cluster.nodes().set(1, node("c1", C, 1930, 1900));
        cluster.nodes().set(2, node("d1", D, 1930, 1900));
        assertRefused("auto", "no zone other than us-east-1b");
    }

    @Test
    void autoOnAHealthyPodHasNothingToDo() {
        FakeCluster.PodObj pod = cluster.podState("default", "web-3");
        pod.phase = "Running";
        pod.ready = true;
        pod.nodeName = "b1";
        pod.zone = B;
        pod.unschedulable = null;
        assertRefused("auto", "nothing to do");
    }

    @Test
    void claimStateRefusals() {
        FakeCluster.ClaimObj claim = cluster.claimState("default", "www-web-3");
        claim.phase = "Pending";
        claim.volumeName = null;
        assertRefused("auto", "is not Bound");
        claim.phase = "Bound";
        claim.volumeName = "pvc-www-web-3";
        claim.accessModes = List.of("ReadWriteMany");
        assertRefused("auto", "ReadWriteMany");
        claim.accessModes = List.of("ReadWriteOnce");
        claim.annotations.put("zonemover.io/migration", "zm-other");
        assertRefused("auto", "held by move zm-other");
        claim.annotations.clear();
        claim.deleting = true;
        assertRefused("auto", "is being deleted");
        claim.deleting = false;
        cluster.deleteStatefulSetOrphan("default", "web");
        world.settle();
        assertRefused("auto", "does not come from a StatefulSet");
    }

    @Test
    void volumeRefusals() {
        FakeCluster.PvObj pv = cluster.pvState("pvc-www-web-3");
        String volumeId = pv.volumeId;
        pv.ebs = false;
        pv.csi = true;
        pv.driver = "nfs.csi.k8s.io";
        pv.volumeId = null;
        pv.zone = null;
        assertRefused("auto", "has no EBS-backed claim");
        pv.zone = B;
        assertRefused("auto", "zonemover cannot move it");
        pv.ebs = true;
        pv.driver = "ebs.csi.aws.com";
        pv.volumeId = volumeId;
        world.ec2().volumeState(volumeId).zone = C;
        assertRefused("auto", "but EC2 says volume " + volumeId + " is in us-east-1c");
        world.ec2().removeVolume(volumeId);
        assertRefused("auto", "does not exist");
    }

    @Test
    void aMissingClaimIsBadInput() {
        assertThatThrownBy(() -> new MigrationPlanner(cluster, world.ec2())
                .plan(ClaimRef.parse("default/www-web-9"), "auto", true, null))
                .isInstanceOfSatisfying(ZonemoverException.class,
                        e -> assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT));
    }

    @Test
    void aPodWithTwoClaimsMovesThemTogetherTheNamedOneFirst() {
        FakeWorld two = FakeWorld.zones(B, C).statefulSet("db", "pg").pods(2).claims("data", "wal").zone(i -> B).add();
        MigrationPlan plan = new MigrationPlanner(two.cluster(), two.ec2())
                .plan(ClaimRef.parse("db/wal-pg-1"), C, true, null);
        assertThat(plan.moves()).extracting(m -> m.claim().name()).containsExactly("wal-pg-1", "data-pg-1");
        assertThat(plan.podName()).isEqualTo("pg-1");
        assertThat(plan.notes()).anyMatch(n -> n.contains("2 EBS claims"));
        MigrationPlan byPod = new MigrationPlanner(two.cluster(), two.ec2())
                .planPod(ClaimRef.parse("db/pg-1"), C, true, null);
        assertThat(byPod.moves()).extracting(m -> m.claim().name()).containsExactly("data-pg-1", "wal-pg-1");
    }

    @Test
    void aSplitPodIsReunitedWhereMostOfItsDataIs() {
        FakeWorld split = FakeWorld.zones(B, C).statefulSet("db", "pg").claims("data", "wal").zone(i -> B).add();
        FakeCluster.PvObj wal = split.cluster().pvState("pvc-wal-pg-0");
        wal.zone = C;
        split.ec2().volumeState(wal.volumeId).zone = C;
        split.ec2().volumeState(wal.volumeId).sizeGiB = 5;
        MigrationPlan plan = new MigrationPlanner(split.cluster(), split.ec2())
                .plan(ClaimRef.parse("db/data-pg-0"), "auto", true, null);
        assertThat(plan.toZone()).isEqualTo(B);
        assertThat(plan.moves()).extracting(m -> m.claim().name()).containsExactly("wal-pg-0");
        assertThat(plan.notes()).anyMatch(n -> n.contains("already in us-east-1b"));
    }

    @Test
    void theOwnJobsLockIsNoRefusal() {
        cluster.claimState("default", "www-web-3").annotations.put("zonemover.io/migration", "zm-mine");
        assertThat(new MigrationPlanner(cluster, world.ec2()).plan(CLAIM, C, true, "zm-mine").toZone()).isEqualTo(C);
    }
}
