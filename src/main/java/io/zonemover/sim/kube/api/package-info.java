/**
 * The Kubernetes HTTP protocol over the store, for client-java and kubectl: routing
 * ({@link io.zonemover.sim.kube.api.KubeEndpoint}), the verbs, subresources, watches, discovery and OpenAPI,
 * Table answers, server-side apply, protobuf, the clients' clock, the filter that injects the API server's
 * own faults ({@link io.zonemover.sim.kube.api.KubeFaultFilter}), the one that counts every request
 * ({@link io.zonemover.sim.kube.api.CallCountFilter}) and, for a world that enforces RBAC, the authorizer
 * ({@link io.zonemover.sim.kube.api.RbacFilter}) that answers what its roles do not grant with 403.
 *
 * <p>Like moto's {@code responses}: it parses what a client sent and renders what the real server would
 * answer; the state changes themselves are the store's.
 */
package io.zonemover.sim.kube.api;
