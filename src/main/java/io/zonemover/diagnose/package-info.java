/**
 * What is wrong with EBS-backed workloads across zones, and the command that fixes each: one read of the
 * cluster ({@link io.zonemover.cluster.ClusterSnapshot}) becomes plain records once ({@link
 * io.zonemover.diagnose.SnapshotFacts}, {@link io.zonemover.diagnose.ClusterFacts}), and each
 * {@link io.zonemover.diagnose.Detector} in {@link io.zonemover.diagnose.Detectors} finds one kind of
 * problem in them, seeing what the earlier ones found ({@link io.zonemover.diagnose.Findings}). The pod is
 * the unit of a move: every EBS claim of a pod is judged, and moved, together. EC2 is reached only through
 * the {@link io.zonemover.aws.BlockStore} port, and only when a finding needs the volumes' recovery points
 * (a zone outage, or {@code --rpo}): {@link io.zonemover.diagnose.RecoveryPoints}. Also here: the
 * StorageClass fix that stops new claims from landing in the wrong zone.
 */
package io.zonemover.diagnose;
