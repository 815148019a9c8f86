package io.zonemover.diagnose;

import java.util.List;

/**
 * The detectors, in the order their findings are reported (most urgent first). Adding one is a class
 * implementing {@link Detector} and a line here; a detector sees the findings of those above it.
 */
public final class Detectors {

    public static final List<Detector> ALL = List.of(
            new InterruptedMoveDetector(),
            new ZoneOutageDetector(),
            new VolumeNodeAffinityConflictDetector(),
            new SplitPodVolumesDetector(),
            new AttachFailureDetector(),
            new ZoneImbalanceDetector(),
            new RecoveryPointObjectiveDetector(),
            new ImmediateBindingDetector());

    private Detectors() {
    }

    /** Runs {@code detectors} in order, each seeing what the earlier ones found. */
    public static List<Finding> run(ClusterFacts facts, List<Detector> detectors) {
        Findings soFar = Findings.none();
        for (Detector d : detectors) {
            soFar = soFar.with(d.detect(facts, soFar));
        }
        return soFar.all();
    }
}
