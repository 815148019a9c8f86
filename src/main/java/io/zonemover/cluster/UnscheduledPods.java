package io.zonemover.cluster;

import io.kubernetes.client.openapi.ApiResponse;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodList;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The Pending pods the scheduler could not place, in one paged list (field selector
 * {@code status.phase=Pending}), with the API server's clock read off the answer's Date header: how long a
 * pod has waited is measured on the clock that stamped its condition, never on this machine's.
 */
final class UnscheduledPods {

    private final CoreV1Api core;
    private final KubeCalls calls;

    UnscheduledPods(CoreV1Api core, KubeCalls calls) {
        this.core = core;
        this.calls = calls;
    }

    Cluster.Unscheduled read(String namespace) {
        List<Cluster.UnscheduledPod> out = new ArrayList<>();
        Instant serverTime = null;
        String next = null;
        do {
            String page = next;
            ApiResponse<V1PodList> response = calls.call("list Pending pods" + (namespace == null ? "" : " in " + namespace),
                    () -> namespace == null
                            ? core.listPodForAllNamespaces().fieldSelector("status.phase=Pending").limit(500)
                                    ._continue(page).executeWithHttpInfo()
                            : core.listNamespacedPod(namespace).fieldSelector("status.phase=Pending").limit(500)
                                    ._continue(page).executeWithHttpInfo());
            if (serverTime == null) {
                serverTime = date(response.getHeaders());
            }
            for (V1Pod pod : response.getData().getItems()) {
                unscheduled(pod).ifPresent(out::add);
            }
            next = response.getData().getMetadata() == null ? null : response.getData().getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        // An API server that sends no Date (none known does) leaves only this machine's clock.
        return new Cluster.Unscheduled(serverTime != null ? serverTime : Instant.now(), out);
    }

    private java.util.Optional<Cluster.UnscheduledPod> unscheduled(V1Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getSpec() == null
                || pod.getSpec().getNodeName() != null || pod.getStatus() == null) {
            return java.util.Optional.empty();
        }
        V1PodCondition scheduled = nullSafe(pod.getStatus().getConditions()).stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
                .findFirst().orElse(null);
        if (scheduled == null) {
            return java.util.Optional.empty();
        }
        String namespace = pod.getMetadata().getNamespace();
        String uid = pod.getMetadata().getUid();
        Instant since = scheduled.getLastTransitionTime() != null ? scheduled.getLastTransitionTime().toInstant()
                : firstFailedScheduling(namespace, uid);
        String owner = nullSafe(pod.getMetadata().getOwnerReferences()).stream()
                .filter(o -> "StatefulSet".equals(o.getKind())).map(V1OwnerReference::getName).findFirst().orElse(null);
        return java.util.Optional.of(new Cluster.UnscheduledPod(namespace, pod.getMetadata().getName(), uid, owner,
                scheduled.getMessage(), since));
    }

    /** The earliest FailedScheduling event about the pod (by uid), or null when they have expired. */
    private Instant firstFailedScheduling(String namespace, String uid) {
        List<CoreV1Event> events = calls.call("list events of pod " + uid, () -> core.listNamespacedEvent(namespace)
                .fieldSelector("involvedObject.uid=" + uid + ",reason=FailedScheduling").execute()).getItems();
        return events.stream()
                .flatMap(e -> Stream.of(e.getFirstTimestamp(), e.getEventTime(), e.getLastTimestamp())
                        .filter(Objects::nonNull).limit(1))
                .map(OffsetDateTime::toInstant).min(Comparator.naturalOrder()).orElse(null);
    }

    private static Instant date(Map<String, List<String>> headers) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if ("date".equalsIgnoreCase(h.getKey()) && h.getValue() != null && !h.getValue().isEmpty()) {
                try {
                    return ZonedDateTime.parse(h.getValue().get(0), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                } catch (DateTimeParseException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
