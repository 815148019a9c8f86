package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.zonemover.sim.WorldStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes REST API of the simulated world, for client-java and kubectl: discovery documents, and
 * get/list/create/replace/patch/delete (and deletecollection) on the kinds in {@link ResourceType}, with the
 * {@code status} subresource. Errors are Status objects with the real codes and reasons.
 *
 * <p>Approximations, stated: strategic merge patch is applied as a JSON merge patch (lists are replaced
 * rather than merged by key); server-side apply answers 415; {@code watch=true} answers 405 (list and
 * poll); {@code dryRun} is not supported (400); {@code limit}/{@code continue} are ignored (one page).
 *
 * <p>Every GET runs inside {@code store.read}, everything else inside {@code store.write}, so the world is
 * advanced to now first and settled (controllers run) after a change.
 */
public final class KubeEndpoint implements HttpHandler {

    /** Access to the world, so that tests can run the endpoint without a {@link WorldStore}. */
    public interface Backend {
        <T> T read(Access<T> fn);

        <T> T write(Access<T> fn);
    }

    @FunctionalInterface
    public interface Access<T> {
        T apply(KubeWorld kube, Ec2Side ec2, long now);
    }

    private record Reply(int code, byte[] body) {
    }

    /** Clients whose typed delete methods expect the object back (client-java v27); others get a Status. */
    private static final Set<ResourceType> DELETE_RETURNS_OBJECT = Set.of(ResourceType.PODS, ResourceType.PVCS,
            ResourceType.PVS, ResourceType.STORAGECLASSES, ResourceType.VOLUMEATTACHMENTS);

    private final Backend backend;

    public KubeEndpoint(WorldStore store) {
        this(new Backend() {
            @Override
            public <T> T read(Access<T> fn) {
                return store.read(world -> fn.apply(world.kube(), Ec2Side.of(world.ec2()), world.now()));
            }

            @Override
            public <T> T write(Access<T> fn) {
                return store.write(world -> fn.apply(world.kube(), Ec2Side.of(world.ec2()), world.now()));
            }
        });
    }

