package io.zonemover.cleanup;

import io.zonemover.cleanup.CleanupPlan.Leftover;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.PortError;
import io.zonemover.domain.Tags;
import io.zonemover.testing.FakeBlockStore;
import io.zonemover.testing.FakeCluster;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cleanup on the in-memory fakes, from the state a completed move leaves: the source volume detached and tagged
 * superseded-by, the move's two snapshots, the old PV Released with Retain, the claim Bound to a new PV on the
 * new volume, its pod Ready. What is due, what waits, what is refused, and that nothing else is touched.
 */
class CleanupTest {

    private static final Duration WEEK = Duration.ofDays(7);
    private static final long DAY = 86_400;
    private static final ClaimRef CLAIM = new ClaimRef("default", "data-db-0");

    private FakeWorld world;
    private FakeBlockStore ec2;
    private FakeCluster cluster;
    private String oldVolume;
    private String newVolume;
    private List<String> moveSnapshots;
    private String protectiveSnapshot;
    private String bystander;

    @BeforeEach
    void aCompletedMove() {
        world = FakeWorld.zones("us-east-1b", "us-east-1c").statefulSet("default", "db").pods(1).claims("data")
                .zone(i -> "us-east-1b").volumes(100, "gp3").add()
                .statefulSet("default", "other").pods(1).claims("data").zone(i -> "us-east-1c").add();
        ec2 = world.ec2();
        cluster = world.cluster();
        bystander = cluster.pvState("pvc-data-other-0").volumeId;
        oldVolume = cluster.pvState("pvc-data-db-0").volumeId;
        String pre = snapshot("pre");
        ec2.advanceClock(600);
        String fin = snapshot("final");
        moveSnapshots = List.of(pre, fin);
        protectiveSnapshot = ec2.createSnapshot(oldVolume, "protective",
                Tags.forProtectiveSnapshot(oldVolume, CLAIM, "earlier"));
        ec2.snapshotState(protectiveSnapshot).state = "completed";

        newVolume = ec2.addVolume("us-east-1c", 100, "gp3",
                Tags.forRestoredVolume(Map.of(), "zm-1", oldVolume, CLAIM, "new-pv")).id;
        ec2.detach(oldVolume);
        ec2.attach(newVolume, "i-node-c");
        ec2.tag(oldVolume, Map.of(Tags.SUPERSEDED_BY, newVolume, Tags.JOB, "zm-1"));
        FakeCluster.PvObj oldPv = cluster.pvState("pvc-data-db-0");
        oldPv.phase = "Released";
        oldPv.reclaimPolicy = "Retain";
        FakeCluster.PvObj newPv = cluster.addPv("new-pv");
        newPv.volumeId = newVolume;
        newPv.zone = "us-east-1c";
        newPv.phase = "Bound";
        newPv.claimNamespace = "default";
        newPv.claimName = CLAIM.name();
        cluster.claimState("default", CLAIM.name()).volumeName = "new-pv";
        cluster.podState("default", "db-0").zone = "us-east-1c";
    }

    private String snapshot(String phase) {
        String id = ec2.createSnapshot(oldVolume, phase, Tags.forSnapshot("zm-1", phase, oldVolume, CLAIM));
        ec2.snapshotState(id).state = "completed";
        return id;
    }

    private CleanupPlan plan() {
        return new LeftoverFinder(cluster, ec2).plan(WEEK, List.of());
    }

    private List<String> volumeIds() {
        return ec2.allVolumes().stream().map(v -> v.id).toList();
    }

    private List<String> snapshotIds() {
        return ec2.allSnapshots().stream().map(s -> s.id).toList();
    }

