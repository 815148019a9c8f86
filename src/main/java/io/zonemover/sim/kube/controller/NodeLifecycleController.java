package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

/**
 * The node lifecycle controller: node health from the kubelets' heartbeats, and the taints that follow from a
 * node's state (TaintNodesByCondition, and the NoExecute taints that taint-based eviction acts on).
 *
 * <ul>
 *   <li>Cordon: {@code node.kubernetes.io/unschedulable:NoSchedule} while spec.unschedulable is true, gone when
 *   it is not. {@code kubectl cordon} only sets the field; clients that look for the taint (and the scheduler's
 *   taint filter for pods that tolerate unschedulable) need the controller to add it.</li>
 *   <li>Lost node: once a node's kubelet has not posted status for {@link #monitorGraceMs} (here: its EC2
 *   instance is not running, its zone being down), its Ready condition becomes {@code Unknown} (reason
 *   {@code NodeStatusUnknown}), it gets {@code node.kubernetes.io/unreachable} with effects NoSchedule and
 *   NoExecute, and the Ready condition of every pod on it becomes False (MarkPodsNotReady). The pods stay
 *   Running; {@link TaintEvictionController} marks them for deletion when their toleration of the NoExecute
 *   taint runs out. When the kubelet posts again, the node is Ready and the taints go.</li>
 * </ul>
 *
 * <p>{@code --node-monitor-grace-period} defaults to 40 s before Kubernetes 1.32 and 50 s since (raised by
 * kubernetes/kubernetes#121793, see #127352); the emulated version decides which.
 */
public final class NodeLifecycleController implements Controller {

    static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";
    static final String UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
    static final long MONITOR_GRACE_MS_OLD = 40_000;
    static final long MONITOR_GRACE_MS = 50_000;

    static long monitorGraceMs(ControllerContext ctx) {
        return ctx.api().minorVersion() >= 32 ? MONITOR_GRACE_MS : MONITOR_GRACE_MS_OLD;
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        for (ObjectNode n : store.all(ResourceType.NODES)) {
            health(ctx, n);
            boolean cordoned = n.path("spec").path("unschedulable").asBoolean(false);
            int at = taintIndex(n, UNSCHEDULABLE_TAINT, "NoSchedule");
            if (cordoned && at < 0) {
                addTaint(ctx, n, UNSCHEDULABLE_TAINT, "NoSchedule");
                store.touch(ResourceType.NODES, n);
            } else if (!cordoned && at >= 0) {
                removeTaint(n, at);
                store.touch(ResourceType.NODES, n);
            }
        }
    }

    private static void health(ControllerContext ctx, ObjectNode n) {
        ObjectStore store = ctx.store();
        String timer = "nodelost:" + Json.name(n);
        ObjectNode ready = readyCondition(n);
        boolean unknown = ready != null && "Unknown".equals(ready.path("status").asText());
        if (!ctx.kubeletUp(n)) {
            if (unknown) {
                return;
            }
            Long due = store.timer(timer);
            if (due == null) {
                store.setTimer(timer, ctx.now() + monitorGraceMs(ctx));
            } else if (ctx.now() >= due) {
                store.clearTimer(timer);
                markUnknown(ctx, n);
            }
            return;
        }
        store.clearTimer(timer);
        if (unknown && "NodeStatusUnknown".equals(ready.path("reason").asText())) {
            markReady(ctx, n, ready);
        }
    }

    private static void markUnknown(ControllerContext ctx, ObjectNode n) {
        long now = ctx.now();
        ObjectNode ready = readyCondition(n);
        if (ready == null) {
            ready = Json.withArray(Json.with(n, "status"), "conditions").addObject();
            ready.put("type", "Ready");
        }
        ready.put("status", "Unknown");
        ready.put("reason", "NodeStatusUnknown");
        ready.put("message", "Kubelet stopped posting node status.");
        ready.put("lastTransitionTime", Json.time(now));
        for (String effect : new String[] {"NoSchedule", "NoExecute"}) {
            if (taintIndex(n, UNREACHABLE_TAINT, effect) < 0) {
                addTaint(ctx, n, UNREACHABLE_TAINT, effect);
            }
        }
        ctx.store().touch(ResourceType.NODES, n);
        ctx.record(ResourceType.NODES, n, "Normal", "NodeNotReady",
                "Node " + Json.name(n) + " status is now: NodeNotReady", "node-controller");
        for (ObjectNode p : ctx.store().all(ResourceType.PODS)) {
            if (!Json.name(n).equals(Json.text(p, "spec", "nodeName"))) {
                continue;
            }
            for (JsonNode c : p.path("status").path("conditions")) {
                if ("Ready".equals(c.path("type").asText()) && !"False".equals(c.path("status").asText())) {
                    ((ObjectNode) c).put("status", "False");
                    ((ObjectNode) c).put("lastTransitionTime", Json.time(now));
                    ctx.store().touch(ResourceType.PODS, p);
                    ctx.record(ResourceType.PODS, p, "Warning", "NodeNotReady", "Node is not ready",
                            "node-controller");
                }
            }
        }
    }

    private static void markReady(ControllerContext ctx, ObjectNode n, ObjectNode ready) {
        ready.put("status", "True");
        ready.put("reason", "KubeletReady");
        ready.put("message", "kubelet is posting ready status");
        ready.put("lastHeartbeatTime", Json.time(ctx.now()));
        ready.put("lastTransitionTime", Json.time(ctx.now()));
        for (String effect : new String[] {"NoSchedule", "NoExecute"}) {
            int at = taintIndex(n, UNREACHABLE_TAINT, effect);
            if (at >= 0) {
                removeTaint(n, at);
            }
        }
        ctx.store().touch(ResourceType.NODES, n);
        ctx.record(ResourceType.NODES, n, "Normal", "NodeReady",
                "Node " + Json.name(n) + " status is now: NodeReady", "kubelet");
    }

    private static ObjectNode readyCondition(JsonNode node) {
        for (JsonNode c : node.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return (ObjectNode) c;
            }
        }
        return null;
    }

    private static void addTaint(ControllerContext ctx, ObjectNode n, String key, String effect) {
        ObjectNode t = Json.withArray(Json.with(n, "spec"), "taints").addObject();
        t.put("key", key);
        t.put("effect", effect);
        t.put("timeAdded", Json.time(ctx.now()));
    }

    private static void removeTaint(ObjectNode n, int at) {
        ArrayNode taints = (ArrayNode) n.path("spec").get("taints");
        taints.remove(at);
        if (taints.isEmpty()) {
            ((ObjectNode) n.get("spec")).remove("taints");
        }
    }

    static int taintIndex(JsonNode node, String key, String effect) {
        JsonNode taints = node.path("spec").path("taints");
        for (int i = 0; i < taints.size(); i++) {
            JsonNode t = taints.get(i);
            if (key.equals(t.path("key").asText()) && effect.equals(t.path("effect").asText())) {
                return i;
            }
        }
        return -1;
    }
}
