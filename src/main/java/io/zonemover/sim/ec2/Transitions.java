package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.Attachment;
import io.zonemover.sim.ec2.Ec2State.Snapshot;
import io.zonemover.sim.ec2.Ec2State.Volume;

import java.util.ArrayList;
import java.util.List;

/**
 * Time in the EC2 half: when the next state change is due, and applying every change due at one instant in a
 * fixed order (snapshots, then volumes in creation order), so that any process computing the same interval
 * reaches the same state.
 */
final class Transitions {

    private Transitions() {
    }

    /** World time of the next due change; {@code Long.MAX_VALUE} when nothing is in flight. */
    static long nextEventAt(Ec2State s) {
        long next = Long.MAX_VALUE;
        for (Volume v : s.volumes.values()) {
            if (v.transitionAt > 0) {
                next = Math.min(next, v.transitionAt);
            }
            if (v.attachment != null && !"attached".equals(v.attachment.state)) {
                next = Math.min(next, v.attachment.until);
            }
        }
        for (Snapshot sn : s.snapshots.values()) {
            if ("pending".equals(sn.state)) {
                next = Math.min(next, sn.completeAt);
            }
            for (Ec2State.FastRestore f : sn.fastRestores.values()) {
                if (f.transitionAt > 0) {
                    next = Math.min(next, f.transitionAt);
                }
            }
        }
        return next;
    }

    /** Applies every change due up to {@code now}, instant by instant. */
    static void advanceTo(Ec2State s, long now) {
        while (true) {
            long next = nextEventAt(s);
            if (next > now) {
                return;
            }
            applyAt(s, next);
        }
    }

    private static void applyAt(Ec2State s, long t) {
        for (Snapshot sn : s.snapshots.values()) {
            if ("pending".equals(sn.state) && sn.completeAt == t) {
                completeSnapshot(s, sn, t);
            }
            sn.fastRestores.values().forEach(f -> FastRestores.apply(sn, f, t));
        }
        List<String> purge = new ArrayList<>();
        for (Volume v : s.volumes.values()) {
            if (v.transitionAt == t) {
                switch (v.state) {
                    case "creating" -> {
                        v.state = v.failCreate ? "error" : "available";
                        v.transitionAt = 0;
                    }
                    case "deleting" -> {
                        // Listed as deleted for a while, then gone (InvalidVolume.NotFound).
                        v.state = "deleted";
                        v.transitionAt = t + Ec2World.DELETED_VISIBLE_MS;
                    }
                    case "deleted" -> purge.add(v.id);
                    default -> v.transitionAt = 0;
                }
            }
            Attachment a = v.attachment;
            if (a != null && !"attached".equals(a.state) && a.until == t) {
                if ("attaching".equals(a.state)) {
                    a.state = "attached";
                } else {
                    v.attachment = null;
                    if ("in-use".equals(v.state)) {
                        v.state = "available";
                    }
                }
            }
        }
        purge.forEach(s.volumes::remove);
    }

    /** A completed snapshot is the base the volume's next (incremental) snapshot is measured against. */
    private static void completeSnapshot(Ec2State s, Snapshot sn, long t) {
        if (sn.stalled) {
            sn.state = "error";
            sn.stalled = false;
            Volume v = s.volumes.get(sn.volumeId);
            sn.stateMessage = "Snapshot failed: volume " + sn.volumeId + " is unreachable"
                    + (v == null ? "" : " (Availability Zone " + v.zone + " is impaired)");
            return;
        }
        if (sn.fails) {
            sn.state = "error";
            return;
        }
        sn.state = "completed";
        sn.completionTime = t;
        Volume v = s.volumes.get(sn.volumeId);
        if (v != null && sn.writes > v.lastSnapshotWrites) {
            v.lastSnapshotWrites = sn.writes;
        }
    }
}
