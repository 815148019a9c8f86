/**
 * Test doubles shared by the test tiers: hand-written in-memory fakes of the two ports with an error injector
 * and a call log ({@link io.zonemover.testing.FakeCluster}, {@link io.zonemover.testing.FakeBlockStore},
 * {@link io.zonemover.testing.FakeWorld}), and the contract every implementation of the ports keeps
 * ({@link io.zonemover.testing.PortContract}), run against the fakes here and against the real adapters
 * over the simulated world.
 */
package io.zonemover.testing;
