/**
 * The controllers of the simulated cluster, one small reconciler per class behind
 * {@link io.zonemover.sim.kube.controller.Controller}, each reading and writing only the store through its
 * {@link io.zonemover.sim.kube.controller.ControllerContext};
 * {@link io.zonemover.sim.kube.controller.ControllerManager} runs them to a fixpoint.
 *
 * <p>As in Kubernetes, a controller does not know the others exist (the StatefulSet controller does not know
 * the scheduler), so that a test can run one or two alone ({@code ControllerManager.of}).
 */
package io.zonemover.sim.kube.controller;
