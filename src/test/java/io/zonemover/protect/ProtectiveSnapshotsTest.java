package io.zonemover.protect;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.LabelSelector;
import io.zonemover.domain.PortError;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.protect.ProtectiveSnapshots.Decision;
import io.zonemover.protect.ProtectiveSnapshots.Outcome;
import io.zonemover.protect.ProtectiveSnapshots.Plan;
import io.zonemover.protect.ProtectiveSnapshots.Report;
import io.zonemover.protect.ProtectiveSnapshots.Status;
import io.zonemover.testing.FakeBlockStore;
import io.zonemover.testing.FakeWorld;
import io.zonemover.testing.Faults;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The use case on the in-memory fakes: what is taken, what is kept, what is never touched, and EC2's limits. */
class ProtectiveSnapshotsTest {

    private static final Instant NOW = Instant.parse("2026-11-30T09:00:00Z");

    private FakeWorld world;
    private FakeBlockStore ec2;
    private final List<Duration> pauses = new ArrayList<>();
    private ProtectiveSnapshots snapshots;

    @BeforeEach
    void world() {
        world = FakeWorld.zones("us-east-1b", "us-east-1c", "us-east-1d")
                .statefulSet("default", "db").pods(2).claims("data", "wal")
                .zone(i -> i == 0 ? "us-east-1b" : "us-east-1c").add();
        ec2 = world.ec2();
        snapshots = new ProtectiveSnapshots(world.cluster(), ec2, Clock.fixed(NOW, ZoneOffset.UTC), 4,
                Duration.ofMillis(100), pauses::add);
    }

    private String volumeOf(String claim) {
        return world.cluster().pvState("pvc-" + claim).volumeId;
    }

    private Report run(int keep) {
        return snapshots.run(snapshots.plan(null, LabelSelector.everything(), keep));
    }

    /** A snapshot of the volume as an earlier run (or someone else) left it: completed unless said otherwise. */
    private String existing(String volumeId, Map<String, String> tags, String state) {
        String id = ec2.createSnapshot(volumeId, "earlier", tags);
        ec2.snapshotState(id).state = state;
        return id;
    }

    private String protective(String claim, String state) {
        String volume = volumeOf(claim);
        return existing(volume, Tags.forProtectiveSnapshot(volume, new ClaimRef("default", claim), "earlier"), state);
    }

    private List<FakeBlockStore.Snapshot> snapshotsOf(String claim) {
        return ec2.allSnapshots().stream().filter(s -> s.volumeId.equals(volumeOf(claim))).toList();
    }

    private static Outcome outcome(Report report, String claim) {
        return report.outcomes().stream().filter(o -> o.item().claim().name().equals(claim)).findFirst().orElseThrow();
    }

    @Test
    void takesOneTaggedSnapshotOfEveryClaimOfEveryPodTwoClaimPodsIncluded() {
        Report report = run(7);

        assertThat(report.failed()).isFalse();
        assertThat(report.outcomes()).extracting(o -> o.item().claim().toString()).containsExactly(
                "default/data-db-0", "default/wal-db-0", "default/data-db-1", "default/wal-db-1");
        assertThat(report.outcomes()).allSatisfy(o -> assertThat(o.status()).isEqualTo(Status.TAKEN));
        assertThat(ec2.allSnapshots()).hasSize(4);
        for (String claim : List.of("data-db-0", "wal-db-0", "data-db-1", "wal-db-1")) {
            FakeBlockStore.Snapshot s = snapshotsOf(claim).get(0);
            assertThat(s.tags).containsEntry(Tags.PROTECT, "true").containsEntry(Tags.CLAIM, "default/" + claim)
                    .containsEntry(Tags.SOURCE_VOLUME, volumeOf(claim)).containsEntry(Tags.TAKEN_AT, NOW.toString())
                    .doesNotContainKey(Tags.JOB);
            assertThat(outcome(report, claim).snapshotId()).isEqualTo(s.id);
        }
        assertThat(outcome(report, "wal-db-1").item().zone()).isEqualTo("us-east-1c");
        assertThat(outcome(report, "wal-db-1").item().pod()).isEqualTo("db-1");
    }

