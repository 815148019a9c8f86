package io.zonemover.cleanup;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a cleanup run found, as of EC2's clock {@code now}: each completed move's leftovers, due for deletion
 * or waiting (and why), and the volumes it refuses to touch (and why).
 */
public record CleanupPlan(Duration olderThan, Instant now, List<Leftover> leftovers, List<Refusal> refusals) {

    /**
     * One completed move's source volume and its snapshots.
     *
     * @param waitReason why it is not deleted this run (retention not passed, pod not Ready...), null when due
     * @param oldPvs     the Released PVs that still name the volume (left for {@code kubectl delete pv})
     */
    public record Leftover(String volumeId, String zone, String type, int sizeGiB, String newVolumeId,
                           String jobId, ClaimRef claim, String pod, List<EbsSnapshot> snapshots, Instant movedAt,
                           String waitReason, List<String> oldPvs) {

        public boolean due() {
            return waitReason == null;
        }

        public double volumeMonthlyUsd() {
            return MonthlyCost.volume(type, sizeGiB);
        }

        /** An upper bound: snapshots are incremental ({@link MonthlyCost#snapshot}). */
        public double snapshotsMonthlyUsd() {
            return snapshots.size() * MonthlyCost.snapshot(sizeGiB);
        }
    }

    /** A volume cleanup will not delete, whatever the user answers: attached, bound to a PV, or not zonemover's. */
    public record Refusal(String volumeId, String reason) {
    }

    /** A retention-sized span as people read it: "6.2 days", "5.5 hours", "40 minutes". */
    public static String span(Duration d) {
        if (d.toHours() >= 24) {
            return String.format(java.util.Locale.ROOT, "%.1f days", d.toMinutes() / 1440.0);
        }
        if (d.toMinutes() >= 60) {
            return String.format(java.util.Locale.ROOT, "%.1f hours", d.toMinutes() / 60.0);
        }
        return Math.max(0, d.toMinutes()) + " minutes";
    }

    public List<Leftover> due() {
        return leftovers.stream().filter(Leftover::due).toList();
    }

    public long dueSnapshots() {
        return due().stream().mapToLong(l -> l.snapshots().size()).sum();
    }

    public double dueMonthlyUsd() {
        return due().stream().mapToDouble(l -> l.volumeMonthlyUsd() + l.snapshotsMonthlyUsd()).sum();
    }
}
