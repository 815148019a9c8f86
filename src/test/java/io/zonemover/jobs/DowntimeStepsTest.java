package io.zonemover.jobs;

import io.zonemover.testing.FakeBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.zonemover.jobs.MoveStepsTest.C;
import static io.zonemover.jobs.MoveStepsTest.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What shortens the downtime, step by step on the fakes (the two-claim pod web-1 of {@link MoveStepsTest}): the
 * final snapshot as soon as the old volumes are detaching, pre-copy rounds while the pod runs, the claims' rebind
 * while EC2 creates the new volumes, and the new volumes' initialization (a rate, or fast snapshot restore that is
 * enabled for the restore and disabled after it).
 */
class DowntimeStepsTest {

    private static StepDriver move(Consumer<Map<String, String>> params) {
        Map<String, String> p = StepDriver.move("default/www-web-1", C);
        params.accept(p);
        return new StepDriver(MoveStepsTest.twoClaimPods(), p);
    }

    private static List<FakeBlockStore.Snapshot> snapshots(StepDriver d, String phase) {
        return d.world.ec2().allSnapshots().stream().filter(s -> phase.equals(s.tags.get("zonemover.io/phase")))
                .toList();
    }

    /** After each iteration: the old volumes, once EC2 has them detached, are shown still attached, detaching. */
    private static void detachStaysUnderWay(StepDriver d, boolean detaching) {
        d.afterEachIteration = x -> {
            if (x.ctx().has(PreflightStep.OLD_VOLUME, 0) && x.world.cluster().podState(NS, "web-1") == null) {
                for (String id : x.ctx().all(PreflightStep.OLD_VOLUME)) {
                    FakeBlockStore.Volume v = x.world.ec2().volumeState(id);
                    if (v.attachments.isEmpty()) {
                        x.world.ec2().attach(id, "i-old-node");
                        if (detaching) {
                            x.world.ec2().startDetach(id);
                        }
                    }
                }
            }
        };
    }

    // ---- the stop window ----

    @Test
    void theFinalSnapshotIsTakenOnceTheOldVolumesAreDetachingNotDetached() throws Exception {
        StepDriver d = move(p -> { });
        d.runBefore("quiesce");
        detachStaysUnderWay(d, true);
        d.run("quiesce");
        d.run("final-snapshot");
        for (String id : d.ctx().all(PreflightStep.OLD_VOLUME)) {
            FakeBlockStore.Volume v = d.world.ec2().volumeState(id);
            assertThat(v.state).as("still attached, detaching").isEqualTo("in-use");
            assertThat(v.detaching).isTrue();
        }
        assertThat(snapshots(d, "final")).hasSize(2).allMatch(s -> "completed".equals(s.state));
    }

    @Test
    void aVolumeStillAttachedIsWaitedForAndNeverSnapshotted() throws Exception {
        StepDriver d = move(p -> { });
        d.runBefore("quiesce");
        detachStaysUnderWay(d, false);
        assertThat(d.run("quiesce", false, 30)).as("quiesce never finishes while a volume is attached").isEqualTo(-1);

        StepDriver again = move(p -> { });
        again.runThrough("quiesce");
        // Something attached a volume again after the quiesce: the final snapshot refuses it.
        again.world.ec2().attach(again.ctx().get(PreflightStep.OLD_VOLUME, 0), "i-intruder");
        assertThatThrownBy(() -> again.run("final-snapshot")).hasMessageContaining("refusing to take the final snapshot");
        assertThat(snapshots(again, "final")).isEmpty();
    }

