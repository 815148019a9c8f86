package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ResourceType;

/**
 * The node lifecycle controller's taint for cordoned nodes: {@code node.kubernetes.io/unschedulable:NoSchedule}
 * while spec.unschedulable is true, gone when it is not, as TaintNodesByCondition does. {@code kubectl
 * cordon} only sets the field; clients that look for the taint (and the scheduler's taint filter for pods
 * that tolerate unschedulable) need the controller to add it.
 */
public final class NodeLifecycleController implements Controller {

    static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

    @Override
    public void reconcile(ControllerContext ctx) {
        for (ObjectNode n : ctx.store().all(ResourceType.NODES)) {
            boolean cordoned = n.path("spec").path("unschedulable").asBoolean(false);
            int at = taintIndex(n);
            if (cordoned && at < 0) {
                ObjectNode t = Json.withArray(Json.with(n, "spec"), "taints").addObject();
                t.put("key", UNSCHEDULABLE_TAINT);
                t.put("effect", "NoSchedule");
                t.put("timeAdded", Json.time(ctx.now()));
                ctx.store().touch(ResourceType.NODES, n);
            } else if (!cordoned && at >= 0) {
                ArrayNode taints = (ArrayNode) n.path("spec").get("taints");
                taints.remove(at);
                if (taints.isEmpty()) {
                    ((ObjectNode) n.get("spec")).remove("taints");
                }
                ctx.store().touch(ResourceType.NODES, n);
            }
        }
    }

    private static int taintIndex(JsonNode node) {
        JsonNode taints = node.path("spec").path("taints");
        for (int i = 0; i < taints.size(); i++) {
            JsonNode t = taints.get(i);
            if (UNSCHEDULABLE_TAINT.equals(t.path("key").asText()) && "NoSchedule".equals(t.path("effect").asText())) {
                return i;
            }
        }
        return -1;
    }
}
