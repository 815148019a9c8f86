/** Reads the Kubernetes objects zonemover reasons about, once per run, and the facts read off them. */
package io.zonemover.cluster;
