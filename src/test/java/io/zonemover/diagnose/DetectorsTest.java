package io.zonemover.diagnose;

import io.zonemover.diagnose.Facts.Claim;
import io.zonemover.diagnose.Facts.MoveRecord;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Facts.Volume;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Placement;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The detectors on hand-built plain records: no Kubernetes object, no HTTP. A StatefulSet {@code db} whose
 * pods each have two EBS claims, {@code data} and {@code wal}, which move together.
 */
class DetectorsTest {

    static final String B = "us-east-1b";
    static final String C = "us-east-1c";
    static final String D = "us-east-1d";
    static final long GIB = 1L << 30;
    static final String NS = "default";

    /** A world of records, built up by each test. */
    static final class World {
        final List<Placement.Node> nodes = new ArrayList<>();
        final List<Pod> pods = new ArrayList<>();
        final List<Claim> claims = new ArrayList<>();
        final List<Volume> volumes = new ArrayList<>();
        final List<StatefulSet> sets = new ArrayList<>();
        final List<MoveRecord> moves = new ArrayList<>();

        /** A node with {@code freeCpu} of its 4 cpus free. */
        World node(String name, String zone, long freeCpu) {
            nodes.add(new Placement.Node(name, zone, true, true, List.of(), Map.of("topology.kubernetes.io/zone", zone),
                    4000, 16 * GIB, 4000 - freeCpu, 0));
            return this;
        }

        World statefulSet(String name, int replicas, String... templates) {
            sets.add(new StatefulSet(NS, name, replicas, 0, List.of(templates), Placement.PodNeeds.of(500, GIB)));
            return this;
        }

        World pod(String name, String sts, String nodeName, String... claimNames) {
            pods.add(new Pod(NS, name, name + "-uid", nodeName, nodeName == null ? "Pending" : "Running", true, false,
                    false, sts, List.of(claimNames), Placement.PodNeeds.of(500, GIB), List.of()));
            return this;
        }

        World ebs(String claim, String zone, long sizeGib) {
            return volume(claim, zone, sizeGib, true, "ebs.csi.aws.com", null);
        }

        World volume(String claim, String zone, long sizeGib, boolean ebs, String driver, String migrationJob) {
            String pv = "pv-" + claim;
            claims.add(new Claim(NS, claim, pv, "gp3", migrationJob));
            volumes.add(new Volume(pv, ebs, driver, ebs ? "vol-" + claim : null, zone, sizeGib * GIB));
            return this;
        }

        /** Replica {@code i} of db: data and wal claims in the given zones, on a node or Pending. */
        World replica(int i, String dataZone, String walZone, String nodeName) {
            ebs("data-db-" + i, dataZone, 20);
            ebs("wal-db-" + i, walZone, 5);
            return pod("db-" + i, "db", nodeName, "data-db-" + i, "wal-db-" + i);
        }

        World move(String jobId, String pod, String sts, String step, boolean pointOfNoReturn, String... claimNames) {
            moves.add(new MoveRecord(NS, "zonemover-" + jobId, jobId, pod, sts, List.of(claimNames), B, C, step,
                    pointOfNoReturn, "2026-11-30T08:00:00Z", null));
            return this;
        }

        /** Re-creates the claim with the zonemover.io/migration annotation. */
        World annotate(String claim, String jobId) {
            Claim old = claims.stream().filter(c -> c.name().equals(claim)).findFirst().orElseThrow();
            claims.set(claims.indexOf(old), new Claim(NS, claim, old.volumeName(), old.storageClass(), jobId));
            return this;
        }

        ClusterFacts facts() {
            ClusterFacts.Builder b = ClusterFacts.builder();
            nodes.forEach(b::node);
            pods.forEach(b::pod);
            claims.forEach(b::claim);
            volumes.forEach(b::volume);
            sets.forEach(b::statefulSet);
            moves.forEach(b::move);
            return b.build();
        }

        List<Finding> diagnose() {
            return Diagnosis.of(facts());
        }
    }

    /** db-0 runs in b (now full), db-1 in c; db-2 is Pending. */
    static World db() {
        return new World().node("b1", B, 0).node("c1", C, 3000).node("d1", D, 3000)
                .statefulSet("db", 3, "data", "wal")
                .replica(0, B, B, "b1").replica(1, C, C, "c1");
    }

    static Finding single(List<Finding> findings, Kind kind) {
        List<Finding> of = findings.stream().filter(f -> f.kind() == kind).toList();
        assertEquals(1, of.size(), findings.toString());
        return of.get(0);
    }

    // ---- a pod with two claims is moved as one --------------------------------------------------

