package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Schemas;

import java.lang.reflect.Field;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI v3 documents of the real API server ({@code /openapi/v3} and {@code /openapi/v3/<group-version>}),
 * for the kinds served. kubectl 1.35 reads them for three things: whether a kind's PATCH accepts
 * {@code fieldValidation} (then {@code create}/{@code apply} leave validation to the server instead of
 * validating against /openapi/v2), whether it accepts strategic merge patch, and the schemas (with
 * x-kubernetes-group-version-kind and the patch strategies) from which {@code apply} computes its patch and
 * {@code explain} prints fields. The schemas are generated from client-java's model classes (see
 * {@link Schemas}); they carry types and structure but no descriptions.
 */
final class OpenApi {

    private OpenApi() {
    }

    private static final Map<String, ObjectNode> DOCS = new ConcurrentHashMap<>();

    private static Set<String> groupVersions() {
        Set<String> gvs = new LinkedHashSet<>();
        for (ResourceType t : ResourceType.ALL) {
            gvs.add(t.groupVersion());
        }
        return gvs;
    }

    private static String docPath(String gv) {
        return gv.contains("/") ? "apis/" + gv : "api/" + gv;
    }

    static ObjectNode index() {
        ObjectNode o = Json.obj();
        ObjectNode paths = o.putObject("paths");
        for (String gv : groupVersions()) {
            String p = docPath(gv);
            paths.putObject(p).put("serverRelativeURL", "/openapi/v3/" + p + "?hash="
                    + String.format("%016X", (long) p.hashCode() * 0x9E3779B97F4A7C15L));
        }
        return o;
    }

    /** The document at /openapi/v3/{@code path} ("api/v1", "apis/apps/v1"), or null. */
    static ObjectNode groupVersion(String path) {
        String gv = path.startsWith("apis/") ? path.substring(5) : path.startsWith("api/") ? path.substring(4)
                : null;
        if (gv == null || !groupVersions().contains(gv)) {
            return null;
        }
        return DOCS.computeIfAbsent(gv, OpenApi::build);
    }

