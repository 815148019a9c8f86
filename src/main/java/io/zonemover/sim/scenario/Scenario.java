package io.zonemover.sim.scenario;

import io.zonemover.sim.World;

import java.util.Map;

/**
 * One world a simulation can start from. Implementations are small: they describe the cluster with the
 * shared builders ({@link WorldBuilder}, {@link StatefulSetBuilder}, {@link PodBuilder}) and let world time
 * pass until it is steady. Register a new one in {@link io.zonemover.sim.Scenarios}.
 */
public interface Scenario {

    /** What {@code --scenario} takes. */
    String name();

    /** One line for {@code --help} and error messages: what the world shows. */
    String description();

    /**
     * Builds the world at world time {@code now}. Every scenario takes option {@code k8sVersion} (the
     * scheduler's wording); others are its own and rejected with an {@link IllegalArgumentException} when bad.
     */
    World build(Map<String, String> options, long now);
}
