package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge patch is applied as a merge patch:
 * lists are replaced whole rather than merged by their patch-merge key. That is the one approximation; it is
 * enough for patches that set scalars, maps and whole lists.
 */
final class Patches {

    private Patches() {
    }

    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
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

    /** Applies RFC 6902 operations; a failed test or a bad path throws a 422 Invalid. */
    static JsonNode jsonPatch(JsonNode target, JsonNode ops, ResourceType type, String name) {
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
