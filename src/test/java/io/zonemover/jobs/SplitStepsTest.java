package io.zonemover.jobs;

import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.testing.FakeBlockStore;
import io.zonemover.testing.FakeCluster;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each step of the split on the in-memory fakes, for StatefulSet shop/orders of three pods with two claims
 * each (data and wal): orders-0 and orders-1 in us-east-1b, orders-2 in us-east-1c, split into one set per
 * zone, so orders-2 is re-bound in 1c, orders-1 copied to 1d and orders-0 re-bound in 1b. Where each step
 * ends, that running it again changes nothing, that an error on any one port call changes neither where it
 * ends nor what it creates, that a rejection fails it, and that a crash in any iteration leaves no duplicate;
 * and, across the whole job, that no controller ever makes a claim of a zone set itself (it would provision an
 * empty volume) and that the original goes only once every zone set is Ready.
 */
class SplitStepsTest {

    static final String B = "us-east-1b";
    static final String C = "us-east-1c";
    static final String D = "us-east-1d";
    static final String NS = "shop";

    static List<String> steps() {
        return List.of("split-preflight", "split-pre-snapshot", "create-zone-sets", "carry", "remove-original",
                "split-finish");
    }

    static FakeWorld world() {
        FakeWorld world = FakeWorld.zones(B, C, D).statefulSet(NS, "orders").pods(3).claims("data", "wal")
                .zone(i -> i == 2 ? C : B).add();
        world.ec2().durations(2, 2);
        return world;
    }

