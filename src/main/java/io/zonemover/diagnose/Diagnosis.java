package io.zonemover.diagnose;

import io.zonemover.cluster.ClusterSnapshot;

import java.util.List;

/**
 * Computes every finding from one read of the cluster: converts it once into plain records
 * ({@link SnapshotFacts}) and runs the {@link Detectors} over them. Pure: no API calls, so a 10,000-pod
 * cluster costs one read and a few passes over memory.
 */
public final class Diagnosis {

    private Diagnosis() {
    }

    /**
     * All findings, most urgent first: interrupted moves, stuck and split pods, attach failures, imbalance,
     * then StorageClasses.
     */
    public static List<Finding> of(ClusterSnapshot snapshot) {
        return of(SnapshotFacts.of(snapshot));
    }

    public static List<Finding> of(ClusterFacts facts) {
        return Detectors.run(facts, Detectors.ALL);
    }

    /** The command that moves one claim (and any other EBS claim of its pod) to {@code zone}. */
    public static String migrateCommand(String namespace, String claim, String zone) {
        return Moves.claimCommand(namespace, claim, zone);
    }
}
