/**
 * The Kubernetes half of the simulated world, built the way Kubernetes is: an object store
 * ({@link io.zonemover.sim.kube.ObjectStore}), the API verbs with validation and defaulting
 * ({@link io.zonemover.sim.kube.ApiServer}, {@link io.zonemover.sim.kube.Defaults}), an event recorder, one
 * class per controller behind {@link io.zonemover.sim.kube.Controller}, run to a fixpoint by
 * {@link io.zonemover.sim.kube.ControllerManager}, and the HTTP endpoint that real clients talk to
 * ({@link io.zonemover.sim.kube.KubeEndpoint}), behind the filter that injects the API server's own faults
 * ({@link io.zonemover.sim.kube.KubeFaultFilter}). {@link io.zonemover.sim.kube.KubeWorld} is the facade the
 * rest of the simulator uses.
 */
package io.zonemover.sim.kube;
