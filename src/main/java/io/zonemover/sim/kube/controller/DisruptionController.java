package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Selectors;

/**
 * The disruption controller: each PodDisruptionBudget's status (expected, healthy and desired pods, and
 * disruptionsAllowed), which zonemover checks before it takes a pod down.
 */
final class DisruptionController implements Controller {

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        for (ObjectNode pdb : store.all(ResourceType.PDBS)) {
            JsonNode selector = Json.at(pdb, "spec", "selector");
            int expected = 0;
            int healthy = 0;
            for (ObjectNode p : store.list(ResourceType.PODS, Json.namespace(pdb), null, null)) {
                if (!Json.deleting(p) && Selectors.matchesLabelSelector(selector, Json.labels(p))) {
                    expected++;
                    if (Facts.podReady(p)) {
                        healthy++;
                    }
                }
            }
            int desired = expected;
            JsonNode minAvail = Json.at(pdb, "spec", "minAvailable");
            JsonNode maxUnavail = Json.at(pdb, "spec", "maxUnavailable");
            if (minAvail != null) {
                desired = scaled(minAvail, expected, true);
            } else if (maxUnavail != null) {
                desired = Math.max(0, expected - scaled(maxUnavail, expected, true));
            }
            ObjectNode want = Json.obj();
            want.put("observedGeneration", Json.meta(pdb).path("generation").asLong(1));
            want.put("currentHealthy", healthy);
            want.put("desiredHealthy", desired);
            want.put("disruptionsAllowed", Math.max(0, healthy - desired));
            want.put("expectedPods", expected);
            if (!want.equals(pdb.get("status"))) {
                pdb.set("status", want);
                store.touch(ResourceType.PDBS, pdb);
            }
        }
    }

    /** An int, or a percentage of {@code total}, as intstr.GetScaledValueFromIntOrPercent. */
    private static int scaled(JsonNode v, int total, boolean roundUp) {
        if (v.isInt()) {
            return v.asInt();
        }
        String s = v.asText();
        if (s.endsWith("%")) {
            double pct = Double.parseDouble(s.substring(0, s.length() - 1)) / 100.0;
            return (int) (roundUp ? Math.ceil(pct * total) : Math.floor(pct * total));
        }
        return Integer.parseInt(s);
    }
}
