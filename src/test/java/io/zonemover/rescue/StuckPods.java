package io.zonemover.rescue;

import io.zonemover.diagnose.ClusterFacts;
import io.zonemover.diagnose.Facts;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.Placement;
import io.zonemover.domain.Tags;
import io.zonemover.jobs.MigrationService;
import io.zonemover.testing.FakeBlockStore;
import io.zonemover.testing.FakeCluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: StatefulSets of namespace default whose last pod is stuck Pending on its volume's zone
 * (us-east-1b, whose one node is full; us-east-1c has room), kept in a {@link FakeCluster} (the rescuer's port
 * reads: unscheduled pods, the StatefulSet's annotation, pods' readiness, budgets, events) and as the
 * {@link ClusterFacts} a diagnose read would give (from which the stuck pods are found), both from one model.
 */
final class StuckPods {

    static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    static final String STUCK_MESSAGE = "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had volume node "
            + "affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";

    final FakeCluster cluster = new FakeCluster(new FakeBlockStore("us-east-1b", "us-east-1c"));
    private final List<String> sets = new ArrayList<>();

    StuckPods() {
        cluster.serverTime = T0;
    }

    /** StatefulSet NAME of {@code replicas} pods, the last one stuck since T0 minus {@code stuckFor}. */
    StuckPods set(String name, int replicas, boolean optedIn, Duration stuckFor) {
        FakeCluster.StsObj sts = cluster.addStatefulSet("default", name);
        sts.replicas = replicas;
        sts.templates = List.of("data");
        if (optedIn) {
            sts.annotations.put(Rescuer.OPT_IN, "true");
        }
        for (int i = 0; i < replicas; i++) {
            String pod = name + "-" + i;
            FakeCluster.PodObj p = cluster.addPod("default", pod);
            p.owner = name;
            p.claims = List.of("data-" + pod);
            cluster.addClaim("default", "data-" + pod).volumeName = "pv-" + pod;
            if (i == replicas - 1) {
                p.phase = "Pending";
                p.ready = false;
                p.started = false;
                p.unschedulable = STUCK_MESSAGE;
                p.unschedulableSince = T0.minus(stuckFor);
            } else {
                p.nodeName = "node-c";
                p.zone = "us-east-1c";
            }
        }
        sets.add(name);
        return this;
    }

    void clock(Duration sinceT0) {
        cluster.serverTime = T0.plus(sinceT0);
    }

    /** What a diagnose read of the same cluster gives. */
    ClusterFacts facts() {
        ClusterFacts.Builder b = ClusterFacts.builder()
                .node(new Placement.Node("node-b", "us-east-1b", true, true, List.of(), java.util.Map.of(), 2000,
                        8L << 30, 2000, 1L << 30))
                .node(new Placement.Node("node-c", "us-east-1c", true, true, List.of(), java.util.Map.of(), 8000,
                        32L << 30, 500, 1L << 30));
        for (String name : sets) {
            FakeCluster.StsObj sts = cluster.statefulSetState("default", name);
            b.statefulSet(new Facts.StatefulSet("default", name, sts.replicas, 0, List.of("data"),
                    Placement.PodNeeds.of(500, 512L << 20)));
            for (int i = 0; i < sts.replicas; i++) {
                String pod = name + "-" + i;
                FakeCluster.PodObj p = cluster.podState("default", pod);
                String claim = "data-" + pod;
                FakeCluster.ClaimObj c = cluster.claimState("default", claim);
                b.claim(new Facts.Claim("default", claim, "pv-" + pod, "gp3",
                        c.annotations.get(Tags.MIGRATION_ANNOTATION)));
                b.volume(new Facts.Volume("pv-" + pod, true, "ebs.csi.aws.com", "vol-" + pod,
                        p.nodeName == null ? "us-east-1b" : "us-east-1c", 20L << 30));
                b.pod(new Facts.Pod("default", pod, p.uid, p.nodeName, p.phase, true, false, p.deleting, name,
                        List.of(claim), Placement.PodNeeds.of(500, 512L << 20),
                        p.unschedulable == null ? List.of() : List.of(p.unschedulable)));
            }
        }
        return b.build();
    }

    /** A job engine stand-in: records plans and moves; a move can be held until released, and made to fail. */
    static final class FakeMover implements Mover {
        final List<String> planned = new CopyOnWriteArrayList<>();
        final List<String> moved = new CopyOnWriteArrayList<>();
        final java.util.Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
        volatile String status = "COMPLETED";

        /** Moves of {@code pod} wait until {@link #release}. */
        void hold(String pod) {
            holds.put(pod, new CountDownLatch(1));
        }

        void release(String pod) {
            holds.get(pod).countDown();
        }

        @Override
        public MigrationPlan plan(String namespace, String pod) {
            planned.add(pod);
            String claim = "data-" + pod;
            return new MigrationPlan(new ClaimRef(namespace, claim), List.of(new MigrationPlan.ClaimMove(
                    new ClaimRef(namespace, claim), "pv-" + pod, "vol-" + pod, "us-east-1b", 20, "gp3")),
                    "us-east-1c", pod, "Pending", namespace, pod.replaceAll("-\\d+$", ""), 2, false, List.of());
        }

        /** Moves a dead replica left, as the shared state would list them (until resumed and ended). */
        final List<MigrationService.Interrupted> interrupted = new CopyOnWriteArrayList<>();
        final List<String> resumed = new CopyOnWriteArrayList<>();

        @Override
        public List<MigrationService.Interrupted> interrupted() {
            return List.copyOf(interrupted);
        }

        @Override
        public MigrationService.Result resume(String jobId) {
            resumed.add(jobId);
            MigrationService.Interrupted i = interrupted.stream().filter(x -> x.jobId().equals(jobId)).findFirst()
                    .orElseThrow();
            String pod = i.pod().substring(i.pod().indexOf('/') + 1);
            MigrationService.Result r = move(jobId, plan(i.pod().substring(0, i.pod().indexOf('/')), pod));
            interrupted.remove(i);
            return r;
        }

        @Override
        public MigrationService.Result move(String jobId, MigrationPlan plan) {
            moved.add(plan.podName());
            CountDownLatch hold = holds.get(plan.podName());
            if (hold != null) {
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new MigrationService.Result(jobId, status, null, plan.claim().toString(), plan.podName(),
                    "us-east-1b", "us-east-1c", "vol-" + plan.podName(), "vol-new", List.of(new MigrationService.ClaimResult(
                    plan.claim().toString(), "vol-" + plan.podName(), "vol-new", null)), 12.0, null,
                    "COMPLETED".equals(status) ? null : "restore: volume ended in error", null, List.of());
        }
    }
}
