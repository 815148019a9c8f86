/**
 * The scenarios a simulated world can start from, one class each ({@link io.zonemover.sim.scenario.Scenario}),
 * registered in {@link io.zonemover.sim.Scenarios} and written with the shared fluent builders ({@link
 * io.zonemover.sim.scenario.WorldBuilder}, {@link io.zonemover.sim.scenario.StatefulSetBuilder}, {@link
 * io.zonemover.sim.scenario.PodBuilder}) rather than tables copied from one scenario to the next.
 */
package io.zonemover.sim.scenario;
