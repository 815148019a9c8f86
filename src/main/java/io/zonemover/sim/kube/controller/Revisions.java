package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Json;

import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * The StatefulSet controller's revision of a pod template ("web-7b5d8c6f9c"): the name a pod carries in
 * its controller-revision-hash label and the StatefulSet in status.currentRevision/updateRevision.
 *
 * <p>Kubernetes hashes the stored template, which the API server has already defaulted, so the same
 * template always has the same revision however a client spelled it. Here templates are stored as posted,
 * so the hash is taken over a canonical form instead: keys sorted, nulls and empty objects/lists dropped
 * (what {@code kubectl get -o json} adds, such as {@code creationTimestamp: null} and {@code resources: {}}),
 * and the pod-spec defaults the API server would have filled in. A StatefulSet recreated from its own
 * {@code kubectl get -o json} therefore gets the revision the original had, and its pods are not rolled.
 */
final class Revisions {

    /** Hashing is the controller's hot path in large worlds; templates are only replaced, never edited. */
    private final Map<JsonNode, String> cache = new IdentityHashMap<>();

    String of(JsonNode sts) {
        JsonNode t = Json.at(sts, "spec", "template");
        if (t != null) {
            String cached = cache.get(t);
            if (cached != null && cached.startsWith(Json.name(sts) + "-")) {
                return cached;
            }
            if (cache.size() > 100_000) {
                cache.clear();
            }
            String r = compute(sts, t);
            cache.put(t, r);
            return r;
        }
        return compute(sts, null);
    }

    /** The revision a pod was created at (its controller-revision-hash label), or null when it has none. */
    static String ofPod(JsonNode pod) {
        return Json.labels(pod).get("controller-revision-hash");
    }

    private static String compute(JsonNode s, JsonNode t) {
        String text = t == null ? "" : canonical(withDefaults(t)).toString();
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

    /** A copy of the template with the pod-spec defaults the API server stores (SetDefaults_PodSpec, _Container). */
    private static JsonNode withDefaults(JsonNode template) {
        if (!template.isObject() || !template.path("spec").isObject()) {
            return template;
        }
        ObjectNode t = template.deepCopy();
        ObjectNode spec = (ObjectNode) t.get("spec");
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.hasNonNull("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        for (String list : new String[] {"initContainers", "containers"}) {
            for (JsonNode c : spec.path(list)) {
                if (!(c instanceof ObjectNode co)) {
                    continue;
                }
                String image = co.path("image").asText("");
                String tag = image.contains("@") ? "digest" : image.lastIndexOf(':') > image.lastIndexOf('/')
                        ? image.substring(image.lastIndexOf(':') + 1) : "latest";
                putIfAbsent(co, "imagePullPolicy", tag.equals("latest") ? "Always" : "IfNotPresent");
                putIfAbsent(co, "terminationMessagePath", "/dev/termination-log");
                putIfAbsent(co, "terminationMessagePolicy", "File");
                for (JsonNode p : co.path("ports")) {
                    if (p instanceof ObjectNode po) {
                        putIfAbsent(po, "protocol", "TCP");
                    }
                }
            }
        }
        return t;
    }

    private static void putIfAbsent(ObjectNode o, String field, String value) {
        if (!o.hasNonNull(field)) {
            o.put(field, value);
        }
    }

    /** Sorted keys; nulls, empty objects and empty lists dropped (a Go omitempty field and an absent one agree). */
    static JsonNode canonical(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = Json.obj();
            TreeSet<String> keys = new TreeSet<>();
            n.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                JsonNode v = canonical(n.get(k));
                if (!isEmpty(v)) {
                    out.set(k, v);
                }
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                out.add(canonical(it.next()));
            }
            return out;
        }
        return n;
    }

    private static boolean isEmpty(JsonNode v) {
        return v == null || v.isNull() || (v.isContainerNode() && v.isEmpty());
    }
}