    @Test
    void twoClaimPodStuckNamesBothClaimsAndMovesThePod() {
        Finding f = single(db().replica(2, B, B, null).diagnose(), Kind.VolumeNodeAffinityConflict);
        assertEquals("db-2", f.pod());
        assertEquals("data-db-2", f.claim(), "the first claim stays in the old fields");
        assertEquals("pv-data-db-2", f.pv());
        assertEquals("vol-data-db-2", f.volumeId());
        assertEquals(B, f.volumeZone());
        assertEquals(List.of(new Finding.ClaimRef("data-db-2", "pv-data-db-2", "vol-data-db-2", B),
                new Finding.ClaimRef("wal-db-2", "pv-wal-db-2", "vol-wal-db-2", B)), f.claims());
        assertEquals(D, f.suggestedZone(), "b and c hold a replica each; d none");
        assertEquals("zonemover migrate --pod default/db-2 --to us-east-1d", f.command());
        assertTrue(f.message().contains("its volumes vol-data-db-2 (data-db-2) and vol-wal-db-2 (wal-db-2) are all in "
                + B), f.message());
        assertTrue(f.message().contains("Move its 2 volumes together to " + D), f.message());
    }

    @Test
    void theSuggestedZoneFitsThePod() {
        World w = db().replica(2, B, B, null);
        w.nodes.removeIf(n -> n.name().equals("d1"));
        w.node("d1", D, 200);
        Finding f = single(w.diagnose(), Kind.VolumeNodeAffinityConflict);
        assertEquals(C, f.suggestedZone(), "d has fewer replicas but no room for 500m");
    }

    @Test
    void singleClaimPodKeepsTheClaimCommand() {
        World w = new World().node("b1", B, 0).node("c1", C, 3000).statefulSet("web", 2, "www")
                .ebs("www-web-0", B, 10).pod("web-0", "web", "b1", "www-web-0")
                .ebs("www-web-1", B, 10).pod("web-1", "web", null, "www-web-1");
        Finding f = single(w.diagnose(), Kind.VolumeNodeAffinityConflict);
        assertEquals("zonemover migrate default/www-web-1 --to us-east-1c", f.command());
        assertEquals(1, f.claims().size());
        assertTrue(f.message().startsWith("Pending: its volume vol-www-web-1 is in " + B), f.message());
    }

    @Test
    void podWithRoomAndNoComplaintIsFine() {
        World w = db().replica(2, D, D, null);
        assertEquals(List.of(), w.diagnose());
    }

    // ---- split pods ------------------------------------------------------------------------------

    @Test
    void splitPodIsReunitedWhereMostOfItsDataIsWhenThereIsRoom() {
        List<Finding> findings = db().replica(2, C, B, null).diagnose();
        Finding f = single(findings, Kind.SplitPodVolumes);
        assertEquals(List.of(), findings.stream().filter(x -> x.kind() == Kind.VolumeNodeAffinityConflict).toList());
        assertEquals(C, f.suggestedZone(), "data (20 GiB) is in c, which has room");
        assertEquals("zonemover migrate --pod default/db-2 --to us-east-1c", f.command());
        assertEquals(List.of("data-db-2", "wal-db-2"), f.claimNames());
        assertEquals(C, f.volumeZone());
        assertTrue(f.message().contains("data-db-2 in " + C + " and wal-db-2 in " + B), f.message());
        assertTrue(f.message().contains("holds most of the data (20 GiB of 25 GiB)"), f.message());
    }

    @Test
    void splitPodGoesToTheOtherZoneOfItsVolumesWhenTheBiggerHasNoRoom() {
        World w = db().replica(2, B, C, null);
        Finding f = single(w.diagnose(), Kind.SplitPodVolumes);
        assertEquals(C, f.suggestedZone(), "b holds most of the data but is full");
        assertEquals("zonemover migrate --pod default/db-2 --to us-east-1c", f.command());
    }

    @Test
    void splitPodWithNoRoomInEitherZoneGoesToAThird() {
        World w = new World().node("b1", B, 0).node("c1", C, 0).node("d1", D, 3000).statefulSet("db", 1, "data", "wal")
                .replica(0, B, C, null);
        Finding f = single(w.diagnose(), Kind.SplitPodVolumes);
        assertEquals(D, f.suggestedZone());
        assertTrue(f.message().contains("None of " + B + " and " + C + " has room"), f.message());
    }

    // ---- volumes zonemover cannot move -----------------------------------------------------------

