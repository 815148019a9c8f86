/**
 * The Kubernetes half of the simulated world, built the way Kubernetes is, one subpackage per layer:
 * {@code store} (the objects, their kinds and the API verbs with validation and defaulting), {@code controller}
 * (one class per controller, run to a fixpoint) and {@code api} (the HTTP endpoint real clients talk to, behind
 * the filter that injects the API server's own faults). {@link io.zonemover.sim.kube.KubeWorld} is the facade
 * the rest of the simulator uses; the faults set on the world ({@link io.zonemover.sim.kube.KubeFaults}), the
 * view of EC2 the cluster has ({@link io.zonemover.sim.kube.Ec2Side}) and the ground truth that goldens record
 * ({@link io.zonemover.sim.kube.GroundTruth}) sit beside it.
 */
package io.zonemover.sim.kube;
