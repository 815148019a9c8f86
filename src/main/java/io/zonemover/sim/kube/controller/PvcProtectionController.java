package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * The PVC protection controller: lets a claim being deleted go once no scheduled, unfinished pod uses it
 * (podUsesPVC counts only pods with a node), by removing {@code kubernetes.io/pvc-protection}. That a
 * Pending, unscheduled pod does not hold its claim is what makes the StatefulSet replacement race possible.
 */
final class PvcProtectionController implements Controller {

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        Set<String> usedClaims = null;
        for (ObjectNode c : new ArrayList<>(store.all(ResourceType.PVCS))) {
            if (!Json.deleting(c)) {
                continue;
            }
            if (usedClaims == null) {
                usedClaims = usedClaims(store);
            }
            if (Json.hasFinalizer(c, KubeWorld.PVC_PROTECTION)
                    && !usedClaims.contains(Json.namespace(c) + "/" + Json.name(c))) {
                Json.removeFinalizer(c, KubeWorld.PVC_PROTECTION);
                ctx.api().finishOrTouch(ResourceType.PVCS, c, ctx.now(), ctx.ec2());
            } else if (Json.noFinalizers(c)) {
                ctx.api().remove(ResourceType.PVCS, c, ctx.now(), ctx.ec2());
            }
        }
    }

    private static Set<String> usedClaims(ObjectStore store) {
        Set<String> used = new HashSet<>();
        for (ObjectNode p : store.all(ResourceType.PODS)) {
            // podUsesPVC: only scheduled pods count, and not finished ones.
            if (Json.text(p, "spec", "nodeName") != null && !Facts.terminal(p)) {
                for (String cn : Facts.podClaims(p)) {
                    used.add(Json.namespace(p) + "/" + cn);
                }
            }
        }
        return used;
    }
}
