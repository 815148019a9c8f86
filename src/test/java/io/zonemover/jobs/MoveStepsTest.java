package io.zonemover.jobs;

import io.zonemover.domain.PortError;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.testing.FakeBlockStore;
import io.zonemover.testing.FakeCluster;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each step of the move on the in-memory fakes, for a pod with two claims (www and data of web-1, both in
 * us-east-1b, moving to us-east-1c): where it ends, that running it again changes nothing, that an error on
 * any one port call changes neither where it ends nor what it creates, that a rejection fails it, and that a
 * crash in any of its iterations leaves no duplicate.
 */
class MoveStepsTest {

    static final String B = "us-east-1b";
    static final String C = "us-east-1c";
    static final String NS = "default";

    /** StatefulSet web: two pods, each with claims www and data, all in 1b; snapshots and volumes take 2 ticks. */
    static FakeWorld twoClaimPods() {
        FakeWorld world = FakeWorld.zones(B, C, "us-east-1d").statefulSet(NS, "web").pods(2).claims("www", "data")
                .zone(i -> B).add();
        world.ec2().durations(2, 2);
        return world;
    }

    static StepDriver moveOfWeb1() {
        return new StepDriver(twoClaimPods(), StepDriver.move("default/www-web-1", C));
    }

    private static Convergence forward(String step) {
        return new Convergence(() -> moveOfWeb1().runBefore(step), step, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"preflight", "protect", "pre-snapshot", "quiesce", "final-snapshot", "restore", "rebind",
            "restart", "finish"})
    void runningAStepAgainFromItsCheckpointChangesNothing(String step) throws Exception {
        forward(step).rerunChangesNothing();
    }

    @ParameterizedTest
    @ValueSource(strings = {"preflight", "protect", "pre-snapshot", "quiesce", "final-snapshot", "restore", "rebind",
            "restart", "finish"})
    void aStepConvergesThroughATransientErrorOrConflictOnAnyCall(String step) throws Exception {
        forward(step).convergesThroughAnErrorOnEachCall();
    }

    @ParameterizedTest
    @ValueSource(strings = {"preflight", "protect", "pre-snapshot", "quiesce", "final-snapshot", "restore", "rebind",
            "restart", "finish"})
    void aRejectionOfAnyCallFailsTheStep(String step) throws Exception {
        forward(step).failsOnARejectionOfEachCall();
    }

    @ParameterizedTest
    @ValueSource(strings = {"preflight", "protect", "pre-snapshot", "quiesce", "final-snapshot", "restore", "rebind",
            "restart", "finish"})
    void aCrashDuringAnyIterationOfAStepLeavesNoDuplicate(String step) throws Exception {
        forward(step).survivesACrashDuringEachIteration();
    }

    // ---- where each step ends ----

    @Test
    void preflightOnlyReadsAndRecordsBothClaimsOfThePod() throws Exception {
        StepDriver d = moveOfWeb1();
        String before = d.world.fingerprint();
        d.run("preflight");
        assertThat(d.world.fingerprint()).isEqualTo(before);
        assertThat(d.world.cluster().faults().calls()).noneMatch(c -> Convergence.WRITES.contains(c.method()));
        MigrationContext ctx = d.ctx();
        assertThat(ctx.all(MigrationContext.CLAIM_NAME)).containsExactly("www-web-1", "data-web-1");
        assertThat(ctx.get(PreflightStep.TO_ZONE)).isEqualTo(C);
        assertThat(ctx.get(PreflightStep.POD)).isEqualTo("web-1");
        assertThat(ctx.all(PreflightStep.OLD_VOLUME)).containsExactly(volumeOf(d, "www-web-1"), volumeOf(d, "data-web-1"));
    }

