package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.Placement;
import io.zonemover.domain.ZonemoverException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Preflight decisions on hand-written stubs of the two ports: every refusal, and the zone `auto` picks. */
class MigrationPlannerTest {

    private static final ClaimRef CLAIM = ClaimRef.parse("default/www-web-3");

    private StubCluster cluster;
    private StubBlockStore ec2;

    @BeforeEach
    void stuckPod() {
        cluster = new StubCluster();
        ec2 = new StubBlockStore();
        cluster.claim = new Cluster.Claim(CLAIM, "uid-1", "Bound", "pv-3", "gp2", List.of("ReadWriteOnce"), Map.of(), false, "{}");
        cluster.pv = new Cluster.Pv("pv-3", "vol-3", "us-east-1b", true, false, "Delete", "Bound", "default", "www-web-3",
                "uid-1", "gp2", "20Gi", List.of("ReadWriteOnce"), "Filesystem", "ext4", List.of(), false, "{}");
        cluster.sts = new Cluster.StatefulSet("default", "web", "sts-uid", 4, 3, false, "{}");
        cluster.pod = new Cluster.Pod("default", "web-3", "pod-uid", "Pending", false, null, null, "web", false,
                "0/6 nodes are available: 4 node(s) had volume node affinity conflict.");
        cluster.nodes.add(node("b1", "us-east-1b", 1930, 1900));
        cluster.nodes.add(node("c1", "us-east-1c", 1930, 500));
        cluster.nodes.add(node("d1", "us-east-1d", 1930, 500));
        cluster.spread = Map.of("us-east-1b", 1, "us-east-1c", 2, "us-east-1d", 1);
        ec2.volume = new EbsVolume("vol-3", "us-east-1b", "available", 20, "gp2", null, null, false, null, null, Map.of(), List.of());
    }

    private MigrationPlan plan(String to) {
        return new MigrationPlanner(cluster, ec2).plan(CLAIM, to, true, null);
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
        assertThat(plan.fromZone()).isEqualTo("us-east-1b");
        assertThat(plan.toZone()).isEqualTo("us-east-1d");
        assertThat(plan.podName()).isEqualTo("web-3");
        assertThat(plan.volumeId()).isEqualTo("vol-3");
        assertThat(plan.notes()).anyMatch(n -> n.contains("Retain"));
    }

    @Test
    void anExplicitZoneWithRoomIsTaken() {
        assertThat(plan("us-east-1c").toZone()).isEqualTo("us-east-1c");
    }

    @Test
    void refusals() {
        assertRefused("us-east-1b", "already in us-east-1b");
        assertRefused("us-east-1z", "not an available zone");
        cluster.nodes.set(1, node("c1", "us-east-1c", 1930, 1900));
        assertRefused("us-east-1c", "has no Ready, schedulable node with room");
    }

    @Test
    void autoWithNoRoomAnywhereElseIsRefused() {
        cluster.nodes.set(1, node("c1", "us-east-1c", 1930, 1900));
        cluster.nodes.set(2, node("d1", "us-east-1d", 1930, 1900));
        assertRefused("auto", "no zone other than us-east-1b");
    }

    @Test
    void autoOnAHealthyPodHasNothingToDo() {
        cluster.pod = new Cluster.Pod("default", "web-3", "pod-uid", "Running", true, "b1", "us-east-1b", "web", false, null);
        assertRefused("auto", "nothing to do");
    }

    @Test
    void claimStateRefusals() {
        Cluster.Claim bound = cluster.claim;
        cluster.claim = new Cluster.Claim(CLAIM, "uid-1", "Pending", null, "gp2", List.of("ReadWriteOnce"), Map.of(), false, "{}");
        assertRefused("auto", "is not Bound");
        cluster.claim = new Cluster.Claim(CLAIM, "uid-1", "Bound", "pv-3", "gp2", List.of("ReadWriteMany"), Map.of(), false, "{}");
        assertRefused("auto", "ReadWriteMany");
        cluster.claim = new Cluster.Claim(CLAIM, "uid-1", "Bound", "pv-3", "gp2", List.of("ReadWriteOnce"),
                Map.of("zonemover.io/migration", "zm-other"), false, "{}");
        assertRefused("auto", "held by job zm-other");
        cluster.claim = bound;
        cluster.sts = null;
        assertRefused("auto", "does not come from a StatefulSet");
    }

