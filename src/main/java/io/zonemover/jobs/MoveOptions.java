package io.zonemover.jobs;

import io.zonemover.domain.ZonemoverException;

/**
 * How a move copies and restores, beyond what its plan says: the most pre-copy rounds while the pod runs, and how
 * the new volumes reach full speed (EC2's Provisioned Rate for Volume Initialization, or fast snapshot restore of
 * the final snapshots in the target zone). {@link #DEFAULT}: one pre-snapshot, EC2's default initialization.
 */
public record MoveOptions(int preSnapshotRounds, Integer volumeInitializationRate, boolean fastSnapshotRestore) {

    public static final MoveOptions DEFAULT = new MoveOptions(1, null, false);
    /** EC2's range for VolumeInitializationRate, MiB/s (CreateVolume). */
    public static final int MIN_RATE = 100;
    public static final int MAX_RATE = 300;
    public static final int MAX_ROUNDS = 10;

    /** Refuses (bad input) what EC2 or the step would refuse, before anything changes. */
    public MoveOptions {
        if (preSnapshotRounds < 1 || preSnapshotRounds > MAX_ROUNDS) {
            throw ZonemoverException.badInput("--pre-snapshot-rounds takes 1 to " + MAX_ROUNDS + ", not "
                    + preSnapshotRounds);
        }
        if (volumeInitializationRate != null
                && (volumeInitializationRate < MIN_RATE || volumeInitializationRate > MAX_RATE)) {
            throw ZonemoverException.badInput("--volume-initialization-rate takes " + MIN_RATE + " to " + MAX_RATE
                    + " (MiB/s, EC2's range), not " + volumeInitializationRate);
        }
        if (volumeInitializationRate != null && fastSnapshotRestore) {
            throw ZonemoverException.badInput("--volume-initialization-rate and --fast-snapshot-restore exclude each "
                    + "other: EC2 initializes at the rate and ignores fast snapshot restore when both apply");
        }
    }
}