    @Test
    void protectLocksBothClaimsRetainsTheirVolumesAndRecordsTheMove() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("protect");
        FakeCluster cluster = d.world.cluster();
        for (String claim : List.of("www-web-1", "data-web-1")) {
            assertThat(cluster.claimState(NS, claim).annotations).containsEntry(Tags.MIGRATION_ANNOTATION, StepDriver.JOB);
            assertThat(cluster.pvState("pvc-" + claim).reclaimPolicy).isEqualTo("Retain");
        }
        assertThat(cluster.claimState(NS, "www-web-0").annotations).isEmpty();
        assertThat(cluster.configMapNames()).containsExactly(NS + "/" + MoveRecord.name(StepDriver.JOB));
        assertThat(d.ctx().all(ProtectStep.OLD_RECLAIM_POLICY)).containsExactly("Delete", "Delete");
        assertThat(d.ctx().get(ProtectStep.STS_MANIFEST)).contains("\"name\":\"web\"");
    }

    @Test
    void preSnapshotTakesOneSnapshotPerClaimWhileThePodRuns() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("pre-snapshot");
        assertThat(snapshots(d, "pre")).hasSize(2).allMatch(s -> "completed".equals(s.state));
        assertThat(d.world.cluster().podState(NS, "web-1").ready).isTrue();
    }

    @Test
    void quiesceStopsOnlyThePodAndWaitsForItsVolumesToDetach() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("quiesce");
        FakeCluster cluster = d.world.cluster();
        assertThat(cluster.statefulSetState(NS, "web")).isNull();
        assertThat(cluster.podState(NS, "web-1")).isNull();
        assertThat(cluster.podState(NS, "web-0").ready).as("the other pod keeps running").isTrue();
        for (String id : d.ctx().all(PreflightStep.OLD_VOLUME)) {
            assertThat(d.world.ec2().volumeState(id).state).isEqualTo("available");
        }
    }

    @Test
    void finalSnapshotTakesOneCompletedSnapshotPerClaim() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("final-snapshot");
        assertThat(snapshots(d, "final")).hasSize(2).allMatch(s -> "completed".equals(s.state))
                .extracting(s -> s.volumeId).containsExactlyElementsOf(d.ctx().all(PreflightStep.OLD_VOLUME));
    }

    @Test
    void restoreMakesOneVolumePerClaimInTheTargetZoneLikeTheOld() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("restore");
        List<String> finals = d.ctx().all(FinalSnapshotStep.FINAL_SNAPSHOT);
        List<String> created = d.ctx().all(RestoreStep.NEW_VOLUME);
        assertThat(d.world.ec2().allVolumes()).hasSize(6);
        for (int i = 0; i < 2; i++) {
            FakeBlockStore.Volume v = d.world.ec2().volumeState(created.get(i));
            assertThat(v.zone).isEqualTo(C);
            assertThat(v.state).isEqualTo("available");
            assertThat(v.snapshotId).isEqualTo(finals.get(i));
            assertThat(v.type).isEqualTo("gp3");
            assertThat(v.sizeGiB).isEqualTo(20);
            assertThat(v.tags).containsEntry("team", "storage").containsEntry(Tags.JOB, StepDriver.JOB)
                    .containsEntry(Tags.SOURCE_VOLUME, d.ctx().all(PreflightStep.OLD_VOLUME).get(i));
        }
    }

    @Test
    void rebindBindsBothClaimsToStaticPvsOfTheNewVolumes() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("rebind");
        FakeCluster cluster = d.world.cluster();
        for (int i = 0; i < 2; i++) {
            FakeCluster.ClaimObj claim = cluster.claimState(NS, d.ctx().claimAt(i).name());
            assertThat(claim.phase).isEqualTo("Bound");
            assertThat(claim.volumeName).isEqualTo(d.ctx().get(RestoreStep.NEW_PV, i));
            FakeCluster.PvObj pv = cluster.pvState(claim.volumeName);
            assertThat(pv.zone).isEqualTo(C);
            assertThat(pv.volumeId).isEqualTo(d.ctx().get(RestoreStep.NEW_VOLUME, i));
            FakeCluster.PvObj old = cluster.pvState(d.ctx().get(PreflightStep.OLD_PV, i));
            assertThat(old.phase).as("the old PV is kept").isEqualTo("Released");
            assertThat(d.world.ec2().volumeState(old.volumeId)).as("and so its volume").isNotNull();
        }
    }

    @Test
    void restartBringsThePodBackInTheTargetZoneWithNothingElseRestarted() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("rebind");
        FakeCluster.PodObj other = d.world.cluster().podState(NS, "web-0");
        d.run("restart");
        FakeCluster cluster = d.world.cluster();
        assertThat(cluster.podState(NS, "web-1").zone).isEqualTo(C);
        assertThat(cluster.podState(NS, "web-1").ready).isTrue();
        assertThat(cluster.podState(NS, "web-0")).as("the other pod, adopted, not recreated").isSameAs(other);
        assertThat(cluster.statefulSetState(NS, "web").updateStrategy).isEqualTo(RestartStep.ON_DELETE);
        assertThat(d.ctx().has(RestartStep.RAN_ON_NEW_VOLUMES)).isTrue();
    }

    @Test
    void finishLeavesThingsAsTheyWereOnTheNewVolumes() throws Exception {
        StepDriver d = moveOfWeb1().runAll();
        FakeCluster cluster = d.world.cluster();
        for (int i = 0; i < 2; i++) {
            assertThat(cluster.pvState(d.ctx().get(RestoreStep.NEW_PV, i)).reclaimPolicy).isEqualTo("Delete");
            assertThat(cluster.claimState(NS, d.ctx().claimAt(i).name()).annotations).isEmpty();
            assertThat(d.world.ec2().volumeState(d.ctx().get(PreflightStep.OLD_VOLUME, i)).tags)
                    .containsEntry(Tags.SUPERSEDED_BY, d.ctx().get(RestoreStep.NEW_VOLUME, i));
        }
        assertThat(cluster.statefulSetState(NS, "web").updateStrategy).contains("RollingUpdate");
        assertThat(cluster.configMapNames()).isEmpty();
        assertThat(d.ctx().has(FinishStep.REVISION_WARNING)).isFalse();
    }

    @Test
    void finishKeepsOnDeleteWhenTheRecreatedStatefulSetHasAnotherRevision() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("restart");
        d.world.cluster().statefulSetState(NS, "web").image = "nginx:1.28";
        d.world.cluster().statefulSetState(NS, "web").generation++;
        d.world.settle();
        d.run("finish");
        assertThat(d.world.cluster().statefulSetState(NS, "web").updateStrategy).isEqualTo(RestartStep.ON_DELETE);
        assertThat(d.ctx().get(FinishStep.REVISION_WARNING)).contains("web-0");
    }

    @Test
    void finishCompletesWhenAnOldVolumeIsAlreadyGone() throws Exception {
        StepDriver d = moveOfWeb1().runThrough("restart");
        d.world.ec2().removeVolume(d.ctx().get(PreflightStep.OLD_VOLUME, 0));
        d.run("finish");
        assertThat(d.world.cluster().claimState(NS, "www-web-1").annotations).isEmpty();
    }

    // ---- failures that are not port errors ----

    @Test
    void aFinalSnapshotThatEndsInErrorIsTakenAgainUpToThreeTimes() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("final-snapshot");
        d.world.ec2().failNextSnapshots(2);
        d.run("final-snapshot");
        assertThat(snapshots(d, "final")).hasSize(4);
        assertThat(d.ctx().all(FinalSnapshotStep.ATTEMPT)).containsExactly("2", "2");

        StepDriver e = moveOfWeb1().runBefore("final-snapshot");
        e.world.ec2().failNextSnapshots(6);
        assertThatThrownBy(() -> e.run("final-snapshot")).hasMessageContaining("failed 3 times");
        assertThat(e.ctx().has(MigrationStep.ROLLBACK_REQUESTED)).isTrue();
    }

    @Test
    void snapshotRateLimitsAreWaitedOut() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("final-snapshot");
        d.world.ec2().faults().failNextWith(3, "createSnapshot", () -> new PortError(PortError.Kind.TRANSIENT, "EC2",
                "SnapshotCreationPerVolumeRateExceeded", "one per 15 s", null));
        d.run("final-snapshot");
        assertThat(snapshots(d, "final")).hasSize(2);
    }

    @Test
    void aRestoredVolumeThatEndsInErrorIsCreatedAgainWithANewToken() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("restore");
        d.world.ec2().failNextVolumes(1);
        d.run("restore");
        assertThat(d.world.ec2().allVolumes()).filteredOn(v -> C.equals(v.zone)).extracting(v -> v.state)
                .containsExactlyInAnyOrder("error", "available", "available");
        assertThat(d.ctx().get(RestoreStep.ATTEMPT, 0)).isEqualTo("2");
    }

    @Test
    void transientErrorsPastTheBudgetFailTheStepWithoutARollback() throws Exception {
        StepDriver d = new StepDriver(twoClaimPods(), StepDriver.move("default/www-web-1", C), -1);
        d.runBefore("final-snapshot");
        d.world.ec2().faults().failNext(1, "createSnapshot", PortError.Kind.TRANSIENT);
        assertThatThrownBy(() -> d.run("final-snapshot")).isInstanceOf(MigrationStep.StepFailure.class)
                .hasMessageContaining("jobs resume");
        assertThat(d.ctx().has(MigrationStep.ROLLBACK_REQUESTED)).isFalse();
    }

    @Test
    void aResumeGetsAFreshTransientBudget() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("final-snapshot");
        d.world.ec2().faults().failNext(1, "createSnapshot", PortError.Kind.TRANSIENT);
        // Two calls: the intent to create is recorded first, then the create is throttled.
        assertThat(d.run("final-snapshot", false, 2)).as("waiting the throttling out").isEqualTo(-1);
        d.restart();
        // The process died there; `jobs resume` runs an hour later, and EC2 throttles its first call again.
        long since = d.stepContext("final-snapshot").getLong("transientSince");
        d.stepContext("final-snapshot").putLong("transientSince", since - 3_600_000);
        d.world.ec2().faults().failNext(1, "createSnapshot", PortError.Kind.TRANSIENT);
        d.run("final-snapshot");
        assertThat(snapshots(d, "final")).hasSize(2);
    }

    @Test
    void aRejectionAfterThePodStoppedAsksForARollbackAndOneBeforeDoesNot() throws Exception {
        StepDriver before = moveOfWeb1().runBefore("pre-snapshot");
        before.world.ec2().faults().failNext(1, null, PortError.Kind.REJECTED);
        assertThatThrownBy(() -> before.run("pre-snapshot")).isInstanceOf(PortError.class);
        assertThat(before.ctx().has(MigrationStep.ROLLBACK_REQUESTED)).isFalse();

        StepDriver after = moveOfWeb1().runBefore("restore");
        after.world.ec2().faults().failNext(1, null, PortError.Kind.REJECTED);
        assertThatThrownBy(() -> after.run("restore")).isInstanceOf(PortError.class);
        assertThat(after.ctx().get(MigrationStep.ROLLBACK_REQUESTED)).startsWith("restore: ");
    }

    @Test
    void aPodThatNeverStartsInTheTargetZoneFailsRestartAfterItsTimeout() throws Exception {
        java.util.Map<String, String> params = StepDriver.move("default/www-web-1", C);
        params.put(MigrationJob.PARAM_READY_TIMEOUT, "0");
        StepDriver d = new StepDriver(twoClaimPods(), params);
        d.world.cluster().podNeverStartsIn("web-1", C);
        d.runBefore("restart");
        assertThatThrownBy(() -> d.run("restart")).hasMessageContaining("was not Ready in us-east-1c");
        assertThat(d.ctx().has(MigrationStep.ROLLBACK_REQUESTED)).isTrue();
        assertThat(d.ctx().has(RestartStep.RAN_ON_NEW_VOLUMES)).isFalse();
    }

    @Test
    void aSourceVolumeAttachedAgainIsNeverSnapshotForTheFinalCopy() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("final-snapshot");
        d.world.ec2().attach(d.ctx().get(PreflightStep.OLD_VOLUME, 0), "i-intruder");
        assertThatThrownBy(() -> d.run("final-snapshot")).hasMessageContaining("refusing to take the final snapshot");
        assertThat(snapshots(d, "final")).isEmpty();
    }

    @Test
    void protectIsRefusedWhenAnotherMoveHoldsAClaim() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("protect");
        d.world.cluster().claimState(NS, "data-web-1").annotations.put(Tags.MIGRATION_ANNOTATION, "zm-other");
        assertThatThrownBy(() -> d.run("protect")).isInstanceOfSatisfying(ZonemoverException.class,
                e -> assertThat(e.getMessage()).contains("held by move zm-other"));
    }

    static String volumeOf(StepDriver d, String claim) {
        return d.world.cluster().pvState("pvc-" + claim).volumeId;
    }

    static List<FakeBlockStore.Snapshot> snapshots(StepDriver d, String phase) {
        return d.world.ec2().allSnapshots().stream().filter(s -> phase.equals(s.tags.get(Tags.PHASE))).toList();
    }
}
