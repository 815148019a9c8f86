package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The StatefulSet controller's status half: replicas, ready and available counts, and the revisions, as
 * {@code kubectl rollout status} and zonemover read them. It runs after the kubelet so that a pass ends with
 * counts that match the pods.
 */
final class StatefulSetStatusController implements Controller {

    private final Revisions revisions = new Revisions();

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        if (store.map(ResourceType.STATEFULSETS).isEmpty()) {
            return;
        }
        // Per StatefulSet uid: pods, ready pods, and the pods at each revision (a pod without a revision
        // label, placed by a scenario rather than by the controller, counts as at every revision).
        Map<String, int[]> counts = new HashMap<>();
        Map<String, Map<String, Integer>> byRevision = new HashMap<>();
        Set<String> anyDeleting = new HashSet<>();
        for (ObjectNode p : store.all(ResourceType.PODS)) {
            String owner = Facts.controllerUid(p);
            if (owner == null) {
                continue;
            }
            int[] c = counts.computeIfAbsent(owner, k -> new int[2]);
            if (Json.deleting(p)) {
                anyDeleting.add(owner);
            } else {
                c[0]++;
                if (Facts.podReady(p)) {
                    c[1]++;
                }
                String rev = Revisions.ofPod(p);
                byRevision.computeIfAbsent(owner, k -> new HashMap<>()).merge(rev == null ? "" : rev, 1,
                        Integer::sum);
            }
        }
        for (ObjectNode s : store.all(ResourceType.STATEFULSETS)) {
            String uid = Json.uid(s);
            int[] c = counts.getOrDefault(uid, new int[2]);
            Map<String, Integer> revs = byRevision.getOrDefault(uid, Map.of());
            int unlabelled = revs.getOrDefault("", 0);
            String update = revisions.of(s);
            // The revision the pods were at before the template changed; a new StatefulSet starts at its own.
            String current = Json.text(s, "status", "currentRevision");
            if (current == null || current.isEmpty()) {
                current = update;
            }
            int updated = revs.getOrDefault(update, 0) + unlabelled;
            int atCurrent = revs.getOrDefault(current, 0) + unlabelled;
            // completeRollingUpdate: once every wanted pod exists, is updated and is ready (none still being
            // replaced or scaled away), the update revision becomes current.
            int wanted = s.path("spec").path("replicas").asInt(1);
            if (StatefulSetController.rollingUpdate(s) && c[0] == wanted && updated == wanted && c[1] == wanted
                    && !anyDeleting.contains(uid)) {
                current = update;
                atCurrent = updated;
            }
            ObjectNode want = Json.obj();
            want.put("observedGeneration", Json.meta(s).path("generation").asLong(1));
            want.put("replicas", c[0]);
            want.put("readyReplicas", c[1]);
            want.put("currentReplicas", atCurrent);
            want.put("updatedReplicas", updated);
            want.put("availableReplicas", c[1]);
            want.put("currentRevision", current);
            want.put("updateRevision", update);
            want.put("collisionCount", 0);
            if (!want.equals(s.get("status"))) {
                s.set("status", want);
                store.touch(ResourceType.STATEFULSETS, s);
            }
        }
    }
}
