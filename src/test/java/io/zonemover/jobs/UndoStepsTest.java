package io.zonemover.jobs;

import io.zonemover.domain.Tags;
import io.zonemover.testing.FakeBlockStore;
import io.zonemover.testing.FakeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.zonemover.jobs.MoveStepsTest.C;
import static io.zonemover.jobs.MoveStepsTest.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rollback on the in-memory fakes: each step's undo, from a move of a two-claim pod that failed as late as
 * it can (its pod never started in the target zone), passes the same checks as the forward steps; and a
 * rollback from any instant before the point of no return puts the cluster back exactly as it was.
 */
class UndoStepsTest {

    /** The move of web-1 failed in restart: the pod was created in 1c but never started. */
    static StepDriver failedInRestart() throws Exception {
        Map<String, String> params = StepDriver.move("default/www-web-1", C);
        params.put(MigrationJob.PARAM_READY_TIMEOUT, "0");
        StepDriver d = new StepDriver(MoveStepsTest.twoClaimPods(), params);
        d.world.cluster().podNeverStartsIn("web-1", C);
        d.runBefore("restart");
        assertThatThrownBy(() -> d.run("restart")).hasMessageContaining("was not Ready");
        return d;
    }

    /** The rollback started, and the undos of the steps after {@code step} done. */
    static StepDriver rollingBackTo(String step) throws Exception {
        StepDriver d = failedInRestart();
        d.startRollback();
        for (int i = StepDriver.STEPS.length - 1; !StepDriver.STEPS[i].equals(step); i--) {
            d.undo(StepDriver.STEPS[i]);
        }
        return d;
    }

    private static Convergence backward(String step) {
        return new Convergence(() -> rollingBackTo(step), step, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"finish", "restart", "rebind", "restore", "final-snapshot", "quiesce", "pre-snapshot",
            "protect", "preflight"})
    void runningAnUndoAgainFromItsCheckpointChangesNothing(String step) throws Exception {
        backward(step).rerunChangesNothing();
    }

    @ParameterizedTest
    @ValueSource(strings = {"finish", "restart", "rebind", "restore", "final-snapshot", "quiesce", "pre-snapshot",
            "protect", "preflight"})
    void anUndoConvergesThroughATransientErrorOrConflictOnAnyCall(String step) throws Exception {
        backward(step).convergesThroughAnErrorOnEachCall();
    }

    @ParameterizedTest
    @ValueSource(strings = {"finish", "restart", "rebind", "restore", "final-snapshot", "quiesce", "pre-snapshot",
            "protect", "preflight"})
    void aRejectionOfAnyCallFailsTheUndo(String step) throws Exception {
        backward(step).failsOnARejectionOfEachCall();
    }

    @ParameterizedTest
    @ValueSource(strings = {"finish", "restart", "rebind", "restore", "final-snapshot", "quiesce", "pre-snapshot",
            "protect", "preflight"})
    void aCrashDuringAnyIterationOfAnUndoLeavesNoDuplicate(String step) throws Exception {
        backward(step).survivesACrashDuringEachIteration();
    }

    @Test
    void theRollbackOfAMoveThatFailedInRestartPutsBothClaimsBackOnTheirVolumes() throws Exception {
        StepDriver d = failedInRestart();
        List<String> newVolumes = d.ctx().all(RestoreStep.NEW_VOLUME);
        List<String> newPvs = d.ctx().all(RestoreStep.NEW_PV);
        d.rollback();
        FakeCluster cluster = d.world.cluster();
        for (int i = 0; i < 2; i++) {
            FakeCluster.ClaimObj claim = cluster.claimState(NS, d.ctx().claimAt(i).name());
            assertThat(claim.phase).isEqualTo("Bound");
            assertThat(claim.volumeName).isEqualTo(d.ctx().get(PreflightStep.OLD_PV, i));
            assertThat(claim.annotations).doesNotContainKey(Tags.MIGRATION_ANNOTATION);
            assertThat(cluster.pvState(claim.volumeName).reclaimPolicy).isEqualTo("Delete");
            assertThat(cluster.pvState(newPvs.get(i))).as("the PV made for the new volume").isNull();
            FakeBlockStore.Volume restored = d.world.ec2().volumeState(newVolumes.get(i));
            assertThat(restored.tags).as("the new volume is kept, tagged").containsEntry(Tags.ROLLED_BACK, StepDriver.JOB);
        }
        FakeCluster.PodObj pod = cluster.podState(NS, "web-1");
        assertThat(pod.zone).isEqualTo(MoveStepsTest.B);
        assertThat(pod.ready).isTrue();
        assertThat(cluster.statefulSetState(NS, "web").updateStrategy).contains("RollingUpdate");
        assertThat(cluster.configMapNames()).isEmpty();
    }

    @Test
    void aRollbackFromAnyInstantBeforeThePointOfNoReturnPutsTheClusterBackAsItWas() throws Exception {
        String original = MoveStepsTest.moveOfWeb1().world.cluster().fingerprint();
        List<String> failures = new ArrayList<>();
        int instants = 0;
        for (int k = 1; ; k++) {
            StepDriver d = MoveStepsTest.moveOfWeb1();
            boolean finished = d.runFor(k);
            if (finished || d.ctx().has(RestartStep.RAN_ON_NEW_VOLUMES)) {
                break;
            }
            instants++;
            try {
                List<String> created = d.ctx().all(RestoreStep.NEW_VOLUME);
                d.rollback();
                String now = d.world.cluster().fingerprint();
                if (!now.equals(original)) {
                    failures.add("after " + k + " calls: " + Convergence.diff(original, now));
                }
                for (FakeBlockStore.Volume v : d.world.ec2().allVolumes()) {
                    boolean old = !v.tags.containsKey(Tags.JOB);
                    if (old && !"in-use".equals(v.state)) {
                        failures.add("after " + k + " calls: old volume " + v.id + " is " + v.state);
                    }
                    if (!old && created.contains(v.id) && !v.tags.containsKey(Tags.ROLLED_BACK)) {
                        failures.add("after " + k + " calls: new volume " + v.id + " not tagged rolled back");
                    }
                }
            } catch (Exception | AssertionError e) {
                failures.add("after " + k + " calls: " + e);
            }
        }
        assertThat(instants).isGreaterThan(20);
        assertThat(failures).isEmpty();
    }

    @Test
    void aRollbackWithDiscardedWritesAfterFinishBeganKeepsTheNewVolumes() throws Exception {
        StepDriver d = MoveStepsTest.moveOfWeb1().runThrough("restart");
        assertThat(d.run("finish", false, 1)).as("finish gave new PV 0 the old PV's Delete policy").isEqualTo(-1);
        List<String> created = d.ctx().all(RestoreStep.NEW_VOLUME);
        d.rollback();
        for (String id : created) {
            assertThat(d.world.ec2().volumeState(id)).as("new volume " + id + ", which holds the writes made since")
                    .isNotNull();
            assertThat(d.world.ec2().volumeState(id).tags).containsEntry(Tags.ROLLED_BACK, StepDriver.JOB);
        }
    }
}
