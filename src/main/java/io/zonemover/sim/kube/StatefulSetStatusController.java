package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.Map;

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
        Map<String, int[]> counts = new HashMap<>();
        for (ObjectNode p : store.all(ResourceType.PODS)) {
            String owner = Facts.controllerUid(p);
            if (owner == null) {
                continue;
            }
            int[] c = counts.computeIfAbsent(owner, k -> new int[2]);
            if (!Json.deleting(p)) {
                c[0]++;
                if (Facts.podReady(p)) {
                    c[1]++;
                }
            }
        }
        for (ObjectNode s : store.all(ResourceType.STATEFULSETS)) {
            int[] c = counts.getOrDefault(Json.uid(s), new int[2]);
            ObjectNode want = Json.obj();
            want.put("observedGeneration", Json.meta(s).path("generation").asLong(1));
            want.put("replicas", c[0]);
            want.put("readyReplicas", c[1]);
            want.put("currentReplicas", c[0]);
            want.put("updatedReplicas", c[0]);
            want.put("availableReplicas", c[1]);
            want.put("currentRevision", revisions.of(s));
            want.put("updateRevision", revisions.of(s));
            want.put("collisionCount", 0);
            if (!want.equals(s.get("status"))) {
                s.set("status", want);
                store.touch(ResourceType.STATEFULSETS, s);
            }
        }
    }
}
