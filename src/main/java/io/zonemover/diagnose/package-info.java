/**
 * What is wrong with EBS-backed workloads across zones, computed from one {@link
 * io.zonemover.cluster.ClusterSnapshot} (no call per pod), each finding with the command that fixes it;
 * and the StorageClass fix that stops new claims from landing in the wrong zone.
 */
package io.zonemover.diagnose;