    public KubeEndpoint(Backend backend) {
        this.backend = backend;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Reply reply;
        try {
            reply = route(exchange);
        } catch (KubeApiException e) {
            reply = new Reply(e.code(), bytes(status(e)));
        } catch (RuntimeException e) {
            KubeApiException ke = new KubeApiException(500, "InternalError", "Internal error occurred: " + e);
            reply = new Reply(500, bytes(status(ke)));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(reply.code(), reply.body().length == 0 ? -1 : reply.body().length);
        if (reply.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
        exchange.close();
    }

    private Reply route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase();
        String path = ex.getRequestURI().getPath();
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        byte[] bodyBytes;
        try (InputStream in = ex.getRequestBody()) {
            bodyBytes = in.readAllBytes();
        }
        List<String> seg = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                seg.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        if (seg.isEmpty()) {
            ObjectNode paths = Json.obj();
            ArrayNode a = paths.putArray("paths");
            for (String p : List.of("/api", "/api/v1", "/apis", "/apis/apps/v1", "/apis/storage.k8s.io/v1",
                    "/apis/policy/v1", "/version")) {
                a.add(p);
            }
            return ok(paths);
        }
        if (seg.size() == 1 && Set.of("healthz", "readyz", "livez").contains(seg.get(0))) {
            return new Reply(200, "ok".getBytes(StandardCharsets.UTF_8));
        }
        if (seg.size() == 1 && seg.get(0).equals("version")) {
            return backend.read((kube, ec2, now) -> ok(version(kube)));
        }
        String gv;
        List<String> rest;
        if (seg.get(0).equals("api")) {
            if (seg.size() == 1) {
                return ok(apiVersions(ex));
            }
            if (!seg.get(1).equals("v1")) {
                throw notFoundPath();
            }
            gv = "v1";
            rest = seg.subList(2, seg.size());
        } else if (seg.get(0).equals("apis")) {
            if (seg.size() == 1) {
                return ok(apiGroups());
            }
            if (seg.size() == 2) {
                ObjectNode g = group(seg.get(1));
                if (g == null) {
                    throw notFoundPath();
                }
                g.put("kind", "APIGroup");
                g.put("apiVersion", "v1");
                return ok(g);
            }
            gv = seg.get(1) + "/" + seg.get(2);
            rest = seg.subList(3, seg.size());
        } else {
            throw notFoundPath();
        }
        if (rest.isEmpty()) {
            ObjectNode list = resourceList(gv);
            if (list == null) {
                throw notFoundPath();
            }
            return ok(list);
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3 && ResourceType.find(gv, rest.get(2)) != null) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        ResourceType type = ResourceType.find(gv, rest.get(0));
        if (type == null || (namespace != null && !type.namespaced()) || rest.size() > 3) {
            throw notFoundPath();
        }
        String name = rest.size() >= 2 ? rest.get(1) : null;
        String sub = rest.size() == 3 ? rest.get(2) : null;
        boolean status = false;
        if (sub != null) {
            if (!sub.equals("status") || !type.hasStatus()) {
                throw notFoundPath();
            }
            status = true;
        }
        if (q.containsKey("dryRun")) {
            throw KubeApiException.badRequest("dryRun is not supported by the zonemover simulator");
        }
        String ns = namespace;
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (method.equals("PATCH")) {
            String ct = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
            if (!Set.of("application/merge-patch+json", "application/strategic-merge-patch+json",
                    "application/json-patch+json").contains(ct)) {
                throw new KubeApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                        + "format - accepted media types include: application/json-patch+json, "
                        + "application/merge-patch+json, application/strategic-merge-patch+json (server-side apply "
                        + "is not supported by the zonemover simulator)");
            }
        }
        JsonNode body = bodyBytes.length == 0 ? null : parse(bodyBytes);
        switch (method) {
            case "GET":
                if (name == null) {
                    if ("true".equals(q.get("watch")) || "1".equals(q.get("watch"))) {
                        throw new KubeApiException(405, "MethodNotAllowed", "watch is not supported by the "
                                + "zonemover simulator; list and poll instead");
                    }
                    return backend.read((kube, ec2, now) -> ok(listBody(type, kube.list(type, ns,
                            q.get("labelSelector"), q.get("fieldSelector")), kube.resourceVersion())));
                }
                return backend.read((kube, ec2, now) -> {
                    ObjectNode o = kube.find(type, ns, name);
                    if (o == null) {
                        throw KubeApiException.notFound(type, name);
                    }
                    return ok(o);
                });
            case "POST":
                if (name != null) {
                    throw new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on "
                            + "the requested resource");
                }
                return backend.write((kube, ec2, now) -> new Reply(201, bytes(kube.create(type, ns, body, now, ec2))));
            case "PUT":
                requireName(name);
                boolean st = status;
                return backend.write((kube, ec2, now) -> ok(kube.update(type, ns, name, body, st, now, ec2)));
            case "PATCH":
                requireName(name);
                if (body == null) {
                    throw KubeApiException.badRequest("the body of the request is empty");
                }
                boolean st2 = status;
                return backend.write((kube, ec2, now) -> ok(kube.patch(type, ns, name, contentType, body, st2, now,
                        ec2)));
            case "DELETE": {
                KubeWorld.DeleteOptions opts = deleteOptions(body, q);
                if (name == null) {
                    return backend.write((kube, ec2, now) -> {
                        List<ObjectNode> victims = new ArrayList<>(kube.list(type, ns, q.get("labelSelector"),
                                q.get("fieldSelector")));
                        List<ObjectNode> out = new ArrayList<>();
                        for (ObjectNode v : victims) {
                            out.add(kube.delete(type, Json.namespace(v), Json.name(v), opts, now, ec2).object()
                                    .deepCopy());
                        }
                        return ok(listBody(type, out, kube.resourceVersion()));
                    });
                }
                return backend.write((kube, ec2, now) -> {
                    KubeWorld.DeleteResult r = kube.delete(type, ns, name, opts, now, ec2);
                    if (r.gone() && !DELETE_RETURNS_OBJECT.contains(type)) {
                        ObjectNode s = Json.obj();
                        s.put("kind", "Status");
                        s.put("apiVersion", "v1");
                        s.putObject("metadata");
                        s.put("status", "Success");
                        ObjectNode d = s.putObject("details");
                        d.put("name", name);
                        if (!type.group().isEmpty()) {
                            d.put("group", type.group());
                        }
                        d.put("kind", type.plural());
                        d.put("uid", Json.uid(r.object()));
                        return ok(s);
                    }
                    return ok(r.object());
                });
            }
            default:
                throw new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                        + "requested resource");
        }
    }

    private static void requireName(String name) {
        if (name == null) {
            throw new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                    + "requested resource");
        }
    }

    private static KubeWorld.DeleteOptions deleteOptions(JsonNode body, Map<String, String> q) {
        String policy = q.get("propagationPolicy");
        Long grace = q.containsKey("gracePeriodSeconds") ? Long.parseLong(q.get("gracePeriodSeconds")) : null;
        Boolean orphan = q.containsKey("orphanDependents") ? Boolean.parseBoolean(q.get("orphanDependents")) : null;
        String pUid = null;
        String pRv = null;
        if (body != null && body.isObject()) {
            if (body.hasNonNull("propagationPolicy")) {
                policy = body.get("propagationPolicy").asText();
            }
            if (body.hasNonNull("gracePeriodSeconds")) {
                grace = body.get("gracePeriodSeconds").asLong();
            }
            if (body.hasNonNull("orphanDependents")) {
                orphan = body.get("orphanDependents").asBoolean();
            }
            pUid = Json.text(body, "preconditions", "uid");
            pRv = Json.text(body, "preconditions", "resourceVersion");
        }
        if (policy == null && orphan != null) {
            policy = orphan ? "Orphan" : "Background";
        }
        return new KubeWorld.DeleteOptions(policy, grace, pUid, pRv);
    }

    private static JsonNode parse(byte[] b) {
        try {
            return Json.MAPPER.readTree(b);
        } catch (IOException e) {
            throw KubeApiException.badRequest("the body of the request could not be decoded: " + e.getMessage());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    private static Reply ok(JsonNode body) {
        return new Reply(200, bytes(body));
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return Json.MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode listBody(ResourceType type, List<ObjectNode> items, long rv) {
        ObjectNode list = Json.obj();
        list.put("apiVersion", type.groupVersion());
        list.put("kind", type.listKind());
        list.putObject("metadata").put("resourceVersion", Long.toString(rv));
        ArrayNode arr = list.putArray("items");
        items.forEach(arr::add);
        return list;
    }

    static ObjectNode status(KubeApiException e) {
        ObjectNode s = Json.obj();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", e.getMessage());
        s.put("reason", e.reason());
        if (e.name() != null || e.kind() != null) {
            ObjectNode d = s.putObject("details");
            if (e.name() != null) {
                d.put("name", e.name());
            }
            if (e.group() != null && !e.group().isEmpty()) {
                d.put("group", e.group());
            }
            if (e.kind() != null) {
                d.put("kind", e.kind());
            }
        }
        s.put("code", e.code());
        return s;
    }

    private static KubeApiException notFoundPath() {
        return new KubeApiException(404, "NotFound", "the server could not find the requested resource");
    }

    private static ObjectNode version(KubeWorld kube) {
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

    private static ObjectNode apiVersions(HttpExchange ex) {
        ObjectNode o = Json.obj();
        o.put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        ObjectNode addr = o.putArray("serverAddressByClientCIDRs").addObject();
        addr.put("clientCIDR", "0.0.0.0/0");
        addr.put("serverAddress", ex.getLocalAddress().getHostString() + ":" + ex.getLocalAddress().getPort());
        return o;
    }

    private static ObjectNode group(String name) {
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

    private static ObjectNode apiGroups() {
        ObjectNode o = Json.obj();
        o.put("kind", "APIGroupList");
        o.put("apiVersion", "v1");
        ArrayNode groups = o.putArray("groups");
        for (String g : List.of("apps", "storage.k8s.io", "policy")) {
            groups.add(group(g));
        }
        return o;
    }

    private static ObjectNode resourceList(String gv) {
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
            for (String v : List.of("create", "delete", "deletecollection", "get", "list", "patch", "update")) {
                verbs.add(v);
            }
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = r.putArray("shortNames");
                t.shortNames().forEach(sn::add);
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
        }
        return any ? o : null;
    }
}