    @Test
    void volumeRefusals() {
        Cluster.Pv ebs = cluster.pv;
        cluster.pv = new Cluster.Pv("pv-3", null, null, false, false, "Delete", "Bound", "default", "www-web-3", "uid-1",
                "nfs", "20Gi", List.of("ReadWriteOnce"), "Filesystem", null, List.of(), false, "{}");
        assertRefused("auto", "not EBS-backed");
        cluster.pv = ebs;
        ec2.volume = new EbsVolume("vol-3", "us-east-1c", "available", 20, "gp2", null, null, false, null, null, Map.of(), List.of());
        assertRefused("auto", "but EC2 says volume vol-3 is in us-east-1c");
        ec2.volume = null;
        assertRefused("auto", "does not exist");
    }

    @Test
    void aMissingClaimIsBadInput() {
        cluster.claim = null;
        assertThatThrownBy(() -> plan("auto")).isInstanceOfSatisfying(ZonemoverException.class,
                e -> assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT));
    }

    private static Placement.Node node(String name, String zone, long allocatableMilli, long requestedMilli) {
        return new Placement.Node(name, zone, true, true, List.of(), Map.of("topology.kubernetes.io/zone", zone),
                allocatableMilli, 8L << 30, requestedMilli, 1L << 30);
    }

    /** Only what the planner reads; anything else would be a planner that writes, which it must not. */
    private static final class StubCluster implements Cluster {
        Claim claim;
        Pv pv;
        StatefulSet sts;
        Pod pod;
        List<Placement.Node> nodes = new ArrayList<>();
        Map<String, Integer> spread = Map.of();

        public Optional<Claim> claim(ClaimRef ref) { return Optional.ofNullable(claim); }
        public Optional<Pv> pv(String name) { return Optional.ofNullable(pv).filter(p -> p.name().equals(name)); }
        public Optional<Pod> pod(String namespace, String name) { return Optional.ofNullable(pod).filter(p -> p.name().equals(name)); }
        public Optional<StatefulSet> statefulSetOwning(ClaimRef ref) { return Optional.ofNullable(sts); }
        public Optional<StatefulSet> statefulSet(String namespace, String name) { return Optional.ofNullable(sts); }
        public List<Placement.Node> placementNodes() { return nodes; }
        public Placement.PodNeeds podNeeds(StatefulSet statefulSet) { return Placement.PodNeeds.of(500, 512L << 20); }
        public Map<String, Integer> podsPerZone(StatefulSet statefulSet) { return spread; }
        public boolean attachedInCluster(String pvName) { throw new UnsupportedOperationException(); }
        public List<String> claimWarnings(ClaimRef ref) { throw new UnsupportedOperationException(); }
        public void annotateClaim(ClaimRef ref, String key, String value) { throw new UnsupportedOperationException(); }
        public void setReclaimPolicy(String pvName, String policy) { throw new UnsupportedOperationException(); }
        public void deleteStatefulSetOrphan(String namespace, String name) { throw new UnsupportedOperationException(); }
        public void createStatefulSet(String manifest) { throw new UnsupportedOperationException(); }
        public void deletePod(String namespace, String name) { throw new UnsupportedOperationException(); }
        public void deleteClaim(ClaimRef ref) { throw new UnsupportedOperationException(); }
        public void createStaticPv(StaticPv pv) { throw new UnsupportedOperationException(); }
        public void deletePv(String name) { throw new UnsupportedOperationException(); }
        public void clearClaimRef(String pvName) { throw new UnsupportedOperationException(); }
        public void createClaimBoundTo(String savedClaimManifest, String pvName) { throw new UnsupportedOperationException(); }
    }

    private static final class StubBlockStore implements BlockStore {
        EbsVolume volume;

        public List<String> zones() { return List.of("us-east-1b", "us-east-1c", "us-east-1d"); }
        public Optional<EbsVolume> volume(String volumeId) { return Optional.ofNullable(volume); }
        public List<EbsVolume> volumesTagged(String key, String value) { throw new UnsupportedOperationException(); }
        public Optional<EbsSnapshot> snapshot(String snapshotId) { throw new UnsupportedOperationException(); }
        public List<EbsSnapshot> snapshotsTagged(String key, String value) { throw new UnsupportedOperationException(); }
        public String createSnapshot(String volumeId, String description, Map<String, String> tags) { throw new UnsupportedOperationException(); }
        public String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags, String clientToken) { throw new UnsupportedOperationException(); }
        public void tag(String resourceId, Map<String, String> tags) { throw new UnsupportedOperationException(); }
    }
}