    @Test
    void zonalVolumeOfAnotherDriverGetsNoMove() {
        World w = db().replica(2, B, B, null)
                .volume("scratch-db-2", B, 1, false, "pd.example.com", null);
        w.pods.set(w.pods.size() - 1, new Pod(NS, "db-2", "db-2-uid", null, "Pending", true, false, false, "db",
                List.of("data-db-2", "wal-db-2", "scratch-db-2"), Placement.PodNeeds.of(500, GIB), List.of()));
        Finding f = single(w.diagnose(), Kind.VolumeNodeAffinityConflict);
        assertNull(f.suggestedZone());
        assertNull(f.command());
        assertEquals(List.of("data-db-2", "wal-db-2", "scratch-db-2"), f.claimNames());
        assertNull(f.claims().get(2).volumeId());
        assertTrue(f.message().contains("scratch-db-2 is bound to pv-scratch-db-2 (driver pd.example.com), pinned to "
                + B + ", which zonemover cannot move"), f.message());
    }

    @Test
    void splitByAVolumeOfAnotherDriverGetsNoMoveEither() {
        World w = db().ebs("data-db-2", B, 20).volume("local-db-2", C, 1, false, "local.example.com", null)
                .pod("db-2", "db", null, "data-db-2", "local-db-2");
        Finding f = single(w.diagnose(), Kind.SplitPodVolumes);
        assertNull(f.command());
        assertNull(f.suggestedZone());
        assertTrue(f.message().contains("local.example.com"), f.message());
        assertTrue(f.message().contains("no move is suggested"), f.message());
    }

    @Test
    void podOnANodeInAnotherZoneThanItsVolumesMovesWholeToTheNode() {
        World w = db().replica(2, D, D, "c1");
        Finding f = single(w.diagnose(), Kind.AttachFailure);
        assertEquals(C, f.suggestedZone());
        assertEquals("zonemover migrate --pod default/db-2 --to us-east-1c", f.command());
        assertEquals(List.of("data-db-2", "wal-db-2"), f.claimNames());
    }

    // ---- interrupted moves -----------------------------------------------------------------------

    @Test
    void interruptedMoveWithItsStatefulSetDeleted() {
        World w = db().replica(2, B, B, null).move("zm-1a2b3c", "db-2", "db", "final-snapshot", false,
                "data-db-2", "wal-db-2");
        w.annotate("data-db-2", "zm-1a2b3c").annotate("wal-db-2", "zm-1a2b3c");
        w.sets.clear();
        w.pods.removeIf(p -> p.name().equals("db-2"));
        List<Finding> findings = w.diagnose();
        Finding f = findings.get(0);
        assertEquals(Kind.InterruptedMove, f.kind());
        assertEquals(1, findings.stream().filter(x -> x.kind() == Kind.InterruptedMove).count(), findings.toString());
        assertEquals("zm-1a2b3c", f.move().jobId());
        assertEquals("final-snapshot", f.move().step());
        assertEquals(Boolean.TRUE, f.move().statefulSetMissing());
        assertEquals("db", f.statefulSet());
        assertEquals("db-2", f.pod());
        assertEquals("data-db-2", f.claim());
        assertEquals(List.of("data-db-2", "wal-db-2"), f.claimNames());
        assertEquals("zonemover jobs adopt default/data-db-2", f.command());
        assertTrue(f.message().startsWith("StatefulSet db is deleted and pod db-2 is stopped; move zm-1a2b3c was"
                + " interrupted in step final-snapshot."), f.message());
        assertTrue(f.message().contains("from " + B + " to " + C), f.message());
    }

    @Test
    void interruptedMoveWithItsStatefulSetPresentSortsFirstAndBlocksOtherSuggestions() {
        World w = db().replica(2, B, B, null).move("zm-1a2b3c", "db-2", "db", "rollback", false,
                "data-db-2", "wal-db-2");
        w.annotate("data-db-2", "zm-1a2b3c").annotate("wal-db-2", "zm-1a2b3c");
        List<Finding> findings = w.diagnose();
        assertEquals(Kind.InterruptedMove, findings.get(0).kind(), findings.toString());
        assertEquals(Boolean.FALSE, findings.get(0).move().statefulSetMissing());
        assertTrue(findings.get(0).message().startsWith("StatefulSet db exists and pod db-2 is Pending; move zm-1a2b3c"
                + " was interrupted while rolling back."), findings.get(0).message());
        for (Finding f : findings.subList(1, findings.size())) {
            assertFalse(f.claimNames().contains("data-db-2") && f.command() != null, f.toString());
        }
        assertEquals(List.of(), findings.stream().filter(x -> x.kind() == Kind.VolumeNodeAffinityConflict).toList());
    }