    private static ObjectNode build(String gv) {
        ObjectNode doc = Json.obj();
        doc.put("openapi", "3.0.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Kubernetes");
        info.put("version", "unversioned");
        ObjectNode paths = doc.putObject("paths");
        Set<Class<?>> roots = new LinkedHashSet<>();
        String prefix = gv.contains("/") ? "/apis/" + gv : "/api/" + gv;
        for (ResourceType t : ResourceType.ALL) {
            if (!t.groupVersion().equals(gv)) {
                continue;
            }
            Class<?> model = Schemas.modelClass(t);
            roots.add(model);
            String ref = ref(model);
            String coll = prefix + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural();
            ObjectNode c = paths.putObject(coll);
            c.set("get", op("list" + t.kind(), "list", t.group(), t.version(), t.kind(), null, ref, false));
            c.set("post", op("create" + t.kind(), "post", t.group(), t.version(), t.kind(), ref, ref, false));
            ObjectNode item = paths.putObject(coll + "/{name}");
            item.set("get", op("read" + t.kind(), "get", t.group(), t.version(), t.kind(), null, ref, false));
            item.set("put", op("replace" + t.kind(), "put", t.group(), t.version(), t.kind(), ref, ref, false));
            item.set("patch", op("patch" + t.kind(), "patch", t.group(), t.version(), t.kind(), null, ref, true));
            item.set("delete", op("delete" + t.kind(), "delete", t.group(), t.version(), t.kind(), null, ref,
                    false));
            if (t.hasStatus()) {
                ObjectNode st = paths.putObject(coll + "/{name}/status");
                st.set("get", op("read" + t.kind() + "Status", "get", t.group(), t.version(), t.kind(), null, ref,
                        false));
                st.set("patch", op("patch" + t.kind() + "Status", "patch", t.group(), t.version(), t.kind(), null,
                        ref, true));
            }
            if (t == ResourceType.STATEFULSETS) {
                Class<?> scale = Schemas.scaleClass();
                roots.add(scale);
                ObjectNode sc = paths.putObject(coll + "/{name}/scale");
                sc.set("get", op("read" + t.kind() + "Scale", "get", "autoscaling", "v1", "Scale", null, ref(scale),
                        false));
                sc.set("patch", op("patch" + t.kind() + "Scale", "patch", "autoscaling", "v1", "Scale", null,
                        ref(scale), true));
            }
        }
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        TreeMap<String, ObjectNode> sorted = new TreeMap<>();
        Deque<Class<?>> todo = new ArrayDeque<>(roots);
        Set<Class<?>> done = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!done.add(c)) {
                continue;
            }
            sorted.put(Schemas.schemaName(c), schema(c, roots.contains(c), todo));
        }
        ObjectNode patch = Json.obj();
        patch.put("type", "object");
        patch.put("description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH "
                + "request body.");
        sorted.put("io.k8s.apimachinery.pkg.apis.meta.v1.Patch", patch);
        sorted.forEach(schemas::set);
        return doc;
    }

    private static String ref(Class<?> c) {
        return "#/components/schemas/" + Schemas.schemaName(c);
    }

    private static ObjectNode op(String id, String action, String group, String version, String kind,
                                 String bodyRef, String responseRef, boolean patch) {
        ObjectNode o = Json.obj();
        o.put("operationId", id);
        ArrayNode params = o.putArray("parameters");
        if (!action.equals("get") && !action.equals("list")) {
            param(params, "dryRun");
            param(params, "fieldManager");
            if (!action.equals("delete")) {
                param(params, "fieldValidation");
            }
            if (patch) {
                param(params, "force");
            }
        } else if (action.equals("list")) {
            for (String p : List.of("allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
                    "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch")) {
                param(params, p);
            }
        }
        if (patch || bodyRef != null) {
            ObjectNode content = o.putObject("requestBody").putObject("content");
            List<String> types = patch ? List.of("application/apply-patch+yaml", "application/json-patch+json",
                    "application/merge-patch+json", "application/strategic-merge-patch+json")
                    : List.of("*/*");
            for (String t : types) {
                content.putObject(t).putObject("schema").put("$ref", patch
                        ? "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" : bodyRef);
            }
            o.with("requestBody").put("required", true);
        }
        ObjectNode ok = o.putObject("responses").putObject("200");
        ok.put("description", "OK");
        ObjectNode rc = ok.putObject("content");
        for (String t : List.of("application/json", "application/yaml")) {
            rc.putObject(t).putObject("schema").put("$ref", responseRef);
        }
        o.put("x-kubernetes-action", action);
        ObjectNode gvk = o.putObject("x-kubernetes-group-version-kind");
        gvk.put("group", group);
        gvk.put("kind", kind);
        gvk.put("version", version);
        return o;
    }

    private static void param(ArrayNode params, String name) {
        ObjectNode p = params.addObject();
        p.put("name", name);
        p.put("in", "query");
        p.put("description", name);
        ObjectNode s = p.putObject("schema");
        s.put("type", Set.of("force", "allowWatchBookmarks", "sendInitialEvents", "watch").contains(name)
                ? "boolean" : Set.of("limit", "timeoutSeconds").contains(name) ? "integer" : "string");
        s.put("uniqueItems", true);
    }

    private static ObjectNode schema(Class<?> c, boolean root, Deque<Class<?>> todo) {
        ObjectNode s = Json.obj();
        s.put("type", "object");
        ObjectNode props = s.putObject("properties");
        for (Map.Entry<String, Field> e : Schemas.fields(c).entrySet()) {
            Field f = e.getValue();
            ObjectNode p;
            if (List.class.isAssignableFrom(f.getType())) {
                p = Json.obj();
                p.put("type", "array");
                p.set("items", valueSchema(Schemas.valueClass(f), todo));
                Schemas.Strategy st = Schemas.strategy(c, e.getKey());
                if (st != null) {
                    p.put("x-kubernetes-patch-strategy", st.strategy());
                    if (st.mergeKey() != null) {
                        p.put("x-kubernetes-patch-merge-key", st.mergeKey());
                        p.put("x-kubernetes-list-type", "map");
                        p.putArray("x-kubernetes-list-map-keys").add(st.mergeKey());
                    } else {
                        p.put("x-kubernetes-list-type", "set");
                    }
                } else {
                    p.put("x-kubernetes-list-type", "atomic");
                }
            } else if (Map.class.isAssignableFrom(f.getType())) {
                p = Json.obj();
                p.put("type", "object");
                p.set("additionalProperties", valueSchema(Schemas.valueClass(f), todo));
            } else {
                p = valueSchema(f.getType(), todo);
            }
            props.set(e.getKey(), p);
        }
        if (root) {
            ObjectNode gvk = s.putArray("x-kubernetes-group-version-kind").addObject();
            String name = Schemas.schemaName(c);
            String[] parts = name.split("\\.");
            String group = parts[3].equals("core") ? "" : parts[3].equals("storage") ? "storage.k8s.io"
                    : parts[3].equals("coordination") ? "coordination.k8s.io" : parts[3];
            gvk.put("group", group);
            gvk.put("kind", parts[parts.length - 1]);
            gvk.put("version", "v1");
        }
        return s;
    }

    private static ObjectNode valueSchema(Class<?> v, Deque<Class<?>> todo) {
        ObjectNode p = Json.obj();
        if (v == String.class) {
            p.put("type", "string");
        } else if (v == Integer.class || v == int.class) {
            p.put("type", "integer");
            p.put("format", "int32");
        } else if (v == Long.class || v == long.class) {
            p.put("type", "integer");
            p.put("format", "int64");
        } else if (v == Boolean.class || v == boolean.class) {
            p.put("type", "boolean");
        } else if (v == Double.class || v == Float.class) {
            p.put("type", "number");
            p.put("format", "double");
        } else if (v == OffsetDateTime.class) {
            p.put("type", "string");
            p.put("format", "date-time");
        } else if (v.getSimpleName().equals("IntOrString")) {
            p.put("x-kubernetes-int-or-string", true);
            p.putArray("anyOf").addObject().put("type", "integer");
            ((ArrayNode) p.get("anyOf")).addObject().put("type", "string");
        } else if (v.getSimpleName().equals("Quantity")) {
            p.put("type", "string");
            p.put("format", "quantity");
        } else if (v == byte[].class) {
            p.put("type", "string");
            p.put("format", "byte");
        } else if (Schemas.isModel(v)) {
            todo.add(v);
            p.putArray("allOf").addObject().put("$ref", ref(v));
            p.putObject("default");
        } else {
            p.put("type", "object");
        }
        return p;
    }
}
