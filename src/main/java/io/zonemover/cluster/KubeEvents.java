package io.zonemover.cluster;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.util.PatchUtils;
import io.zonemover.domain.PortError;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * core v1 Events zonemover writes about the objects it changes, shaped as client-go's recorder shapes them
 * (name {@code <object>.<hex nanos>}, source and reportingComponent {@code zonemover}, count and first/last
 * timestamps), so that {@code kubectl describe} and {@code kubectl get events} show them as any
 * controller's. Each call is one attempt: an event is never worth a retry that delays a move.
 */
final class KubeEvents {

    static final String COMPONENT = "zonemover";
    /** The API server refuses longer messages; client-go truncates to the same length. */
    private static final int MAX_MESSAGE = 1024;

    private final CoreV1Api core;
    private final KubeCalls calls;
    private final io.kubernetes.client.openapi.ApiClient client;

    KubeEvents(io.kubernetes.client.openapi.ApiClient client, CoreV1Api core, KubeCalls calls) {
        this.client = client;
        this.core = core;
        this.calls = calls;
    }

    String create(Cluster.ObjectEvent e, Instant at) {
        String name = e.name() + "." + Long.toHexString(at.getEpochSecond() * 1_000_000_000L + at.getNano());
        var time = at.atOffset(ZoneOffset.UTC);
        CoreV1Event event = new CoreV1Event().apiVersion("v1").kind("Event")
                .metadata(new V1ObjectMeta().name(name).namespace(e.namespace()))
                .involvedObject(new V1ObjectReference().kind(e.kind()).apiVersion(e.apiVersion())
                        .namespace(e.namespace()).name(e.name()).uid(e.uid()))
                .type(e.type()).reason(e.reason()).action(e.action()).message(truncate(e.message()))
                .firstTimestamp(time).lastTimestamp(time).count(1)
                .source(new V1EventSource().component(COMPONENT))
                .reportingComponent(COMPONENT).reportingInstance(e.instance());
        calls.once("create Event about " + e.kind() + " " + e.namespace() + "/" + e.name(),
                () -> core.createNamespacedEvent(e.namespace(), event).execute());
        return name;
    }

    boolean repeat(String namespace, String name, int count, Instant at) {
        String patch = "{\"count\":" + count + ",\"lastTimestamp\":\"" + at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + "\"}";
        try {
            calls.once("patch Event " + namespace + "/" + name, () -> PatchUtils.patch(CoreV1Event.class,
                    () -> core.patchNamespacedEvent(name, namespace, new V1Patch(patch)).buildCall(null),
                    V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client));
            return true;
        } catch (PortError error) {
            if (error.kind() == PortError.Kind.NOT_FOUND) {
                return false;
            }
            throw error;
        }
    }

    private static String truncate(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message;
        }
        return message.substring(0, MAX_MESSAGE - 3) + "...";
    }
}
