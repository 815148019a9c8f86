package io.zonemover.cleanup;

import java.util.Locale;
import java.util.Map;

/**
 * What keeping EBS storage costs a month, at the us-east-1 list prices (USD per GiB-month; AWS's EBS pricing
 * page). Storage only: provisioned IOPS and throughput above the baseline are billed on top, and other
 * regions differ, so the figure is a guide to what cleanup saves, not a bill.
 */
public final class MonthlyCost {

    private static final Map<String, Double> VOLUME_PER_GIB = Map.of("gp3", 0.08, "gp2", 0.10, "io1", 0.125,
            "io2", 0.125, "st1", 0.045, "sc1", 0.015, "standard", 0.05);
    /** Snapshot storage (standard tier). */
    private static final double SNAPSHOT_PER_GIB = 0.05;

    private MonthlyCost() {
    }

    /** A volume of this type and size; an unknown type is priced as gp2, the dearest general-purpose one. */
    public static double volume(String type, int sizeGiB) {
        return VOLUME_PER_GIB.getOrDefault(type == null ? "gp2" : type.toLowerCase(Locale.ROOT), 0.10) * sizeGiB;
    }

    /**
     * A snapshot of a volume of this size, counted as if it held the whole volume: an upper bound, since EBS
     * snapshots are incremental and store only the blocks that differ from the previous one of the volume.
     */
    public static double snapshot(int volumeSizeGiB) {
        return SNAPSHOT_PER_GIB * volumeSizeGiB;
    }

    /** Dollars as people read them: $1.60. */
    public static String format(double usd) {
        return String.format(Locale.ROOT, "$%.2f", usd);
    }
}
