/**
 * Cleanup ({@code zonemover cleanup}): deletes what completed moves kept on purpose, the source volume
 * (tagged {@code zonemover.io/superseded-by}) and the move's snapshots ({@code zonemover.io/job}), once the
 * claim has run on its new volume for the retention. A plan is made first and only reads ({@link
 * io.zonemover.cleanup.LeftoverFinder}); deleting acts on an agreed plan ({@link
 * io.zonemover.cleanup.LeftoverRemover}). It reaches Kubernetes and EC2 only through the two ports, and knows
 * nothing of the move engine or the state database: the cloud's tags and the cluster's bindings are the
 * evidence, so it runs the same from a laptop or from inside the cluster.
 */
package io.zonemover.cleanup;
