package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.FastRestore;
import io.zonemover.sim.ec2.Ec2State.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fast snapshot restore, per snapshot and Availability Zone ({@code ebs/latest/userguide/view-fsr-enabled-snapshots}):
 * {@code enabling -> optimizing -> enabled}, and {@code disabling -> disabled}. A volume created from a snapshot whose
 * fast snapshot restore is {@code enabled} in the volume's zone is fully initialized at creation ({@link
 * Initialization}). Modelled durations: {@link Ec2World#FSR_ENABLING_MS} in {@code enabling} (AWS's example output
 * shows 36 s), then optimizing for "60 minutes per TiB" of the snapshot (AWS, same page), at least {@link
 * Ec2World#FSR_OPTIMIZE_MIN_MS} (the example shows 64 s for a small one); {@link Ec2World#FSR_DISABLING_MS} in
 * {@code disabling} (our estimate). Volume creation credits are not modelled (a move restores one volume per
 * snapshot, well within any bucket). Deleting a snapshot disables its fast snapshot restores.
 */
final class FastRestores {

    /** One (snapshot, zone) result of Enable/DisableFastSnapshotRestores: a state, or an error code and message. */
    record Outcome(String snapshotId, String zone, FastRestore restore, String errorCode, String errorMessage) {
    }

    private final Ec2State s;

    FastRestores(Ec2State state) {
        this.s = state;
    }

    static boolean enabledIn(Snapshot sn, String zone) {
        FastRestore f = sn == null ? null : sn.fastRestores.get(zone);
        return f != null && "enabled".equals(f.state);
    }

    /**
     * EnableFastSnapshotRestores: each pair that can be enabled is, or stays as it is when already enabling,
     * optimizing or enabled; a snapshot that does not exist or is not completed, or a zone that does not, comes back
     * as a per-item error (EC2 answers those in {@code unsuccessful}, not with an error response).
     */
    List<Outcome> enable(List<String> snapshotIds, List<String> zones, long now) {
        return eachPair(snapshotIds, zones, (id, sn, zone) -> {
            if (!s.zones.contains(zone)) {
                return new Outcome(id, zone, null, "InvalidParameterValue", "The Availability Zone '" + zone
                        + "' is not valid.");
            }
            if (!"completed".equals(sn.state)) {
                return new Outcome(id, zone, null, "IncorrectState", "Snapshot '" + id + "' is " + sn.state
                        + "; only a completed snapshot can be enabled for fast snapshot restore.");
            }
            FastRestore f = sn.fastRestores.get(zone);
            if (f == null || "disabled".equals(f.state) || "disabling".equals(f.state)) {
                f = new FastRestore();
                f.state = "enabling";
                f.enablingTime = now;
                f.transitionAt = now + Ec2World.FSR_ENABLING_MS;
                sn.fastRestores.put(zone, f);
            }
            return new Outcome(id, zone, f, null, null);
        });
    }

    /** DisableFastSnapshotRestores: each pair goes disabling; one never enabled answers {@code disabled} (our choice). */
    List<Outcome> disable(List<String> snapshotIds, List<String> zones, long now) {
        return eachPair(snapshotIds, zones, (id, sn, zone) -> {
            FastRestore f = sn.fastRestores.get(zone);
            if (f == null) {
                f = new FastRestore();
                f.state = "disabled";
                f.disabledTime = now;
            } else if (!"disabled".equals(f.state) && !"disabling".equals(f.state)) {
                f.state = "disabling";
                f.disablingTime = now;
                f.transitionAt = now + Ec2World.FSR_DISABLING_MS;
            }
            return new Outcome(id, zone, f, null, null);
        });
    }

    /** What one request does to one existing snapshot in one zone. */
    @FunctionalInterface
    private interface PairAction {
        Outcome apply(String snapshotId, Snapshot snapshot, String zone);
    }

    /** The request's (snapshot, zone) pairs in order, a snapshot that does not exist answering for itself. */
    private List<Outcome> eachPair(List<String> snapshotIds, List<String> zones, PairAction action) {
        validate(snapshotIds, zones);
        List<Outcome> out = new ArrayList<>();
        for (String id : snapshotIds) {
            Snapshot sn = s.snapshots.get(id);
            for (String zone : zones) {
                out.add(sn == null ? new Outcome(id, zone, null, "InvalidSnapshot.NotFound", "The snapshot '" + id
                        + "' does not exist.") : action.apply(id, sn, zone));
            }
        }
        return out;
    }

    private static void validate(List<String> snapshotIds, List<String> zones) {
        if (snapshotIds.isEmpty()) {
            throw Ec2Error.missing("SourceSnapshotId");
        }
        if (zones.isEmpty()) {
            throw Ec2Error.missing("AvailabilityZone");
        }
    }

    /** Every (snapshot, zone) pair ever enabled, for DescribeFastSnapshotRestores. */
    List<Map.Entry<Snapshot, Map.Entry<String, FastRestore>>> all() {
        List<Map.Entry<Snapshot, Map.Entry<String, FastRestore>>> out = new ArrayList<>();
        for (Snapshot sn : s.snapshots.values()) {
            for (Map.Entry<String, FastRestore> e : sn.fastRestores.entrySet()) {
                out.add(Map.entry(sn, e));
            }
        }
        return out;
    }

    /** The state change due at {@code t}, if it is this one's. */
    static void apply(Snapshot sn, FastRestore f, long t) {
        if (f.transitionAt != t) {
            return;
        }
        switch (f.state) {
            case "enabling" -> {
                f.state = "optimizing";
                f.optimizingTime = t;
                long optimize = Math.max(Ec2World.FSR_OPTIMIZE_MIN_MS,
                        sn.sizeGiB * Ec2World.FSR_OPTIMIZE_MS_PER_TIB / 1024);
                f.transitionAt = t + optimize;
            }
            case "optimizing" -> {
                f.state = "enabled";
                f.enabledTime = t;
                f.transitionAt = 0;
            }
            case "disabling" -> {
                f.state = "disabled";
                f.disabledTime = t;
                f.transitionAt = 0;
            }
            default -> f.transitionAt = 0;
        }
    }
}
