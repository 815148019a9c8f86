package io.zonemover.jobs;

import io.zonemover.domain.PortError;
import io.zonemover.testing.Faults;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static io.zonemover.jobs.MoveStepsTest.C;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole move of a two-claim pod on the fakes: one DescribeSnapshots or DescribeVolumes call per poll for
 * all of its volumes, and the same end under a storm of random transient errors as without, both forwards and
 * when rolling back.
 */
class WholeMoveTest {

    @Test
    void everyPollAsksEc2OnceForAllOfThePodsVolumes() throws Exception {
        StepDriver d = MoveStepsTest.moveOfWeb1();
        // Volumes take longer than the rebind that runs meanwhile (RestoreStep pipelines it): they are polled.
        d.world.ec2().durations(3, 12);
        d.runAll();
        assertPolls(d, "pre-snapshot", "snapshots", "snapshot", 2);
        assertPolls(d, "final-snapshot", "snapshots", "snapshot", 2);
        assertPolls(d, "quiesce", "volumes", "volume", 1);
        assertPolls(d, "restore", "volumes", "volume", 2);
    }

    private static void assertPolls(StepDriver d, String step, String batch, String single, int atLeast) {
        List<StepDriver.Iteration> polls = d.iterations.stream().filter(i -> i.step().equals(step))
                .filter(i -> i.ec2().stream().anyMatch(c -> c.method().equals(batch))).toList();
        assertThat(polls).as(step + " polls").hasSizeGreaterThanOrEqualTo(atLeast);
        for (StepDriver.Iteration poll : polls) {
            List<Faults.Call> calls = poll.ec2().stream().filter(c -> c.method().equals(batch)).toList();
            assertThat(calls).as(step + ": " + batch + " calls in one poll").hasSize(1);
            assertThat((List<?>) calls.get(0).args().get(0)).as("ids asked for at once").hasSize(2);
            assertThat(poll.ec2()).as(step + ": one-by-one reads in a poll").noneMatch(c -> c.method().equals(single));
        }
    }

    @Test
    void aCleanMoveOfATwoClaimPodCreatesFourSnapshotsTwoVolumesTwoPvsAndTwoClaims() throws Exception {
        StepDriver d = MoveStepsTest.moveOfWeb1().runAll();
        assertThat(d.world.ec2().faults().count("createSnapshot")).isEqualTo(4);
        assertThat(d.world.ec2().faults().count("createVolume")).isEqualTo(2);
        assertThat(d.world.cluster().faults().count("createStaticPv")).isEqualTo(2);
        assertThat(d.world.cluster().faults().count("createClaimBoundTo")).isEqualTo(2);
        assertThat(d.world.cluster().faults().count("createStatefulSet")).isEqualTo(1);
        assertThat(d.world.cluster().faults().count("deleteStatefulSetOrphan")).isEqualTo(1);
    }

