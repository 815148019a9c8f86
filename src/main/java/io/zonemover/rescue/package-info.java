/**
 * Auto-rescue ({@code zonemover rescue --watch}): elects one leader among its replicas through a Lease, finds
 * the pods of opted-in StatefulSets that the scheduler cannot place because of their volumes' zone (as
 * {@code diagnose} finds them), and moves them with the same job engine and state as {@code migrate}, one
 * at a time by default and within their PodDisruptionBudgets; every action is also a Kubernetes Event on the
 * claims and the StatefulSet. Reaches Kubernetes only through the Cluster port.
 */
package io.zonemover.rescue;