    @Test
    void theClaimsAreReboundWhileTheNewVolumesAreStillCreating() throws Exception {
        StepDriver d = move(p -> { });
        d.world.ec2().durations(2, 50);
        d.runThrough("final-snapshot");
        // Run the restore until its volumes exist, then a few more iterations: they are still creating.
        d.run("restore", false, 12);
        for (int i = 0; i < 2; i++) {
            String volume = d.ctx().get(RestoreStep.NEW_VOLUME, i);
            assertThat(d.world.ec2().volumeState(volume).state).isEqualTo("creating");
            var claim = d.world.cluster().claimState(NS, d.ctx().claimAt(i).name());
            assertThat(claim.volumeName).isEqualTo(d.ctx().get(RestoreStep.NEW_PV, i));
            assertThat(claim.phase).isEqualTo("Bound");
            assertThat(d.world.cluster().pvState(claim.volumeName).volumeId).isEqualTo(volume);
        }
        assertThat(d.world.cluster().statefulSetState(NS, "web")).as("nothing can use them yet").isNull();
        d.run("restore");
        assertThat(d.run("rebind")).as("nothing left to do").isEqualTo(1);
    }

    @Test
    void aRestoredVolumeThatFailsHasItsPvReplacedForTheNextAttempt() throws Exception {
        StepDriver d = move(p -> { });
        d.world.ec2().failNextVolumes(1);
        d.runThrough("rebind");
        for (int i = 0; i < 2; i++) {
            String volume = d.ctx().get(RestoreStep.NEW_VOLUME, i);
            assertThat(d.world.ec2().volumeState(volume).state).isEqualTo("available");
            var claim = d.world.cluster().claimState(NS, d.ctx().claimAt(i).name());
            assertThat(d.world.cluster().pvState(claim.volumeName).volumeId).isEqualTo(volume);
            assertThat(claim.phase).isEqualTo("Bound");
        }
        assertThat(d.ctx().getLong(RestoreStep.ATTEMPT, 0, 1)).isEqualTo(2);
    }

    // ---- pre-copy rounds ----

    @Test
    void withoutTheRoundsParameterThereIsOnePreSnapshot() throws Exception {
        StepDriver d = move(p -> { });
        d.world.ec2().snapshotsTake(300);
        d.runThrough("pre-snapshot");
        assertThat(snapshots(d, "pre")).hasSize(2);
    }

