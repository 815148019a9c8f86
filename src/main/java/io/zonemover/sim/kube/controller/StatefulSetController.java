package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.ApiServer;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Selectors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The StatefulSet controller: adopts matching orphan pods, creates each missing pod (its claims from the
 * volumeClaimTemplates first, refusing while a claim is being deleted), replaces finished pods, scales down
 * from the highest ordinal (one at a time under OrderedReady), and rolls pods to a new template under the
 * RollingUpdate strategy. Status is {@link StatefulSetStatusController}'s.
 *
 * <p>Updates follow spec.updateStrategy: with OnDelete the controller never replaces a pod whose revision
 * differs (a pod someone deletes comes back at the new revision); with RollingUpdate (the default) it
 * deletes the highest ordinal at or above the partition whose revision differs, one at a time, waiting for
 * each replacement to be Ready, and under OrderedReady only once every pod is Running and Ready. zonemover
 * recreates StatefulSets with OnDelete and relies on the first.
 */
final class StatefulSetController implements Controller {

    static final String COMPONENT = "statefulset-controller";

    private final Revisions revisions = new Revisions();

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        if (store.map(ResourceType.STATEFULSETS).isEmpty()) {
            return;
        }
        Map<String, List<ObjectNode>> orphansByNs = new HashMap<>();
        Map<String, List<ObjectNode>> podsByOwner = new HashMap<>();
        for (ObjectNode p : store.all(ResourceType.PODS)) {
            JsonNode refs = Json.at(p, "metadata", "ownerReferences");
            if (refs == null || refs.isEmpty()) {
                orphansByNs.computeIfAbsent(Json.namespace(p), k -> new ArrayList<>()).add(p);
            } else {
                for (JsonNode r : refs) {
                    podsByOwner.computeIfAbsent(r.path("uid").asText(), k -> new ArrayList<>()).add(p);
                }
            }
        }
        for (ObjectNode s : new ArrayList<>(store.all(ResourceType.STATEFULSETS))) {
            if (Json.deleting(s)) {
                continue;
            }
            sync(ctx, s, orphansByNs.getOrDefault(Json.namespace(s), List.of()),
                    podsByOwner.getOrDefault(Json.uid(s), List.of()));
        }
    }

    private void sync(ControllerContext ctx, ObjectNode s, List<ObjectNode> orphans, List<ObjectNode> owned) {
        ObjectStore store = ctx.store();
        ApiServer api = ctx.api();
        long now = ctx.now();
        String ns = Json.namespace(s);
        String name = Json.name(s);
        String uid = Json.uid(s);
        JsonNode selector = Json.at(s, "spec", "selector");
        owned = new ArrayList<>(owned);
        // Adopt orphans that match the selector (ControllerRefManager).
        for (ObjectNode p : orphans) {
            if (Json.deleting(p) || Facts.controllerUid(p) != null || Facts.ordinalOf(Json.name(p), name) < 0
                    || !Selectors.matchesLabelSelector(selector, Json.labels(p))) {
                continue;
            }
            if (store.find(ResourceType.PODS, ns, Json.name(p)) != p) {
                continue;
            }
            Json.withArray(Json.meta(p), "ownerReferences").add(ownerRef(s));
            store.touch(ResourceType.PODS, p);
            owned.add(p);
        }
        int replicas = s.path("spec").path("replicas").asInt(1);
        boolean ordered = !"Parallel".equals(Json.text(s, "spec", "podManagementPolicy"));
        int i = 0;
        for (; i < replicas; i++) {
            String podName = name + "-" + i;
            ObjectNode pod = store.find(ResourceType.PODS, ns, podName);
            if (pod != null && !Facts.ownedBy(pod, uid)) {
                // A pod of that name that another controller owns (or one still terminating): wait.
                if (ordered) {
                    break;
                }
                continue;
            }
            if (pod == null) {
                String blocked = ensureClaims(ctx, s, i);
                if (blocked != null) {
                    ctx.events().reportOnce("stsfail:" + uid + ":" + podName, now, ResourceType.STATEFULSETS, s,
                            "Warning", "FailedCreate", "create Pod " + podName + " in StatefulSet " + name
                                    + " failed error: " + blocked, COMPONENT);
                    if (ordered) {
                        break;
                    }
                    continue;
                }
                ctx.events().clearReported("stsfail:" + uid + ":" + podName);
                createPod(ctx, s, i);
                if (ordered) {
                    break;
                }
                continue;
            }
            if (Facts.terminal(pod) && !Json.deleting(pod)) {
                api.deletePod(pod, 0L, now, ctx.ec2());
                if (ordered) {
                    break;
                }
                continue;
            }
            if (ordered && (Json.deleting(pod) || !Facts.podReady(pod))) {
                break;
            }
        }
        // Under OrderedReady a sync that had to wait for a pod does nothing more (monotonic progress).
        boolean waiting = i < replicas;
        // Scale down: the highest ordinal first; one at a time when ordered.
        List<ObjectNode> condemned = new ArrayList<>();
        for (ObjectNode p : owned) {
            int ord = Facts.ordinalOf(Json.name(p), name);
            if (ord >= replicas) {
                condemned.add(p);
            }
        }
        condemned.sort((a, b) -> Integer.compare(Facts.ordinalOf(Json.name(b), name),
                Facts.ordinalOf(Json.name(a), name)));
        for (ObjectNode p : condemned) {
            if (Json.deleting(p)) {
                if (ordered) {
                    break;
                }
                continue;
            }
            if (store.find(ResourceType.PODS, ns, Json.name(p)) == null) {
                continue;
            }
            api.deletePod(p, null, now, ctx.ec2());
            ctx.record(ResourceType.STATEFULSETS, s, "Normal", "SuccessfulDelete", "delete Pod "
                    + Json.name(p) + " in StatefulSet " + name + " successful", COMPONENT);
            if (ordered) {
                break;
            }
        }
        if (rollingUpdate(s) && (!ordered || (!waiting && condemned.isEmpty()))) {
            rollOne(ctx, s, replicas);
        }
    }

    static boolean rollingUpdate(JsonNode s) {
        return !"OnDelete".equals(Json.text(s, "spec", "updateStrategy", "type"));
    }

    /**
     * One step of a rolling update: the highest ordinal at or above the partition whose revision differs is
     * deleted (the creation loop brings it back at the new revision); an unready pod on the way stops it.
     * A pod without a revision label (placed by a scenario, not by this controller) counts as current.
     */
    private void rollOne(ControllerContext ctx, ObjectNode s, int replicas) {
        String name = Json.name(s);
        String update = revisions.of(s);
        int partition = Math.max(0, s.path("spec").path("updateStrategy").path("rollingUpdate")
                .path("partition").asInt(0));
        for (int i = replicas - 1; i >= partition; i--) {
            ObjectNode pod = ctx.store().find(ResourceType.PODS, Json.namespace(s), name + "-" + i);
            if (pod == null || !Facts.ownedBy(pod, Json.uid(s))) {
                return;
            }
            String rev = Revisions.ofPod(pod);
            if (rev != null && !rev.equals(update) && !Json.deleting(pod)) {
                ctx.api().deletePod(pod, null, ctx.now(), ctx.ec2());
                ctx.record(ResourceType.STATEFULSETS, s, "Normal", "SuccessfulDelete", "delete Pod "
                        + Json.name(pod) + " in StatefulSet " + name + " successful", COMPONENT);
                return;
            }
            if (Json.deleting(pod) || !Facts.podReady(pod)) {
                return;
            }
        }
    }

    /** Creates missing claims for ordinal i; returns the error that blocks pod creation, or null. */
    private static String ensureClaims(ControllerContext ctx, ObjectNode s, int ordinal) {
        JsonNode templates = Json.at(s, "spec", "volumeClaimTemplates");
        if (templates == null) {
            return null;
        }
        String ns = Json.namespace(s);
        String name = Json.name(s);
        for (JsonNode t : templates) {
            String claimName = Json.name(t) + "-" + name + "-" + ordinal;
            ObjectNode claim = ctx.store().find(ResourceType.PVCS, ns, claimName);
            if (claim == null) {
                ObjectNode c = Json.obj();
                ObjectNode m = c.putObject("metadata");
                m.put("name", claimName);
                m.put("namespace", ns);
                ObjectNode labels = m.putObject("labels");
                JsonNode tl = Json.at(t, "metadata", "labels");
                if (tl != null) {
                    labels.setAll((ObjectNode) tl.deepCopy());
                }
                JsonNode ml = Json.at(s, "spec", "selector", "matchLabels");
                if (ml != null) {
                    labels.setAll((ObjectNode) ml.deepCopy());
                }
                JsonNode ta = Json.at(t, "metadata", "annotations");
                if (ta != null) {
                    m.set("annotations", ta.deepCopy());
                }
                c.set("spec", t.path("spec").deepCopy());
                ((ObjectNode) c.get("spec")).remove("volumeName");
                try {
                    ctx.api().create(ResourceType.PVCS, ns, c, ctx.now(), ctx.ec2());
                    ctx.record(ResourceType.STATEFULSETS, s, "Normal", "SuccessfulCreate", "create Claim "
                            + claimName + " Pod " + name + "-" + ordinal + " in StatefulSet " + name + " success",
                            COMPONENT);
                } catch (KubeApiException e) {
                    return "failed to create PVC " + claimName + ": " + e.getMessage();
                }
            } else if (Json.deleting(claim)) {
                return "pvc " + claimName + " is being deleted";
            }
        }
        return null;
    }

    private void createPod(ControllerContext ctx, ObjectNode s, int ordinal) {
        String ns = Json.namespace(s);
        String name = Json.name(s);
        String podName = name + "-" + ordinal;
        JsonNode template = Json.at(s, "spec", "template");
        ObjectNode pod = Json.obj();
        ObjectNode m = pod.putObject("metadata");
        m.put("name", podName);
        m.put("namespace", ns);
        ObjectNode labels = m.putObject("labels");
        JsonNode tl = Json.at(template, "metadata", "labels");
        if (tl != null) {
            labels.setAll((ObjectNode) tl.deepCopy());
        }
        labels.put("statefulset.kubernetes.io/pod-name", podName);
        labels.put("apps.kubernetes.io/pod-index", Integer.toString(ordinal));
        labels.put("controller-revision-hash", revisions.of(s));
        JsonNode ta = Json.at(template, "metadata", "annotations");
        if (ta != null) {
            m.set("annotations", ta.deepCopy());
        }
        m.putArray("ownerReferences").add(ownerRef(s));
        ObjectNode spec = template == null || template.get("spec") == null ? Json.obj()
                : (ObjectNode) template.get("spec").deepCopy();
        spec.put("hostname", podName);
        String svc = Json.text(s, "spec", "serviceName");
        if (svc != null && !svc.isEmpty()) {
            spec.put("subdomain", svc);
        }
        JsonNode templates = Json.at(s, "spec", "volumeClaimTemplates");
        if (templates != null) {
            ArrayNode vols = Json.withArray(spec, "volumes");
            for (JsonNode t : templates) {
                String vname = Json.name(t);
                for (int i = vols.size() - 1; i >= 0; i--) {
                    if (vname.equals(vols.get(i).path("name").asText())) {
                        vols.remove(i);
                    }
                }
                ObjectNode v = vols.addObject();
                v.put("name", vname);
                v.putObject("persistentVolumeClaim").put("claimName", vname + "-" + name + "-" + ordinal);
            }
        }
        pod.set("spec", spec);
        ctx.api().create(ResourceType.PODS, ns, pod, ctx.now(), ctx.ec2());
        ctx.record(ResourceType.STATEFULSETS, s, "Normal", "SuccessfulCreate", "create Pod " + podName
                + " in StatefulSet " + name + " successful", COMPONENT);
    }

    private static ObjectNode ownerRef(JsonNode s) {
        ObjectNode r = Json.obj();
        r.put("apiVersion", "apps/v1");
        r.put("kind", "StatefulSet");
        r.put("name", Json.name(s));
        r.put("uid", Json.uid(s));
        r.put("controller", true);
        r.put("blockOwnerDeletion", true);
        return r;
    }
}
