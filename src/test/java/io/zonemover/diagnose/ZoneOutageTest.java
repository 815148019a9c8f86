package io.zonemover.diagnose;

import io.zonemover.diagnose.DetectorsTest.World;
import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.Placement;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.zonemover.diagnose.DetectorsTest.B;
import static io.zonemover.diagnose.DetectorsTest.C;
import static io.zonemover.diagnose.DetectorsTest.D;
import static io.zonemover.diagnose.DetectorsTest.GIB;
import static io.zonemover.diagnose.DetectorsTest.NS;
import static io.zonemover.diagnose.DetectorsTest.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ZoneOutageDetector} and {@link RecoveryPointObjectiveDetector} on hand-built records, with
 * recovery points made from hand-built snapshots ({@link RecoveryPoints#of}): no EC2, no Kubernetes.
 */
class ZoneOutageTest {

    static final Instant NOW = Instant.parse("2026-11-30T09:00:00Z");

    /** A node whose Ready condition is not True, tainted unreachable as the node lifecycle controller does. */
    static World down(World w, String name, String zone) {
        w.nodes.add(new Placement.Node(name, zone, false, true,
                List.of(new Placement.Taint(ZoneOutageDetector.UNREACHABLE_TAINT, null, "NoExecute")),
                Map.of("topology.kubernetes.io/zone", zone), 4000, 16 * GIB, 0, 0));
        return w;
    }

    /**
     * Zone b is down (b1, b2 NotReady); db-0 ran on b1 with both volumes in b; db-1 runs in c; db-2 was
     * force-deleted off b2 and is Pending, its volumes in b; d has room.
     */
    static World outage() {
        World w = new World().node("c1", C, 3000).node("d1", D, 3000).statefulSet("db", 3, "data", "wal");
        down(w, "b1", B);
        down(w, "b2", B);
        return w.replica(0, B, B, "b1").replica(1, C, C, "c1").replica(2, B, B, null);
    }

    static EbsSnapshot snap(String id, String volumeId, String state, Duration ago) {
        return new EbsSnapshot(id, volumeId, state, "completed".equals(state) ? "100%" : "40%", null,
                NOW.minus(ago), Map.of());
    }

    /** data-db-0: completed 2h and 3h ago, a pending one 10m ago; wal-db-0: none; db-2's: 30m and 45m ago. */
    static RecoveryPoints points() {
        return RecoveryPoints.of(NOW, List.of(
                snap("snap-pending", "vol-data-db-0", "pending", Duration.ofMinutes(10)),
                snap("snap-d0-new", "vol-data-db-0", "completed", Duration.ofHours(2)),
                snap("snap-d0-old", "vol-data-db-0", "completed", Duration.ofHours(3)),
                snap("snap-failed", "vol-wal-db-0", "error", Duration.ofMinutes(5)),
                snap("snap-d2", "vol-data-db-2", "completed", Duration.ofMinutes(30)),
                snap("snap-w2", "vol-wal-db-2", "completed", Duration.ofMinutes(45)),
                snap("snap-d1", "vol-data-db-1", "completed", Duration.ofMinutes(20))));
    }

    static List<Finding> diagnose(World w, RecoveryPoints points, Duration rpo) {
        return Diagnosis.of(w.facts().withRecoveryPoints(points, rpo));
    }

    // ---- zone outage ------------------------------------------------------------------------------

    @Test
    void aZoneWhoseNodesAreAllNotReadyIsOneFindingWithEachPodItsRecoveryPointsAndRescue() {
        List<Finding> findings = diagnose(outage(), points(), null);
        Finding f = single(findings, Kind.ZoneOutage);
        assertEquals("zone/" + B, f.object());
        assertEquals(B, f.volumeZone());
        assertEquals(B, f.outage().zone());
        assertEquals(List.of("b1", "b2"), f.outage().notReadyNodes());
        assertTrue(f.outage().recoveryPointsKnown());
        assertEquals(List.of("db-0", "db-2"), f.outage().pods().stream().map(Finding.OutagePod::pod).toList());

        Finding.OutagePod db0 = f.outage().pods().get(0);
        assertEquals("b1", db0.node());
        assertEquals("db", db0.statefulSet());
        assertEquals(List.of(
                new Finding.ClaimPoint("data-db-0", "pv-data-db-0", "vol-data-db-0", B, "snap-d0-new", 7200L),
                new Finding.ClaimPoint("wal-db-0", "pv-wal-db-0", "vol-wal-db-0", B, null, null)), db0.claims(),
                "the newest completed snapshot, never a pending or failed one");
        assertNull(db0.command(), "wal-db-0 has no completed snapshot to restore from");

        Finding.OutagePod db2 = f.outage().pods().get(1);
        assertNull(db2.node());
        assertEquals(1800L, db2.claims().get(0).recoveryPointAgeSeconds());
        assertEquals("snap-w2", db2.claims().get(1).recoveryPointSnapshotId());
        assertEquals("zonemover migrate --pod default/db-2 --to auto --from-snapshot latest --accept-data-loss",
                db2.command());

        String m = f.message();
        assertTrue(m.startsWith("All 2 nodes in " + B + " are NotReady (all tainted node.kubernetes.io/unreachable)"), m);
        assertTrue(m.contains("An EBS volume in a failed zone cannot be snapshotted, so each volume's newest"
                + " completed snapshot is the freshest data reachable, and those are 30m 00s to 2h 00m old."), m);
        assertTrue(m.contains("No completed snapshot at all for wal-db-0 (default/db-0)"), m);
        assertTrue(m.contains("Waiting for " + B + " to come back loses nothing"), m);
        assertTrue(m.contains("No rescue command for default/db-0 (a volume of it has no completed snapshot"), m);

        Map<String, Object> json = f.toJson();
        assertEquals(B, json.get("zone"));
        assertEquals(true, json.get("recoveryPointsKnown"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pods = (List<Map<String, Object>>) json.get("pods");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> claims = (List<Map<String, Object>>) pods.get(0).get("claims");
        assertEquals("snap-d0-new", claims.get(0).get("recoveryPointSnapshotId"));
        assertEquals(7200L, claims.get(0).get("recoveryPointAgeSeconds"));
        assertTrue(claims.get(1).containsKey("recoveryPointSnapshotId"));
        assertNull(claims.get(1).get("recoveryPointAgeSeconds"));
        assertEquals(db2.command(), pods.get(1).get("command"));
    }

    @Test
    void podsCaughtInTheOutageGetNoOrdinaryMoveFromOtherDetectors() {
        List<Finding> findings = diagnose(outage(), points(), null);
        assertEquals(List.of(Kind.ZoneOutage), findings.stream().map(Finding::kind).distinct().toList(),
                "db-2 is Pending with its volumes in a zone without a Ready node, but a move would snapshot a"
                        + " dead volume: " + findings);
    }

    @Test
    void aPodRunningInAnotherZoneWithAVolumeInTheDeadZoneIsCaughtAndGetsNoAttachFailureMove() {
        World w = outage();
        w.ebs("www-web-0", B, 10).pod("web-0", "web", "c1", "www-web-0");
        w.sets.add(new StatefulSet(NS, "web", 1, 0, List.of("www"), Placement.PodNeeds.of(500, GIB)));
        List<Finding> findings = diagnose(w, points(), null);
        Finding f = single(findings, Kind.ZoneOutage);
        assertTrue(f.outage().pods().stream().anyMatch(p -> p.pod().equals("web-0")), f.toString());
        assertTrue(findings.stream().noneMatch(x -> x.kind() == Kind.AttachFailure), findings.toString());
    }

    @Test
    void aZoneWithOneReadyNodeLeftIsNoOutage() {
        World w = new World().node("b2", B, 0).node("c1", C, 3000).node("d1", D, 3000).statefulSet("db", 2, "data", "wal");
        down(w, "b1", B);
        w.replica(0, B, B, "b2").replica(1, C, C, "c1");
        assertTrue(diagnose(w, points(), null).stream().noneMatch(f -> f.kind() == Kind.ZoneOutage));
        assertEquals(java.util.Set.of(), Diagnosis.volumesToRead(w.facts(), null), "no EC2 read is needed");
    }

    @Test
    void anOutageNeedsTheRecoveryPointsOfThePodsCaughtThereOnly() {
        assertEquals(java.util.Set.of("vol-data-db-0", "vol-wal-db-0", "vol-data-db-2", "vol-wal-db-2"),
                Diagnosis.volumesToRead(outage().facts(), null));
    }

    @Test
    void withRecoveryPointsUnknownTheOutageIsStillReportedWithCommands() {
        Finding f = single(diagnose(outage(), RecoveryPoints.unknown("Unable to load credentials"), null),
                Kind.ZoneOutage);
        assertFalse(f.outage().recoveryPointsKnown());
        assertTrue(f.outage().pods().stream().allMatch(p -> p.command() != null), f.toString());
        assertTrue(f.outage().pods().stream().flatMap(p -> p.claims().stream())
                .allMatch(c -> c.recoveryPointSnapshotId() == null && c.recoveryPointAgeSeconds() == null));
        assertTrue(f.message().contains("EC2 could not be read (Unable to load credentials), so how old it is is"
                + " unknown"), f.message());
        assertTrue(f.message().contains("loses nothing"), f.message());
        assertEquals(false, f.toJson().get("recoveryPointsKnown"));
    }

    @Test
    void aSinglePodOutageCarriesItsCommandAtTheTop() {
        World w = new World().node("c1", C, 3000).statefulSet("web", 2, "www");
        down(w, "b1", B);
        w.ebs("www-web-0", B, 10).pod("web-0", "web", "b1", "www-web-0")
                .ebs("www-web-1", C, 10).pod("web-1", "web", "c1", "www-web-1");
        RecoveryPoints p = RecoveryPoints.of(NOW, List.of(snap("snap-1", "vol-www-web-0", "completed",
                Duration.ofMinutes(90))));
        Finding f = single(diagnose(w, p, null), Kind.ZoneOutage);
        assertEquals("The only node in " + B + " is NotReady (tainted node.kubernetes.io/unreachable): the zone"
                + " looks down. 1 pod is caught there: default/web-0. An EBS volume in a failed zone cannot be"
                + " snapshotted, so each volume's newest completed snapshot is the freshest data reachable, and it"
                + " is 1h 30m old. Restoring from them loses every write made since they were taken. Waiting for "
                + B + " to come back loses nothing: the volumes keep their data. To rescue a pod now, accepting"
                + " that loss, run the command given for it.", f.message());
        assertEquals("web-0", f.pod());
        assertEquals("zonemover migrate --pod default/web-0 --to auto --from-snapshot latest --accept-data-loss",
                f.command());
    }

    @Test
    void theOutageComesRightAfterInterruptedMovesAndAPodUnderAMoveIsLeftToIt() {
        World w = outage().move("j1", "db-0", "db", "restore", false, "data-db-0", "wal-db-0");
        List<Finding> findings = diagnose(w, points(), null);
        assertEquals(List.of(Kind.InterruptedMove, Kind.ZoneOutage),
                findings.stream().map(Finding::kind).toList().subList(0, 2));
        Finding f = single(findings, Kind.ZoneOutage);
        assertEquals(List.of("db-2"), f.outage().pods().stream().map(Finding.OutagePod::pod).toList());
    }

    @Test
    void everyZoneNotReadyGivesNoRescueCommand() {
        World w = new World().statefulSet("web", 1, "www");
        down(w, "b1", B);
        down(w, "c1", C);
        w.ebs("www-web-0", B, 10).pod("web-0", "web", "b1", "www-web-0");
        List<Finding> findings = diagnose(w, points(), null);
        assertEquals(2, findings.stream().filter(f -> f.kind() == Kind.ZoneOutage).count());
        Finding b = findings.get(0);
        assertNull(b.outage().pods().get(0).command());
        assertTrue(b.message().contains("control plane losing touch"), b.message());
    }

    @Test
    void anOutageWithNoPodCaughtSaysSo() {
        World w = new World().node("c1", C, 3000);
        down(w, "b1", B);
        Finding f = single(diagnose(w, RecoveryPoints.notRead(), null), Kind.ZoneOutage);
        assertEquals(List.of(), f.outage().pods());
        assertNull(f.command());
        assertTrue(f.message().contains("nothing to rescue"), f.message());
    }

    // ---- recovery point objective -----------------------------------------------------------------

    @Test
    void rpoFlagsClaimsWhoseNewestCompletedSnapshotIsOlderOrMissing() {
        World w = new World().node("b1", B, 3000).node("c1", C, 3000);
        w.sets.add(new StatefulSet(NS, "db", 2, 0, List.of("data", "wal"), Placement.PodNeeds.of(500, GIB),
                Map.of("app", "db", "tier", "data")));
        w.replica(0, B, B, "b1").replica(1, C, C, "c1");
        RecoveryPoints p = RecoveryPoints.of(NOW, List.of(
                snap("s1", "vol-data-db-0", "completed", Duration.ofMinutes(30)),
                snap("s2", "vol-wal-db-0", "completed", Duration.ofHours(3)),
                snap("s3", "vol-data-db-1", "completed", Duration.ofMinutes(59)),
                snap("s4", "vol-wal-db-1", "pending", Duration.ofMinutes(1))));
        List<Finding> findings = diagnose(w, p, Duration.ofHours(1));
        List<Finding> rpo = findings.stream().filter(f -> f.kind() == Kind.RecoveryPointObjective).toList();
        assertEquals(List.of("wal-db-0", "wal-db-1"), rpo.stream().map(Finding::claim).toList(), findings.toString());
        Finding stale = rpo.get(0);
        assertEquals("db-0", stale.pod());
        assertEquals("vol-wal-db-0", stale.volumeId());
        assertEquals("s2", stale.recoveryPoint().snapshotId());
        assertEquals(10800L, stale.recoveryPoint().ageSeconds());
        assertEquals("zonemover snapshot -n default -l app=db,tier=data", stale.command());
        assertTrue(stale.message().contains("is 3h 00m old, older than the 1h 00m objective"), stale.message());
        Map<String, Object> json = rpo.get(1).toJson();
        assertNull(json.get("recoveryPointSnapshotId"));
        assertTrue(json.containsKey("recoveryPointAgeSeconds"));
        assertEquals(3600L, json.get("rpoSeconds"));
        assertTrue(rpo.get(1).message().contains("has no completed snapshot"), rpo.get(1).message());
        assertEquals(java.util.Set.of("vol-data-db-0", "vol-wal-db-0", "vol-data-db-1", "vol-wal-db-1"),
                Diagnosis.volumesToRead(w.facts(), Duration.ofHours(1)));
    }

    @Test
    void rpoWithoutASelectorSnapshotsTheNamespace() {
        World w = new World().node("b1", B, 3000).statefulSet("web", 1, "www").ebs("www-web-0", B, 10)
                .pod("web-0", "web", "b1", "www-web-0");
        Finding f = single(diagnose(w, RecoveryPoints.of(NOW, List.of()), Duration.ofHours(1)),
                Kind.RecoveryPointObjective);
        assertEquals("zonemover snapshot -n default", f.command());
    }

    @Test
    void noRpoNoFindingAndUnknownPointsNoFinding() {
        World w = new World().node("b1", B, 3000).statefulSet("web", 1, "www").ebs("www-web-0", B, 10)
                .pod("web-0", "web", "b1", "www-web-0");
        assertEquals(List.of(), diagnose(w, RecoveryPoints.of(NOW, List.of()), null));
        assertEquals(List.of(), diagnose(w, RecoveryPoints.unknown("no network"), Duration.ofHours(1)));
    }

    @Test
    void rpoLeavesOutTheClaimsAnOutageCovers() {
        List<Finding> findings = diagnose(outage(), points(), Duration.ofMinutes(25));
        List<String> claims = findings.stream().filter(f -> f.kind() == Kind.RecoveryPointObjective)
                .map(Finding::claim).toList();
        assertEquals(List.of("wal-db-1"), claims, "data-db-1 is 20m old; db-0 and db-2 are in the outage");
    }

    @Test
    void ageReadsAsPeopleSayIt() {
        List<String> ages = new ArrayList<>();
        for (long s : new long[] {17, 2530, 7200, 93_600}) {
            ages.add(RecoveryPoints.age(s));
        }
        assertEquals(List.of("17s", "42m 10s", "2h 00m", "1d 2h"), ages);
    }
}
