/**
 * The cluster's state and the API verbs on it, with no HTTP in sight: the object store with resourceVersions
 * and timers ({@link io.zonemover.sim.kube.store.ObjectStore}), the verbs with validation and defaulting
 * ({@link io.zonemover.sim.kube.store.ApiServer}, {@link io.zonemover.sim.kube.store.Defaults}), patching
 * ({@link io.zonemover.sim.kube.store.Patches}, by the schemas in {@link io.zonemover.sim.kube.store.Schemas}),
 * the event recorder, the kinds ({@link io.zonemover.sim.kube.store.ResourceType}) and the helpers every layer
 * reads objects with ({@link io.zonemover.sim.kube.store.Json}, {@link io.zonemover.sim.kube.store.Facts},
 * {@link io.zonemover.sim.kube.store.Selectors}).
 *
 * <p>Like moto's {@code models}: a new verb or field is a change here and nowhere near the wire protocol.
 */
package io.zonemover.sim.kube.store;
