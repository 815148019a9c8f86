package io.zonemover.diagnose;

import java.util.List;

/**
 * Finds one kind of problem in the cluster's facts. Pure: no API calls. A detector sees what earlier ones
 * found ({@link Findings}), so that, for instance, a claim under an interrupted move gets no second
 * suggestion, and replicas already proposed for a move are counted where they will land.
 */
public interface Detector {

    /** The findings of this detector, in the order to report them; empty when there is nothing to say. */
    List<Finding> detect(ClusterFacts facts, Findings soFar);
}
