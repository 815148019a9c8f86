/**
 * Planned zone work for fleets (issue 9): what the selected StatefulSets look like per zone
 * ({@link io.zonemover.fleet.FleetState}), the plans that spread or evacuate them
 * ({@link io.zonemover.fleet.FleetPlanner}) or split them into one StatefulSet per zone
 * ({@link io.zonemover.fleet.SplitPlanner}), the plan file users review and apply
 * ({@link io.zonemover.fleet.PlanFile}) and its before/after table ({@link io.zonemover.fleet.PlanTable}).
 * Pure apart from the plan file's YAML and the reader of the ports; the apply engine is in
 * {@code io.zonemover.jobs}.
 */
package io.zonemover.fleet;
