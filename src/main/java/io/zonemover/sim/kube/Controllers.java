package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The controllers of the simulated cluster, run to a fixpoint by {@link KubeWorld#reconcile}: garbage
 * collector, StatefulSet controller, PVC/PV protection, PV binder and dynamic provisioner (in-tree aws-ebs
 * and the EBS CSI driver), scheduler, attach-detach controller, kubelet, and the status of StatefulSets and
 * PodDisruptionBudgets. Each pass is linear in the number of objects; a pass that changes nothing ends it.
 *
 * <p>Modelled durations:
 * <ul>
 *   <li>{@link #CONTAINER_START_MS} 8 s from "all volumes attached" to Running and Ready: the kubelet's
 *   NodeStage/NodePublish of an EBS volume (a second or two: fsck/mount of an existing ext4), pulling an
 *   image already cached on the node, and starting the container and its readiness probe (a few seconds
 *   with the default 10 s probe period, first probe early). Users commonly report 5-15 s for a StatefulSet
 *   pod with an attached volume once the attach is done.</li>
 *   <li>{@link #CONTAINER_STOP_MS} 2 s from deletion to the pod object being gone (capped by the pod's
 *   terminationGracePeriodSeconds): the kubelet sends SIGTERM, nginx-style servers exit within a second or
 *   two, and the kubelet then deletes the pod with grace 0.</li>
 *   <li>{@link #SCHEDULER_RETRY_MS} 5 min: an unschedulable pod is retried whenever the cluster changes,
 *   and otherwise after kube-scheduler's podMaxInUnschedulablePodsDuration (5 min default), which is when
 *   the FailedScheduling event's count grows.</li>
 *   <li>{@link #ATTACH_RETRY_MS} 2 min: a failed attach is retried (the attach-detach controller backs off
 *   exponentially up to about 2 min 2 s).</li>
 * </ul>
 */
final class Controllers {

    static final long CONTAINER_START_MS = 8_000;
    static final long CONTAINER_STOP_MS = 2_000;
    static final long SCHEDULER_RETRY_MS = 5 * 60_000;
    static final long ATTACH_RETRY_MS = 2 * 60_000;
    private static final int MAX_PASSES = 50;
    private static final boolean DEBUG = Boolean.getBoolean("zonemover.sim.debug");

    private final KubeWorld w;

    Controllers(KubeWorld w) {
        this.w = w;
    }

    /** State seen at the end of the last reconcile; when nothing moved since, a reconcile is a no-op. */
    private long lastRv = -1;
    private long lastGen = -1;
    /** Some controller waits on the EC2 side (an attach or detach to complete, a volume to delete). */
    private boolean ec2Pending;

    void reconcile(long now, Ec2Side ec2) {
        if (lastRv == w.resourceVersion && lastGen == w.clusterGen && !ec2Pending && now < w.nextEventAt()) {
            return;
        }
        reconcilePasses(now, ec2);
        lastRv = w.resourceVersion;
        lastGen = w.clusterGen;
    }

    private void reconcilePasses(long now, Ec2Side ec2) {
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            ec2Pending = false;
            long before = w.resourceVersion;
            long timersBefore = w.timers.hashCode();
            long[] t = new long[9];
            t[0] = System.nanoTime();
            garbageCollect(now, ec2);
            t[1] = System.nanoTime();
            statefulSets(now, ec2);
            t[2] = System.nanoTime();
            protection(now, ec2);
            t[3] = System.nanoTime();
            binder(now, ec2);
            t[4] = System.nanoTime();
            scheduler(now);
            t[5] = System.nanoTime();
            attachDetach(now, ec2);
            t[6] = System.nanoTime();
            kubelet(now, ec2);
            t[7] = System.nanoTime();
            statuses();
            t[8] = System.nanoTime();
            if (DEBUG) {
                StringBuilder sb = new StringBuilder("times(ms)");
                for (int i = 1; i < 9; i++) {
                    sb.append(' ').append((t[i] - t[i - 1]) / 1_000_000);
                }
                System.err.println(sb);
            }
            if (DEBUG) {
                System.err.println("pass " + pass + " rv+" + (w.resourceVersion - before) + " timers " + w.timers.size());
            }
            if (w.resourceVersion == before && w.timers.hashCode() == timersBefore) {
                break;
            }
        }
    }

    // ------------------------------------------------------------------ shared lookups

    /** Claim names a pod mounts. */
    static List<String> podClaims(JsonNode pod) {
        List<String> out = new ArrayList<>();
        JsonNode vols = Json.at(pod, "spec", "volumes");
        if (vols != null) {
            for (JsonNode v : vols) {
                String c = Json.text(v, "persistentVolumeClaim", "claimName");
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** EBS volume ids of a pod's bound claims. */
    List<String> podVolumeIds(JsonNode pod) {
        List<String> out = new ArrayList<>();
        for (String c : podClaims(pod)) {
            ObjectNode claim = w.find(ResourceType.PVCS, Json.namespace(pod), c);
            String pvName = claim == null ? null : Json.text(claim, "spec", "volumeName");
            ObjectNode pv = pvName == null ? null : w.find(ResourceType.PVS, null, pvName);
            String vol = pv == null ? null : KubeWorld.volumeId(pv);
            if (vol != null) {
                out.add(vol);
            }
        }
        return out;
    }

    private static boolean terminal(JsonNode pod) {
        String phase = Json.text(pod, "status", "phase");
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** The bound PV of a claim when the binding is complete both ways, else null. */
    private ObjectNode boundPv(JsonNode claim) {
        if (claim == null || !"Bound".equals(Json.text(claim, "status", "phase"))) {
            return null;
        }
        String pvName = Json.text(claim, "spec", "volumeName");
        return pvName == null ? null : w.find(ResourceType.PVS, null, pvName);
    }

    // ------------------------------------------------------------------ garbage collector

    private void garbageCollect(long now, Ec2Side ec2) {
        Set<String> liveOwners = new HashSet<>();
        for (ObjectNode s : w.map(ResourceType.STATEFULSETS).values()) {
            liveOwners.add(Json.uid(s));
        }
        for (ObjectNode s : new ArrayList<>(w.map(ResourceType.STATEFULSETS).values())) {
            if (!Json.deleting(s)) {
                continue;
            }
            String uid = Json.uid(s);
            if (Json.hasFinalizer(s, "orphan")) {
                for (ObjectNode dep : dependents(uid)) {
                    stripOwner(dep, uid);
                }
                Json.removeFinalizer(s, "orphan");
                finishOrTouch(ResourceType.STATEFULSETS, s, now, ec2);
            } else if (Json.hasFinalizer(s, "foregroundDeletion")) {
                List<ObjectNode> deps = new ArrayList<>();
                for (ObjectNode p : dependents(uid)) {
                    if (Json.text(p, "kind").equals("Pod")) {
                        deps.add(p);
                    }
                }
                for (ObjectNode p : deps) {
                    if (!Json.deleting(p)) {
                        w.deletePod(p, null, now, ec2);
                    }
                }
                if (deps.isEmpty()) {
                    Json.removeFinalizer(s, "foregroundDeletion");
                    finishOrTouch(ResourceType.STATEFULSETS, s, now, ec2);
                }
            } else if (Json.noFinalizers(s)) {
                w.remove(ResourceType.STATEFULSETS, s, now, ec2);
            }
        }
        // Background: dependents whose every owner is gone are deleted.
        for (ObjectNode p : new ArrayList<>(w.map(ResourceType.PODS).values())) {
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
                    anyLive = true;
                }
            }
            if (anyGoneSts && !anyLive) {
                w.deletePod(p, null, now, ec2);
            }
        }
        // PVCs owned (retention policy) by a gone StatefulSet.
        for (ObjectNode c : new ArrayList<>(w.map(ResourceType.PVCS).values())) {
            JsonNode refs = Json.at(c, "metadata", "ownerReferences");
            if (refs == null || refs.isEmpty() || Json.deleting(c)) {
                continue;
            }
            boolean allGone = true;
            for (JsonNode r : refs) {
                allGone &= "StatefulSet".equals(r.path("kind").asText()) && !liveOwners.contains(r.path("uid").asText());
            }
            if (allGone) {
                w.delete(ResourceType.PVCS, Json.namespace(c), Json.name(c), KubeWorld.DeleteOptions.DEFAULT, now,
                        ec2);
            }
        }
    }

    private void finishOrTouch(ResourceType type, ObjectNode o, long now, Ec2Side ec2) {
        if (Json.noFinalizers(o)) {
            w.remove(type, o, now, ec2);
        } else {
            w.touch(type, o);
        }
    }

    private List<ObjectNode> dependents(String ownerUid) {
        List<ObjectNode> out = new ArrayList<>();
        for (ResourceType t : new ResourceType[] {ResourceType.PODS, ResourceType.PVCS}) {
            for (ObjectNode o : w.map(t).values()) {
                JsonNode refs = Json.at(o, "metadata", "ownerReferences");
                if (refs != null) {
                    for (JsonNode r : refs) {
                        if (ownerUid.equals(r.path("uid").asText())) {
                            out.add(o);
                            break;
                        }
                    }
                }
            }
        }
        return out;
    }

    private void stripOwner(ObjectNode o, String ownerUid) {
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
        w.touch("Pod".equals(Json.text(o, "kind")) ? ResourceType.PODS : ResourceType.PVCS, o);
    }

    // ------------------------------------------------------------------ StatefulSet controller

    private void statefulSets(long now, Ec2Side ec2) {
        if (w.map(ResourceType.STATEFULSETS).isEmpty()) {
            return;
        }
        Map<String, List<ObjectNode>> orphansByNs = new HashMap<>();
        Map<String, List<ObjectNode>> podsByOwner = new HashMap<>();
        for (ObjectNode p : w.map(ResourceType.PODS).values()) {
            JsonNode refs = Json.at(p, "metadata", "ownerReferences");
            if (refs == null || refs.isEmpty()) {
                orphansByNs.computeIfAbsent(Json.namespace(p), k -> new ArrayList<>()).add(p);
            } else {
                for (JsonNode r : refs) {
                    podsByOwner.computeIfAbsent(r.path("uid").asText(), k -> new ArrayList<>()).add(p);
                }
            }
        }
        for (ObjectNode s : new ArrayList<>(w.map(ResourceType.STATEFULSETS).values())) {
            if (Json.deleting(s)) {
                continue;
            }
            syncStatefulSet(s, orphansByNs.getOrDefault(Json.namespace(s), List.of()),
                    podsByOwner.getOrDefault(Json.uid(s), List.of()), now, ec2);
        }
    }

    private void syncStatefulSet(ObjectNode s, List<ObjectNode> orphans, List<ObjectNode> owned, long now,
                                 Ec2Side ec2) {
        String ns = Json.namespace(s);
        String name = Json.name(s);
        String uid = Json.uid(s);
        JsonNode selector = Json.at(s, "spec", "selector");
        owned = new ArrayList<>(owned);
        // Adopt orphans that match the selector (ControllerRefManager).
        for (ObjectNode p : orphans) {
            if (Json.deleting(p) || hasController(p) || ordinalOf(Json.name(p), name) < 0
                    || !Selectors.matchesLabelSelector(selector, Json.labels(p))) {
                continue;
            }
            if (w.find(ResourceType.PODS, ns, Json.name(p)) != p) {
                continue;
            }
            Json.withArray(Json.meta(p), "ownerReferences").add(ownerRef(s));
            w.touch(ResourceType.PODS, p);
            owned.add(p);
        }
        int replicas = s.path("spec").path("replicas").asInt(1);
        boolean ordered = !"Parallel".equals(Json.text(s, "spec", "podManagementPolicy"));
        for (int i = 0; i < replicas; i++) {
            String podName = name + "-" + i;
            ObjectNode pod = w.find(ResourceType.PODS, ns, podName);
            if (pod != null && !ownedBy(pod, uid)) {
                // A pod of that name that another controller owns (or one still terminating): wait.
                if (ordered) {
                    break;
                }
                continue;
            }
            if (pod == null) {
                String blocked = ensureClaims(s, i, now, ec2);
                if (blocked != null) {
                    w.reportOnce("stsfail:" + uid + ":" + podName, now, ResourceType.STATEFULSETS, s, "Warning",
                            "FailedCreate", "create Pod " + podName + " in StatefulSet " + name
                                    + " failed error: " + blocked, "statefulset-controller");
                    if (ordered) {
                        break;
                    }
                    continue;
                }
                w.clearReported("stsfail:" + uid + ":" + podName);
                createPod(s, i, now, ec2);
                if (ordered) {
                    break;
                }
                continue;
            }
            if (terminal(pod) && !Json.deleting(pod)) {
                w.deletePod(pod, 0L, now, ec2);
                if (ordered) {
                    break;
                }
                continue;
            }
            if (ordered && (Json.deleting(pod) || !KubeWorld.podReady(pod))) {
                break;
            }
        }
        // Scale down: the highest ordinal first; one at a time when ordered.
        List<ObjectNode> condemned = new ArrayList<>();
        for (ObjectNode p : owned) {
            int ord = ordinalOf(Json.name(p), name);
            if (ord >= replicas) {
                condemned.add(p);
            }
        }
        condemned.sort((a, b) -> Integer.compare(ordinalOf(Json.name(b), name), ordinalOf(Json.name(a), name)));
        for (ObjectNode p : condemned) {
            if (Json.deleting(p)) {
                if (ordered) {
                    break;
                }
                continue;
            }
            if (w.find(ResourceType.PODS, ns, Json.name(p)) == null) {
                continue;
            }
            w.deletePod(p, null, now, ec2);
            w.recordEvent(now, ResourceType.STATEFULSETS, s, "Normal", "SuccessfulDelete", "delete Pod "
                    + Json.name(p) + " in StatefulSet " + name + " successful", "statefulset-controller");
            if (ordered) {
                break;
            }
        }
    }

    /** Creates missing claims for ordinal i; returns the error that blocks pod creation, or null. */
    private String ensureClaims(ObjectNode s, int ordinal, long now, Ec2Side ec2) {
        JsonNode templates = Json.at(s, "spec", "volumeClaimTemplates");
        if (templates == null) {
            return null;
        }
        String ns = Json.namespace(s);
        String name = Json.name(s);
        for (JsonNode t : templates) {
            String claimName = Json.name(t) + "-" + name + "-" + ordinal;
            ObjectNode claim = w.find(ResourceType.PVCS, ns, claimName);
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
                    w.create(ResourceType.PVCS, ns, c, now, ec2);
                    w.recordEvent(now, ResourceType.STATEFULSETS, s, "Normal", "SuccessfulCreate", "create Claim "
                            + claimName + " Pod " + name + "-" + ordinal + " in StatefulSet " + name + " success",
                            "statefulset-controller");
                } catch (KubeApiException e) {
                    return "failed to create PVC " + claimName + ": " + e.getMessage();
                }
            } else if (Json.deleting(claim)) {
                return "pvc " + claimName + " is being deleted";
            }
        }
        return null;
    }

    private void createPod(ObjectNode s, int ordinal, long now, Ec2Side ec2) {
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
        labels.put("controller-revision-hash", revision(s));
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
        w.create(ResourceType.PODS, ns, pod, now, ec2);
        w.recordEvent(now, ResourceType.STATEFULSETS, s, "Normal", "SuccessfulCreate", "create Pod " + podName
                + " in StatefulSet " + name + " successful", "statefulset-controller");
    }

    private final Map<JsonNode, String> revisions = new java.util.IdentityHashMap<>();

    String revision(JsonNode s) {
        JsonNode t = Json.at(s, "spec", "template");
        if (t != null) {
            String cached = revisions.get(t);
            if (cached != null && cached.startsWith(Json.name(s) + "-")) {
                return cached;
            }
            if (revisions.size() > 100_000) {
                revisions.clear();
            }
            String r = computeRevision(s, t);
            revisions.put(t, r);
            return r;
        }
        return computeRevision(s, null);
    }

    private static String computeRevision(JsonNode s, JsonNode t) {
        String text = t == null ? "" : t.toString();
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder();
        long v = h;
        for (int i = 0; i < 10; i++) {
            sb.append(alphabet.charAt((int) Long.remainderUnsigned(v, alphabet.length())));
            v = Long.divideUnsigned(v, alphabet.length());
        }
        return Json.name(s) + "-" + sb;
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

    private static boolean hasController(JsonNode o) {
        JsonNode refs = Json.at(o, "metadata", "ownerReferences");
        if (refs != null) {
            for (JsonNode r : refs) {
                if (r.path("controller").asBoolean(false)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean ownedBy(JsonNode o, String uid) {
        JsonNode refs = Json.at(o, "metadata", "ownerReferences");
        if (refs != null) {
            for (JsonNode r : refs) {
                if (uid.equals(r.path("uid").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    static int ordinalOf(String podName, String stsName) {
        if (podName == null || !podName.startsWith(stsName + "-")) {
            return -1;
        }
        String rest = podName.substring(stsName.length() + 1);
        if (!rest.matches("\\d{1,9}")) {
            return -1;
        }
        return Integer.parseInt(rest);
    }

    // ------------------------------------------------------------------ protection controllers

    private void protection(long now, Ec2Side ec2) {
        Set<String> usedClaims = null;
        for (ObjectNode c : new ArrayList<>(w.map(ResourceType.PVCS).values())) {
            if (!Json.deleting(c)) {
                continue;
            }
            if (usedClaims == null) {
                usedClaims = new HashSet<>();
                for (ObjectNode p : w.map(ResourceType.PODS).values()) {
                    // podUsesPVC: only scheduled pods count, and not finished ones.
                    if (Json.text(p, "spec", "nodeName") != null && !terminal(p)) {
                        for (String cn : podClaims(p)) {
                            usedClaims.add(Json.namespace(p) + "/" + cn);
                        }
                    }
                }
            }
            if (Json.hasFinalizer(c, KubeWorld.PVC_PROTECTION)
                    && !usedClaims.contains(Json.namespace(c) + "/" + Json.name(c))) {
                Json.removeFinalizer(c, KubeWorld.PVC_PROTECTION);
                finishOrTouch(ResourceType.PVCS, c, now, ec2);
            } else if (Json.noFinalizers(c)) {
                w.remove(ResourceType.PVCS, c, now, ec2);
            }
        }
        for (ObjectNode v : new ArrayList<>(w.map(ResourceType.PVS).values())) {
            if (!Json.deleting(v)) {
                continue;
            }
            boolean changed = false;
            if (Json.hasFinalizer(v, KubeWorld.PV_PROTECTION) && claimOf(v) == null) {
                Json.removeFinalizer(v, KubeWorld.PV_PROTECTION);
                changed = true;
            }
            if (Json.hasFinalizer(v, KubeWorld.PROVISIONER_FINALIZER) && claimOf(v) == null) {
                String vol = KubeWorld.volumeId(v);
                if (vol == null || ec2.volume(vol) == null || ec2.deleteVolume(vol, now)) {
                    Json.removeFinalizer(v, KubeWorld.PROVISIONER_FINALIZER);
                    changed = true;
                } else {
                    ec2Pending = true;
                }
            }
            if (changed || Json.noFinalizers(v)) {
                finishOrTouch(ResourceType.PVS, v, now, ec2);
            }
        }
    }

    /** The live claim a PV is bound to (claimRef with a matching uid), or null. */
    private ObjectNode claimOf(JsonNode pv) {
        JsonNode ref = Json.at(pv, "spec", "claimRef");
        if (ref == null) {
            return null;
        }
        ObjectNode c = w.find(ResourceType.PVCS, ref.path("namespace").asText(), ref.path("name").asText());
        if (c == null) {
            return null;
        }
        String uid = ref.path("uid").asText("");
        if (!uid.isEmpty() && !uid.equals(Json.uid(c))) {
            return null;
        }
        return uid.isEmpty() ? null : c;
    }

    // ------------------------------------------------------------------ PV binder and provisioner

    private void binder(long now, Ec2Side ec2) {
        Map<String, ObjectNode> claimsByUid = new HashMap<>();
        for (ObjectNode c : w.map(ResourceType.PVCS).values()) {
            claimsByUid.put(Json.uid(c), c);
        }
        // Volumes first: phase from claimRef, release and reclaim.
        for (ObjectNode v : new ArrayList<>(w.map(ResourceType.PVS).values())) {
            syncVolume(v, claimsByUid, now, ec2);
        }
        // Claims.
        Map<String, List<ObjectNode>> availableByClass = null;
        Map<String, List<ObjectNode>> pvsByClaimRef = null;
        for (ObjectNode c : new ArrayList<>(w.map(ResourceType.PVCS).values())) {
            String phase = Json.text(c, "status", "phase");
            if ("Bound".equals(phase)) {
                String pvName = Json.text(c, "spec", "volumeName");
                ObjectNode pv = pvName == null ? null : w.find(ResourceType.PVS, null, pvName);
                if (pv == null) {
                    Json.with(c, "status").put("phase", "Lost");
                    w.touch(ResourceType.PVCS, c);
                    w.recordEvent(now, ResourceType.PVCS, c, "Warning", "ClaimLost",
                            "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
                            "persistentvolume-controller");
                }
                continue;
            }
            if (!"Pending".equals(phase) && phase != null) {
                continue;
            }
            String volumeName = Json.text(c, "spec", "volumeName");
            if (volumeName != null && !volumeName.isEmpty()) {
                syncPreboundClaim(c, volumeName, now);
                continue;
            }
            if (Json.deleting(c)) {
                continue;
            }
            // A PV pre-bound to this claim by claimRef is taken before any other match.
            if (pvsByClaimRef == null) {
                pvsByClaimRef = new HashMap<>();
                for (ObjectNode v : w.map(ResourceType.PVS).values()) {
                    JsonNode ref = Json.at(v, "spec", "claimRef");
                    if (ref != null) {
                        pvsByClaimRef.computeIfAbsent(ref.path("namespace").asText() + "/"
                                + ref.path("name").asText(), k -> new ArrayList<>()).add(v);
                    }
                }
            }
            ObjectNode prebound = null;
            for (ObjectNode v : pvsByClaimRef.getOrDefault(Json.namespace(c) + "/" + Json.name(c), List.of())) {
                JsonNode ref = Json.at(v, "spec", "claimRef");
                if (ref != null && ref.path("name").asText().equals(Json.name(c))
                        && ref.path("namespace").asText().equals(Json.namespace(c))
                        && (ref.path("uid").asText("").isEmpty() || ref.path("uid").asText().equals(Json.uid(c)))
                        && !Json.deleting(v) && w.find(ResourceType.PVS, null, Json.name(v)) == v) {
                    prebound = v;
                    break;
                }
            }
            if (prebound != null) {
                bind(c, prebound, false, now);
                continue;
            }
            String className = Json.text(c, "spec", "storageClassName");
            ObjectNode sc = className == null || className.isEmpty() ? null
                    : w.find(ResourceType.STORAGECLASSES, null, className);
            boolean wffc = sc != null && "WaitForFirstConsumer".equals(Json.text(sc, "volumeBindingMode"));
            String selectedNode = Json.text(c, "metadata", "annotations", "volume.kubernetes.io/selected-node");
            if (!wffc) {
                if (availableByClass == null) {
                    availableByClass = new HashMap<>();
                    for (ObjectNode v : w.map(ResourceType.PVS).values()) {
                        if ("Available".equals(Json.text(v, "status", "phase")) && Json.at(v, "spec", "claimRef") == null
                                && !Json.deleting(v)) {
                            availableByClass.computeIfAbsent(nz(Json.text(v, "spec", "storageClassName")),
                                    k -> new ArrayList<>()).add(v);
                        }
                    }
                }
                ObjectNode match = null;
                long best = Long.MAX_VALUE;
                for (ObjectNode v : availableByClass.getOrDefault(nz(className), List.of())) {
                    if (Json.at(v, "spec", "claimRef") == null && checkVolumeSatisfyClaim(v, c) == null) {
                        long size = Quantity.units(Json.text(v, "spec", "capacity", "storage"));
                        if (size < best) {
                            best = size;
                            match = v;
                        }
                    }
                }
                if (match != null) {
                    bind(c, match, true, now);
                    continue;
                }
            }
            if (sc == null || "kubernetes.io/no-provisioner".equals(Json.text(sc, "provisioner"))) {
                continue;
            }
            String provisioner = Json.text(sc, "provisioner");
            if (!KubeWorld.EBS_CSI.equals(provisioner) && !KubeWorld.IN_TREE_EBS.equals(provisioner)) {
                continue;
            }
            String zone;
            if (wffc) {
                if (selectedNode == null) {
                    continue;
                }
                ObjectNode node = w.find(ResourceType.NODES, null, selectedNode);
                zone = node == null ? null : KubeWorld.nodeZone(node);
            } else {
                zone = chooseZoneForVolume(Json.name(c));
            }
            if (zone == null) {
                continue;
            }
            provision(c, sc, zone, now, ec2);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private void syncVolume(ObjectNode v, Map<String, ObjectNode> claimsByUid, long now, Ec2Side ec2) {
        ObjectNode status = Json.with(v, "status");
        String phase = Json.text(status, "phase");
        String policy = Json.text(v, "spec", "persistentVolumeReclaimPolicy");
        // The external-provisioner keeps its finalizer only while the policy is Delete.
        if (Json.hasFinalizer(v, KubeWorld.PROVISIONER_FINALIZER) && !"Delete".equals(policy)) {
            Json.removeFinalizer(v, KubeWorld.PROVISIONER_FINALIZER);
            w.touch(ResourceType.PVS, v);
        }
        JsonNode ref = Json.at(v, "spec", "claimRef");
        String want;
        if (ref == null) {
            want = "Available";
        } else {
            String uid = ref.path("uid").asText("");
            if (uid.isEmpty()) {
                want = "Available";
            } else {
                ObjectNode c = claimsByUid.get(uid);
                if (c != null && Json.name(c).equals(ref.path("name").asText())) {
                    want = Json.name(v).equals(Json.text(c, "spec", "volumeName")) ? "Bound"
                            : "Bound".equals(phase) ? "Bound" : "Available";
                    if (!Json.name(v).equals(Json.text(c, "spec", "volumeName"))
                            && (Json.text(c, "spec", "volumeName") == null)) {
                        // Controller-side half bind: finish it from the claim's side.
                        bind(c, v, true, now);
                        return;
                    }
                } else {
                    want = "Released";
                }
            }
        }
        if ("Failed".equals(phase) && "Released".equals(want)) {
            return;
        }
        if (!want.equals(phase)) {
            status.put("phase", want);
            if ("Released".equals(want)) {
                status.put("lastPhaseTransitionTime", Json.time(now));
            }
            w.touch(ResourceType.PVS, v);
        }
        if ("Released".equals(want) && "Delete".equals(policy) && !Json.deleting(v)) {
            String vol = KubeWorld.volumeId(v);
            if (vol == null || ec2.volume(vol) == null || ec2.deleteVolume(vol, now)) {
                Json.removeFinalizer(v, KubeWorld.PROVISIONER_FINALIZER);
                Json.removeFinalizer(v, KubeWorld.PV_PROTECTION);
                w.remove(ResourceType.PVS, v, now, ec2);
            } else {
                ec2Pending = true;
            }
        }
    }

    private void syncPreboundClaim(ObjectNode c, String volumeName, long now) {
        ObjectNode pv = w.find(ResourceType.PVS, null, volumeName);
        if (pv == null) {
            return;
        }
        JsonNode ref = Json.at(pv, "spec", "claimRef");
        if (ref == null) {
            String why = checkVolumeSatisfyClaim(pv, c);
            if (why != null) {
                mismatch(c, volumeName, why, now);
                return;
            }
            bind(c, pv, false, now);
            return;
        }
        boolean sameName = ref.path("name").asText().equals(Json.name(c))
                && ref.path("namespace").asText().equals(Json.namespace(c));
        String uid = ref.path("uid").asText("");
        if (sameName && (uid.isEmpty() || uid.equals(Json.uid(c)))) {
            String why = checkVolumeSatisfyClaim(pv, c);
            if (why != null) {
                mismatch(c, volumeName, why, now);
                return;
            }
            bind(c, pv, false, now);
            return;
        }
        w.reportOnce("bindfail:" + Json.uid(c) + ":" + volumeName, now, ResourceType.PVCS, c, "Warning",
                "FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.",
                "persistentvolume-controller");
    }

    private void mismatch(ObjectNode c, String volumeName, String why, long now) {
        w.reportOnce("mismatch:" + Json.uid(c) + ":" + volumeName + ":" + why, now, ResourceType.PVCS, c, "Warning",
                "VolumeMismatch", "Cannot bind to requested volume \"" + volumeName + "\": " + why,
                "persistentvolume-controller");
    }

    /** checkVolumeSatisfyClaim, in the PV controller's order; null when the volume fits. */
    private static String checkVolumeSatisfyClaim(JsonNode pv, JsonNode claim) {
        if (Json.deleting(pv)) {
            return "the volume is marked for deletion";
        }
        long want = Quantity.units(Json.text(claim, "spec", "resources", "requests", "storage"));
        long have = Quantity.units(Json.text(pv, "spec", "capacity", "storage"));
        if (have < want) {
            return "requested PV is too small";
        }
        String cc = nz(Json.text(claim, "spec", "storageClassName"));
        String vc = nz(Json.text(pv, "spec", "storageClassName"));
        if (!cc.equals(vc)) {
            return "storageClassName does not match";
        }
        String cm = Json.text(claim, "spec", "volumeMode");
        String vm = Json.text(pv, "spec", "volumeMode");
        if (!(cm == null ? "Filesystem" : cm).equals(vm == null ? "Filesystem" : vm)) {
            return "incompatible volumeMode";
        }
        Set<String> pvModes = new HashSet<>();
        Json.at(pv, "spec").path("accessModes").forEach(m -> pvModes.add(m.asText()));
        JsonNode modes = Json.at(claim, "spec", "accessModes");
        if (modes != null) {
            for (JsonNode m : modes) {
                if (!pvModes.contains(m.asText())) {
                    return "incompatible accessMode";
                }
            }
        }
        return null;
    }

    private void bind(ObjectNode c, ObjectNode pv, boolean byController, long now) {
        ObjectNode spec = Json.with(pv, "spec");
        ObjectNode ref = Json.obj();
        ref.put("kind", "PersistentVolumeClaim");
        ref.put("namespace", Json.namespace(c));
        ref.put("name", Json.name(c));
        ref.put("uid", Json.uid(c));
        ref.put("apiVersion", "v1");
        ref.put("resourceVersion", Json.text(c, "metadata", "resourceVersion"));
        spec.set("claimRef", ref);
        ObjectNode pvAnn = Json.with(Json.meta(pv), "annotations");
        pvAnn.put("pv.kubernetes.io/bound-by-controller", "yes");
        if (!byController && !pvAnn.has("pv.kubernetes.io/bound-by-controller")) {
            pvAnn.remove("pv.kubernetes.io/bound-by-controller");
        }
        Json.with(pv, "status").put("phase", "Bound");
        w.touch(ResourceType.PVS, pv);
        Json.with(c, "spec").put("volumeName", Json.name(pv));
        ObjectNode ann = Json.with(Json.meta(c), "annotations");
        ann.put("pv.kubernetes.io/bind-completed", "yes");
        if (byController) {
            ann.put("pv.kubernetes.io/bound-by-controller", "yes");
        }
        ObjectNode st = Json.with(c, "status");
        st.put("phase", "Bound");
        st.set("accessModes", spec.path("accessModes").deepCopy());
        st.putObject("capacity").put("storage", Json.text(spec, "capacity", "storage"));
        w.touch(ResourceType.PVCS, c);
        w.clearReported("bindfail:" + Json.uid(c) + ":" + Json.name(pv));
    }

    /** Zones that have nodes, sorted. */
    private List<String> clusterZones() {
        Set<String> z = new java.util.TreeSet<>();
        for (ObjectNode n : w.map(ResourceType.NODES).values()) {
            String zone = KubeWorld.nodeZone(n);
            if (zone != null) {
                z.add(zone);
            }
        }
        return new ArrayList<>(z);
    }

    /**
     * volumehelpers.ChooseZoneForVolume: Immediate binding ignores the pod; the zone comes from a hash of the
     * claim name, with StatefulSet ordinals spread round-robin from the hash of the name's base.
     */
    private String chooseZoneForVolume(String claimName) {
        List<String> zones = clusterZones();
        if (zones.isEmpty()) {
            return null;
        }
        String base = claimName;
        long index = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*)-(\\d+)$").matcher(claimName);
        if (m.matches() && m.group(2).length() < 10) {
            base = m.group(1);
            index = Long.parseLong(m.group(2));
        }
        int h = 0x811c9dc5;
        for (byte b : base.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x01000193;
        }
        long hash = Integer.toUnsignedLong(h);
        return zones.get((int) ((hash + index) % zones.size()));
    }

    private void provision(ObjectNode c, ObjectNode sc, String zone, long now, Ec2Side ec2) {
        String provisioner = Json.text(sc, "provisioner");
        boolean csi = KubeWorld.EBS_CSI.equals(provisioner);
        String pvName = "pvc-" + Json.uid(c);
        if (w.find(ResourceType.PVS, null, pvName) != null) {
            return;
        }
        Map<String, String> params = Json.stringMap(sc.get("parameters"));
        Map<String, String> lower = new HashMap<>();
        params.forEach((k, v) -> lower.put(k.toLowerCase(), v));
        int size = Quantity.gib(Json.text(c, "spec", "resources", "requests", "storage"));
        String type = lower.getOrDefault("type", csi ? "gp3" : "gp2");
        Integer iops = null;
        if (lower.containsKey("iops")) {
            iops = Integer.parseInt(lower.get("iops"));
        } else if (lower.containsKey("iopspergb")) {
            iops = Integer.parseInt(lower.get("iopspergb")) * size;
        }
        Integer throughput = lower.containsKey("throughput") ? Integer.parseInt(lower.get("throughput")) : null;
        boolean encrypted = "true".equalsIgnoreCase(lower.get("encrypted"));
        String kms = lower.get("kmskeyid");
        String fsType = lower.getOrDefault("csi.storage.k8s.io/fstype", lower.getOrDefault("fstype", "ext4"));
        Map<String, String> tags = new TreeMap<>();
        if (csi) {
            tags.put("CSIVolumeName", pvName);
            tags.put("ebs.csi.aws.com/cluster", "true");
        } else {
            tags.put("Name", "kubernetes-dynamic-" + pvName);
        }
        tags.put("kubernetes.io/created-for/pvc/name", Json.name(c));
        tags.put("kubernetes.io/created-for/pvc/namespace", Json.namespace(c));
        tags.put("kubernetes.io/created-for/pv/name", pvName);
        String volumeId = ec2.createVolume(zone, size, type, iops, throughput, encrypted, kms, tags, now, true);
        ObjectNode pv = Json.obj();
        ObjectNode m = pv.putObject("metadata");
        m.put("name", pvName);
        ObjectNode ann = m.putObject("annotations");
        ann.put("pv.kubernetes.io/provisioned-by", provisioner);
        if (csi) {
            ann.put("volume.kubernetes.io/provisioner-deletion-secret-name", "");
            ann.put("volume.kubernetes.io/provisioner-deletion-secret-namespace", "");
        }
        String policy = Json.text(sc, "reclaimPolicy") == null ? "Delete" : Json.text(sc, "reclaimPolicy");
        ObjectNode spec = pv.putObject("spec");
        spec.set("accessModes", Json.at(c, "spec", "accessModes").deepCopy());
        spec.putObject("capacity").put("storage", size + "Gi");
        spec.put("persistentVolumeReclaimPolicy", policy);
        spec.put("storageClassName", Json.name(sc));
        spec.put("volumeMode", Json.text(c, "spec", "volumeMode") == null ? "Filesystem"
                : Json.text(c, "spec", "volumeMode"));
        String zoneKey;
        if (csi) {
            ObjectNode csiSrc = spec.putObject("csi");
            csiSrc.put("driver", KubeWorld.EBS_CSI);
            csiSrc.put("volumeHandle", volumeId);
            csiSrc.put("fsType", fsType);
            csiSrc.putObject("volumeAttributes").put("storage.kubernetes.io/csiProvisionerIdentity",
                    "1700000000000-8081-ebs.csi.aws.com");
            zoneKey = KubeWorld.ZONE;
        } else {
            ObjectNode src = spec.putObject("awsElasticBlockStore");
            src.put("volumeID", "aws://" + zone + "/" + volumeId);
            src.put("fsType", fsType);
            ObjectNode labels = m.putObject("labels");
            labels.put(KubeWorld.ZONE_BETA, zone);
            labels.put(KubeWorld.REGION_BETA, zone.replaceAll("[a-z]$", ""));
            zoneKey = KubeWorld.ZONE_BETA;
        }
        ObjectNode expr = spec.putObject("nodeAffinity").putObject("required").putArray("nodeSelectorTerms")
                .addObject().putArray("matchExpressions").addObject();
        expr.put("key", zoneKey);
        expr.put("operator", "In");
        expr.putArray("values").add(zone);
        ObjectNode created = w.create(ResourceType.PVS, null, pv, now, ec2);
        if (csi && "Delete".equals(policy)) {
            Json.addFinalizer(created, KubeWorld.PROVISIONER_FINALIZER);
        }
        ObjectNode cann = Json.with(Json.meta(c), "annotations");
        cann.put("volume.kubernetes.io/storage-provisioner", provisioner);
        cann.put("volume.beta.kubernetes.io/storage-provisioner", provisioner);
        bind(c, created, true, now);
        w.recordEvent(now, ResourceType.PVCS, c, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume "
                + pvName + (csi ? "" : " using " + provisioner), csi ? "ebs.csi.aws.com_ebs-csi-controller"
                : "persistentvolume-controller");
    }

    // ------------------------------------------------------------------ scheduler

    private record NodeInfo(ObjectNode node, String name, Map<String, String> labels, String zone, long cpu,
                            long mem, long pods) {
    }

    private void scheduler(long now) {
        List<ObjectNode> pending = new ArrayList<>();
        for (ObjectNode p : w.map(ResourceType.PODS).values()) {
            if (Json.text(p, "spec", "nodeName") == null && !Json.deleting(p)
                    && "Pending".equals(Json.text(p, "status", "phase"))
                    && "default-scheduler".equals(Json.text(p, "spec", "schedulerName"))) {
                String k = KubeWorld.key(ResourceType.PODS, Json.namespace(p), Json.name(p));
                Long gen = w.schedGen.get(k);
                Long due = w.timers.get("sched:" + k);
                boolean periodic = due != null && now >= due;
                if (gen == null || gen != w.clusterGen || periodic) {
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
        for (ObjectNode p : w.map(ResourceType.PODS).values()) {
            String n = Json.text(p, "spec", "nodeName");
            if (n == null || terminal(p)) {
                continue;
            }
            long[] u = used.computeIfAbsent(n, k -> new long[3]);
            long[] r = requests(p);
            u[0] += r[0];
            u[1] += r[1];
            u[2] += 1;
            String owner = ownerUid(p);
            if (owner != null) {
                ownerOnNode.computeIfAbsent(n, k -> new HashMap<>()).merge(owner, 1, Integer::sum);
            }
        }
        for (ObjectNode n : w.map(ResourceType.NODES).values()) {
            String zone = KubeWorld.nodeZone(n);
            boolean full = zone != null && w.faults.fullZones().contains(zone);
            long cpu = full ? 0 : Quantity.milli(Json.text(n, "status", "allocatable", "cpu"));
            long mem = full ? 0 : Quantity.units(Json.text(n, "status", "allocatable", "memory"));
            long pods = Quantity.units(Json.text(n, "status", "allocatable", "pods"));
            nodes.add(new NodeInfo(n, Json.name(n), Json.labels(n), zone, cpu, mem, pods == 0 ? 110 : pods));
        }
        for (ObjectNode p : pending) {
            schedulePod(p, nodes, used, ownerOnNode, now);
        }
    }

    private static String ownerUid(JsonNode p) {
        JsonNode refs = Json.at(p, "metadata", "ownerReferences");
        if (refs != null) {
            for (JsonNode r : refs) {
                if (r.path("controller").asBoolean(false)) {
                    return r.path("uid").asText();
                }
            }
        }
        return null;
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

    private void schedulePod(ObjectNode pod, List<NodeInfo> nodes, Map<String, long[]> used,
                             Map<String, Map<String, Integer>> ownerOnNode, long now) {
        String ns = Json.namespace(pod);
        String k = KubeWorld.key(ResourceType.PODS, ns, Json.name(pod));
        String preFilter = null;
        List<ObjectNode> boundPvs = new ArrayList<>();
        List<ObjectNode> wffcClaims = new ArrayList<>();
        for (String cn : podClaims(pod)) {
            ObjectNode claim = w.find(ResourceType.PVCS, ns, cn);
            if (claim == null) {
                preFilter = "persistentvolumeclaim \"" + cn + "\" not found";
                break;
            }
            if (Json.deleting(claim)) {
                preFilter = "persistentvolumeclaim \"" + cn + "\" is being deleted";
                break;
            }
            if ("Bound".equals(Json.text(claim, "status", "phase"))) {
                ObjectNode pv = boundPv(claim);
                if (pv == null) {
                    preFilter = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
                    break;
                }
                boundPvs.add(pv);
                continue;
            }
            String className = Json.text(claim, "spec", "storageClassName");
            ObjectNode sc = className == null ? null : w.find(ResourceType.STORAGECLASSES, null, className);
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
        String owner = ownerUid(pod);
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
                List<String> reasons = filter(n, req, nodeSelectorMap, requiredAffinity, tolerations, boundPvs,
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
            bindPod(pod, best, wffcClaims, now);
            long[] u = used.computeIfAbsent(best.name(), x -> new long[3]);
            u[0] += req[0];
            u[1] += req[1];
            u[2] += 1;
            if (owner != null) {
                ownerOnNode.computeIfAbsent(best.name(), x -> new HashMap<>()).merge(owner, 1, Integer::sum);
            }
            w.schedGen.remove(k);
            w.clearTimer("sched:" + k);
            return;
        }
        String message = fitError(nodes.size(), preFilter, histogram, resolvable);
        Long due = w.timers.get("sched:" + k);
        boolean periodic = due != null && now >= due;
        boolean changed = setScheduledCondition(pod, "False", "Unschedulable", message, now);
        if (changed) {
            w.touch(ResourceType.PODS, pod);
        }
        if (changed || periodic || due == null) {
            w.recordEvent(now, ResourceType.PODS, pod, "Warning", "FailedScheduling", message, "default-scheduler");
            w.setTimer("sched:" + k, now + SCHEDULER_RETRY_MS);
        }
        w.schedGen.put(k, w.clusterGen);
    }

    /** The scheduler's FitError text, with the histogram sorted as strings the way the real one is. */
    private String fitError(int numNodes, String preFilter, TreeMap<String, Integer> histogram, int resolvable) {
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
    private List<String> filter(NodeInfo n, long[] req, Map<String, String> nodeSelector, JsonNode requiredAffinity,
                                JsonNode tolerations, List<ObjectNode> boundPvs, long[] used) {
        JsonNode spec = n.node().path("spec");
        if (spec.path("unschedulable").asBoolean(false)
                && !tolerates(tolerations, "node.kubernetes.io/unschedulable", "", "NoSchedule")) {
            return List.of("node(s) were unschedulable");
        }
        List<JsonNode> taints = new ArrayList<>();
        spec.path("taints").forEach(taints::add);
        if (!KubeWorld.nodeReady(n.node())) {
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
                return List.of(w.minorVersion() >= 33 ? "node(s) didn't match PersistentVolume's node affinity"
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

    private boolean setScheduledCondition(ObjectNode pod, String status, String reason, String message, long now) {
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

    private void bindPod(ObjectNode pod, NodeInfo node, List<ObjectNode> wffcClaims, long now) {
        for (ObjectNode c : wffcClaims) {
            Json.with(Json.meta(c), "annotations").put("volume.kubernetes.io/selected-node", node.name());
            w.touch(ResourceType.PVCS, c);
        }
        Json.with(pod, "spec").put("nodeName", node.name());
        setScheduledCondition(pod, "True", null, null, now);
        w.touch(ResourceType.PODS, pod);
        w.recordEvent(now, ResourceType.PODS, pod, "Normal", "Scheduled", "Successfully assigned "
                + Json.namespace(pod) + "/" + Json.name(pod) + " to " + node.name(), "default-scheduler");
    }

    // ------------------------------------------------------------------ attach/detach

    private record Want(String pvName, String nodeName, String volumeId, String instanceId, List<ObjectNode> pods) {
    }

    private static final Map<String, String> ATTACHMENT_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The external-attacher's name: csi-sha256(pv + attacher + node). */
    static String attachmentName(String pvName, String nodeName) {
        String key = pvName + KubeWorld.EBS_CSI + nodeName;
        String cached = ATTACHMENT_NAMES.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            String name = "csi-" + java.util.HexFormat.of().formatHex(d.digest(key.getBytes(StandardCharsets.UTF_8)));
            if (ATTACHMENT_NAMES.size() > 200_000) {
                ATTACHMENT_NAMES.clear();
            }
            ATTACHMENT_NAMES.put(key, name);
            return name;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void attachDetach(long now, Ec2Side ec2) {
        Map<String, Want> wanted = new LinkedHashMap<>();
        for (ObjectNode p : w.map(ResourceType.PODS).values()) {
            String nodeName = Json.text(p, "spec", "nodeName");
            if (nodeName == null || terminal(p)) {
                continue;
            }
            ObjectNode node = w.find(ResourceType.NODES, null, nodeName);
            if (node == null) {
                continue;
            }
            for (String cn : podClaims(p)) {
                ObjectNode pv = boundPv(w.find(ResourceType.PVCS, Json.namespace(p), cn));
                String vol = pv == null ? null : KubeWorld.volumeId(pv);
                if (vol == null) {
                    continue;
                }
                String vaName = attachmentName(Json.name(pv), nodeName);
                wanted.computeIfAbsent(vaName, k -> new Want(Json.name(pv), nodeName, vol, KubeWorld.instanceId(node),
                        new ArrayList<>())).pods().add(p);
            }
        }
        TreeMap<String, ObjectNode> vas = w.map(ResourceType.VOLUMEATTACHMENTS);
        Map<String, List<ObjectNode>> vasByPv = new HashMap<>();
        for (ObjectNode va : vas.values()) {
            vasByPv.computeIfAbsent(Json.text(va, "spec", "source", "persistentVolumeName"), k -> new ArrayList<>())
                    .add(va);
        }
        for (Map.Entry<String, Want> e : wanted.entrySet()) {
            Want want = e.getValue();
            ObjectNode va = vas.get(e.getKey());
            if (va == null) {
                boolean elsewhere = false;
                for (ObjectNode other : vasByPv.getOrDefault(want.pvName(), List.of())) {
                    if (!want.nodeName().equals(Json.text(other, "spec", "nodeName"))) {
                        elsewhere = true;
                    }
                }
                if (elsewhere) {
                    for (ObjectNode p : want.pods()) {
                        w.reportOnce("multiattach:" + Json.uid(p) + ":" + want.pvName(), now, ResourceType.PODS, p,
                                "Warning", "FailedAttachVolume", "Multi-Attach error for volume \"" + want.pvName()
                                        + "\" Volume is already exclusively attached to one node and can't be "
                                        + "attached to another", "attachdetach-controller");
                    }
                    continue;
                }
                ObjectNode nva = Json.obj();
                ObjectNode m = nva.putObject("metadata");
                m.put("name", e.getKey());
                m.putObject("annotations").put("csi.alpha.kubernetes.io/node-id", want.instanceId());
                m.putArray("finalizers").add(KubeWorld.ATTACHER_FINALIZER);
                ObjectNode spec = nva.putObject("spec");
                spec.put("attacher", KubeWorld.EBS_CSI);
                spec.put("nodeName", want.nodeName());
                spec.putObject("source").put("persistentVolumeName", want.pvName());
                nva.putObject("status").put("attached", false);
                ObjectNode created = w.create(ResourceType.VOLUMEATTACHMENTS, null, nva, now, ec2);
                tryAttach(created, want, now, ec2);
                continue;
            }
            if (Json.deleting(va)) {
                continue;
            }
            JsonNode status = va.path("status");
            if (status.has("attachError")) {
                Long due = w.timers.get("attach:" + e.getKey());
                if (due != null && now >= due) {
                    tryAttach(va, want, now, ec2);
                }
            } else if (!status.path("attached").asBoolean(false)) {
                ec2Pending = true;
                if (ec2.isAttached(want.volumeId(), want.instanceId())) {
                    ObjectNode st = Json.with(va, "status");
                    st.put("attached", true);
                    st.putObject("attachmentMetadata").put("devicePath", "/dev/xvdaa");
                    w.touch(ResourceType.VOLUMEATTACHMENTS, va);
                }
            }
        }
        for (ObjectNode va : new ArrayList<>(vas.values())) {
            String name = Json.name(va);
            if (wanted.containsKey(name)) {
                continue;
            }
            ObjectNode pv = w.find(ResourceType.PVS, null, Json.text(va, "spec", "source", "persistentVolumeName"));
            ObjectNode node = w.find(ResourceType.NODES, null, Json.text(va, "spec", "nodeName"));
            String vol = pv == null ? Json.text(va, "metadata", "annotations", "zonemover.io/sim-volume-id")
                    : KubeWorld.volumeId(pv);
            String instance = node == null ? Json.text(va, "metadata", "annotations", "csi.alpha.kubernetes.io/node-id")
                    : KubeWorld.instanceId(node);
            if (!Json.deleting(va)) {
                if (vol != null && instance != null && !va.path("status").has("attachError")) {
                    ec2.detach(vol, instance, now);
                }
                Json.meta(va).put("deletionTimestamp", Json.time(now));
                Json.meta(va).put("deletionGracePeriodSeconds", 0);
                w.clearTimer("attach:" + name);
                w.touch(ResourceType.VOLUMEATTACHMENTS, va);
            }
            if (vol == null || instance == null || ec2.isDetachedFrom(vol, instance)) {
                w.remove(ResourceType.VOLUMEATTACHMENTS, va, now, ec2);
            } else {
                ec2Pending = true;
            }
        }
    }

    private void tryAttach(ObjectNode va, Want want, long now, Ec2Side ec2) {
        String err = want.instanceId() == null ? "node has no instance id" : ec2.attach(want.volumeId(),
                want.instanceId(), now);
        ObjectNode st = Json.with(va, "status");
        if (err == null) {
            st.remove("attachError");
            st.put("attached", ec2.isAttached(want.volumeId(), want.instanceId()));
            w.clearTimer("attach:" + Json.name(va));
            w.touch(ResourceType.VOLUMEATTACHMENTS, va);
            return;
        }
        String message = "rpc error: code = Internal desc = Could not attach volume \"" + want.volumeId()
                + "\" to node \"" + want.instanceId() + "\": " + err;
        ObjectNode ae = st.putObject("attachError");
        ae.put("message", message);
        ae.put("time", Json.time(now));
        st.put("attached", false);
        w.touch(ResourceType.VOLUMEATTACHMENTS, va);
        w.setTimer("attach:" + Json.name(va), now + ATTACH_RETRY_MS);
        for (ObjectNode p : want.pods()) {
            w.recordEvent(now, ResourceType.PODS, p, "Warning", "FailedAttachVolume", "AttachVolume.Attach failed for "
                    + "volume \"" + want.pvName() + "\" : " + message, "attachdetach-controller");
        }
    }

    // ------------------------------------------------------------------ kubelet

    private void kubelet(long now, Ec2Side ec2) {
        boolean anyNeverReady = !w.faults.neverReadyPods().isEmpty() || !w.faults.neverReadyLabels().isEmpty()
                || w.faultsChangedReadiness;
        w.faultsChangedReadiness = false;
        for (ObjectNode p : new ArrayList<>(w.map(ResourceType.PODS).values())) {
            String nodeName = Json.text(p, "spec", "nodeName");
            if (nodeName == null) {
                continue;
            }
            String k = KubeWorld.key(ResourceType.PODS, Json.namespace(p), Json.name(p));
            if (w.find(ResourceType.NODES, null, nodeName) == null) {
                // PodGC: pods bound to a node that no longer exists are force-deleted.
                w.remove(ResourceType.PODS, p, now, ec2);
                continue;
            }
            if (Json.deleting(p)) {
                Long stopAt = w.timers.get("stop:" + k);
                if (stopAt == null) {
                    long grace = Json.meta(p).path("deletionGracePeriodSeconds").asLong(0);
                    stopAt = now + Math.min(grace * 1000, CONTAINER_STOP_MS);
                    w.setTimer("stop:" + k, stopAt);
                }
                if (now >= stopAt && Json.noFinalizers(p)) {
                    w.remove(ResourceType.PODS, p, now, ec2);
                }
                continue;
            }
            String phase = Json.text(p, "status", "phase");
            if ("Pending".equals(phase)) {
                if (!volumesReady(p, nodeName)) {
                    continue;
                }
                Long startAt = w.timers.get("start:" + k);
                if (startAt == null) {
                    w.setTimer("start:" + k, now + CONTAINER_START_MS);
                    setContainerStatuses(p, "waiting", false, now);
                    w.touch(ResourceType.PODS, p);
                    continue;
                }
                if (now < startAt) {
                    continue;
                }
                w.clearTimer("start:" + k);
                ObjectNode st = Json.with(p, "status");
                st.put("phase", "Running");
                st.put("startTime", Json.time(now));
                ObjectNode node = w.find(ResourceType.NODES, null, nodeName);
                st.put("hostIP", hostIp(node));
                st.put("podIP", podIp(p));
                boolean ready = !w.faults.neverReady(Json.namespace(p), Json.name(p), Json.labels(p));
                setContainerStatuses(p, "running", ready, now);
                setReadiness(p, ready, now);
                w.touch(ResourceType.PODS, p);
                for (String vol : podVolumeIds(p)) {
                    ec2.setWriting(vol, true, now);
                }
            } else if ("Running".equals(phase) && anyNeverReady) {
                boolean ready = !w.faults.neverReady(Json.namespace(p), Json.name(p), Json.labels(p));
                if (ready != KubeWorld.podReady(p)) {
                    setContainerStatuses(p, "running", ready, now);
                    setReadiness(p, ready, now);
                    w.touch(ResourceType.PODS, p);
                }
            }
        }
    }

    private boolean volumesReady(JsonNode pod, String nodeName) {
        for (String cn : podClaims(pod)) {
            ObjectNode pv = boundPv(w.find(ResourceType.PVCS, Json.namespace(pod), cn));
            if (pv == null) {
                return false;
            }
            if (KubeWorld.volumeId(pv) == null) {
                continue;
            }
            ObjectNode va = w.find(ResourceType.VOLUMEATTACHMENTS, null, attachmentName(Json.name(pv), nodeName));
            if (va == null || !va.path("status").path("attached").asBoolean(false)) {
                return false;
            }
        }
        return true;
    }

    private static String hostIp(JsonNode node) {
        int h = Math.abs(Json.name(node).hashCode());
        return "10.0." + (h % 250) + "." + ((h / 250) % 250 + 1);
    }

    private String podIp(JsonNode pod) {
        long v = KubeWorld.mix(w.seq + 17);
        w.seq++;
        return "10.1." + Long.remainderUnsigned(v, 250) + "." + (Long.remainderUnsigned(v >>> 8, 250) + 1);
    }

    private void setContainerStatuses(ObjectNode pod, String state, boolean ready, long now) {
        ArrayNode statuses = Json.with(pod, "status").putArray("containerStatuses");
        for (JsonNode c : pod.path("spec").path("containers")) {
            ObjectNode s = statuses.addObject();
            s.put("name", c.path("name").asText());
            s.put("image", c.path("image").asText(""));
            s.put("imageID", state.equals("running") ? "sha256:" + String.format("%064x", 0).substring(0, 56)
                    + String.format("%08x", c.path("image").asText("").hashCode()) : "");
            s.put("ready", ready);
            s.put("restartCount", 0);
            s.put("started", state.equals("running"));
            ObjectNode st = s.putObject("state");
            if (state.equals("running")) {
                st.putObject("running").put("startedAt", Json.time(now));
                s.put("containerID", "containerd://" + String.format("%016x", KubeWorld.mix(w.seq++)));
            } else {
                st.putObject("waiting").put("reason", "ContainerCreating");
            }
        }
    }

    private void setReadiness(ObjectNode pod, boolean ready, long now) {
        ArrayNode conds = Json.withArray(Json.with(pod, "status"), "conditions");
        String[] types = {"PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"};
        for (String t : types) {
            String want = t.equals("ContainersReady") || t.equals("Ready") ? (ready ? "True" : "False") : "True";
            ObjectNode found = null;
            for (JsonNode c : conds) {
                if (t.equals(c.path("type").asText())) {
                    found = (ObjectNode) c;
                }
            }
            if (found == null) {
                found = conds.addObject();
                found.put("type", t);
                found.putNull("lastProbeTime");
            }
            if (!want.equals(found.path("status").asText())) {
                found.put("lastTransitionTime", Json.time(now));
            }
            found.put("status", want);
            if (want.equals("False")) {
                found.put("reason", "ContainersNotReady");
                found.put("message", "containers with unready status: [" + containerNames(pod) + "]");
            } else {
                found.remove("reason");
                found.remove("message");
            }
        }
    }

    private static String containerNames(JsonNode pod) {
        List<String> names = new ArrayList<>();
        pod.path("spec").path("containers").forEach(c -> names.add(c.path("name").asText()));
        return String.join(" ", names);
    }

    // ------------------------------------------------------------------ statuses

    private void statuses() {
        if (w.map(ResourceType.STATEFULSETS).isEmpty() && w.map(ResourceType.PDBS).isEmpty()) {
            return;
        }
        Map<String, int[]> counts = new HashMap<>();
        for (ObjectNode p : w.map(ResourceType.PODS).values()) {
            String owner = ownerUid(p);
            if (owner == null) {
                continue;
            }
            int[] c = counts.computeIfAbsent(owner, k -> new int[2]);
            if (!Json.deleting(p)) {
                c[0]++;
                if (KubeWorld.podReady(p)) {
                    c[1]++;
                }
            }
        }
        for (ObjectNode s : w.map(ResourceType.STATEFULSETS).values()) {
            int[] c = counts.getOrDefault(Json.uid(s), new int[2]);
            ObjectNode want = Json.obj();
            want.put("observedGeneration", Json.meta(s).path("generation").asLong(1));
            want.put("replicas", c[0]);
            want.put("readyReplicas", c[1]);
            want.put("currentReplicas", c[0]);
            want.put("updatedReplicas", c[0]);
            want.put("availableReplicas", c[1]);
            want.put("currentRevision", revision(s));
            want.put("updateRevision", revision(s));
            want.put("collisionCount", 0);
            if (!want.equals(s.get("status"))) {
                s.set("status", want);
                w.touch(ResourceType.STATEFULSETS, s);
            }
        }
        for (ObjectNode pdb : w.map(ResourceType.PDBS).values()) {
            JsonNode selector = Json.at(pdb, "spec", "selector");
            int expected = 0;
            int healthy = 0;
            for (ObjectNode p : w.list(ResourceType.PODS, Json.namespace(pdb), null, null)) {
                if (!Json.deleting(p) && Selectors.matchesLabelSelector(selector, Json.labels(p))) {
                    expected++;
                    if (KubeWorld.podReady(p)) {
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
                w.touch(ResourceType.PDBS, pdb);
            }
        }
    }

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
