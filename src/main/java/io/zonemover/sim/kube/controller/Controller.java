package io.zonemover.sim.kube.controller;

/**
 * One control loop of the simulated cluster: looks at the store through the context and moves the world one
 * step towards what the objects ask for. A controller keeps no state of its own between calls (what it must
 * remember lives in the store, so that it persists with the world), and it does not know which other
 * controllers run: a test may run any subset ({@link ControllerManager#of}).
 */
public interface Controller {

    /** Called on every pass of the controller loop until no controller changes anything. */
    void reconcile(ControllerContext ctx);
}