    static Map<String, String> params(String moves) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(MigrationJob.PARAM_ID, StepDriver.JOB);
        p.put(SplitJob.PARAM_STATEFUL_SET, NS + "/orders");
        p.put(SplitJob.PARAM_MOVES, moves);
        p.put(MigrationJob.PARAM_READY_TIMEOUT, "600");
        p.put(MigrationJob.PARAM_KEEP_RETAIN, "false");
        return p;
    }

    static StepDriver split() {
        return StepDriver.split(world(), params("2=" + C + ",1=" + D + ",0=" + B));
    }

    private static Convergence forward(String step) {
        return new Convergence(() -> split().runBefore(step), step, false);
    }

    @ParameterizedTest
    @MethodSource("steps")
    void runningAStepAgainFromItsCheckpointChangesNothing(String step) throws Exception {
        forward(step).rerunChangesNothing();
    }

    @ParameterizedTest
    @MethodSource("steps")
    void aStepConvergesThroughATransientErrorOrConflictOnAnyCall(String step) throws Exception {
        forward(step).convergesThroughAnErrorOnEachCall();
    }

    @ParameterizedTest
    @MethodSource("steps")
    void aRejectionOfAnyCallFailsTheStep(String step) throws Exception {
        forward(step).failsOnARejectionOfEachCall();
    }

    @ParameterizedTest
    @MethodSource("steps")
    void aCrashDuringAnyIterationOfAStepLeavesNoDuplicate(String step) throws Exception {
        forward(step).survivesACrashDuringEachIteration();
    }

    @Test
    void theWholeSplitEndsInOneReadySetPerZoneOnTheCarriedVolumes() throws Exception {
        StepDriver d = split();
        FakeCluster cluster = d.world.cluster();
        Map<String, String> oldVolumes = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            for (String t : List.of("data", "wal")) {
                oldVolumes.put(t + "-orders-" + i, cluster.pvState("pvc-" + t + "-orders-" + i).volumeId);
            }
        }
        int volumesBefore = d.world.ec2().allVolumes().size();
        d.afterEachIteration = SplitStepsTest::noClaimOfAZoneSetIsTheControllers;
        d.afterEachIteration = d.afterEachIteration.andThen(SplitStepsTest::theOriginalGoesOnlyAfterEverySetIsReady);
        d.runAll();

        assertThat(cluster.statefulSetState(NS, "orders")).as("the original is removed").isNull();
        for (String zone : List.of(B, C, D)) {
            FakeCluster.StsObj set = cluster.statefulSetState(NS, "orders-" + zone);
            assertThat(set.replicas).isEqualTo(1);
            FakeCluster.PodObj pod = cluster.podState(NS, "orders-" + zone + "-0");
            assertThat(pod.ready).isTrue();
            assertThat(pod.zone).isEqualTo(zone);
        }
        // Re-bound: the very same volume, behind the new claim name; nothing copied.
        assertThat(volumeOf(cluster, "data-orders-us-east-1c-0")).isEqualTo(oldVolumes.get("data-orders-2"));
        assertThat(volumeOf(cluster, "wal-orders-us-east-1b-0")).isEqualTo(oldVolumes.get("wal-orders-0"));
        // Copied: a new volume in 1d restored from a snapshot of the old one, which is kept and tagged.
        for (String t : List.of("data", "wal")) {
            String copy = volumeOf(cluster, t + "-orders-us-east-1d-0");
            FakeBlockStore.Volume restored = d.world.ec2().volumeState(copy);
            assertThat(restored.zone).isEqualTo(D);
            String old = oldVolumes.get(t + "-orders-1");
            assertThat(d.world.ec2().snapshotState(restored.snapshotId).volumeId).isEqualTo(old);
            assertThat(d.world.ec2().volumeState(old).tags).containsEntry(Tags.SUPERSEDED_BY, copy);
            assertThat(cluster.pvState("pvc-" + t + "-orders-1").reclaimPolicy).as("old PV of a copy stays Retain")
                    .isEqualTo("Retain");
        }
        assertThat(d.world.ec2().allVolumes()).as("no volume deleted; one copy per copied claim")
                .hasSize(volumesBefore + 2).allMatch(v -> !"deleted".equals(v.state));
        assertThat(cluster.pvState("pvc-data-orders-2").reclaimPolicy).as("re-bound PV gets its policy back")
                .isEqualTo("Delete");
        for (String claim : List.of("data-orders-0", "data-orders-1", "data-orders-2")) {
            assertThat(cluster.claimState(NS, claim)).as(claim + " is gone").isNull();
        }
        for (String zone : List.of(B, C, D)) {
            assertThat(cluster.claimState(NS, "data-orders-" + zone + "-0").annotations).as("lock released").isEmpty();
        }
    }

    @Test
    void podsAreCarriedOneAtATimeHighestOrdinalFirst() throws Exception {
        StepDriver d = split();
        List<String> order = new ArrayList<>();
        d.afterEachIteration = x -> {
            for (int i = 2; i >= 0; i--) {
                String pod = "orders-" + i;
                if (x.world.cluster().podState(NS, pod) == null && !order.contains(pod)) {
                    order.add(pod);
                }
            }
            long down = java.util.stream.IntStream.range(0, 3).filter(i ->
                    x.world.cluster().podState(NS, "orders-" + i) == null).count();
            long up = List.of(B, C, D).stream().filter(z -> {
                FakeCluster.PodObj p = x.world.cluster().podState(NS, "orders-" + z + "-0");
                return p != null && p.ready;
            }).count();
            assertThat(down - up).as("at most one pod of the set is down at any time").isLessThanOrEqualTo(1);
        };
        d.runAll();
        assertThat(order).containsExactly("orders-2", "orders-1", "orders-0");
    }

    @Test
    void preflightOnlyReadsAndRecordsThePlanInCarryOrder() throws Exception {
        StepDriver d = split();
        String before = d.world.fingerprint();
        d.run("split-preflight");
        assertThat(d.world.fingerprint()).isEqualTo(before);
        SplitContext s = new SplitContext(d.ctx());
        assertThat(s.podCount()).isEqualTo(3);
        assertThat(List.of(s.oldPod(0), s.oldPod(1), s.oldPod(2))).containsExactly("orders-2", "orders-1", "orders-0");
        assertThat(List.of(s.newPod(0), s.newPod(1), s.newPod(2)))
                .containsExactly("orders-us-east-1c-0", "orders-us-east-1d-0", "orders-us-east-1b-0");
        assertThat(s.copied(0, 0)).isFalse();
        assertThat(s.copied(1, 1)).isTrue();
        assertThat(s.newClaim(1, 1).name()).isEqualTo("wal-orders-us-east-1d-0");
    }

    @Test
    void aPlanThatNoLongerFitsTheStatefulSetIsRefused() throws Exception {
        StepDriver d = StepDriver.split(world(), params("1=" + D + ",0=" + B));
        assertThatThrownBy(() -> d.run("split-preflight")).isInstanceOf(ZonemoverException.class)
                .hasMessageContaining("which has 3 replicas now");
    }

    @Test
    void aStatefulSetInTheWayOfAZoneSetIsRefusedBeforeAnythingChanges() throws Exception {
        FakeWorld world = world();
        world.statefulSet(NS, "orders-us-east-1d").pods(1).claims("data").zone(i -> D).add();
        StepDriver d = StepDriver.split(world, params("2=" + C + ",1=" + D + ",0=" + B));
        assertThatThrownBy(() -> d.run("split-preflight")).hasMessageContaining("orders-us-east-1d exists already");
    }

    @Test
    void aPodThatNeverGetsReadyFailsTheCarryResumably() throws Exception {
        StepDriver d = StepDriver.split(world(), params("2=" + C + ",1=" + D + ",0=" + B)
                .entrySet().stream().collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(),
                        e.getKey().equals(MigrationJob.PARAM_READY_TIMEOUT) ? "0" : e.getValue()), Map::putAll));
        d.world.cluster().podNeverStartsIn("orders-us-east-1d-0", D);
        d.runBefore("carry");
        assertThatThrownBy(() -> d.run("carry")).hasMessageContaining("orders-us-east-1d-0 was not Ready in " + D)
                .hasMessageContaining("jobs resume");
        assertThat(d.world.cluster().statefulSetState(NS, "orders").replicas).as("the rest keep running").isEqualTo(1);
        assertThat(d.world.cluster().claimState(NS, "data-orders-us-east-1d-0").phase).isEqualTo("Bound");
    }

    private static String volumeOf(FakeCluster cluster, String claim) {
        return cluster.pvState(cluster.claimState(NS, claim).volumeName).volumeId;
    }

    /** The StatefulSet controller made a claim of a zone set: it would have provisioned an empty volume. */
    private static void noClaimOfAZoneSetIsTheControllers(StepDriver d) {
        for (String zone : List.of(B, C, D)) {
            for (String t : List.of("data", "wal")) {
                FakeCluster.ClaimObj claim = d.world.cluster().claimState(NS, t + "-orders-" + zone + "-0");
                assertThat(claim == null || claim.volumeName != null).as(t + "-orders-" + zone + "-0 made by zonemover")
                        .isTrue();
            }
        }
    }

    private static void theOriginalGoesOnlyAfterEverySetIsReady(StepDriver d) {
        FakeCluster.StsObj original = d.world.cluster().statefulSetState(NS, "orders");
        if (original == null || original.deleting) {
            for (String zone : List.of(B, C, D)) {
                FakeCluster.PodObj pod = d.world.cluster().podState(NS, "orders-" + zone + "-0");
                assertThat(pod != null && pod.ready).as("orders-" + zone + "-0 Ready before the original went").isTrue();
            }
        }
    }
}
