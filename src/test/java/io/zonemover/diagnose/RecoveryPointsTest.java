package io.zonemover.diagnose;

import io.zonemover.aws.BlockStore;
import io.zonemover.diagnose.DetectorsTest.World;
import io.zonemover.diagnose.Facts.Claim;
import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Facts.Volume;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.Placement;
import io.zonemover.domain.PortError;
import io.zonemover.testing.FakeBlockStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static io.zonemover.diagnose.DetectorsTest.B;
import static io.zonemover.diagnose.DetectorsTest.C;
import static io.zonemover.diagnose.DetectorsTest.GIB;
import static io.zonemover.diagnose.DetectorsTest.NS;
import static io.zonemover.diagnose.DetectorsTest.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The EC2-facing part of the diagnosis ({@link Diagnosis#of(ClusterFacts, Duration, Supplier)} and
 * {@link RecoveryPoints#read}) over an in-memory block store: EC2 is asked only when a finding needs it, then
 * in one snapshotsOfVolumes call and one read of the clock, and an EC2 that cannot be reached leaves the
 * outage reported with its recovery points unknown.
 */
class RecoveryPointsTest {

    /** The fake's snapshots start at this second, one second apart. */
    static final long EPOCH = 1_700_000_000L;

    /** FakeBlockStore, with the calls diagnose makes counted and the cloud's clock fixed. */
    static class Cloud implements BlockStore {
        final FakeBlockStore ec2 = new FakeBlockStore(B, C);
        final List<List<String>> snapshotCalls = new ArrayList<>();
        int clockCalls;
        Instant now = Instant.ofEpochSecond(EPOCH + 3600);

        @Override public List<String> zones() { return ec2.zones(); }
        @Override public Optional<EbsVolume> volume(String id) { return ec2.volume(id); }
        @Override public List<EbsVolume> volumes(List<String> ids) { return ec2.volumes(ids); }
        @Override public List<EbsSnapshot> snapshots(List<String> ids) { return ec2.snapshots(ids); }
        @Override public List<EbsVolume> volumesTagged(String k, String v) { return ec2.volumesTagged(k, v); }
        @Override public Optional<EbsSnapshot> snapshot(String id) { return ec2.snapshot(id); }
        @Override public List<EbsSnapshot> snapshotsTagged(String k, String v) { return ec2.snapshotsTagged(k, v); }
        @Override public String createSnapshot(String v, String d, Map<String, String> t) {
            return ec2.createSnapshot(v, d, t);
        }
        @Override public String createVolume(String s, String z, EbsVolume l, Map<String, String> t, String c) {
            return ec2.createVolume(s, z, l, t, c);
        }
        @Override public void tag(String id, Map<String, String> tags) { ec2.tag(id, tags); }
        @Override public Optional<String> instanceState(String id) { return ec2.instanceState(id); }
        @Override public Map<String, String> volumeStatus(List<String> ids) { return ec2.volumeStatus(ids); }
        @Override public void deleteSnapshot(String id) { ec2.deleteSnapshot(id); }
        @Override public void deleteVolume(String id) { ec2.deleteVolume(id); }

        @Override
        public List<EbsSnapshot> snapshotsOfVolumes(List<String> volumeIds) {
            snapshotCalls.add(List.copyOf(volumeIds));
            return ec2.snapshotsOfVolumes(volumeIds);
        }

        @Override
        public Instant now() {
            clockCalls++;
            return now;
        }
    }

    /** Records whose volume ids are the fake's: web-0's volume in b, web-1's in c. */
    static World world(Cloud cloud, boolean zoneBDown) {
        String v0 = cloud.ec2.addVolume(B, 10, "gp3", Map.of()).id;
        String v1 = cloud.ec2.addVolume(C, 10, "gp3", Map.of()).id;
        World w = new World().node("c1", C, 3000);
        if (zoneBDown) {
            ZoneOutageTest.down(w, "b1", B);
        } else {
            w.node("b1", B, 3000);
        }
        w.sets.add(new StatefulSet(NS, "web", 2, 0, List.of("www"), Placement.PodNeeds.of(500, GIB),
                Map.of("app", "web")));
        for (var e : List.of(List.of("0", v0, B, "b1"), List.of("1", v1, C, "c1"))) {
            String claim = "www-web-" + e.get(0);
            w.claims.add(new Claim(NS, claim, "pv-" + claim, "gp3", null));
            w.volumes.add(new Volume("pv-" + claim, true, "ebs.csi.aws.com", e.get(1), e.get(2), 10 * GIB));
            w.pod("web-" + e.get(0), "web", e.get(3), claim);
        }
        return w;
    }

    static String volumeOf(World w, String claim) {
        return w.volumes.stream().filter(v -> v.name().equals("pv-" + claim)).findFirst().orElseThrow().volumeId();
    }

    @Test
    void withNoOutageAndNoRpoNoEc2ClientIsEvenBuilt() {
        Cloud cloud = new Cloud();
        World w = world(cloud, false);
        int[] built = {0};
        Diagnosis.Report report = Diagnosis.of(w.facts(), null, () -> {
            built[0]++;
            return cloud;
        });
        assertEquals(List.of(), report.findings());
        assertEquals(0, built[0]);
        assertEquals(List.of(), report.warnings());
    }

    @Test
    void anOutageReadsTheSnapshotsOfItsVolumesInOneCallAndAgesThemOnTheCloudsClock() {
        Cloud cloud = new Cloud();
        World w = world(cloud, true);
        String v0 = volumeOf(w, "www-web-0");
        String first = cloud.ec2.createSnapshot(v0, "older", Map.of());   // starts at EPOCH
        String second = cloud.ec2.createSnapshot(v0, "newer", Map.of());  // EPOCH + 1
        cloud.ec2.tick();
        cloud.ec2.createSnapshot(v0, "still pending", Map.of());          // EPOCH + 2, never completes here

        Diagnosis.Report report = Diagnosis.of(w.facts(), null, () -> cloud);
        assertEquals(List.of(List.of(v0)), cloud.snapshotCalls, "one call, for the volumes caught in the outage");
        assertEquals(1, cloud.clockCalls);
        Finding f = single(report.findings(), Kind.ZoneOutage);
        Finding.ClaimPoint point = f.outage().pods().get(0).claims().get(0);
        assertEquals(second, point.recoveryPointSnapshotId(), "the newest completed, not " + first);
        assertEquals(3599L, point.recoveryPointAgeSeconds());
        assertTrue(f.message().contains("it is 59m 59s old"), f.message());
        assertEquals(List.of(), report.warnings());
    }

    @Test
    void rpoReadsEveryStatefulSetClaimInOneCall() {
        Cloud cloud = new Cloud();
        World w = world(cloud, false);
        String v0 = volumeOf(w, "www-web-0");
        String v1 = volumeOf(w, "www-web-1");
        cloud.ec2.createSnapshot(v1, "fresh", Map.of());
        cloud.ec2.tick();
        cloud.now = Instant.ofEpochSecond(EPOCH + 600);
        Diagnosis.Report report = Diagnosis.of(w.facts(), Duration.ofMinutes(30), () -> cloud);
        assertEquals(1, cloud.snapshotCalls.size());
        assertEquals(java.util.Set.of(v0, v1), java.util.Set.copyOf(cloud.snapshotCalls.get(0)));
        Finding f = single(report.findings(), Kind.RecoveryPointObjective);
        assertEquals("www-web-0", f.claim());
        assertEquals("zonemover snapshot -n default -l app=web", f.command());
    }

    @Test
    void anEc2ThatCannotBeReachedLeavesTheOutageReportedWithRecoveryPointsUnknownAndOneWarning() {
        Cloud cloud = new Cloud();
        World w = world(cloud, true);
        Supplier<BlockStore> noCredentials = () -> {
            throw new PortError(PortError.Kind.REJECTED, "EC2", "AuthFailure",
                    "Unable to load credentials from any of the providers\n  at the chain", null);
        };
        Diagnosis.Report report = Diagnosis.of(w.facts(), null, noCredentials);
        Finding f = single(report.findings(), Kind.ZoneOutage);
        assertFalse(f.outage().recoveryPointsKnown());
        assertEquals("zonemover migrate --pod default/web-0 --to auto --from-snapshot latest --accept-data-loss",
                f.command());
        assertEquals(1, report.warnings().size());
        assertFalse(report.warnings().get(0).contains("\n"), report.warnings().get(0));
        assertTrue(report.warnings().get(0).startsWith("cannot read snapshots from EC2 ("), report.warnings().get(0));
        assertTrue(report.recoveryPointsUnknown());
    }

    @Test
    void aFailingSnapshotCallIsUnknownToo() {
        Cloud cloud = new Cloud() {
            @Override
            public List<EbsSnapshot> snapshotsOfVolumes(List<String> volumeIds) {
                throw new PortError(PortError.Kind.TRANSIENT, "EC2", "RequestLimitExceeded", "slow down", null);
            }
        };
        World w = world(cloud, true);
        Diagnosis.Report report = Diagnosis.of(w.facts(), Duration.ofHours(1), () -> cloud);
        assertFalse(single(report.findings(), Kind.ZoneOutage).outage().recoveryPointsKnown());
        assertTrue(report.findings().stream().noneMatch(x -> x.kind() == Kind.RecoveryPointObjective));
        assertTrue(report.warnings().get(0).endsWith("--rpo not checked"), report.warnings().get(0));
    }
}