    @Test
    void keepsNIncludingTheNewOneAndDeletesOnlyItsOwnOlderOnes() {
        String volume = volumeOf("data-db-0");
        String oldest = protective("data-db-0", "completed");
        String older = protective("data-db-0", "completed");
        String newer = protective("data-db-0", "completed");
        String newest = protective("data-db-0", "completed");
        String moves = existing(volume, Tags.forSnapshot("zm-1", "final", volume, new ClaimRef("default", "data-db-0")),
                "completed");
        String velero = existing(volume, Map.of("velero.io/backup", "nightly"), "completed");
        String dlm = existing(volume, Map.of("aws:dlm:lifecycle-policy-id", "policy-1"), "completed");
        Map<String, String> moveMarkedProtect = new java.util.HashMap<>(
                Tags.forSnapshot("zm-2", "pre", volume, new ClaimRef("default", "data-db-0")));
        moveMarkedProtect.put(Tags.PROTECT, "true");
        String moveWithProtectTag = existing(volume, moveMarkedProtect, "completed");

        // --keep 2 with a new one about to be taken: the newest completed stays, with the new one that makes 2.
        Plan plan = snapshots.plan(null, LabelSelector.everything(), 2);
        assertThat(plan.items().get(0).toDelete()).containsExactlyInAnyOrder(oldest, older, newer);
        assertThat(plan.items().get(0).kept()).isEqualTo(1);
        Report report = snapshots.run(plan);

        assertThat(report.failed()).isFalse();
        assertThat(outcome(report, "data-db-0").deleted()).containsExactlyInAnyOrder(oldest, older, newer);
        assertThat(snapshotsOf("data-db-0")).extracting(s -> s.id)
                .contains(newest, moves, velero, dlm, moveWithProtectTag)
                .doesNotContain(oldest, older, newer)
                .hasSize(6); // the five kept plus the new one
        assertThat(ec2.allSnapshots()).noneMatch(s -> s.id.equals(oldest) || s.id.equals(older) || s.id.equals(newer));
    }

    @Test
    void onlyCompletedOnesCountTowardNAndPendingOnesAreNeverDeletedButSkipTheVolume() {
        String old = protective("data-db-0", "completed");
        String recent = protective("data-db-0", "completed");
        String inFlight = protective("data-db-0", "pending");
        String failed = protective("data-db-0", "error");
        ec2.faults().clearLog();

        Report report = run(1);

        Outcome data = outcome(report, "data-db-0");
        assertThat(data.status()).isEqualTo(Status.SKIPPED_LIMIT);
        assertThat(data.reason()).contains(inFlight, "pending");
        assertThat(data.deleted()).containsExactlyInAnyOrder(old, failed);
        assertThat(snapshotsOf("data-db-0")).extracting(s -> s.id).containsExactlyInAnyOrder(recent, inFlight);
        assertThat(report.failed()).as("a limit is not a failure").isFalse();
        assertThat(ec2.faults().calls()).filteredOn(c -> c.method().equals("createSnapshot"))
                .noneMatch(c -> c.args().get(0).equals(volumeOf("data-db-0")));
        assertThat(outcome(report, "wal-db-0").status()).isEqualTo(Status.TAKEN);
    }

    @Test
    void aVolumeWithFivePendingSnapshotsOfAnyoneIsSkippedForEc2sLimit() {
        String volume = volumeOf("wal-db-1");
        for (int i = 0; i < 5; i++) {
            existing(volume, Map.of("velero.io/backup", "b" + i), "pending");
        }
        Report report = run(3);
        assertThat(outcome(report, "wal-db-1").status()).isEqualTo(Status.SKIPPED_LIMIT);
        assertThat(outcome(report, "wal-db-1").reason()).contains("5 snapshots", "pending");
        assertThat(report.failed()).isFalse();
    }

    @Test
    void ec2sPerVolumeLimitsSkipTheVolumeWithoutRetryOrFailure() {
        ec2.faults().failNextWith(1, "createSnapshot", () -> new PortError(PortError.Kind.TRANSIENT, "EC2",
                "SnapshotCreationPerVolumeRateExceeded", "The maximum per volume CreateSnapshot request rate has been exceeded", null));
        ec2.faults().failNextWith(1, "createSnapshot", () -> new PortError(PortError.Kind.TRANSIENT, "EC2",
                "ConcurrentSnapshotLimitExceeded", "Maximum number of concurrent snapshots", null));

        Report report = run(7);

        assertThat(report.outcomes()).extracting(Outcome::status).containsExactly(Status.SKIPPED_LIMIT,
                Status.SKIPPED_LIMIT, Status.TAKEN, Status.TAKEN);
        assertThat(outcome(report, "data-db-0").reason()).contains("SnapshotCreationPerVolumeRateExceeded");
        assertThat(outcome(report, "wal-db-0").reason()).contains("ConcurrentSnapshotLimitExceeded");
        assertThat(report.failed()).isFalse();
        assertThat(ec2.faults().count("createSnapshot")).as("no retry of a limit").isEqualTo(4);
        assertThat(pauses).isEmpty();
    }

