/**
 * The simulated world: an EC2 Query endpoint and a Kubernetes API endpoint, served over real HTTP on
 * loopback, backed by a world that persists in a directory. Production code never imports this package;
 * only the wiring (when {@code --sim DIR} is given) and tests reach it.
 */
package io.zonemover.sim;
