package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.time.Instant;
import java.util.ArrayList;

/**
 * The taint eviction controller (the NoExecute taint manager, its own controller since Kubernetes 1.29): a pod
 * on a node with a NoExecute taint it does not tolerate is deleted at once; one that tolerates it for
 * {@code tolerationSeconds} is deleted that long after the taint was added (every pod tolerates
 * {@code node.kubernetes.io/unreachable} and {@code not-ready} for 300 s: the DefaultTolerationSeconds
 * admission plugin). Deleting is the ordinary graceful delete: the pod gets its deletionTimestamp and is
 * gone only once its kubelet has stopped it, which on a lost node never happens (unless the node is marked
 * out of service, see {@link PodGarbageCollector}). A taint that goes before the deadline cancels it.
 */
final class TaintEvictionController implements Controller {

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        long now = ctx.now();
        for (ObjectNode p : new ArrayList<>(store.all(ResourceType.PODS))) {
            String nodeName = Json.text(p, "spec", "nodeName");
            if (nodeName == null || Json.deleting(p) || Facts.terminal(p)) {
                continue;
            }
            String timer = "evict:" + ObjectStore.key(ResourceType.PODS, Json.namespace(p), Json.name(p));
            ObjectNode node = store.find(ResourceType.NODES, null, nodeName);
            long deadline = node == null ? Long.MAX_VALUE : deadline(p, node, store.timer(timer), now);
            if (deadline == Long.MAX_VALUE) {
                store.clearTimer(timer);
            } else if (now < deadline) {
                store.setTimer(timer, deadline);
            } else {
                store.clearTimer(timer);
                ctx.record(ResourceType.PODS, p, "Normal", "TaintManagerEviction", "Marking for deletion Pod "
                        + Json.namespace(p) + "/" + Json.name(p), "taint-eviction-controller");
                ctx.api().deletePod(p, null, now, ctx.ec2());
            }
        }
    }

    /** When the pod must go: the earliest of its NoExecute taints' deadlines; MAX_VALUE when none applies. */
    private static long deadline(JsonNode pod, JsonNode node, Long pending, long now) {
        long deadline = Long.MAX_VALUE;
        for (JsonNode t : node.path("spec").path("taints")) {
            if (!"NoExecute".equals(t.path("effect").asText())) {
                continue;
            }
            JsonNode tol = toleration(pod.path("spec").path("tolerations"), t);
            if (tol == null) {
                return now;
            }
            if (!tol.hasNonNull("tolerationSeconds")) {
                continue;
            }
            long seconds = Math.max(0, tol.path("tolerationSeconds").asLong());
            String added = t.path("timeAdded").asText(null);
            // A taint without timeAdded counts from when it was first seen (the pending deadline, if any).
            long from = added == null ? now : Instant.parse(added).toEpochMilli();
            long due = from + seconds * 1000;
            if (added == null && pending != null) {
                due = Math.min(due, pending);
            }
            deadline = Math.min(deadline, due);
        }
        return deadline;
    }

    /** The pod's toleration that matches the taint, as the API's Toleration.ToleratesTaint does; null when none. */
    static JsonNode toleration(JsonNode tolerations, JsonNode taint) {
        for (JsonNode tol : tolerations) {
            String effect = tol.path("effect").asText("");
            if (!effect.isEmpty() && !effect.equals(taint.path("effect").asText())) {
                continue;
            }
            String key = tol.path("key").asText("");
            String op = tol.path("operator").asText("Equal");
            if (key.isEmpty() && "Exists".equals(op)) {
                return tol;
            }
            if (!key.equals(taint.path("key").asText())) {
                continue;
            }
            if ("Exists".equals(op) || tol.path("value").asText("").equals(taint.path("value").asText(""))) {
                return tol;
            }
        }
        return null;
    }
}
