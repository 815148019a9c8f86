package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.Quantity;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Selectors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kube-scheduler's default profile, for the filters that decide zone moves: unschedulable nodes, taints,
 * node selectors and affinity, cpu/memory/pod capacity, and the volume binding plugin's PV node affinity
 * and zone labels. A pod that fits nowhere gets the scheduler's exact FitError text as a FailedScheduling
 * event, and is retried when the cluster changes or every {@link #SCHEDULER_RETRY_MS}.
 *
 * <p>{@link #SCHEDULER_RETRY_MS} 5 min: an unschedulable pod is retried whenever the cluster changes, and
 * otherwise after kube-scheduler's podMaxInUnschedulablePodsDuration (5 min default), which is when the
 * FailedScheduling event's count grows.
 */
public final class Scheduler implements Controller {

    static final long SCHEDULER_RETRY_MS = 5 * 60_000;

    private record NodeInfo(ObjectNode node, String name, Map<String, String> labels, String zone, long cpu,
                            long mem, long pods) {
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        long now = ctx.now();
        ObjectStore store = ctx.store();
        List<ObjectNode> pending = new ArrayList<>();
        for (ObjectNode p : store.map(ResourceType.PODS).values()) {
            if (Json.text(p, "spec", "nodeName") == null && !Json.deleting(p)
                    && "Pending".equals(Json.text(p, "status", "phase"))
                    && "default-scheduler".equals(Json.text(p, "spec", "schedulerName"))) {
                String k = ObjectStore.key(ResourceType.PODS, Json.namespace(p), Json.name(p));
                Long gen = store.schedGen(k);
                Long due = store.timer("sched:" + k);
                boolean periodic = due != null && now >= due;
                if (gen == null || gen != store.clusterGen() || periodic) {
                    pending.add(p);
                }
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        // Node state: allocatable minus what pods on each node request.
        List<NodeInfo> nodes = new ArrayList<>();
        Map<String, long[]> used = new HashMap<>();
        Map<String, Map<String, Integer>> ownerOnNode = new HashMap<>();
        for (ObjectNode p : store.map(ResourceType.PODS).values()) {
            String n = Json.text(p, "spec", "nodeName");
            if (n == null || Facts.terminal(p)) {
                continue;
            }
            long[] u = used.computeIfAbsent(n, k -> new long[3]);
            long[] r = requests(p);
            u[0] += r[0];
            u[1] += r[1];
            u[2] += 1;
            String owner = Facts.controllerUid(p);
            if (owner != null) {
                ownerOnNode.computeIfAbsent(n, k -> new HashMap<>()).merge(owner, 1, Integer::sum);
            }
        }
        for (ObjectNode n : store.map(ResourceType.NODES).values()) {
            String zone = Facts.nodeZone(n);
            boolean full = zone != null && ctx.faults().fullZones().contains(zone);
            long cpu = full ? 0 : Quantity.milli(Json.text(n, "status", "allocatable", "cpu"));
            long mem = full ? 0 : Quantity.units(Json.text(n, "status", "allocatable", "memory"));
            long pods = Quantity.units(Json.text(n, "status", "allocatable", "pods"));
            nodes.add(new NodeInfo(n, Json.name(n), Json.labels(n), zone, cpu, mem, pods == 0 ? 110 : pods));
        }
        for (ObjectNode p : pending) {
            schedulePod(ctx, p, nodes, used, ownerOnNode);
        }
    }

    /** cpu millicores, memory bytes. */
    private static long[] requests(JsonNode pod) {
        long cpu = 0;
        long mem = 0;
        JsonNode cs = Json.at(pod, "spec", "containers");
        if (cs != null) {
            for (JsonNode c : cs) {
                JsonNode req = c.path("resources").path("requests");
                JsonNode lim = c.path("resources").path("limits");
                String rc = req.hasNonNull("cpu") ? req.get("cpu").asText() : lim.hasNonNull("cpu")
                        ? lim.get("cpu").asText() : null;
                String rm = req.hasNonNull("memory") ? req.get("memory").asText() : lim.hasNonNull("memory")
                        ? lim.get("memory").asText() : null;
                cpu += Quantity.milli(rc);
                mem += Quantity.units(rm);
            }
        }
        return new long[] {cpu, mem};
    }

    private static void schedulePod(ControllerContext ctx, ObjectNode pod, List<NodeInfo> nodes, Map<String, long[]> used,
                                    Map<String, Map<String, Integer>> ownerOnNode) {
        long now = ctx.now();
        ObjectStore store = ctx.store();
        String ns = Json.namespace(pod);
        String k = ObjectStore.key(ResourceType.PODS, ns, Json.name(pod));
        String preFilter = null;
        List<ObjectNode> boundPvs = new ArrayList<>();
        List<ObjectNode> wffcClaims = new ArrayList<>();
        for (String cn : Facts.podClaims(pod)) {
            ObjectNode claim = store.find(ResourceType.PVCS, ns, cn);
            if (claim == null) {
                preFilter = "persistentvolumeclaim \"" + cn + "\" not found";
                break;
            }
            if (Json.deleting(claim)) {
                preFilter = "persistentvolumeclaim \"" + cn + "\" is being deleted";
                break;
            }
            if ("Bound".equals(Json.text(claim, "status", "phase"))) {
                ObjectNode pv = Facts.boundPv(store, claim);
                if (pv == null) {
                    preFilter = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
                    break;
                }
                boundPvs.add(pv);
                continue;
            }
            String className = Json.text(claim, "spec", "storageClassName");
            ObjectNode sc = className == null ? null : store.find(ResourceType.STORAGECLASSES, null, className);
            String volumeName = Json.text(claim, "spec", "volumeName");
            if (sc != null && "WaitForFirstConsumer".equals(Json.text(sc, "volumeBindingMode"))
                    && (volumeName == null || volumeName.isEmpty())) {
                wffcClaims.add(claim);
            } else {
                preFilter = "pod has unbound immediate PersistentVolumeClaims";
                break;
            }
        }
        long[] req = requests(pod);
        JsonNode nodeSelector = Json.at(pod, "spec", "nodeSelector");
        Map<String, String> nodeSelectorMap = Json.stringMap(nodeSelector);
        JsonNode requiredAffinity = Json.at(pod, "spec", "affinity", "nodeAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution");
        JsonNode tolerations = Json.at(pod, "spec", "tolerations");
        String owner = Facts.controllerUid(pod);
        TreeMap<String, Integer> histogram = new TreeMap<>();
        int resolvable = 0;
        NodeInfo best = null;
        double bestScore = 0;
        Map<String, Integer> ownerInZone = new HashMap<>();
        if (owner != null) {
            for (NodeInfo n : nodes) {
                int c = ownerOnNode.getOrDefault(n.name(), Map.of()).getOrDefault(owner, 0);
                if (c > 0 && n.zone() != null) {
                    ownerInZone.merge(n.zone(), c, Integer::sum);
                }
            }
        }
        if (preFilter == null) {
            for (NodeInfo n : nodes) {
                List<String> reasons = filter(ctx, n, req, nodeSelectorMap, requiredAffinity, tolerations, boundPvs,
                        used.getOrDefault(n.name(), new long[3]));
                if (!reasons.isEmpty()) {
                    for (String r : reasons) {
                        histogram.merge(r, 1, Integer::sum);
                    }
                    if (reasons.get(0).startsWith("Insufficient") || reasons.get(0).equals("Too many pods")) {
                        resolvable++;
                    }
                    continue;
                }
                long[] u = used.getOrDefault(n.name(), new long[3]);
                double free = 0;
                free += n.cpu() == 0 ? 0 : (double) (n.cpu() - u[0] - req[0]) / n.cpu();
                free += n.mem() == 0 ? 0 : (double) (n.mem() - u[1] - req[1]) / n.mem();
                int sameZone = owner == null || n.zone() == null ? 0 : ownerInZone.getOrDefault(n.zone(), 0);
                int sameNode = owner == null ? 0
                        : ownerOnNode.getOrDefault(n.name(), Map.of()).getOrDefault(owner, 0);
                double score = free * 50 - sameZone * 100 - sameNode * 60;
                if (best == null || score > bestScore + 1e-9) {
                    best = n;
                    bestScore = score;
                }
            }
        }
        if (best != null) {
            bindPod(ctx, pod, best, wffcClaims);
            long[] u = used.computeIfAbsent(best.name(), x -> new long[3]);
            u[0] += req[0];
            u[1] += req[1];
            u[2] += 1;
            if (owner != null) {
                ownerOnNode.computeIfAbsent(best.name(), x -> new HashMap<>()).merge(owner, 1, Integer::sum);
            }
            store.setSchedGen(k, null);
            store.clearTimer("sched:" + k);
            return;
        }
        String message = fitError(nodes.size(), preFilter, histogram, resolvable);
        Long due = store.timer("sched:" + k);
        boolean periodic = due != null && now >= due;
        boolean changed = setScheduledCondition(ctx, pod, "False", "Unschedulable", message);
        if (changed) {
            store.touch(ResourceType.PODS, pod);
        }
        if (changed || periodic || due == null) {
            ctx.record(ResourceType.PODS, pod, "Warning", "FailedScheduling", message, "default-scheduler");
            store.setTimer("sched:" + k, now + SCHEDULER_RETRY_MS);
        }
        store.setSchedGen(k, store.clusterGen());
    }

    /** The scheduler's FitError text, with the histogram sorted as strings the way the real one is. */
    private static String fitError(int numNodes, String preFilter, TreeMap<String, Integer> histogram, int resolvable) {
        if (numNodes == 0) {
            return "no nodes available to schedule pods";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("0/").append(numNodes).append(" nodes are available:");
        if (preFilter != null) {
            sb.append(' ').append(preFilter).append('.');
            resolvable = 0;
        } else {
            List<String> parts = new ArrayList<>();
            histogram.forEach((r, n) -> parts.add(n + " " + r));
            java.util.Collections.sort(parts);
            sb.append(' ').append(String.join(", ", parts)).append('.');
        }
        List<String> pre = new ArrayList<>();
        if (resolvable > 0) {
            pre.add(resolvable + " No preemption victims found for incoming pod");
        }
        if (numNodes - resolvable > 0) {
            pre.add((numNodes - resolvable) + " Preemption is not helpful for scheduling");
        }
        java.util.Collections.sort(pre);
        sb.append(" preemption: 0/").append(numNodes).append(" nodes are available: ").append(String.join(", ", pre))
                .append('.');
        return sb.toString();
    }

    /** Filter plugins in the default profile's order; the first that fails gives the node's reasons. */
    private static List<String> filter(ControllerContext ctx, NodeInfo n, long[] req, Map<String, String> nodeSelector,
                                       JsonNode requiredAffinity, JsonNode tolerations, List<ObjectNode> boundPvs,
                                       long[] used) {
        JsonNode spec = n.node().path("spec");
        if (spec.path("unschedulable").asBoolean(false)
                && !tolerates(tolerations, "node.kubernetes.io/unschedulable", "", "NoSchedule")) {
            return List.of("node(s) were unschedulable");
        }
        List<JsonNode> taints = new ArrayList<>();
        spec.path("taints").forEach(taints::add);
        if (!Facts.nodeReady(n.node())) {
            ObjectNode t = Json.obj();
            t.put("key", "node.kubernetes.io/not-ready");
            t.put("effect", "NoSchedule");
            taints.add(t);
        }
        for (JsonNode t : taints) {
            String effect = t.path("effect").asText();
            if (!effect.equals("NoSchedule") && !effect.equals("NoExecute")) {
                continue;
            }
            if (!tolerates(tolerations, t.path("key").asText(), t.path("value").asText(""), effect)) {
                return List.of("node(s) had untolerated taint {" + t.path("key").asText() + ": "
                        + t.path("value").asText("") + "}");
            }
        }
        for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
            if (!e.getValue().equals(n.labels().get(e.getKey()))) {
                return List.of("node(s) didn't match Pod's node affinity/selector");
            }
        }
        if (requiredAffinity != null && !Selectors.matchesNodeSelector(requiredAffinity, n.labels(), n.name())) {
            return List.of("node(s) didn't match Pod's node affinity/selector");
        }
        List<String> fit = new ArrayList<>();
        if (used[2] + 1 > n.pods()) {
            fit.add("Too many pods");
        }
        if (req[0] > 0 && used[0] + req[0] > n.cpu()) {
            fit.add("Insufficient cpu");
        }
        if (req[1] > 0 && used[1] + req[1] > n.mem()) {
            fit.add("Insufficient memory");
        }
        if (!fit.isEmpty()) {
            return fit;
        }
        for (ObjectNode pv : boundPvs) {
            JsonNode required = Json.at(pv, "spec", "nodeAffinity", "required");
            if (required != null && !Selectors.matchesNodeSelector(required, n.labels(), n.name())) {
                return List.of(ctx.api().minorVersion() >= 33 ? "node(s) didn't match PersistentVolume's node affinity"
                        : "node(s) had volume node affinity conflict");
            }
        }
        for (ObjectNode pv : boundPvs) {
            Map<String, String> l = Json.labels(pv);
            for (String key : new String[] {KubeWorld.ZONE, KubeWorld.ZONE_BETA}) {
                String want = l.get(key);
                if (want != null) {
                    String have = n.labels().get(key);
                    if (have == null || !java.util.Arrays.asList(want.split("__")).contains(have)) {
                        return List.of("node(s) had no available volume zone");
                    }
                }
            }
        }
        return List.of();
    }

    private static boolean tolerates(JsonNode tolerations, String key, String value, String effect) {
        if (tolerations == null) {
            return false;
        }
        for (JsonNode t : tolerations) {
            String te = t.path("effect").asText("");
            if (!te.isEmpty() && !te.equals(effect)) {
                continue;
            }
            String op = t.path("operator").asText("Equal");
            String tk = t.path("key").asText("");
            if (op.equals("Exists")) {
                if (tk.isEmpty() || tk.equals(key)) {
                    return true;
                }
            } else if (tk.equals(key) && t.path("value").asText("").equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean setScheduledCondition(ControllerContext ctx, ObjectNode pod, String status, String reason,
                                                 String message) {
        long now = ctx.now();
        ArrayNode conds = Json.withArray(Json.with(pod, "status"), "conditions");
        for (JsonNode c : conds) {
            if ("PodScheduled".equals(c.path("type").asText())) {
                ObjectNode co = (ObjectNode) c;
                boolean same = status.equals(co.path("status").asText())
                        && java.util.Objects.equals(reason, Json.text(co, "reason"))
                        && java.util.Objects.equals(message, Json.text(co, "message"));
                if (same) {
                    return false;
                }
                if (!status.equals(co.path("status").asText())) {
                    co.put("lastTransitionTime", Json.time(now));
                }
                co.put("status", status);
                Json.set(co, "reason", reason);
                Json.set(co, "message", message);
                co.putNull("lastProbeTime");
                return true;
            }
        }
        ObjectNode c = conds.addObject();
        c.put("type", "PodScheduled");
        c.put("status", status);
        c.putNull("lastProbeTime");
        c.put("lastTransitionTime", Json.time(now));
        if (reason != null) {
            c.put("reason", reason);
        }
        if (message != null) {
            c.put("message", message);
        }
        return true;
    }

    private static void bindPod(ControllerContext ctx, ObjectNode pod, NodeInfo node, List<ObjectNode> wffcClaims) {
        ObjectStore store = ctx.store();
        for (ObjectNode c : wffcClaims) {
            Json.with(Json.meta(c), "annotations").put("volume.kubernetes.io/selected-node", node.name());
            store.touch(ResourceType.PVCS, c);
        }
        Json.with(pod, "spec").put("nodeName", node.name());
        setScheduledCondition(ctx, pod, "True", null, null);
        store.touch(ResourceType.PODS, pod);
        ctx.record(ResourceType.PODS, pod, "Normal", "Scheduled", "Successfully assigned "
                + Json.namespace(pod) + "/" + Json.name(pod) + " to " + node.name(), "default-scheduler");
    }
}
