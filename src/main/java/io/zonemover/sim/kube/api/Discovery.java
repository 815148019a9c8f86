package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.List;

/**
 * Discovery: what a client reads before it asks for a resource (the root paths, {@code /version},
 * {@code /api}, {@code /apis}, each group and each group version's APIResourceList) and the OpenAPI v3
 * documents ({@link OpenApi}).
 *
 * <p>kubectl maps a name such as {@code sts} or {@code pvc} to a resource only through these lists, and
 * caches them, so what is listed here is what kubectl believes the server can do.
 */
final class Discovery {

    private Discovery() {
    }

    /** The body of {@code GET /}: the paths the server serves. */
    static ObjectNode rootPaths() {
        ObjectNode paths = Json.obj();
        ArrayNode a = paths.putArray("paths");
        for (String p : List.of("/api", "/api/v1", "/apis", "/apis/apps/v1", "/apis/storage.k8s.io/v1",
                "/apis/policy/v1", "/apis/coordination.k8s.io/v1", "/openapi/v3", "/version")) {
            a.add(p);
        }
        return paths;
    }

    /** {@code /openapi/v3} and its group versions; null for a path it does not serve. */
    static ObjectNode openApi(List<String> seg) {
        if (seg.size() >= 2 && seg.get(1).equals("v3")) {
            return seg.size() == 2 ? OpenApi.index()
                    : OpenApi.groupVersion(String.join("/", seg.subList(2, seg.size())));
        }
        return null;
    }

    static ObjectNode version(KubeWorld kube) {
        ObjectNode v = Json.obj();
        String[] parts = kube.kubernetesVersion().split("\\.");
        v.put("major", parts[0]);
        v.put("minor", parts[1]);
        v.put("gitVersion", "v" + kube.kubernetesVersion() + ".0-zonemover-sim");
        v.put("gitCommit", "0000000000000000000000000000000000000000");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2025-01-01T00:00:00Z");
        v.put("goVersion", "go1.23.4");
        v.put("compiler", "gc");
        v.put("platform", "linux/amd64");
        return v;
    }

    static ObjectNode apiVersions(HttpExchange ex) {
        ObjectNode o = Json.obj();
        o.put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        ObjectNode addr = o.putArray("serverAddressByClientCIDRs").addObject();
        addr.put("clientCIDR", "0.0.0.0/0");
        addr.put("serverAddress", ex.getLocalAddress().getHostString() + ":" + ex.getLocalAddress().getPort());
        return o;
    }

    static ObjectNode group(String name) {
        for (ResourceType t : ResourceType.ALL) {
            if (t.group().equals(name)) {
                ObjectNode g = Json.obj();
                g.put("name", name);
                ObjectNode v = g.putArray("versions").addObject();
                v.put("groupVersion", t.groupVersion());
                v.put("version", t.version());
                ObjectNode p = g.putObject("preferredVersion");
                p.put("groupVersion", t.groupVersion());
                p.put("version", t.version());
                return g;
            }
        }
        return null;
    }

    static ObjectNode apiGroups() {
        ObjectNode o = Json.obj();
        o.put("kind", "APIGroupList");
        o.put("apiVersion", "v1");
        ArrayNode groups = o.putArray("groups");
        for (String g : List.of("apps", "storage.k8s.io", "policy", "coordination.k8s.io")) {
            groups.add(group(g));
        }
        return o;
    }

    static ObjectNode resourceList(String gv) {
        ObjectNode o = Json.obj();
        o.put("kind", "APIResourceList");
        o.put("apiVersion", "v1");
        o.put("groupVersion", gv);
        ArrayNode rs = o.putArray("resources");
        boolean any = false;
        for (ResourceType t : ResourceType.ALL) {
            if (!t.groupVersion().equals(gv)) {
                continue;
            }
            any = true;
            ObjectNode r = rs.addObject();
            r.put("name", t.plural());
            r.put("singularName", t.singular());
            r.put("namespaced", t.namespaced());
            r.put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            for (String v : List.of("create", "delete", "deletecollection", "get", "list", "patch", "update",
                    "watch")) {
                verbs.add(v);
            }
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = r.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            if (t == ResourceType.PODS || t == ResourceType.STATEFULSETS) {
                r.putArray("categories").add("all");
            }
            if (t.hasStatus()) {
                ObjectNode s = rs.addObject();
                s.put("name", t.plural() + "/status");
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                s.put("kind", t.kind());
                ArrayNode sv = s.putArray("verbs");
                for (String v : List.of("get", "patch", "update")) {
                    sv.add(v);
                }
            }
            if (t == ResourceType.PODS) {
                ObjectNode s = rs.addObject();
                s.put("name", "pods/eviction");
                s.put("singularName", "");
                s.put("namespaced", true);
                s.put("group", "policy");
                s.put("version", "v1");
                s.put("kind", "Eviction");
                s.putArray("verbs").add("create");
            }
            if (t == ResourceType.STATEFULSETS) {
                ObjectNode s = rs.addObject();
                s.put("name", t.plural() + "/scale");
                s.put("singularName", "");
                s.put("namespaced", true);
                s.put("group", "autoscaling");
                s.put("version", "v1");
                s.put("kind", "Scale");
                ArrayNode sv = s.putArray("verbs");
                for (String v : List.of("get", "patch", "update")) {
                    sv.add(v);
                }
            }
        }
        return any ? o : null;
    }
}