    @Test
    void claimAnnotatedWithoutARecordIsAnInterruptedMoveOfUnknownStep() {
        World w = db().replica(2, B, B, null);
        w.annotate("data-db-2", "zm-9").annotate("wal-db-2", "zm-9");
        Finding f = w.diagnose().get(0);
        assertEquals(Kind.InterruptedMove, f.kind());
        assertEquals("zm-9", f.move().jobId());
        assertNull(f.move().step());
        assertEquals("db-2", f.pod());
        assertEquals(List.of("data-db-2", "wal-db-2"), f.claimNames());
        assertEquals("zonemover jobs adopt default/data-db-2", f.command());
        assertTrue(f.message().contains("ConfigMap zonemover-zm-9 is gone"), f.message());
    }

    @Test
    void recordThatNamesNothingStillShows() {
        World w = db();
        w.moves.add(new MoveRecord(NS, "zonemover-zm-7", "zm-7", null, null, List.of(), null, null, null, null, null,
                "its move.json is not a JSON object"));
        Finding f = w.diagnose().get(0);
        assertEquals(Kind.InterruptedMove, f.kind());
        assertNull(f.command());
        assertNull(f.move().statefulSetMissing(), "unknown, not false");
        assertTrue(f.message().startsWith("Move zm-7 was interrupted at a step its record does not say (its move.json"
                + " is not a JSON object)."), f.message());
    }

    @Test
    void annotationOfARecordedMoveIsNotASecondFinding() {
        World w = db().replica(2, B, B, null).move("zm-1", "db-2", "db", "restore", true, "data-db-2", "wal-db-2");
        w.annotate("data-db-2", "zm-1").annotate("wal-db-2", "zm-1");
        List<Finding> moves = w.diagnose().stream().filter(f -> f.kind() == Kind.InterruptedMove).toList();
        assertEquals(1, moves.size());
        assertTrue(moves.get(0).message().contains("point of no return"), moves.get(0).message());
    }

    // ---- imbalance, registry, JSON -----------------------------------------------------------------

    @Test
    void imbalanceMovesWholePodsAndLeavesPodsUnderAMoveAlone() {
        World w = new World().node("b1", B, 4000).node("c1", C, 4000).node("d1", D, 4000)
                .statefulSet("db", 3, "data", "wal")
                .replica(0, B, B, "b1").replica(1, B, B, "b1").replica(2, B, B, "b1");
        List<Finding> findings = w.diagnose();
        assertEquals(List.of("db-2", "db-1"), findings.stream().map(Finding::pod).toList());
        assertEquals("zonemover migrate --pod default/db-2 --to us-east-1c", findings.get(0).command());
        assertEquals(List.of("data-db-2", "wal-db-2"), findings.get(0).claimNames());

        w.annotate("data-db-2", "zm-2");
        List<Finding> after = w.diagnose();
        assertEquals(Kind.InterruptedMove, after.get(0).kind());
        assertEquals(List.of("db-1", "db-0"), after.stream().filter(f -> f.kind() == Kind.ZoneImbalance)
                .map(Finding::pod).toList());
    }

    @Test
    void aDetectorIsOneClassAndOneLine() {
        Detector everyPod = (facts, soFar) -> facts.pods().stream()
                .map(p -> Finding.builder(Kind.ZoneImbalance).object(p.key()).pod(p.name())
                        .message(soFar.all().size() + " before").build())
                .toList();
        List<Finding> findings = Detectors.run(db().facts(), List.of(everyPod, everyPod));
        assertEquals(4, findings.size());
        assertEquals("2 before", findings.get(3).message());
    }

    @Test
    void jsonCarriesTheClaimsAndTheMove() {
        World w = db().replica(2, B, B, null).move("zm-1a2b3c", "db-2", "db", "final-snapshot", false,
                "data-db-2", "wal-db-2");
        w.sets.clear();
        List<Finding> findings = w.diagnose();
        Map<String, Object> move = findings.get(0).toJson();
        for (String key : List.of("kind", "namespace", "pod", "claims", "claim", "jobId", "statefulSet",
                "statefulSetMissing", "step", "message", "command")) {
            assertTrue(move.containsKey(key), key + " in " + move);
        }
        assertEquals(true, move.get("statefulSetMissing"));
        assertEquals(List.of(Map.of("claim", "data-db-2", "pv", "pv-data-db-2", "volumeId", "vol-data-db-2",
                "volumeZone", B), Map.of("claim", "wal-db-2", "pv", "pv-wal-db-2", "volumeId", "vol-wal-db-2",
                "volumeZone", B)), move.get("claims"));

        World stuck = db().replica(2, B, B, null);
        Map<String, Object> conflict = single(stuck.diagnose(), Kind.VolumeNodeAffinityConflict).toJson();
        assertTrue(conflict.containsKey("claims"));
        assertFalse(conflict.containsKey("jobId"), "move fields only on InterruptedMove");
    }
}
