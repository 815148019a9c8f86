/**
 * Protective snapshots ({@code zonemover snapshot}): a recent incremental snapshot of every EBS claim of the
 * selected StatefulSets, so that when a zone fails the data lost is bounded by the schedule, and retention of
 * the newest N of them. It deletes only snapshots it took itself ({@code zonemover.io/protect=true}, never a
 * move's {@code zonemover.io/job} snapshots, never anyone else's), and never a pending one. It reaches
 * Kubernetes and EC2 only through the two ports, and knows nothing of the move engine.
 */
package io.zonemover.protect;
