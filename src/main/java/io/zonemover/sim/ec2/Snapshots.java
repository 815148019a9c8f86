package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.Snapshot;
import io.zonemover.sim.ec2.Ec2State.Volume;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * EBS snapshots ({@code pending -> completed}, or {@code pending -> error} under an injected fault):
 * CreateSnapshot's per-volume limits, what a snapshot captures and how long it takes, progress, deletion.
 * A snapshot holds the volume's content at the instant it was requested, whatever is written afterwards.
 */
final class Snapshots {

    private final Ec2State s;
    private final Volumes volumes;

    Snapshots(Ec2State state, Volumes volumes) {
        this.s = state;
        this.volumes = volumes;
    }

    /**
     * CreateSnapshot. Limits from the AWS Knowledge Center page "ebs-snapshot-stuck" (REFERENCE.md B.6): at most
     * 5 pending snapshots per volume (1 for st1/sc1), and {@link Ec2World#SNAPSHOT_RATE_MS} between requests.
     * The duration is {@link Ec2World#SNAPSHOT_BASE_MS} plus the changed data at {@link
     * Ec2World#SNAPSHOT_MIB_PER_SEC}: the whole volume for the first snapshot, the writes since the previous
     * completed one afterwards (snapshots are incremental).
     */
    Snapshot create(String volumeId, String description, Map<String, String> tags, long now) {
        Volume v = volumes.visibleForUpdate(volumeId, now);
        if (!"available".equals(v.state) && !"in-use".equals(v.state)) {
            throw Ec2Error.incorrectState("The volume '" + v.id + "' is in state '" + v.state
                    + "' and cannot be snapshotted.");
        }
        long pending = s.snapshots.values().stream()
                .filter(x -> x.volumeId.equals(v.id) && "pending".equals(x.state)).count();
        int maxPending = "st1".equals(v.type) || "sc1".equals(v.type) ? 1 : 5;
        if (pending >= maxPending) {
            throw Ec2Error.concurrentSnapshotLimit(maxPending, v.id);
        }
        if (v.lastSnapshotRequest >= 0 && now - v.lastSnapshotRequest < Ec2World.SNAPSHOT_RATE_MS) {
            throw Ec2Error.snapshotRateExceeded();
        }
        Snapshot sn = new Snapshot();
        sn.id = s.nextId("snap");
        sn.volumeId = v.id;
        sn.state = "pending";
        sn.startTime = now;
        sn.sizeGiB = v.sizeGiB;
        sn.description = description == null ? "" : description;
        sn.encrypted = v.encrypted;
        sn.kmsKeyId = v.kmsKeyId;
        sn.fingerprint = Content.fingerprint(v, now);
        sn.writes = Content.writes(v, now);
        sn.tags = new TreeMap<>(tags == null ? Map.of() : tags);
        long changedMiB = v.lastSnapshotWrites < 0
                ? v.sizeGiB * 1024L
                : Math.min(v.sizeGiB * 1024L,
                        Math.max(0, sn.writes - v.lastSnapshotWrites) * s.mibPerWrite);
        sn.completeAt = now + Ec2World.SNAPSHOT_BASE_MS + changedMiB * 1000 / Ec2World.SNAPSHOT_MIB_PER_SEC;
        if (s.faults.failNextSnapshots != 0) {
            sn.fails = true;
            if (s.faults.failNextSnapshots > 0) {
                s.faults.failNextSnapshots--;
            }
        }
        v.lastSnapshotRequest = now;
        if (s.zoneDown(v.zone)) {
            stall(sn, now);
        }
        s.snapshots.put(sn.id, sn);
        return sn;
    }

    /** The volume's zone went down: no progress from now on, and {@code error} if it stays down (Ec2World). */
    static void stall(Snapshot sn, long now) {
        if (sn.stalled) {
            return;
        }
        sn.stalled = true;
        sn.remainingMs = Math.max(0, sn.completeAt - now);
        sn.completeAt = now + Ec2World.OUTAGE_SNAPSHOT_ERROR_MS;
    }

    /** DescribeSnapshots' result set before filters: the named snapshots in id order, or all of them. */
    List<Snapshot> describe(List<String> ids) {
        if (ids.isEmpty()) {
            return new ArrayList<>(s.snapshots.values());
        }
        List<Snapshot> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String id : new TreeSet<>(ids)) {
            Snapshot sn = s.snapshots.get(id);
            if (sn == null) {
                missing.add(id);
            } else {
                found.add(sn);
            }
        }
        if (!missing.isEmpty()) {
            throw Ec2Error.snapshotsNotFound(missing);
        }
        return found;
    }

    Snapshot existing(String id) {
        Snapshot sn = s.snapshots.get(id);
        if (sn == null) {
            throw Ec2Error.snapshotNotFound(id);
        }
        return sn;
    }

    /** Deletes a snapshot; its fast snapshot restores go with it (as EC2 disables them). */
    void delete(String snapshotId) {
        s.snapshots.remove(existing(snapshotId).id);
    }

    /** Percent done at {@code now}: grows linearly over the modelled duration; 100 once completed. */
    static int progress(Snapshot sn, long now) {
        if ("completed".equals(sn.state)) {
            return 100;
        }
        if ("error".equals(sn.state)) {
            return 0;
        }
        if (sn.stalled) {
            // Frozen where it stopped: the part of the whole duration already done.
            long total = Math.max(1, sn.remainingMs + (sn.completeAt - Ec2World.OUTAGE_SNAPSHOT_ERROR_MS
                    - sn.startTime));
            return (int) Math.min(99, Math.max(0, (total - sn.remainingMs) * 100 / total));
        }
        long span = Math.max(1, sn.completeAt - sn.startTime);
        return (int) Math.min(99, Math.max(0, (now - sn.startTime) * 100 / span));
    }
}
