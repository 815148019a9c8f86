package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch: lists that Kubernetes merges
 * (finalizers, containers, volumes, env, ports, conditions... see {@link Schemas}) are merged by their patch
 * merge key, with the directives {@code $patch} (replace, delete, merge), {@code $deleteFromPrimitiveList/},
 * {@code $setElementOrder/} and {@code $retainKeys}; other lists are replaced whole, as upstream does.
 */
public final class Patches {

    private Patches() {
    }

    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : Json.obj();
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** Applies a strategic merge patch to {@code target}; {@code model} is its client-java class (null: none). */
    public static JsonNode strategicMergePatch(JsonNode target, JsonNode patch, Class<?> model) {
        ObjectNode base = target != null && target.isObject() ? (ObjectNode) target : Json.obj();
        ObjectNode out = smpMap(base, (ObjectNode) patch, model);
        return out == null ? Json.obj() : out;
    }

    /** The merged map, or null when the patch says {@code $patch: delete}. */
    private static ObjectNode smpMap(ObjectNode original, ObjectNode patch, Class<?> model) {
        String directive = patch.path("$patch").asText("");
        if (directive.equals("delete")) {
            return null;
        }
        if (directive.equals("replace")) {
            ObjectNode r = patch.deepCopy();
            r.remove("$patch");
            return stripDirectives(r);
        }
        ObjectNode result = original == null ? Json.obj() : original.deepCopy();
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        Map<String, JsonNode> order = new java.util.LinkedHashMap<>();
        Map<String, JsonNode> deletePrimitives = new java.util.LinkedHashMap<>();
        JsonNode retainKeys = null;
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.equals("$patch")) {
                continue;
            }
            if (k.equals("$retainKeys")) {
                retainKeys = v;
                continue;
            }
            if (k.startsWith("$setElementOrder/")) {
                order.put(k.substring("$setElementOrder/".length()), v);
                continue;
            }
            if (k.startsWith("$deleteFromPrimitiveList/")) {
                deletePrimitives.put(k.substring("$deleteFromPrimitiveList/".length()), v);
                continue;
            }
            if (v.isNull()) {
                result.remove(k);
            } else if (v.isObject()) {
                JsonNode cur = result.get(k);
                ObjectNode merged = smpMap(cur instanceof ObjectNode co ? co : null, (ObjectNode) v,
                        Schemas.child(model, k));
                if (merged == null) {
                    result.remove(k);
                } else {
                    result.set(k, merged);
                }
            } else if (v.isArray()) {
                Schemas.Strategy st = Schemas.strategy(model, k);
                JsonNode cur = result.get(k);
                if (st != null && st.merge()) {
                    result.set(k, smpList(cur instanceof ArrayNode ca ? ca : Json.F.arrayNode(), (ArrayNode) v,
                            st.mergeKey(), Schemas.child(model, k)));
                } else {
                    result.set(k, replaceList((ArrayNode) v));
                }
            } else {
                result.set(k, v.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> e : deletePrimitives.entrySet()) {
            if (result.get(e.getKey()) instanceof ArrayNode arr) {
                for (int i = arr.size() - 1; i >= 0; i--) {
                    for (JsonNode d : e.getValue()) {
                        if (arr.get(i).equals(d)) {
                            arr.remove(i);
                            break;
                        }
                    }
                }
            }
        }
        for (Map.Entry<String, JsonNode> e : order.entrySet()) {
            if (result.get(e.getKey()) instanceof ArrayNode arr) {
                Schemas.Strategy st = Schemas.strategy(model, e.getKey());
                result.set(e.getKey(), reorder(arr, e.getValue(), st == null ? null : st.mergeKey()));
            }
        }
        if (retainKeys != null && retainKeys.isArray()) {
            java.util.Set<String> keep = new java.util.HashSet<>();
            retainKeys.forEach(x -> keep.add(x.asText()));
            java.util.List<String> names = new java.util.ArrayList<>();
            result.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (!keep.contains(n)) {
                    result.remove(n);
                }
            }
        }
        return result;
    }

    private static ArrayNode replaceList(ArrayNode patch) {
        ArrayNode out = Json.F.arrayNode();
        for (JsonNode x : patch) {
            if (x.isObject() && x.has("$patch")) {
                continue;
            }
            out.add(x.isObject() ? stripDirectives(x.deepCopy()) : x.deepCopy());
        }
        return out;
    }

    private static ArrayNode smpList(ArrayNode original, ArrayNode patch, String mergeKey, Class<?> elem) {
        for (JsonNode x : patch) {
            if (x.isObject() && "replace".equals(x.path("$patch").asText())) {
                return replaceList(patch);
            }
        }
        ArrayNode result = original.deepCopy();
        if (mergeKey == null) {
            for (JsonNode x : patch) {
                boolean present = false;
                for (JsonNode y : result) {
                    present |= y.equals(x);
                }
                if (!present) {
                    result.add(x.deepCopy());
                }
            }
            return result;
        }
        for (JsonNode x : patch) {
            if (!x.isObject()) {
                continue;
            }
            JsonNode key = x.get(mergeKey);
            int at = -1;
            for (int i = 0; i < result.size(); i++) {
                if (key != null && key.equals(result.get(i).get(mergeKey))) {
                    at = i;
                    break;
                }
            }
            if ("delete".equals(x.path("$patch").asText())) {
                for (int i = result.size() - 1; i >= 0; i--) {
                    if (key != null && key.equals(result.get(i).get(mergeKey))) {
                        result.remove(i);
                    }
                }
                continue;
            }
            if (at >= 0) {
                ObjectNode merged = smpMap((ObjectNode) result.get(at), (ObjectNode) x, elem);
                if (merged == null) {
                    result.remove(at);
                } else {
                    result.set(at, merged);
                }
            } else {
                ObjectNode added = smpMap(null, (ObjectNode) x, elem);
                if (added != null) {
                    result.add(added);
                }
            }
        }
        return result;
    }

    /** $setElementOrder: the listed elements first, in that order, then the others in their order. */
    private static ArrayNode reorder(ArrayNode arr, JsonNode order, String mergeKey) {
        ArrayNode out = Json.F.arrayNode();
        java.util.List<JsonNode> rest = new java.util.ArrayList<>();
        arr.forEach(rest::add);
        for (JsonNode o : order) {
            JsonNode want = mergeKey == null ? o : o.get(mergeKey);
            for (java.util.Iterator<JsonNode> i = rest.iterator(); i.hasNext(); ) {
                JsonNode x = i.next();
                JsonNode have = mergeKey == null ? x : x.get(mergeKey);
                if (want != null && want.equals(have)) {
                    out.add(x);
                    i.remove();
                    break;
                }
            }
        }
        rest.forEach(out::add);
        return out;
    }

    /** Removes SMP directives ($patch, $retainKeys, $setElementOrder/..., ...) from a replaced value. */
    private static ObjectNode stripDirectives(ObjectNode o) {
        java.util.List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        for (String n : names) {
            if (n.startsWith("$")) {
                o.remove(n);
            } else if (o.get(n) instanceof ObjectNode c) {
                stripDirectives(c);
            } else if (o.get(n) instanceof ArrayNode a) {
                for (JsonNode x : a) {
                    if (x instanceof ObjectNode xo) {
                        stripDirectives(xo);
                    }
                }
            }
        }
        return o;
    }

    /** Applies RFC 6902 operations; a failed test or a bad path throws a 422 Invalid. */
    public static JsonNode jsonPatch(JsonNode target, JsonNode ops, ResourceType type, String name) {
        if (!ops.isArray()) {
            throw KubeApiException.badRequest("json patch must be an array of operations");
        }
        JsonNode doc = target.deepCopy();
        for (JsonNode op : ops) {
            String kind = op.path("op").asText();
            String path = op.path("path").asText();
            switch (kind) {
                case "add" -> doc = add(doc, path, value(op, type, name), type, name);
                case "remove" -> doc = remove(doc, path, type, name);
                case "replace" -> {
                    get(doc, path, type, name);
                    doc = remove(doc, path, type, name);
                    doc = add(doc, path, value(op, type, name), type, name);
                }
                case "move" -> {
                    String from = op.path("from").asText();
                    JsonNode v = get(doc, from, type, name).deepCopy();
                    doc = remove(doc, from, type, name);
                    doc = add(doc, path, v, type, name);
                }
                case "copy" -> {
                    JsonNode v = get(doc, op.path("from").asText(), type, name).deepCopy();
                    doc = add(doc, path, v, type, name);
                }
                case "test" -> {
                    JsonNode actual = get(doc, path, type, name);
                    JsonNode expected = value(op, type, name);
                    if (!equalValues(actual, expected)) {
                        throw new KubeApiException(422, "Invalid", "the server rejected our request due to an error "
                                + "in our request: testing value " + path + " failed: test failed", name,
                                type.group(), type.kind());
                    }
                }
                default -> throw new KubeApiException(422, "Invalid", "Unexpected kind: " + kind, name, type.group(),
                        type.kind());
            }
        }
        return doc;
    }

    private static boolean equalValues(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static JsonNode value(JsonNode op, ResourceType type, String name) {
        if (!op.has("value")) {
            throw new KubeApiException(422, "Invalid", "missing value for operation " + op.path("op").asText(), name,
                    type.group(), type.kind());
        }
        return op.get("value").deepCopy();
    }

    private static String[] tokens(String path) {
        if (path.isEmpty()) {
            return new String[0];
        }
        String[] parts = path.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].replace("~1", "/").replace("~0", "~");
        }
        return parts;
    }

    private static KubeApiException bad(String path, ResourceType type, String name) {
        return new KubeApiException(422, "Invalid", "the server rejected our request due to an error in our request: "
                + "path " + path + " does not exist", name, type.group(), type.kind());
    }

    private static JsonNode get(JsonNode doc, String path, ResourceType type, String name) {
        JsonNode cur = doc;
        for (String t : tokens(path)) {
            if (cur.isObject() && cur.has(t)) {
                cur = cur.get(t);
            } else if (cur.isArray() && t.matches("\\d+") && Integer.parseInt(t) < cur.size()) {
                cur = cur.get(Integer.parseInt(t));
            } else {
                throw bad(path, type, name);
            }
        }
        return cur;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value, ResourceType type, String name) {
        String[] t = tokens(path);
        if (t.length == 0) {
            return value;
        }
        JsonNode parent = get(doc, parentPath(t), type, name);
        String last = t[t.length - 1];
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value);
        } else if (parent.isArray()) {
            ArrayNode arr = (ArrayNode) parent;
            if (last.equals("-")) {
                arr.add(value);
            } else if (last.matches("\\d+") && Integer.parseInt(last) <= arr.size()) {
                arr.insert(Integer.parseInt(last), value);
            } else {
                throw bad(path, type, name);
            }
        } else {
            throw bad(path, type, name);
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path, ResourceType type, String name) {
        String[] t = tokens(path);
        if (t.length == 0) {
            throw bad(path, type, name);
        }
        JsonNode parent = get(doc, parentPath(t), type, name);
        String last = t[t.length - 1];
        if (parent.isObject() && parent.has(last)) {
            ((ObjectNode) parent).remove(last);
        } else if (parent.isArray() && last.matches("\\d+") && Integer.parseInt(last) < parent.size()) {
            ((ArrayNode) parent).remove(Integer.parseInt(last));
        } else {
            throw bad(path, type, name);
        }
        return doc;
    }

    private static String parentPath(String[] t) {
        if (t.length <= 1) {
            return "";
        }
        return "/" + String.join("/", escape(java.util.Arrays.copyOf(t, t.length - 1)));
    }

    private static String[] escape(String[] parts) {
        String[] out = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i].replace("~", "~0").replace("/", "~1");
        }
        return out;
    }
}
