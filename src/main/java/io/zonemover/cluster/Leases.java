package io.zonemover.cluster;

import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * coordination.k8s.io/v1 Leases read, created and replaced whole, for leader election. A create that finds
 * the Lease there and a replace with a stale resourceVersion both fail with a CONFLICT: that is how two
 * candidates learn that the other one wrote first.
 */
final class Leases {

    private final CoordinationV1Api coordination;
    private final KubeCalls calls;

    Leases(CoordinationV1Api coordination, KubeCalls calls) {
        this.coordination = coordination;
        this.calls = calls;
    }

    Optional<Cluster.Lease> read(String namespace, String name) {
        return calls.read("read Lease " + namespace + "/" + name,
                () -> coordination.readNamespacedLease(name, namespace).execute()).map(Leases::fromV1);
    }

    Cluster.Lease create(Cluster.Lease lease) {
        V1Lease body = toV1(lease);
        body.getMetadata().setResourceVersion(null);
        return fromV1(calls.call("create Lease " + lease.namespace() + "/" + lease.name(),
                () -> coordination.createNamespacedLease(lease.namespace(), body).execute()));
    }

    Cluster.Lease update(Cluster.Lease lease) {
        return fromV1(calls.call("update Lease " + lease.namespace() + "/" + lease.name(),
                () -> coordination.replaceNamespacedLease(lease.name(), lease.namespace(), toV1(lease)).execute()));
    }

    private static V1Lease toV1(Cluster.Lease lease) {
        return new V1Lease().apiVersion("coordination.k8s.io/v1").kind("Lease")
                .metadata(new V1ObjectMeta().name(lease.name()).namespace(lease.namespace())
                        .resourceVersion(lease.resourceVersion()))
                .spec(new V1LeaseSpec().holderIdentity(lease.holderIdentity())
                        .leaseDurationSeconds(lease.leaseDurationSeconds())
                        .acquireTime(time(lease.acquireTime())).renewTime(time(lease.renewTime()))
                        .leaseTransitions(lease.leaseTransitions()));
    }

    private static Cluster.Lease fromV1(V1Lease lease) {
        V1LeaseSpec spec = lease.getSpec() == null ? new V1LeaseSpec() : lease.getSpec();
        return new Cluster.Lease(lease.getMetadata().getNamespace(), lease.getMetadata().getName(),
                spec.getHolderIdentity(), spec.getLeaseDurationSeconds() == null ? 0 : spec.getLeaseDurationSeconds(),
                instant(spec.getAcquireTime()), instant(spec.getRenewTime()),
                spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions(),
                lease.getMetadata().getResourceVersion());
    }

    private static OffsetDateTime time(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
