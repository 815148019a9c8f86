package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The StatefulSet controller's revision of a pod template ("web-7b5d8c6f9c"): the name a pod carries in
 * its controller-revision-hash label and the StatefulSet in status.currentRevision/updateRevision.
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

    private static String compute(JsonNode s, JsonNode t) {
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
}
