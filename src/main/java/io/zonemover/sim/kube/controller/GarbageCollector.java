package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.ApiServer;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The garbage collector, for StatefulSets and what they own: honours the orphan and foregroundDeletion
 * finalizers of a StatefulSet being deleted, and deletes pods and claims whose every owner is gone
 * (background propagation). zonemover's orphan-delete-and-recreate depends on the orphan path.
 */
final class GarbageCollector implements Controller {

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        ApiServer api = ctx.api();
        long now = ctx.now();
        Ec2Side ec2 = ctx.ec2();
        Set<String> liveOwners = new HashSet<>();
        for (ObjectNode s : store.all(ResourceType.STATEFULSETS)) {
            liveOwners.add(Json.uid(s));
        }
        for (ObjectNode s : new ArrayList<>(store.all(ResourceType.STATEFULSETS))) {
            if (!Json.deleting(s)) {
                continue;
            }
            String uid = Json.uid(s);
            if (Json.hasFinalizer(s, "orphan")) {
                for (ObjectNode dep : dependents(store, uid)) {
                    stripOwner(store, dep, uid);
                }
                Json.removeFinalizer(s, "orphan");
                api.finishOrTouch(ResourceType.STATEFULSETS, s, now, ec2);
            } else if (Json.hasFinalizer(s, "foregroundDeletion")) {
                List<ObjectNode> deps = new ArrayList<>();
                for (ObjectNode p : dependents(store, uid)) {
                    if (Json.text(p, "kind").equals("Pod")) {
                        deps.add(p);
                    }
                }
                for (ObjectNode p : deps) {
                    if (!Json.deleting(p)) {
                        api.deletePod(p, null, now, ec2);
                    }
                }
                if (deps.isEmpty()) {
                    Json.removeFinalizer(s, "foregroundDeletion");
                    api.finishOrTouch(ResourceType.STATEFULSETS, s, now, ec2);
                }
            } else if (Json.noFinalizers(s)) {
                api.remove(ResourceType.STATEFULSETS, s, now, ec2);
            }
        }
        // Background: dependents whose every owner is gone are deleted.
        for (ObjectNode p : new ArrayList<>(store.all(ResourceType.PODS))) {
            JsonNode refs = Json.at(p, "metadata", "ownerReferences");
            if (refs == null || refs.isEmpty() || Json.deleting(p)) {
                continue;
            }
            boolean anyLive = false;
            boolean anyGoneSts = false;
            for (JsonNode r : refs) {
                if ("StatefulSet".equals(r.path("kind").asText())) {
                    if (liveOwners.contains(r.path("uid").asText())) {
                        anyLive = true;
                    } else {
                        anyGoneSts = true;
                    }
                } else {
                    // Owners of kinds the simulator does not model are taken to be alive.
                    anyLive = true;
                }
            }
            if (anyGoneSts && !anyLive) {
                api.deletePod(p, null, now, ec2);
            }
        }
        // PVCs owned (retention policy) by a gone StatefulSet.
        for (ObjectNode c : new ArrayList<>(store.all(ResourceType.PVCS))) {
            JsonNode refs = Json.at(c, "metadata", "ownerReferences");
            if (refs == null || refs.isEmpty() || Json.deleting(c)) {
                continue;
            }
            boolean allGone = true;
            for (JsonNode r : refs) {
                allGone &= "StatefulSet".equals(r.path("kind").asText())
                        && !liveOwners.contains(r.path("uid").asText());
            }
            if (allGone) {
                api.delete(ResourceType.PVCS, Json.namespace(c), Json.name(c), KubeWorld.DeleteOptions.DEFAULT, now,
                        ec2);
            }
        }
    }

    private static List<ObjectNode> dependents(ObjectStore store, String ownerUid) {
        List<ObjectNode> out = new ArrayList<>();
        for (ResourceType t : new ResourceType[] {ResourceType.PODS, ResourceType.PVCS}) {
            for (ObjectNode o : store.all(t)) {
                if (Facts.ownedBy(o, ownerUid)) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    private static void stripOwner(ObjectStore store, ObjectNode o, String ownerUid) {
        JsonNode refs = Json.at(o, "metadata", "ownerReferences");
        if (!(refs instanceof ArrayNode arr)) {
            return;
        }
        for (int i = arr.size() - 1; i >= 0; i--) {
            if (ownerUid.equals(arr.get(i).path("uid").asText())) {
                arr.remove(i);
            }
        }
        if (arr.isEmpty()) {
            Json.meta(o).remove("ownerReferences");
        }
        store.touch("Pod".equals(Json.text(o, "kind")) ? ResourceType.PODS : ResourceType.PVCS, o);
    }
}
