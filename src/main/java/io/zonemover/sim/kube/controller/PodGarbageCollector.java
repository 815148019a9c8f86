package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;

/**
 * PodGC's part of non-graceful node shutdown (GA in Kubernetes 1.28): a pod being deleted on a node that is not
 * Ready and carries {@code node.kubernetes.io/out-of-service} with effect NoExecute (any value) is force-deleted,
 * since its kubelet will never confirm that it stopped. {@link TaintEvictionController} marks such pods for
 * deletion as soon as the taint is there, so together they are gone at once; the attach-detach controller then
 * detaches their volumes without waiting ({@link AttachDetachController}). (Pods bound to a node that no longer
 * exists are PodGC's too; the {@link Kubelet} removes those.)
 */
final class PodGarbageCollector implements Controller {

    static final String OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";

    @Override
    public void reconcile(ControllerContext ctx) {
        for (ObjectNode p : new ArrayList<>(ctx.store().all(ResourceType.PODS))) {
            String nodeName = Json.text(p, "spec", "nodeName");
            if (nodeName == null || !Json.deleting(p)) {
                continue;
            }
            ObjectNode node = ctx.store().find(ResourceType.NODES, null, nodeName);
            if (node != null && !Facts.nodeReady(node) && outOfService(node)) {
                ctx.api().remove(ResourceType.PODS, p, ctx.now(), ctx.ec2());
            }
        }
    }

    /** The node carries the out-of-service taint with effect NoExecute. */
    static boolean outOfService(JsonNode node) {
        for (JsonNode t : node.path("spec").path("taints")) {
            if (OUT_OF_SERVICE_TAINT.equals(t.path("key").asText()) && "NoExecute".equals(t.path("effect").asText())) {
                return true;
            }
        }
        return false;
    }
}
