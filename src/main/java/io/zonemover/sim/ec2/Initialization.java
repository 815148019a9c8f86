package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.Snapshot;
import io.zonemover.sim.ec2.Ec2State.Volume;

/**
 * Volume initialization: a volume restored from a snapshot is {@code available} before its blocks are there; they
 * load from S3 after it becomes available, and until all have, reads of the volume go at the loading pace instead
 * of the volume's own ({@code ebs/latest/userguide/initalize-volume}: "the volume being initialized might experience
 * increased I/O latency and decreased performance. Full volume performance is achieved only once all storage blocks
 * have been downloaded"). Our model of it:
 * <ul>
 *   <li>The data to load is the whole volume (as a full snapshot is assumed to hold the whole volume).</li>
 *   <li>Pace: the Provisioned Rate for Volume Initialization when CreateVolume asked for one (100 to 300 MiB/s; it
 *   wins over fast snapshot restore, CreateVolume docs); none at all (full speed at once) when the snapshot had fast
 *   snapshot restore {@code enabled} in the volume's zone; else {@link Ec2World#DEFAULT_INIT_MIB_PER_SEC}. AWS says
 *   the default rate "fluctuates" and documents no figure: the number is ours.</li>
 *   <li>A reader sees the loading pace until the volume is initialized, then the volume's own throughput (gp3's
 *   provisioned throughput, else {@link Ec2World#FULL_SPEED_MIB_PER_SEC}).</li>
 * </ul>
 */
final class Initialization {

    private Initialization() {
    }

    /** Sets a new volume's initialization from its snapshot, given when it becomes available. */
    static void begin(Volume v, Snapshot snap, Integer rate, long availableAt) {
        v.initializationRate = rate;
        v.fastRestored = rate == null && FastRestores.enabledIn(snap, v.zone);
        v.initStart = availableAt;
        long mib = v.sizeGiB * 1024L;
        v.initializedAt = v.fastRestored ? availableAt : availableAt + mib * 1000 / loadingPace(v);
    }

    /** MiB/s at which the volume's blocks load (0 for an empty volume or one restored fast). */
    static long loadingPace(Volume v) {
        if (v.initializationRate != null) {
            return v.initializationRate;
        }
        return v.fastRestored ? 0 : Ec2World.DEFAULT_INIT_MIB_PER_SEC;
    }

    /** True when the volume has blocks still loading at {@code now}. */
    static boolean initializing(Volume v, long now) {
        return v.initializedAt > 0 && now < v.initializedAt;
    }

    /** Percent of the blocks loaded at {@code now} (100 once initialized). */
    static int progress(Volume v, long now) {
        if (!initializing(v, now)) {
            return 100;
        }
        long span = Math.max(1, v.initializedAt - v.initStart);
        return (int) Math.min(99, Math.max(0, (now - v.initStart) * 100 / span));
    }

    /** The volume's own read throughput once initialized, MiB/s. */
    static long fullSpeed(Volume v) {
        return v.throughput != null ? v.throughput : Ec2World.FULL_SPEED_MIB_PER_SEC;
    }

    /**
     * Milliseconds a reader starting at {@code now} needs to read {@code mib} MiB of the volume: at the loading pace
     * until the volume is initialized, at full speed after.
     */
    static long readMillis(Volume v, long mib, long now) {
        long full = fullSpeed(v);
        if (!initializing(v, now) || mib <= 0) {
            return mib * 1000 / full;
        }
        long start = Math.max(now, v.initStart);
        long pace = Math.max(1, loadingPace(v));
        long slowMib = (v.initializedAt - start) * pace / 1000;
        if (slowMib >= mib) {
            return (start - now) + mib * 1000 / pace;
        }
        return (v.initializedAt - now) + (mib - slowMib) * 1000 / full;
    }
}