    @Test
    void roundsGoOnWhileTheyShrinkAndStopOnceOneIsSmall() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS, "4"));
        d.world.ec2().snapshotsTake(132, 132, 31, 31);
        d.runThrough("final-snapshot");
        assertThat(snapshots(d, "pre")).hasSize(4);
        assertThat(d.ctx().getLong(PreSnapshotStep.took(1), -1)).isEqualTo(132_000);
        assertThat(d.ctx().getLong(PreSnapshotStep.took(2), -1)).isEqualTo(31_000);
        // The final snapshots are incremental to the last round's, which the checkpoint names.
        List<String> lastRound = d.ctx().all(PreSnapshotStep.PRE_SNAPSHOT);
        assertThat(lastRound).allSatisfy(id -> assertThat(d.world.ec2().snapshotState(id).tags)
                .containsEntry(Snapshots.ATTEMPT, "2"));
        assertThat(d.progress).anyMatch(m -> m.contains("small enough"));
    }

    @Test
    void roundsStopAtTheLimit() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS, "3"));
        d.world.ec2().snapshotsTake(600, 600, 400, 400, 250, 250, 150);
        d.runThrough("pre-snapshot");
        assertThat(snapshots(d, "pre")).hasSize(6);
        assertThat(d.progress).anyMatch(m -> m.contains("the last of 3 rounds"));
    }

    @Test
    void aRoundThatDoesNotShrinkIsTheLast() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS, "4"));
        d.world.ec2().snapshotsTake(300, 300, 280, 280, 100);
        d.runThrough("pre-snapshot");
        assertThat(snapshots(d, "pre")).hasSize(4);
        assertThat(d.progress).anyMatch(m -> m.contains("writes about as fast as a round copies"));
    }

    @Test
    void aPodThatDoesNotRunGetsNoSecondRound() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS, "4"));
        d.world.ec2().snapshotsTake(300);
        d.world.cluster().podState(NS, "web-1").started = false;
        d.runThrough("pre-snapshot");
        assertThat(snapshots(d, "pre")).hasSize(2);
    }

    @Test
    void aFailedRoundEndsTheRoundsAndTheMoveGoesOn() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS, "4"));
        d.world.ec2().snapshotsTake(300).failNextSnapshots(1);
        d.runAll();
        assertThat(snapshots(d, "pre")).hasSize(2);
        assertThat(d.world.cluster().podState(NS, "web-1").zone).isEqualTo(C);
    }

    @ParameterizedTest
    @ValueSource(strings = {"crash", "rerun", "transient"})
    void roundsConvergeAsEveryStepMust(String check) throws Exception {
        Convergence c = new Convergence(() -> {
            StepDriver d = move(p -> p.put(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS, "3"));
            d.world.ec2().snapshotsTake(300, 300, 100, 100, 40);
            return d.runBefore("pre-snapshot");
        }, "pre-snapshot", false);
        switch (check) {
            case "crash" -> c.survivesACrashDuringEachIteration();
            case "rerun" -> c.rerunChangesNothing();
            default -> c.convergesThroughAnErrorOnEachCall();
        }
    }

    // ---- the new volumes' initialization ----

    @Test
    void anInitializationRateIsAskedOfEveryNewVolume() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_INIT_RATE, "250"));
        d.runThrough("restore");
        for (String id : d.ctx().all(RestoreStep.NEW_VOLUME)) {
            assertThat(d.world.ec2().volumeState(id).initializationRate).isEqualTo(250);
        }
    }

    @Test
    void fastSnapshotRestoreIsEnabledBeforeTheVolumesAndDisabledOnceTheyExist() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_FAST_RESTORE, "true"));
        d.runThrough("restore");
        for (int i = 0; i < 2; i++) {
            FakeBlockStore.Volume v = d.world.ec2().volumeState(d.ctx().get(RestoreStep.NEW_VOLUME, i));
            assertThat(v.fastRestored).as("created while enabled").isTrue();
            FakeBlockStore.Snapshot s = d.world.ec2().snapshotState(d.ctx().get(FinalSnapshotStep.FINAL_SNAPSHOT, i));
            assertThat(s.fastRestores.get(C)).startsWith("disabl");
        }
        assertThat(d.ctx().has(RestoreStep.FSR_DISABLED)).isTrue();
    }

    @Test
    void fastSnapshotRestoreSomeoneElseEnabledIsLeftEnabled() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_FAST_RESTORE, "true"));
        d.runThrough("final-snapshot");
        String theirs = d.ctx().get(FinalSnapshotStep.FINAL_SNAPSHOT, 0);
        d.world.ec2().snapshotState(theirs).fastRestores.put(C, "enabled");
        d.run("restore");
        assertThat(d.world.ec2().snapshotState(theirs).fastRestores).containsEntry(C, "enabled");
        assertThat(d.world.ec2().snapshotState(d.ctx().get(FinalSnapshotStep.FINAL_SNAPSHOT, 1)).fastRestores.get(C))
                .startsWith("disabl");
    }

    @Test
    void aRollbackDisablesFastSnapshotRestoreLeftEnabled() throws Exception {
        StepDriver d = move(p -> p.put(MigrationJob.PARAM_FAST_RESTORE, "true"));
        d.runThrough("final-snapshot");
        d.run("restore", false, 4); // which are ours, asked, seen enabled: no volume yet
        assertThat(d.ctx().has(RestoreStep.FSR_ENABLED)).isTrue();
        assertThat(d.ctx().all(RestoreStep.NEW_VOLUME)).containsOnlyNulls();
        d.undo("restore");
        for (String id : d.ctx().all(FinalSnapshotStep.FINAL_SNAPSHOT)) {
            assertThat(d.world.ec2().snapshotState(id).fastRestores.get(C)).startsWith("disabl");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"crash", "rerun", "transient", "rejection"})
    void aRestoreWithFastSnapshotRestoreConvergesAsEveryStepMust(String check) throws Exception {
        Convergence c = new Convergence(() -> move(p -> p.put(MigrationJob.PARAM_FAST_RESTORE, "true"))
                .runBefore("restore"), "restore", false);
        switch (check) {
            case "crash" -> c.survivesACrashDuringEachIteration();
            case "rerun" -> c.rerunChangesNothing();
            case "transient" -> c.convergesThroughAnErrorOnEachCall();
            default -> c.failsOnARejectionOfEachCall();
        }
    }
}
