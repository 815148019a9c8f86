package io.zonemover.rescue;

import io.zonemover.domain.DisruptionBudget;
import io.zonemover.domain.Tags;
import io.zonemover.testing.FakeCluster;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rescuer on fakes: what it finds (through diagnose's detector), what it starts and when, what it records
 * as Events, and what it leaves alone.
 */
class RescuerTest {

    private final StuckPods world = new StuckPods();
    private final StuckPods.FakeMover mover = new StuckPods.FakeMover();
    private final List<RescueLog.Line> lines = new CopyOnWriteArrayList<>();
    /** Whole-cluster reads (diagnose's) the rescuer made. */
    private final AtomicInteger reads = new AtomicInteger();
    private KubernetesEvents events;

    private Rescuer rescuer(Duration grace, int maxConcurrent, boolean dryRun, BooleanSupplier leading) {
        events = new KubernetesEvents(world.cluster, (step, message) -> { }, "test-replica", Clock.systemUTC());
        return new Rescuer(world.cluster, () -> {
            reads.incrementAndGet();
            return world.facts();
        }, mover, leading, lines::add, events,
                new Rescuer.Settings(null, grace, maxConcurrent, dryRun), Clock.systemUTC());
    }

    private Rescuer rescuer() {
        return rescuer(Duration.ofMinutes(5), 1, false, () -> true);
    }

    private static List<Decision.Kind> kinds(List<Decision> decisions) {
        return decisions.stream().map(Decision::kind).toList();
    }

    private List<String> eventReasons(String kind, String name) {
        events.flush(Duration.ofSeconds(10));
        return world.cluster.events().stream().filter(e -> e.event().kind().equals(kind) && e.event().name().equals(name))
                .map(e -> e.event().reason()).toList();
    }

    @Test
    void movesAnOptedInStuckPodOnlyOnceTheGraceHasPassed() throws Exception {
        world.set("web", 4, true, Duration.ofMinutes(2));
        Rescuer r = rescuer();
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.WAITING);
        world.clock(Duration.ofMinutes(2).plusSeconds(59)); // stuck 4m59s
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.WAITING);
        assertThat(mover.planned).isEmpty();
        // While it waits, a scan is the list of Pending pods and the StatefulSet's opt-in: no whole-cluster read.
        assertThat(reads).hasValue(0);
        world.clock(Duration.ofMinutes(3)); // stuck 5m
        List<Decision> started = r.scan();
        assertThat(kinds(started)).containsExactly(Decision.Kind.STARTED);
        assertThat(started.get(0).jobId()).startsWith("zm-");
        assertThat(r.finish(Duration.ofSeconds(30))).isTrue();
        assertThat(mover.moved).containsExactly("web-3");
        assertThat(r.ended()).extracting(Decision::kind).containsExactly(Decision.Kind.COMPLETED);
        assertThat(eventReasons("PersistentVolumeClaim", "data-web-3")).containsExactly("RescueStarted", "RescueCompleted");
        assertThat(eventReasons("StatefulSet", "web")).containsExactly("RescueStarted", "RescueCompleted");
        FakeCluster.RecordedEvent first = world.cluster.events().get(0);
        assertThat(first.event().type()).isEqualTo("Normal");
        assertThat(first.event().instance()).isEqualTo("test-replica");
        assertThat(first.event().message()).contains("web-3", "us-east-1b", "us-east-1c", started.get(0).jobId());
        // The claim's event names the claim as it is (its uid), so `kubectl describe pvc` finds it.
        assertThat(world.cluster.events()).filteredOn(e -> e.event().kind().equals("PersistentVolumeClaim"))
                .allSatisfy(e -> assertThat(e.event().uid()).isEqualTo(world.cluster.claimState("default", "data-web-3").uid));
    }

    @Test
    void aStuckPodWithoutTheOptInIsLeftAloneAndToldOnce() throws Exception {
        world.set("db", 2, false, Duration.ofHours(3));
        Rescuer r = rescuer();
        for (int i = 0; i < 3; i++) {
            assertThat(kinds(r.scan())).containsExactly(Decision.Kind.NOT_OPTED_IN);
        }
        assertThat(mover.planned).isEmpty();
        // Nothing opted in is stuck: the scans never read the whole cluster.
        assertThat(reads).hasValue(0);
        assertThat(lines).filteredOn(l -> "not-opted-in".equals(l.event())).hasSize(1)
                .allSatisfy(l -> assertThat(l.pod()).isEqualTo("default/db-1"));
        assertThat(eventReasons("StatefulSet", "db")).isEmpty();
    }

    @Test
    void thePodDisruptionBudgetMustBeMetByTheOtherPods() throws Exception {
        world.set("web", 4, true, Duration.ofHours(1));
        world.cluster.setBudget("default", "web", new DisruptionBudget("web", "3", null));
        // web-3 is down already: moving it takes nobody else down, so minAvailable 3 of 4 is met by the other three.
        world.cluster.podState("default", "web-1").ready = false;
        Rescuer r = rescuer();
        List<Decision> blocked = r.scan();
        assertThat(kinds(blocked)).containsExactly(Decision.Kind.BLOCKED);
        assertThat(blocked.get(0).detail()).contains("PodDisruptionBudget web", "2 of its other 3 pods are Ready");
        assertThat(mover.planned).isEmpty();
        assertThat(eventReasons("StatefulSet", "web")).containsExactly("RescueBlocked");
        assertThat(r.scan()).extracting(Decision::kind).containsExactly(Decision.Kind.BLOCKED);
        // The same warning again is counted on the first event, not posted twice.
        assertThat(eventReasons("StatefulSet", "web")).containsExactly("RescueBlocked");
        events.flush(Duration.ofSeconds(10));
        assertThat(world.cluster.events().get(0).count()).isEqualTo(2);

        world.cluster.podState("default", "web-1").ready = true;
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.STARTED);
        r.finish(Duration.ofSeconds(30));
        assertThat(mover.moved).containsExactly("web-3");
    }

    @Test
    void withoutABudgetTheStuckPodMayBeTheOnlyOneDown() throws Exception {
        world.set("web", 3, true, Duration.ofHours(1));
        world.cluster.podState("default", "web-0").ready = false;
        Rescuer r = rescuer();
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.BLOCKED);
        world.cluster.podState("default", "web-0").ready = true;
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.STARTED);
        r.finish(Duration.ofSeconds(30));
    }

    @Test
    void oneMoveAtATimeWhileTheFirstRunsTheSecondWaits() throws Exception {
        world.set("web", 2, true, Duration.ofHours(2)).set("db", 2, true, Duration.ofHours(1));
        mover.hold("web-1");
        Rescuer r = rescuer();
        assertThat(r.scan()).extracting(d -> d.candidate().pod() + " " + d.kind())
                .containsExactly("web-1 STARTED", "db-1 DEFERRED");
        assertThat(r.scan()).extracting(d -> d.candidate().pod() + " " + d.kind())
                .containsExactly("web-1 DEFERRED", "db-1 DEFERRED");
        mover.release("web-1");
        awaitNoMoveRunning(r);
        // The fake's web-1 is still Pending (no controllers here); the cluster's lock is what a real move leaves.
        world.cluster.podState("default", "web-1").unschedulable = null;
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.STARTED);
        r.finish(Duration.ofSeconds(30));
        assertThat(mover.moved).containsExactly("web-1", "db-1");
    }

    @Test
    void aMoveSomeoneElseHasInFlightCountsAgainstTheLimit() {
        world.set("web", 2, true, Duration.ofHours(1)).set("db", 2, false, Duration.ofHours(1));
        // Another replica (or a person) is moving db-0: its claim carries the lock annotation.
        world.cluster.claimState("default", "data-db-0").annotations.put(Tags.MIGRATION_ANNOTATION, "zm-abc123");
        Rescuer r = rescuer();
        assertThat(r.scan()).filteredOn(d -> d.candidate().pod().equals("web-1"))
                .extracting(d -> d.kind() + ": " + d.detail()).singleElement().asString()
                .startsWith("DEFERRED").contains("zm-abc123");
        assertThat(mover.planned).isEmpty();
    }

    @Test
    void dryRunPlansAndReportsButStartsNothingAndRecordsNothing() {
        world.set("web", 4, true, Duration.ofHours(1));
        Rescuer r = rescuer(Duration.ofMinutes(5), 1, true, () -> true);
        List<Decision> out = r.scan();
        assertThat(kinds(out)).containsExactly(Decision.Kind.WOULD_MOVE);
        assertThat(out.get(0).detail()).contains("from us-east-1b to us-east-1c", "dry run");
        assertThat(mover.planned).containsExactly("web-3");
        assertThat(mover.moved).isEmpty();
        events.flush(Duration.ofSeconds(10));
        assertThat(world.cluster.events()).isEmpty();
    }

    @Test
    void aReplicaThatDoesNotLeadDoesNothing() {
        world.set("web", 4, true, Duration.ofHours(1));
        Rescuer r = rescuer(Duration.ofMinutes(5), 1, false, () -> false);
        assertThat(r.scan()).isEmpty();
        assertThat(world.cluster.faults().calls()).isEmpty();
        assertThat(mover.planned).isEmpty();
    }

    @Test
    void leadershipLostDuringTheScanStartsNothing() {
        world.set("web", 4, true, Duration.ofHours(1));
        AtomicInteger asked = new AtomicInteger();
        // Leads when the scan begins, not any more when the move would start.
        Rescuer r = rescuer(Duration.ofMinutes(5), 1, false, () -> asked.incrementAndGet() == 1);
        assertThat(r.scan()).isEmpty();
        assertThat(asked.get()).isGreaterThanOrEqualTo(2);
        assertThat(mover.moved).isEmpty();
        assertThat(r.running()).isZero();
    }

    @Test
    void aFailedMoveIsRecordedAsAWarningAndNotTriedAgainByThisReplica() throws Exception {
        world.set("web", 4, true, Duration.ofHours(1));
        mover.status = "FAILED";
        Rescuer r = rescuer();
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.STARTED);
        awaitNoMoveRunning(r);
        assertThat(r.ended()).extracting(Decision::kind).containsExactly(Decision.Kind.FAILED);
        assertThat(eventReasons("PersistentVolumeClaim", "data-web-3")).containsExactly("RescueStarted", "RescueFailed");
        assertThat(world.cluster.events()).filteredOn(e -> e.event().reason().equals("RescueFailed"))
                .allSatisfy(e -> assertThat(e.event().type()).isEqualTo("Warning"));
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.NOT_RETRIED);
        // The rolled-back pod comes back under its name (another uid): still not tried again here.
        world.cluster.podState("default", "web-3").uid = "uid-recreated";
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.NOT_RETRIED);
        assertThat(mover.moved).containsExactly("web-3");
    }

    @Test
    void anOptedInPodThatDiagnoseExplainsOtherwiseIsNotMoved() {
        world.set("web", 4, true, Duration.ofHours(1));
        // An interrupted move holds web-3's claim: diagnose reports that move, not a conflict to fix by another.
        world.cluster.claimState("default", "data-web-3").annotations.put(Tags.MIGRATION_ANNOTATION, "zm-dead01");
        Rescuer r = rescuer();
        List<Decision> out = r.scan();
        assertThat(kinds(out)).containsExactly(Decision.Kind.NOT_DIAGNOSED);
        assertThat(out.get(0).detail()).contains("zonemover diagnose -n default");
        assertThat(mover.planned).isEmpty();
    }

    @Test
    void eventsThatCannotBePostedNeverStopAMove() throws Exception {
        world.set("web", 4, true, Duration.ofHours(1));
        world.cluster.faults().failNext(100, "createEvent", io.zonemover.domain.PortError.Kind.REJECTED);
        AtomicBoolean told = new AtomicBoolean();
        events = new KubernetesEvents(world.cluster, (step, message) -> told.set(message.contains("Kubernetes Events")),
                "r", Clock.systemUTC());
        Rescuer r = new Rescuer(world.cluster, world::facts, mover, () -> true, lines::add, events,
                new Rescuer.Settings(null, Duration.ofMinutes(5), 1, false), Clock.systemUTC());
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.STARTED);
        r.finish(Duration.ofSeconds(30));
        events.flush(Duration.ofSeconds(10));
        assertThat(r.ended()).extracting(Decision::kind).containsExactly(Decision.Kind.COMPLETED);
        assertThat(world.cluster.events()).isEmpty();
        assertThat(told).isTrue();
    }

    @Test
    void aMoveADeadLeaderLeftIsResumedOnceByTheNextAndCountsAgainstMaxConcurrent() throws Exception {
        world.set("web", 4, true, Duration.ofHours(1));
        mover.interrupted.add(new io.zonemover.jobs.MigrationService.Interrupted("zm-dead01", "default/data-db-2",
                "default/db-2"));
        mover.hold("db-2");
        Rescuer r = rescuer(Duration.ofMinutes(5), 1, false, () -> true);
        List<Decision> first = r.scan();
        // The interrupted move takes the one slot: web-3, due, waits for it.
        assertThat(kinds(first)).containsExactly(Decision.Kind.RESUMED, Decision.Kind.DEFERRED);
        assertThat(first.get(0).jobId()).isEqualTo("zm-dead01");
        assertThat(first.get(0).candidate().key()).isEqualTo("default/db-2");
        assertThat(kinds(r.scan())).doesNotContain(Decision.Kind.RESUMED); // running: not resumed twice
        mover.release("db-2");
        awaitNoMoveRunning(r);
        assertThat(mover.resumed).containsExactly("zm-dead01");
        assertThat(r.ended()).extracting(Decision::kind).containsExactly(Decision.Kind.COMPLETED);
        assertThat(eventReasons("StatefulSet", "db")).contains("RescueResumed", "RescueCompleted");
        // Then web-3 gets its turn.
        assertThat(kinds(r.scan())).containsExactly(Decision.Kind.STARTED);
        r.finish(Duration.ofSeconds(30));
    }

    @Test
    void aStandbyOrADryRunResumesNothing() throws Exception {
        mover.interrupted.add(new io.zonemover.jobs.MigrationService.Interrupted("zm-dead01", "default/data-db-2",
                "default/db-2"));
        assertThat(rescuer(Duration.ofMinutes(5), 1, false, () -> false).scan()).isEmpty();
        assertThat(rescuer(Duration.ofMinutes(5), 1, true, () -> true).scan()).isEmpty();
        // A rescuer watching another namespace leaves it to the one watching its own.
        Rescuer elsewhere = new Rescuer(world.cluster, world::facts, mover, () -> true, lines::add, null,
                new Rescuer.Settings("shop", Duration.ofMinutes(5), 1, false), Clock.systemUTC());
        assertThat(elsewhere.scan()).isEmpty();
        assertThat(mover.resumed).isEmpty();
    }

    private static void awaitNoMoveRunning(Rescuer r) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (r.running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(r.running()).isZero();
    }
}