    @Test
    void transientErrorsAreRetriedAndALostAnswerDoesNotMakeASecondSnapshot() {
        ec2.faults().failNext(2, "createSnapshot", PortError.Kind.TRANSIENT);
        ec2.faults().failNext(1, "createSnapshot", PortError.Kind.TRANSIENT, Faults.When.AFTER_EFFECT);
        world.cluster().faults().failNext(1, "statefulSets", PortError.Kind.TRANSIENT);

        Report report = run(7);

        assertThat(report.failed()).isFalse();
        assertThat(report.outcomes()).allSatisfy(o -> assertThat(o.status()).isEqualTo(Status.TAKEN));
        for (String claim : List.of("data-db-0", "wal-db-0", "data-db-1", "wal-db-1")) {
            assertThat(snapshotsOf(claim)).as(claim + ": exactly one snapshot").hasSize(1);
            assertThat(outcome(report, claim).snapshotId()).isEqualTo(snapshotsOf(claim).get(0).id);
        }
        assertThat(pauses).isNotEmpty().allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(400)));
    }

    @Test
    void aRealFailureFailsThatVolumeOnlyAndTheRunReportsIt() {
        ec2.faults().failNext(1, "createSnapshot", PortError.Kind.REJECTED);
        String gone = volumeOf("wal-db-1");
        ec2.removeVolume(gone);

        Report report = run(7);

        assertThat(report.failed()).isTrue();
        assertThat(outcome(report, "data-db-0").status()).isEqualTo(Status.FAILED);
        assertThat(outcome(report, "data-db-0").reason()).contains("InvalidParameterValue");
        assertThat(outcome(report, "wal-db-0").status()).isEqualTo(Status.TAKEN);
        assertThat(outcome(report, "data-db-1").status()).isEqualTo(Status.TAKEN);
        assertThat(outcome(report, "wal-db-1").status()).isEqualTo(Status.FAILED);
        assertThat(outcome(report, "wal-db-1").reason()).contains(gone);
    }

    @Test
    void theSelectorAndTheNamespaceChooseTheStatefulSets() {
        world.statefulSet("default", "web").pods(1).claims("www").add()
                .statefulSet("shop", "cache").pods(1).claims("data").add();
        world.cluster().statefulSetState("default", "db").labels.put("zonemover.io/protect", "true");
        world.cluster().statefulSetState("shop", "cache").labels.put("zonemover.io/protect", "true");
        world.cluster().statefulSetState("default", "web").labels.put("zonemover.io/protect", "false");

        Plan all = snapshots.plan(null, LabelSelector.parse("zonemover.io/protect=true"), 7);
        assertThat(all.statefulSets()).containsExactly("default/db", "shop/cache");
        assertThat(all.items()).extracting(i -> i.claim().toString()).containsExactly("default/data-db-0",
                "default/wal-db-0", "default/data-db-1", "default/wal-db-1", "shop/data-cache-0");

        Plan shop = snapshots.plan("shop", LabelSelector.parse("zonemover.io/protect in (true, yes)"), 7);
        assertThat(shop.statefulSets()).containsExactly("shop/cache");
        assertThat(shop.toTake()).isEqualTo(1);

        Plan none = snapshots.plan(null, LabelSelector.parse("app=nothing"), 7);
        assertThat(none.items()).isEmpty();
        assertThat(snapshots.run(none).failed()).isFalse();
        assertThat(ec2.allSnapshots()).as("plans change nothing").isEmpty();
    }

    @Test
    void claimsBeingMovedAndClaimsOfPodsNotThereYetAreSkippedNotFailed() {
        world.cluster().claimState("default", "data-db-1").annotations.put(Tags.MIGRATION_ANNOTATION, "zm-7");
        world.cluster().statefulSetState("default", "db").replicas = 3; // db-2 not created yet
        world.cluster().addClaim("default", "data-db-2"); // Pending, no volume; wal-db-2 does not exist at all

        Plan plan = snapshots.plan("default", LabelSelector.everything(), 7);

        assertThat(plan.items()).extracting(i -> i.claim().name()).containsExactly("data-db-0", "wal-db-0",
                "data-db-1", "wal-db-1", "data-db-2");
        ProtectiveSnapshots.Item moved = plan.items().get(2);
        assertThat(moved.decision()).isEqualTo(Decision.SKIP);
        assertThat(moved.reason()).contains("zm-7");
        assertThat(plan.items().get(4).decision()).isEqualTo(Decision.SKIP);
        assertThat(plan.items().get(4).reason()).contains("Pending");
        Report report = snapshots.run(plan);
        assertThat(report.failed()).isFalse();
        assertThat(report.count(Status.TAKEN)).isEqualTo(3);
        assertThat(outcome(report, "data-db-1").status()).isEqualTo(Status.SKIPPED);
        assertThat(snapshotsOf("data-db-1")).isEmpty();
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsRead() {
        assertThatThrownBy(() -> snapshots.plan(null, LabelSelector.everything(), 0))
                .isInstanceOf(ZonemoverException.class).hasMessageContaining("--keep");
        for (String bad : List.of("app=", "=web", "app in ()", "a b", "app=(x", "app=we b", "-app=x",
                "tier in (a,b", "x/=y", "Bad_Prefix.com/x=y")) {
            if (bad.equals("app=")) {
                assertThat(LabelSelector.parse(bad).matches(Map.of("app", ""))).as("empty value is valid").isTrue();
                continue;
            }
            assertThatThrownBy(() -> LabelSelector.parse(bad)).as(bad).isInstanceOf(ZonemoverException.class)
                    .satisfies(e -> assertThat(((ZonemoverException) e).kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT))
                    .hasMessageContaining("label selector");
        }
        assertThat(world.cluster().faults().calls()).isEmpty();
        assertThat(LabelSelector.parse("a,!b,c!=d,e notin (f)").matches(Map.of("a", "1", "c", "x"))).isTrue();
        assertThat(LabelSelector.parse("a,!b").matches(Map.of("a", "1", "b", "2"))).isFalse();
    }
}
