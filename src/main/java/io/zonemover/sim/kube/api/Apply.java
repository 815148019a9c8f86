package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.Patches;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Schemas;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-side apply and managedFields, approximated well enough for kubectl: every write records, in
 * metadata.managedFields, an entry for its field manager with the set of fields it sent (FieldsV1); an apply
 * (PATCH application/apply-patch+yaml) merges the configuration into the live object as strategic merge does
 * (lists by their merge key), removes the fields that the same manager applied last time but no longer does
 * (unless another manager owns them too), and refuses (409 Conflict) to change a value another applier owns
 * unless {@code force=true}, which takes the field over.
 *
 * <p>Stated simplifications: ownership by "Update" managers is recorded but never conflicts; an Update
 * manager's set grows with the fields it sent and is not pruned when another manager takes a field.
 */
final class Apply {

    private Apply() {
    }

    record Result(ObjectNode object, boolean created) {
    }

    static JsonNode parseYaml(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException notJson) {
            try {
                Object o = new Yaml(new SafeConstructor(new LoaderOptions()))
                        .load(new String(body, StandardCharsets.UTF_8));
                return Json.MAPPER.valueToTree(o);
            } catch (RuntimeException e) {
                throw KubeApiException.badRequest("the body of the request could not be decoded as YAML: "
                        + e.getMessage());
            }
        }
    }

    /** Server-side apply of {@code config} by {@code manager} to the named object (created when missing). */
    static Result apply(KubeWorld kube, ResourceType type, String ns, String name, JsonNode config, String manager,
                        boolean force, boolean status, long now, Ec2Side ec2) {
        if (!config.isObject()) {
            throw KubeApiException.badRequest("an apply patch must be an object");
        }
        String cfgName = Json.name(config);
        if (cfgName != null && !cfgName.equals(name)) {
            throw KubeApiException.badRequest("the name of the object (" + cfgName
                    + ") does not match the name on the URL (" + name + ")");
        }
        Class<?> model = Schemas.modelClass(type);
        ObjectNode owned = fieldSet(config, model);
        ObjectNode cur = kube.find(type, ns, name);
        if (cur == null) {
            if (status) {
                throw KubeApiException.notFound(type, name);
            }
            ObjectNode body = ((ObjectNode) config).deepCopy();
            Json.meta(body).put("name", name);
            ObjectNode created = kube.create(type, ns, body, now, ec2);
            ArrayNode mf = Json.F.arrayNode();
            mf.add(entry(manager, "Apply", type, now, owned, null));
            Json.meta(created).set("managedFields", mf);
            return new Result(created, true);
        }
        ArrayNode previous = managed(cur);
        ObjectNode prevApplied = null;
        List<ObjectNode> others = new ArrayList<>();
        for (JsonNode e : previous) {
            if (manager.equals(e.path("manager").asText()) && "Apply".equals(e.path("operation").asText())) {
                prevApplied = (ObjectNode) e.path("fieldsV1");
            } else {
                others.add((ObjectNode) e);
            }
        }
        // Conflicts: a field another applier owns, whose value this configuration would change.
        List<String> conflicts = new ArrayList<>();
        for (ObjectNode other : others) {
            if (!"Apply".equals(other.path("operation").asText())) {
                continue;
            }
            conflicts(config, cur, owned, other.path("fieldsV1"), "", other.path("manager").asText(), conflicts);
        }
        if (!conflicts.isEmpty() && !force) {
            throw new KubeApiException(409, "Conflict", "Apply failed with " + conflicts.size() + " conflict"
                    + (conflicts.size() == 1 ? "" : "s") + ": " + String.join("\n", conflicts), name, type.group(),
                    type.plural());
        }
        JsonNode merged = Patches.strategicMergePatch(cur, config, model);
        if (prevApplied != null) {
            ObjectNode removed = minus(prevApplied, owned);
            for (ObjectNode other : others) {
                removed = minus(removed, (ObjectNode) other.path("fieldsV1"));
            }
            prune((ObjectNode) merged, removed);
        }
        ObjectNode m = Json.meta((ObjectNode) merged);
        m.put("resourceVersion", Json.text(cur, "metadata", "resourceVersion"));
        ObjectNode updated = kube.update(type, ns, name, merged, status, now, ec2);
        ArrayNode mf = Json.F.arrayNode();
        for (ObjectNode other : others) {
            ObjectNode o = other.deepCopy();
            if (force && "Apply".equals(o.path("operation").asText())) {
                o.set("fieldsV1", minus((ObjectNode) o.path("fieldsV1"), owned));
            }
            mf.add(o);
        }
        mf.add(entry(manager, "Apply", type, now, owned, status ? "status" : null));
        Json.meta(updated).set("managedFields", mf);
        return new Result(updated, false);
    }

    /** After an ordinary write: keeps {@code before}'s entries and records the fields {@code manager} sent. */
    static void recordUpdate(ObjectNode live, JsonNode before, String manager, ResourceType type, JsonNode sent,
                             String subresource, long now) {
        if (live == null || manager == null) {
            return;
        }
        ObjectNode fields = sent == null || !sent.isObject() ? Json.obj() : fieldSet(sent, Schemas.modelClass(type));
        fields.remove("f:status");
        if ("status".equals(subresource) && sent != null && sent.has("status")) {
            fields = Json.obj();
            fields.set("f:status", fieldSet(sent, Schemas.modelClass(type)).path("f:status"));
        }
        ArrayNode mf = Json.F.arrayNode();
        boolean found = false;
        for (JsonNode e : before == null ? Json.F.arrayNode() : before) {
            ObjectNode o = e.deepCopy();
            if (manager.equals(o.path("manager").asText()) && "Update".equals(o.path("operation").asText())
                    && java.util.Objects.equals(subresource, Json.text(o, "subresource"))) {
                o.set("fieldsV1", Patches.mergePatch(o.path("fieldsV1"), fields));
                o.put("time", Json.time(now));
                found = true;
            }
            mf.add(o);
        }
        if (!found && !fields.isEmpty()) {
            mf.add(entry(manager, "Update", type, now, fields, subresource));
        }
        if (!mf.isEmpty()) {
            Json.meta(live).set("managedFields", mf);
        }
    }

    static ArrayNode managed(JsonNode o) {
        JsonNode mf = Json.at(o, "metadata", "managedFields");
        return mf instanceof ArrayNode a ? a.deepCopy() : Json.F.arrayNode();
    }

    private static ObjectNode entry(String manager, String operation, ResourceType type, long now, ObjectNode fields,
                                    String subresource) {
        ObjectNode e = Json.obj();
        e.put("manager", manager);
        e.put("operation", operation);
        e.put("apiVersion", type.groupVersion());
        e.put("time", Json.time(now));
        e.put("fieldsType", "FieldsV1");
        e.set("fieldsV1", fields);
        if (subresource != null) {
            e.put("subresource", subresource);
        }
        return e;
    }

    private static final Set<String> NOT_OWNED = Set.of("apiVersion", "kind");

    /** The FieldsV1 set of the fields present in {@code n}. */
    static ObjectNode fieldSet(JsonNode n, Class<?> model) {
        ObjectNode out = Json.obj();
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (NOT_OWNED.contains(k) && model != null && n.has("metadata") || k.startsWith("$")
                    || k.equals("managedFields") || k.equals("resourceVersion") || k.equals("uid")
                    || k.equals("creationTimestamp") || k.equals("generation")) {
                continue;
            }
            if (v.isObject()) {
                out.set("f:" + k, fieldSet(v, Schemas.child(model, k)));
            } else if (v.isArray()) {
                Schemas.Strategy st = Schemas.strategy(model, k);
                ObjectNode list = Json.obj();
                if (st != null && st.merge() && st.mergeKey() != null) {
                    for (JsonNode item : v) {
                        if (item.isObject() && item.has(st.mergeKey())) {
                            ObjectNode key = Json.obj();
                            key.set(st.mergeKey(), item.get(st.mergeKey()));
                            ObjectNode sub = fieldSet(item, Schemas.child(model, k));
                            ObjectNode withDot = Json.obj();
                            withDot.putObject(".");
                            withDot.setAll(sub);
                            list.set("k:" + key, withDot);
                        }
                    }
                } else if (st != null && st.merge()) {
                    for (JsonNode item : v) {
                        list.putObject("v:" + item);
                    }
                }
                out.set("f:" + k, list);
            } else {
                out.putObject("f:" + k);
            }
        }
        return out;
    }

    /** The entries of {@code a} that {@code b} does not have (leaves only). */
    static ObjectNode minus(ObjectNode a, ObjectNode b) {
        ObjectNode out = Json.obj();
        Iterator<Map.Entry<String, JsonNode>> it = a.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode other = b == null ? null : b.get(e.getKey());
            if (other == null) {
                out.set(e.getKey(), e.getValue().deepCopy());
            } else if (e.getValue().size() > 0 && other.size() > 0) {
                ObjectNode sub = minus((ObjectNode) e.getValue(), (ObjectNode) other);
                sub.remove(".");
                if (!sub.isEmpty()) {
                    out.set(e.getKey(), sub);
                }
            }
        }
        return out;
    }

    /** Removes from {@code o} the fields of set {@code removed}. */
    private static void prune(ObjectNode o, ObjectNode removed) {
        Iterator<Map.Entry<String, JsonNode>> it = removed.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (!k.startsWith("f:")) {
                continue;
            }
            String field = k.substring(2);
            JsonNode v = o.get(field);
            if (v == null) {
                continue;
            }
            ObjectNode sub = (ObjectNode) e.getValue();
            if (sub.isEmpty() || sub.has(".")) {
                o.remove(field);
            } else if (v.isObject()) {
                prune((ObjectNode) v, sub);
            } else if (v.isArray()) {
                ArrayNode arr = (ArrayNode) v;
                Iterator<Map.Entry<String, JsonNode>> items = sub.fields();
                while (items.hasNext()) {
                    Map.Entry<String, JsonNode> item = items.next();
                    String ik = item.getKey();
                    for (int i = arr.size() - 1; i >= 0; i--) {
                        if (matchesItem(arr.get(i), ik)) {
                            ObjectNode isub = (ObjectNode) item.getValue();
                            if (isub.isEmpty() || isub.has(".")) {
                                arr.remove(i);
                            } else if (arr.get(i).isObject()) {
                                prune((ObjectNode) arr.get(i), isub);
                            }
                        }
                    }
                }
            }
        }
    }

    private static boolean matchesItem(JsonNode item, String key) {
        try {
            if (key.startsWith("v:")) {
                return Json.MAPPER.readTree(key.substring(2)).equals(item);
            }
            if (key.startsWith("k:")) {
                JsonNode want = Json.MAPPER.readTree(key.substring(2));
                Iterator<Map.Entry<String, JsonNode>> it = want.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().equals(item.get(e.getKey()))) {
                        return false;
                    }
                }
                return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Collects the leaves of {@code mine} that {@code theirs} owns too and whose value {@code config} changes. */
    private static void conflicts(JsonNode config, JsonNode live, ObjectNode mine, JsonNode theirs, String path,
                                  String manager, List<String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = mine.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode t = theirs.get(k);
            if (t == null || !k.startsWith("f:")) {
                continue;
            }
            String field = k.substring(2);
            JsonNode cv = config == null ? null : config.get(field);
            JsonNode lv = live == null ? null : live.get(field);
            if (e.getValue().isEmpty() || t.isEmpty()) {
                if (cv != null && !cv.equals(lv)) {
                    out.add("conflict with \"" + manager + "\": " + path + "." + field);
                }
            } else if (cv != null && cv.isObject()) {
                conflicts(cv, lv, (ObjectNode) e.getValue(), t, path + "." + field, manager, out);
            }
        }
    }
}