    @Test
    void beforeTheRetentionNothingIsDue() {
        ec2.advanceClock(6 * DAY);
        CleanupPlan plan = plan();

        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.leftovers()).singleElement().satisfies(l -> {
            assertThat(l.volumeId()).isEqualTo(oldVolume);
            assertThat(l.due()).isFalse();
            assertThat(l.waitReason()).startsWith("retention: moved 6.0 days ago, due in ");
        });
        assertThat(new LeftoverRemover(cluster, ec2).run(plan)).isEmpty();
        assertThat(volumeIds()).contains(oldVolume);
        assertThat(snapshotIds()).containsAll(moveSnapshots);
    }

    @Test
    void afterTheRetentionExactlyTheKeptVolumeAndTheMovesSnapshotsGoAndASecondRunFindsNothing() {
        ec2.advanceClock(8 * DAY);
        List<String> volumesBefore = volumeIds();
        CleanupPlan plan = plan();

        Leftover leftover = plan.due().get(0);
        assertThat(plan.due()).hasSize(1);
        assertThat(leftover.claim()).isEqualTo(CLAIM);
        assertThat(leftover.pod()).isEqualTo("db-0");
        assertThat(leftover.snapshots()).extracting(s -> s.id()).containsExactlyInAnyOrderElementsOf(moveSnapshots);
        assertThat(leftover.oldPvs()).containsExactly("pvc-data-db-0");
        // 100 GiB gp3 at $0.08, and two snapshots counted whole at $0.05 (an upper bound).
        assertThat(leftover.volumeMonthlyUsd()).isEqualTo(8.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(leftover.snapshotsMonthlyUsd()).isEqualTo(10.0, org.assertj.core.data.Offset.offset(1e-9));

        List<LeftoverRemover.Outcome> outcomes = new LeftoverRemover(cluster, ec2).run(plan);

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.error()).isNull();
            assertThat(o.volumeDeleted()).isTrue();
        });
        assertThat(volumeIds()).containsExactlyInAnyOrderElementsOf(
                volumesBefore.stream().filter(v -> !v.equals(oldVolume)).toList());
        assertThat(volumeIds()).contains(newVolume, bystander);
        assertThat(snapshotIds()).containsExactly(protectiveSnapshot);
        assertThat(cluster.pvState("pvc-data-db-0")).as("old PV left for kubectl").isNotNull();
        assertThat(plan().leftovers()).isEmpty();
        assertThat(plan().refusals()).isEmpty();
    }

    @Test
    void refusesAnAttachedVolume() {
        ec2.advanceClock(8 * DAY);
        ec2.attach(oldVolume, "i-someone");

        CleanupPlan plan = plan();

        assertThat(plan.leftovers()).isEmpty();
        assertThat(plan.refusals()).singleElement().satisfies(r -> {
            assertThat(r.volumeId()).isEqualTo(oldVolume);
            assertThat(r.reason()).contains("attached", "i-someone");
        });
    }

    @Test
    void refusesAVolumeAPvBindsOrCouldBind() {
        ec2.advanceClock(8 * DAY);
        cluster.pvState("pvc-data-db-0").phase = "Available";

        assertThat(plan().refusals()).singleElement().satisfies(r ->
                assertThat(r.reason()).isEqualTo("bound to PV pvc-data-db-0 (Available)"));
    }

    @Test
    void refusesAVolumeThatIsNotZonemovers() {
        ec2.advanceClock(8 * DAY);
        ec2.detach(bystander);

        CleanupPlan plan = new LeftoverFinder(cluster, ec2).plan(WEEK, List.of(bystander, oldVolume));

        assertThat(plan.refusals()).singleElement().satisfies(r -> {
            assertThat(r.volumeId()).isEqualTo(bystander);
            assertThat(r.reason()).contains("not zonemover's", "bound to PV pvc-data-other-0 (Bound)");
        });
    }

    @Test
    void waitsWhileThePodIsNotReadyOrTheClaimIsNotOnTheNewVolume() {
        ec2.advanceClock(8 * DAY);
        cluster.podState("default", "db-0").ready = false;
        assertThat(plan().leftovers().get(0).waitReason()).isEqualTo("pod db-0 is not Ready");

        cluster.podState("default", "db-0").ready = true;
        cluster.claimState("default", CLAIM.name()).volumeName = "pvc-data-db-0";
        assertThat(plan().leftovers().get(0).waitReason())
                .isEqualTo("claim default/data-db-0 is bound to PV pvc-data-db-0 on " + oldVolume + ", not on " + newVolume);

        cluster.claimState("default", CLAIM.name()).volumeName = "new-pv";
        ec2.detach(newVolume);
        assertThat(plan().leftovers().get(0).waitReason()).isEqualTo("its new volume " + newVolume
                + " is available, not in use");
    }

    @Test
    void aRunStoppedAfterTheSnapshotsFinishesTheVolumeNextTime() {
        ec2.advanceClock(8 * DAY);
        ec2.faults().failNext(1, "deleteVolume", PortError.Kind.TRANSIENT);

        List<LeftoverRemover.Outcome> first = new LeftoverRemover(cluster, ec2).run(plan());

        assertThat(first.get(0).error()).isNotNull();
        assertThat(first.get(0).deletedSnapshots()).containsExactlyInAnyOrderElementsOf(moveSnapshots);
        assertThat(volumeIds()).contains(oldVolume);
        CleanupPlan again = plan();
        assertThat(again.due()).as("dated by the mark, though its snapshots are gone").hasSize(1);
        assertThat(new LeftoverRemover(cluster, ec2).run(again).get(0).error()).isNull();
        assertThat(volumeIds()).doesNotContain(oldVolume);
    }

    @Test
    void aVolumeAttachedAfterThePlanIsLeftAlone() {
        ec2.advanceClock(8 * DAY);
        CleanupPlan plan = plan();
        ec2.attach(oldVolume, "i-late");

        LeftoverRemover.Outcome outcome = new LeftoverRemover(cluster, ec2).run(plan).get(0);

        assertThat(outcome.error()).contains("changed since the plan", "attached");
        assertThat(outcome.deletedSnapshots()).isEmpty();
        assertThat(snapshotIds()).containsAll(moveSnapshots);
    }
}
