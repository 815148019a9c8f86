package io.zonemover.diagnose;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.ClusterSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Computes every finding from one read of the cluster: converts it once into plain records
 * ({@link SnapshotFacts}) and runs the {@link Detectors} over them. No Kubernetes call beyond that read, so
 * a 10,000-pod cluster costs one read and a few passes over memory; and EC2 is asked only when a finding
 * needs the volumes' recovery points (a zone outage, or {@code --rpo}): then one DescribeSnapshots for all
 * the volumes concerned and one read of the cloud's clock.
 */
public final class Diagnosis {

    /**
     * The findings, and the warnings for stderr (one line each).
     *
     * @param recoveryPointsUnknown recovery points were needed but EC2 could not be read
     */
    public record Report(List<Finding> findings, List<String> warnings, boolean recoveryPointsUnknown) {
        public Report {
            findings = List.copyOf(findings);
            warnings = List.copyOf(warnings);
        }
    }

    private Diagnosis() {
    }

    /**
     * All findings, most urgent first: interrupted moves, zone outages, stuck and split pods, attach failures,
     * imbalance, then StorageClasses. Reads nothing from EC2: an outage's recovery points are "not read".
     */
    public static List<Finding> of(ClusterSnapshot snapshot) {
        return of(SnapshotFacts.of(snapshot));
    }

    public static List<Finding> of(ClusterFacts facts) {
        return Detectors.run(facts, Detectors.ALL);
    }

    /**
     * All findings, with the recovery points of the volumes that need them read from {@code blockStore},
     * which is asked for (and so built) only then. {@code rpo} is the objective of {@code --rpo}, or null.
     * An EC2 that cannot be reached leaves the recovery points unknown and adds one warning.
     */
    public static Report of(ClusterFacts facts, Duration rpo, Supplier<BlockStore> blockStore) {
        Set<String> volumeIds = volumesToRead(facts, rpo);
        RecoveryPoints points = RecoveryPoints.read(blockStore, volumeIds);
        List<String> warnings = new ArrayList<>();
        if (points.read() && !points.known()) {
            warnings.add("cannot read snapshots from EC2 (" + points.problem() + "): recovery points unknown"
                    + (rpo != null ? "; --rpo not checked" : ""));
        }
        List<Finding> findings = of(facts.withRecoveryPoints(points, rpo));
        return new Report(findings, warnings, points.read() && !points.known());
    }

    /**
     * The EBS volumes whose recovery points the findings need: those of the pods caught in a zone outage,
     * and with {@code rpo} every in-scope StatefulSet claim's. Empty (so EC2 is not asked) otherwise.
     */
    public static Set<String> volumesToRead(ClusterFacts facts, Duration rpo) {
        Set<String> ids = new TreeSet<>(ZoneOutageDetector.volumeIds(ZoneOutageDetector.outages(facts,
                Findings.none())));
        if (rpo != null) {
            ids.addAll(RecoveryPointObjectiveDetector.volumeIds(facts));
        }
        return ids;
    }

    /** The command that moves one claim (and any other EBS claim of its pod) to {@code zone}. */
    public static String migrateCommand(String namespace, String claim, String zone) {
        return Moves.claimCommand(namespace, claim, zone);
    }
}