    @Test
    void theMoveOfAOneClaimPodEndsWhereATwoClaimOneDoesForEachClaim() throws Exception {
        FakeWorld world = FakeWorld.zones(MoveStepsTest.B, C).statefulSet("default", "web").pods(1).add();
        StepDriver d = new StepDriver(world, StepDriver.move("default/www-web-0", C)).runAll();
        assertThat(world.cluster().podState("default", "web-0").zone).isEqualTo(C);
        assertThat(world.cluster().claimState("default", "www-web-0").volumeName)
                .isEqualTo(d.ctx().get(RestoreStep.NEW_PV, 0));
        assertThat(world.ec2().allSnapshots()).hasSize(2);
        assertThat(world.ec2().allVolumes()).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void theMoveEndsTheSameUnderRandomTransientErrors(long seed) throws Exception {
        String clean = MoveStepsTest.moveOfWeb1().runAll().world.fingerprint();
        StepDriver d = MoveStepsTest.moveOfWeb1();
        d.world.cluster().faults().failRandomly(0.25, seed, seed % 2 == 0 ? PortError.Kind.CONFLICT
                : PortError.Kind.TRANSIENT, Faults.When.BEFORE);
        d.world.ec2().faults().failRandomly(0.25, seed, PortError.Kind.TRANSIENT, Faults.When.AFTER_EFFECT);
        d.runAll();
        assertThat(d.world.cluster().faults().injected() + d.world.ec2().faults().injected()).isGreaterThan(10);
        assertThat(d.world.fingerprint()).isEqualTo(clean);
        assertThat(d.world.ec2().allSnapshots()).as("2 pre + 2 final, however often the answer was lost").hasSize(4);
        assertThat(d.world.ec2().allVolumes()).as("4 old + 2 restored").hasSize(6);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void theRollbackEndsTheSameUnderRandomTransientErrors(long seed) throws Exception {
        String clean = UndoStepsTest.failedInRestart().rollback().world.fingerprint();
        StepDriver d = UndoStepsTest.failedInRestart();
        d.world.cluster().faults().failRandomly(0.25, seed, PortError.Kind.TRANSIENT, Faults.When.AFTER_EFFECT);
        d.world.ec2().faults().failRandomly(0.25, seed, PortError.Kind.TRANSIENT, Faults.When.BEFORE);
        d.rollback();
        assertThat(d.world.fingerprint()).isEqualTo(clean);
    }

    @Test
    void aMoveResumedAfterEachStepEndsTheSame() throws Exception {
        String clean = MoveStepsTest.moveOfWeb1().runAll().world.fingerprint();
        StepDriver d = MoveStepsTest.moveOfWeb1();
        for (String step : StepDriver.STEPS) {
            d.run(step);
            d.restart();
        }
        assertThat(d.world.fingerprint()).isEqualTo(clean);
    }

    @Test
    void anAdoptedMoveSeededFromItsRecordFinishesTheSame() throws Exception {
        String clean = MoveStepsTest.moveOfWeb1().runAll().world.fingerprint();
        StepDriver first = MoveStepsTest.moveOfWeb1().runThrough("rebind");
        Map<String, String> checkpoint = new MoveRecord(first.services).read("default", StepDriver.JOB)
                .orElseThrow().checkpoint();
        StepDriver other = new StepDriver(first.world, StepDriver.move("default/www-web-1", C));
        other.ctx().seed(checkpoint);
        other.runAll();
        assertThat(other.world.fingerprint()).isEqualTo(clean);
    }

    @Test
    void noPodCanWriteToAnOldVolumeOnceItsFinalSnapshotHasStarted() throws Exception {
        StepDriver d = MoveStepsTest.moveOfWeb1();
        List<String> violations = new java.util.ArrayList<>();
        d.afterEachIteration = driver -> {
            for (io.zonemover.testing.FakeBlockStore.Snapshot s : MoveStepsTest.snapshots(driver, "final")) {
                io.zonemover.testing.FakeBlockStore.Volume old = driver.world.ec2().volumeState(s.volumeId);
                boolean podOnIt = driver.world.cluster().podState("default", "web-1") != null
                        && driver.world.cluster().podState("default", "web-1").zone.equals(old.zone);
                if (!old.attachments.isEmpty() || podOnIt) {
                    violations.add(driver.iterations.get(driver.iterations.size() - 1).step() + ": " + old.id
                            + " attached to " + old.attachments);
                }
            }
            if (driver.world.cluster().statefulSetState("default", "web") == null) {
                assertThat(driver.ctx().has(QuiesceStep.STARTED)).as("the StatefulSet is gone only while the pod is down")
                        .isTrue();
            }
        };
        d.runAll();
        assertThat(violations).isEmpty();
    }

    @Test
    void aSplitPodIsMovedWholeWithTheClaimAlreadyThereLeftAsItIs() throws Exception {
        FakeWorld world = MoveStepsTest.twoClaimPods();
        io.zonemover.testing.FakeCluster.PvObj wal = world.cluster().pvState("pvc-data-web-1");
        world.ec2().volumeState(wal.volumeId).zone = C;
        wal.zone = C;
        StepDriver d = new StepDriver(world, StepDriver.move("default/www-web-1", C)).runAll();
        assertThat(d.ctx().all(MigrationContext.CLAIM_NAME)).containsExactly("www-web-1");
        assertThat(world.cluster().claimState("default", "data-web-1").volumeName).isEqualTo("pvc-data-web-1");
        assertThat(world.cluster().podState("default", "web-1").zone).isEqualTo(C);
        assertThat(world.cluster().podState("default", "web-1").ready).isTrue();
    }

    @Test
    void aMoveByPodNameMovesAllOfItsClaimsAndKeepRetainKeepsTheNewPvsRetained() throws Exception {
        Map<String, String> params = StepDriver.move("default/data-web-1", C);
        params.put(MigrationJob.PARAM_POD, "default/web-1");
        params.put(MigrationJob.PARAM_KEEP_RETAIN, "true");
        StepDriver d = new StepDriver(MoveStepsTest.twoClaimPods(), params).runAll();
        assertThat(d.ctx().all(MigrationContext.CLAIM_NAME)).containsExactly("www-web-1", "data-web-1");
        for (String pv : d.ctx().all(RestoreStep.NEW_PV)) {
            assertThat(d.world.cluster().pvState(pv).reclaimPolicy).isEqualTo("Retain");
        }
        assertThat(d.world.cluster().podState("default", "web-1").zone).isEqualTo(C);
    }

    @Test
    void theSeedsIncidentAPendingPodIsMovedToWhereItCanRun() throws Exception {
        String b = MoveStepsTest.B;
        String[] zones = {b, C, "us-east-1d", b};
        FakeWorld world = FakeWorld.zones(b, C, "us-east-1d").statefulSet("default", "web").pods(4)
                .zone(i -> zones[i]).volumes(20, "gp2").add();
        world.cluster().zoneFull(b, true);
        world.cluster().deletePod("default", "web-3");
        world.settle();
        assertThat(world.cluster().podState("default", "web-3").unschedulable).contains("volume node affinity conflict");
        String to = new MigrationPlanner(world.cluster(), world.ec2())
                .plan(io.zonemover.domain.ClaimRef.parse("default/www-web-3"), "auto", true, null).toZone();
        new StepDriver(world, StepDriver.move("default/www-web-3", to)).runAll();
        assertThat(world.cluster().podState("default", "web-3").zone).isEqualTo(to);
        assertThat(world.cluster().podState("default", "web-3").ready).isTrue();
        assertThat(world.cluster().podState("default", "web-0").ready).isTrue();
    }

    /** Crashes at random iterations on top of random errors of every retryable kind, before and after effect. */
    @Test
    void theMoveEndsTheSameThroughRandomCrashesAndErrors() throws Exception {
        String clean = MoveStepsTest.moveOfWeb1().runAll().world.fingerprint();
        int seeds = Integer.getInteger("zonemover.fuzzSeeds", 20);
        List<String> failures = new java.util.ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
            java.util.Random random = new java.util.Random(seed);
            StepDriver d = MoveStepsTest.moveOfWeb1();
            d.world.cluster().faults().failRandomly(0.15, seed, random.nextBoolean() ? PortError.Kind.CONFLICT
                    : PortError.Kind.TRANSIENT, random.nextBoolean() ? Faults.When.BEFORE : Faults.When.AFTER_EFFECT);
            d.world.ec2().faults().failRandomly(0.15, seed + 1000, PortError.Kind.TRANSIENT,
                    random.nextBoolean() ? Faults.When.BEFORE : Faults.When.AFTER_EFFECT);
            try {
                for (String step : StepDriver.STEPS) {
                    for (int i = 0; i < 400 && !d.ctx().has(MigrationStep.doneKey(step, false)); i++) {
                        if (random.nextInt(8) == 0) {
                            d.crashDuring(step, false);
                        } else {
                            d.run(step, false, 1);
                        }
                    }
                }
                if (!d.world.fingerprint().equals(clean)) {
                    failures.add("seed " + seed + ":\n" + Convergence.diff(clean, d.world.fingerprint()));
                }
            } catch (Exception | AssertionError e) {
                failures.add("seed " + seed + ": " + e);
            }
        }
        assertThat(failures).isEmpty();
    }

    /** A move stopped at a random instant before its point of no return, rolled back through crashes and errors. */
    @Test
    void theRollbackFromAnyInstantEndsTheSameThroughRandomCrashesAndErrors() throws Exception {
        String original = MoveStepsTest.moveOfWeb1().world.cluster().fingerprint();
        int seeds = Integer.getInteger("zonemover.fuzzSeeds", 20);
        List<String> failures = new java.util.ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
            java.util.Random random = new java.util.Random(seed);
            StepDriver d = MoveStepsTest.moveOfWeb1();
            int k = 1 + random.nextInt(40);
            if (d.runFor(k) || d.ctx().has(RestartStep.RAN_ON_NEW_VOLUMES)) {
                continue;
            }
            d.world.cluster().faults().failRandomly(0.15, seed, random.nextBoolean() ? PortError.Kind.CONFLICT
                    : PortError.Kind.TRANSIENT, random.nextBoolean() ? Faults.When.BEFORE : Faults.When.AFTER_EFFECT);
            d.world.ec2().faults().failRandomly(0.15, seed + 1000, PortError.Kind.TRANSIENT,
                    random.nextBoolean() ? Faults.When.BEFORE : Faults.When.AFTER_EFFECT);
            try {
                d.startRollback();
                for (int s = StepDriver.STEPS.length - 1; s >= 0; s--) {
                    String step = StepDriver.STEPS[s];
                    for (int i = 0; i < 400 && !d.ctx().has(MigrationStep.doneKey(step, true)); i++) {
                        if (random.nextInt(8) == 0) {
                            d.crashDuring(step, true);
                        } else {
                            d.run(step, true, 1);
                        }
                    }
                }
                if (!d.world.cluster().fingerprint().equals(original)) {
                    failures.add("seed " + seed + " (stopped after " + k + " calls):\n"
                            + Convergence.diff(original, d.world.cluster().fingerprint()));
                }
            } catch (Exception | AssertionError e) {
                failures.add("seed " + seed + " (stopped after " + k + " calls): " + e);
            }
        }
        assertThat(failures).isEmpty();
    }
}
