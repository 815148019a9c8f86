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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * The Kubernetes REST API of the simulated world, for client-java and kubectl: discovery, OpenAPI v3
 * ({@link OpenApi}), and get/list/watch/create/replace/patch/delete (and deletecollection) on the kinds in
 * {@link ResourceType}, with the {@code status} subresource and a StatefulSet's {@code scale}. Errors are
 * Status objects with the real codes and reasons. As the real server does, it answers in Table form when
 * asked ({@link Tables}), streams watch events ({@link Watches}), applies strategic merge patches by patch merge
 * key ({@link Patches}) and server-side apply with managedFields ({@link Apply}), and runs {@code dryRun=All}
 * requests on a copy of the cluster. Timestamps are shown in the clients' wall-clock time ({@link ClientClock}).
 *
 * <p>Approximations, stated: {@code limit}/{@code continue} are ignored (one page); a watch sees the store as
 * observed every 100 ms and after each change made through this endpoint, so a change that begins and ends
 * inside one interval is not seen; {@code fieldValidation} is accepted and not enforced.
 *
 * <p>Every GET runs inside {@code store.read}, everything else inside {@code store.write}, so the world is
 * advanced to now first and settled (controllers run) after a change.
 */
public final class KubeEndpoint implements HttpHandler {

    /** Access to the world, so that tests can run the endpoint without a {@link WorldStore}. */
    public interface Backend {
        <T> T read(Access<T> fn);

        <T> T write(Access<T> fn);

        /** World seconds per wall second; 0 when the world's clock moves only when told. */
        default double timeScale() {
            return 0;
        }
    }

    @FunctionalInterface
    public interface Access<T> {
        T apply(KubeWorld kube, Ec2Side ec2, long now);
    }

    private record Reply(int code, byte[] body) {
    }

    /** Returned by a route that answered (or is answering) the exchange itself, as a watch does. */
    private static final Reply STREAMING = new Reply(-1, new byte[0]);

    /** Clients whose typed delete methods expect the object back (client-java v27); others get a Status. */
    private static final Set<ResourceType> DELETE_RETURNS_OBJECT = Set.of(ResourceType.PODS, ResourceType.PVCS,
            ResourceType.PVS, ResourceType.STORAGECLASSES, ResourceType.VOLUMEATTACHMENTS);

    private final Backend backend;
    private final Watches watches;
    private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sim-kube-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile ClientClock clock;

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

            @Override
            public double timeScale() {
                return store.timeScale();
            }
        });
    }

    public KubeEndpoint(Backend backend) {
        this.backend = backend;
        this.watches = new Watches(backend);
    }

    /** The mapping of world time to client time, anchored at the first request (see {@link ClientClock}). */
    private ClientClock clock() {
        ClientClock c = clock;
        if (c == null) {
            synchronized (this) {
                if (clock == null) {
                    double scale = backend.timeScale();
                    clock = scale <= 0 ? ClientClock.IDENTITY : backend.read((kube, ec2, now) ->
                            new ClientClock(now, System.currentTimeMillis(), scale));
                }
                c = clock;
            }
        }
        return c;
    }

    /** A change to the world; the watch feed looks at the result before controllers move on. */
    private <T> T write(Request r, Access<T> fn) {
        if (r.dryRun()) {
            // dryRun=All: the whole request, on a copy of the cluster that is then dropped; EC2 is only read.
            return backend.read((kube, ec2, now) -> fn.apply(KubeWorld.fromJson(kube.toJson()), dryRun(ec2), now));
        }
        return backend.write((kube, ec2, now) -> {
            T result = fn.apply(kube, ec2, now);
            watches.observe(kube);
            return result;
        });
    }

    /** EC2 as a dry run sees it: reads pass through, changes do nothing. */
    private static Ec2Side dryRun(Ec2Side real) {
        return new Ec2Side() {
            @Override
            public void registerInstance(String instanceId, String zone) {
            }

            @Override
            public String createVolume(String zone, int sizeGiB, String volumeType, Integer iops, Integer throughput,
                                       boolean encrypted, String kmsKeyId, Map<String, String> tags, long now,
                                       boolean available) {
                return "vol-00000000000000000";
            }

            @Override
            public io.zonemover.sim.ec2.Ec2World.VolumeView volume(String volumeId) {
                return real.volume(volumeId);
            }

            @Override
            public String attach(String volumeId, String instanceId, long now) {
                return null;
            }

            @Override
            public boolean isAttached(String volumeId, String instanceId) {
                return real.isAttached(volumeId, instanceId);
            }

            @Override
            public void detach(String volumeId, String instanceId, long now) {
            }

            @Override
            public boolean deleteVolume(String volumeId, long now) {
                return true;
            }

            @Override
            public void setWriting(String volumeId, boolean writing, long now) {
            }
        };
    }

    /** The client's "now": the world's now in client time. */
    private long clientNow(long worldNow) {
        return clock().toClient(worldNow);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Reply reply;
        try {
            reply = route(exchange);
            if (reply == STREAMING) {
                return;
            }
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
                    "/apis/policy/v1", "/apis/coordination.k8s.io/v1", "/openapi/v3", "/version")) {
                a.add(p);
            }
            return ok(paths);
        }
        if (seg.size() == 1 && Set.of("healthz", "readyz", "livez").contains(seg.get(0))) {
            return new Reply(200, "ok".getBytes(StandardCharsets.UTF_8));
        }
        if (seg.get(0).equals("openapi")) {
            if (seg.size() >= 2 && seg.get(1).equals("v3")) {
                ObjectNode doc = seg.size() == 2 ? OpenApi.index() : OpenApi.groupVersion(
                        String.join("/", seg.subList(2, seg.size())));
                if (doc != null) {
                    return ok(doc);
                }
            }
            throw notFoundPath();
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
        if (sub != null && !(sub.equals("status") && type.hasStatus())
                && !(sub.equals("scale") && type == ResourceType.STATEFULSETS)
                && !(sub.equals("eviction") && type == ResourceType.PODS)) {
            throw notFoundPath();
        }
        if (q.containsKey("dryRun") && !q.get("dryRun").equals("All")) {
            throw KubeApiException.badRequest("Invalid value: \"" + q.get("dryRun") + "\": supported values: "
                    + "\"All\"");
        }
        Request r = new Request(method, type, namespace, name, sub, q,
                ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestHeaders().getFirst("Accept"),
                ex.getRequestHeaders().getFirst("User-Agent"), bodyBytes);
        if ("scale".equals(sub)) {
            return handleScale(r);
        }
        if ("eviction".equals(sub)) {
            return handleEviction(r);
        }
        if (method.equals("GET") && name == null && isTrue(q.get("watch"))) {
            startWatch(ex, r);
            return STREAMING;
        }
        return handleResource(r);
    }

    /** One request on a resource: what the routing found. */
    record Request(String method, ResourceType type, String namespace, String name, String sub,
                   Map<String, String> q, String contentType, String accept, String userAgent, byte[] body) {
        boolean status() {
            return "status".equals(sub);
        }

        /** dryRun=All, in the query or (as kubectl sends it for a delete) in the body's DeleteOptions. */
        boolean dryRun() {
            if ("All".equals(q.get("dryRun"))) {
                return true;
            }
            if (method.equals("DELETE") && body.length > 0) {
                JsonNode opts = json();
                if (opts != null && opts.isObject() && opts.path("dryRun").isArray()) {
                    for (JsonNode v : opts.path("dryRun")) {
                        if (!v.asText().equals("All")) {
                            throw KubeApiException.badRequest("Invalid value: \"" + v.asText()
                                    + "\": supported values: \"All\"");
                        }
                        return true;
                    }
                }
            }
            return false;
        }

        String mediaType() {
            return contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
        }

        JsonNode json() {
            if (body.length == 0) {
                return null;
            }
            if (mediaType().equals("application/apply-patch+yaml") || mediaType().equals("application/yaml")) {
                return Apply.parseYaml(body);
            }
            if (mediaType().equals(Protobuf.MEDIA_TYPE)) {
                return Protobuf.decode(body);
            }
            return parse(body);
        }
    }

    private static boolean isTrue(String v) {
        return "true".equals(v) || "1".equals(v);
    }

    private Reply handleResource(Request r) {
        ResourceType type = r.type();
        String ns = r.namespace();
        String name = r.name();
        Map<String, String> q = r.q();
        ClientClock clk = clock();
        switch (r.method()) {
            case "GET": {
                TableRequest tr = TableRequest.of(r.accept(), q);
                if (name == null) {
                    watches.touch();
                    return backend.read((kube, ec2, now) -> {
                        List<ObjectNode> items = new ArrayList<>();
                        for (ObjectNode o : kube.list(type, ns, q.get("labelSelector"), q.get("fieldSelector"))) {
                            items.add((ObjectNode) clk.out(o));
                        }
                        String rv = Long.toString(kube.resourceVersion());
                        if (tr != null) {
                            return ok(Tables.table(type, items, rv, tr.includeObject(), tr.apiVersion(),
                                    clientNow(now), true));
                        }
                        return ok(listBody(type, items, kube.resourceVersion()));
                    });
                }
                return backend.read((kube, ec2, now) -> {
                    ObjectNode o = kube.find(type, ns, name);
                    if (o == null) {
                        throw KubeApiException.notFound(type, name);
                    }
                    JsonNode out = clk.out(o);
                    if (tr != null) {
                        return ok(Tables.table(type, List.of(out), Json.text(o, "metadata", "resourceVersion"),
                                tr.includeObject(), tr.apiVersion(), clientNow(now), true));
                    }
                    return ok(out);
                });
            }
            case "POST": {
                if (name != null) {
                    throw new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on "
                            + "the requested resource");
                }
                JsonNode body = clk.in(r.json());
                validateFields(r, body);
                String manager = fieldManager(q, userAgentManager(r));
                return write(r, (kube, ec2, now) -> {
                    ObjectNode created = kube.create(type, ns, body, now, ec2);
                    Apply.recordUpdate(created, null, manager, type, body, null, now);
                    return new Reply(201, bytes(clk.out(created)));
                });
            }
            case "PUT": {
                requireName(name);
                JsonNode body = clk.in(r.json());
                validateFields(r, body);
                boolean st = r.status();
                String manager = fieldManager(q, userAgentManager(r));
                return write(r, (kube, ec2, now) -> {
                    JsonNode before = Apply.managed(kube.find(type, ns, name));
                    ObjectNode updated = kube.update(type, ns, name, body, st, now, ec2);
                    if (kube.find(type, ns, name) == updated) {
                        Apply.recordUpdate(updated, before, manager, type, body, st ? "status" : null, now);
                    }
                    return ok(clk.out(updated));
                });
            }
            case "PATCH": {
                requireName(name);
                String ct = r.mediaType();
                if (!Set.of("application/merge-patch+json", "application/strategic-merge-patch+json",
                        "application/json-patch+json", "application/apply-patch+yaml").contains(ct)) {
                    throw new KubeApiException(415, "UnsupportedMediaType", "the body of the request was in an "
                            + "unknown format - accepted media types include: application/json-patch+json, "
                            + "application/merge-patch+json, application/apply-patch+yaml, "
                            + "application/strategic-merge-patch+json");
                }
                JsonNode body = clk.in(r.json());
                if (body == null) {
                    throw KubeApiException.badRequest("the body of the request is empty");
                }
                if (!ct.equals("application/json-patch+json")) {
                    validateFields(r, body);
                }
                boolean st = r.status();
                if (ct.equals("application/apply-patch+yaml")) {
                    String manager = q.get("fieldManager");
                    if (manager == null || manager.isEmpty()) {
                        throw KubeApiException.badRequest("PATCH, fieldManager: Required value: is required for "
                                + "apply patch");
                    }
                    boolean force = isTrue(q.get("force"));
                    return write(r, (kube, ec2, now) -> {
                        Apply.Result res = Apply.apply(kube, type, ns, name, body, manager, force, st, now, ec2);
                        return new Reply(res.created() ? 201 : 200, bytes(clk.out(res.object())));
                    });
                }
                String manager = fieldManager(q, userAgentManager(r));
                return write(r, (kube, ec2, now) -> {
                    ObjectNode cur = kube.find(type, ns, name);
                    if (cur == null) {
                        throw KubeApiException.notFound(type, name);
                    }
                    JsonNode before = Apply.managed(cur);
                    JsonNode patched = patchDocument(type, name, ct, cur, body);
                    ObjectNode updated = kube.update(type, ns, name, patched, st, now, ec2);
                    if (kube.find(type, ns, name) == updated) {
                        Apply.recordUpdate(updated, before, manager, type, body.isObject() ? body : null,
                                st ? "status" : null, now);
                    }
                    return ok(clk.out(updated));
                });
            }
            case "DELETE": {
                KubeWorld.DeleteOptions opts = deleteOptions(r.json(), q);
                if (name == null) {
                    return write(r, (kube, ec2, now) -> {
                        List<ObjectNode> victims = new ArrayList<>(kube.list(type, ns, q.get("labelSelector"),
                                q.get("fieldSelector")));
                        List<ObjectNode> out = new ArrayList<>();
                        for (ObjectNode v : victims) {
                            out.add((ObjectNode) clk.out(kube.delete(type, Json.namespace(v), Json.name(v), opts,
                                    now, ec2).object().deepCopy()));
                        }
                        return ok(listBody(type, out, kube.resourceVersion()));
                    });
                }
                return write(r, (kube, ec2, now) -> {
                    KubeWorld.DeleteResult res = kube.delete(type, ns, name, opts, now, ec2);
                    if (res.gone() && !DELETE_RETURNS_OBJECT.contains(type)) {
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
                        d.put("uid", Json.uid(res.object()));
                        return ok(s);
                    }
                    return ok(clk.out(res.object()));
                });
            }
            default:
                throw new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                        + "requested resource");
        }
    }

    /** The object a merge, strategic merge or JSON patch makes of {@code cur}. */
    static JsonNode patchDocument(ResourceType type, String name, String mediaType, JsonNode cur, JsonNode patch) {
        return switch (mediaType) {
            case "application/merge-patch+json" -> {
                if (!patch.isObject()) {
                    throw KubeApiException.badRequest("a merge patch must be a JSON object");
                }
                yield Patches.mergePatch(cur, patch);
            }
            case "application/strategic-merge-patch+json" -> {
                if (!patch.isObject()) {
                    throw KubeApiException.badRequest("a strategic merge patch must be a JSON object");
                }
                yield Patches.strategicMergePatch(cur, patch, Schemas.modelClass(type));
            }
            case "application/json-patch+json" -> Patches.jsonPatch(cur, patch, type, name);
            default -> throw new KubeApiException(415, "UnsupportedMediaType", "unsupported patch type " + mediaType);
        };
    }

    /** fieldValidation=Strict (kubectl's default): unknown fields are refused as the real decoder refuses them. */
    private static void validateFields(Request r, JsonNode body) {
        if (body == null || !"Strict".equals(r.q().get("fieldValidation"))) {
            return;
        }
        List<String> unknown = Schemas.unknownFields(body, Schemas.modelClass(r.type()));
        if (unknown.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String u : unknown) {
            sb.append(sb.length() == 0 ? "" : ", ").append("unknown field \"").append(u.substring(1)).append('"');
        }
        throw KubeApiException.badRequest(r.type().kind() + " in version \"" + r.type().version() + "\" cannot be "
                + "handled as a " + r.type().kind() + ": strict decoding error: " + sb);
    }

    /** The manager the real server names after a client that gave none: its User-Agent's program name. */
    private static String userAgentManager(Request r) {
        String ua = r.userAgent();
        if (ua == null || ua.isEmpty()) {
            return "unknown";
        }
        String first = ua.split("/")[0].trim();
        return first.isEmpty() ? "unknown" : first;
    }

    private static String fieldManager(Map<String, String> q, String dflt) {
        String m = q.get("fieldManager");
        return m == null || m.isEmpty() ? dflt : m;
    }

    /** What an Accept header asked for when it asked for a Table. */
    record TableRequest(String apiVersion, String includeObject) {
        static TableRequest of(String accept, Map<String, String> q) {
            if (accept == null || !accept.contains("as=Table")) {
                return null;
            }
            for (String part : accept.split(",")) {
                if (part.contains("as=Table")) {
                    String v = part.contains("v=v1beta1") ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1";
                    return new TableRequest(v, q.getOrDefault("includeObject", "Metadata"));
                }
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ eviction

    /**
     * POST pods/NAME/eviction (policy/v1 Eviction), as {@code kubectl drain} uses it: refused with 429 while a
     * PodDisruptionBudget that selects a ready pod allows no disruption, else the pod is deleted with the
     * eviction's deleteOptions. The disruption budget controller then counts the pod as gone.
     */
    private Reply handleEviction(Request r) {
        if (!r.method().equals("POST")) {
            throw new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                    + "requested resource");
        }
        JsonNode body = r.json();
        String name = r.name();
        String ns = r.namespace();
        String bodyName = Json.name(body);
        if (bodyName != null && !bodyName.equals(name)) {
            throw KubeApiException.badRequest("name in URL does not match name in Eviction object");
        }
        JsonNode deleteOptions = body == null ? null : body.get("deleteOptions");
        KubeWorld.DeleteOptions opts = deleteOptions(deleteOptions, Map.of());
        return write(r, (kube, ec2, now) -> {
            ObjectNode pod = find(kube, ResourceType.PODS, ns, name);
            if (!Json.deleting(pod) && Facts.podReady(pod)) {
                for (ObjectNode pdb : kube.list(ResourceType.PDBS, ns, null, null)) {
                    if (Selectors.matchesLabelSelector(Json.at(pdb, "spec", "selector"), Json.labels(pod))
                            && pdb.path("status").path("disruptionsAllowed").asInt(0) <= 0) {
                        KubeApiException e = new KubeApiException(429, "TooManyRequests", "Cannot evict pod as it "
                                + "would violate the pod's disruption budget.", name, "", "pods");
                        throw e;
                    }
                }
            }
            kube.delete(ResourceType.PODS, ns, name, opts, now, ec2);
            ObjectNode s = Json.obj();
            s.put("kind", "Status");
            s.put("apiVersion", "v1");
            s.putObject("metadata");
            s.put("status", "Success");
            s.put("code", 201);
            return new Reply(201, bytes(s));
        });
    }

    // ------------------------------------------------------------------ scale

    /** The autoscaling/v1 Scale of a StatefulSet: GET, PUT and PATCH, as {@code kubectl scale} uses them. */
    private Reply handleScale(Request r) {
        ClientClock clk = clock();
        ResourceType type = r.type();
        String ns = r.namespace();
        String name = r.name();
        requireName(name);
        switch (r.method()) {
            case "GET":
                return backend.read((kube, ec2, now) -> ok(clk.out(scaleOf(find(kube, type, ns, name)))));
            case "PUT":
            case "PATCH": {
                JsonNode body = clk.in(r.json());
                if (body == null) {
                    throw KubeApiException.badRequest("the body of the request is empty");
                }
                String ct = r.mediaType().equals("application/apply-patch+yaml") ? "application/merge-patch+json"
                        : r.mediaType();
                boolean put = r.method().equals("PUT");
                String manager = fieldManager(r.q(), userAgentManager(r));
                return write(r, (kube, ec2, now) -> {
                    ObjectNode cur = find(kube, type, ns, name);
                    ObjectNode scale = scaleOf(cur);
                    JsonNode wanted = put ? body : patchDocument(type, name, ct, scale, body);
                    String rv = Json.text(wanted, "metadata", "resourceVersion");
                    if (rv != null && !rv.isEmpty() && !rv.equals(Json.text(cur, "metadata", "resourceVersion"))) {
                        throw KubeApiException.conflict(type, name);
                    }
                    JsonNode replicas = Json.at(wanted, "spec", "replicas");
                    if (replicas == null || !replicas.canConvertToInt() || replicas.asInt() < 0) {
                        throw new KubeApiException(422, "Invalid", "Scale.autoscaling \"" + name + "\" is invalid: "
                                + "spec.replicas: Invalid value: " + replicas + ": must be greater than or equal to 0",
                                name, "autoscaling", "Scale");
                    }
                    ObjectNode next = cur.deepCopy();
                    Json.with(next, "spec").put("replicas", replicas.asInt());
                    JsonNode before = Apply.managed(cur);
                    ObjectNode updated = kube.update(type, ns, name, next, false, now, ec2);
                    ObjectNode sent = Json.obj();
                    sent.putObject("spec").put("replicas", replicas.asInt());
                    Apply.recordUpdate(updated, before, manager, type, sent, "scale", now);
                    return ok(clk.out(scaleOf(updated)));
                });
            }
            default:
                throw new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                        + "requested resource");
        }
    }

    private static ObjectNode find(KubeWorld kube, ResourceType type, String ns, String name) {
        ObjectNode o = kube.find(type, ns, name);
        if (o == null) {
            throw KubeApiException.notFound(type, name);
        }
        return o;
    }

    private static ObjectNode scaleOf(ObjectNode sts) {
        ObjectNode s = Json.obj();
        s.put("kind", "Scale");
        s.put("apiVersion", "autoscaling/v1");
        ObjectNode m = s.putObject("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (sts.path("metadata").has(f)) {
                m.set(f, sts.path("metadata").get(f));
            }
        }
        s.putObject("spec").put("replicas", sts.path("spec").path("replicas").asInt(1));
        ObjectNode st = s.putObject("status");
        st.put("replicas", sts.path("status").path("replicas").asInt(0));
        List<String> sel = new ArrayList<>();
        Json.stringMap(Json.at(sts, "spec", "selector", "matchLabels")).forEach((k, v) -> sel.add(k + "=" + v));
        st.put("selector", String.join(",", sel));
        return s;
    }

    // ------------------------------------------------------------------ watch

    private void startWatch(HttpExchange ex, Request r) {
        ResourceType type = r.type();
        Map<String, String> q = r.q();
        Predicate<Map<String, String>> labels = Selectors.parseLabelSelector(q.get("labelSelector"));
        boolean anyLabel = q.get("labelSelector") != null && !q.get("labelSelector").isBlank();
        Predicate<JsonNode> fields = Selectors.fieldPredicate(type, q.get("fieldSelector"));
        String ns = r.namespace();
        Predicate<JsonNode> matches = o -> o != null && (ns == null || !type.namespaced()
                || ns.equals(Json.namespace(o))) && (!anyLabel || labels.test(Json.labels(o))) && fields.test(o);
        Long from = null;
        String rvParam = q.get("resourceVersion");
        boolean sendInitial = isTrue(q.get("sendInitialEvents"));
        if (rvParam != null && !rvParam.isEmpty() && !sendInitial) {
            try {
                from = Long.parseLong(rvParam);
            } catch (NumberFormatException e) {
                throw KubeApiException.badRequest("invalid resource version: " + rvParam);
            }
        }
        boolean bookmarks = isTrue(q.get("allowWatchBookmarks"));
        long timeoutMs = 1_800_000;
        if (q.containsKey("timeoutSeconds")) {
            try {
                timeoutMs = Math.max(1, Long.parseLong(q.get("timeoutSeconds"))) * 1000;
            } catch (NumberFormatException e) {
                throw KubeApiException.badRequest("invalid timeoutSeconds: " + q.get("timeoutSeconds"));
            }
        }
        TableRequest tr = TableRequest.of(r.accept(), q);
        Watches.Cursor cursor;
        ObjectNode expired = null;
        try {
            cursor = watches.open(type, from);
        } catch (Watches.Expired e) {
            cursor = null;
            expired = status(new KubeApiException(410, "Expired", e.getMessage()));
        }
        Watches.Cursor c = cursor;
        ObjectNode gone = expired;
        long timeout = timeoutMs;
        ClientClock clk = clock();
        streams.execute(() -> {
            try (OutputStream out = ex.getResponseBody()) {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.getResponseHeaders().set("Cache-Control", "no-cache, private");
                ex.sendResponseHeaders(200, 0);
                if (gone != null) {
                    writeEvent(out, "ERROR", gone);
                    return;
                }
                streamEvents(out, c, type, matches, tr, bookmarks, sendInitial, timeout, clk);
            } catch (IOException | InterruptedException e) {
                // The client went away (or the server is stopping): nothing to tell anyone.
            } finally {
                if (c != null) {
                    c.close();
                }
                ex.close();
            }
        });
    }

    private void streamEvents(OutputStream out, Watches.Cursor c, ResourceType type, Predicate<JsonNode> matches,
                              TableRequest tr, boolean bookmarks, boolean sendInitial, long timeoutMs,
                              ClientClock clk) throws IOException, InterruptedException {
        boolean[] headers = {true};
        for (ObjectNode o : c.initial) {
            if (matches.test(o)) {
                sendObject(out, "ADDED", type, o, tr, headers, clk);
            }
        }
        if (sendInitial && bookmarks) {
            ObjectNode b = bookmark(type, c.initialRv);
            Json.meta(b).putObject("annotations").put("k8s.io/initial-events-end", "true");
            writeEvent(out, "BOOKMARK", b);
        }
        long deadline = System.currentTimeMillis() + timeoutMs;
        long nextBookmark = System.currentTimeMillis() + 60_000;
        while (true) {
            long now = System.currentTimeMillis();
            if (now >= deadline) {
                if (bookmarks && tr == null) {
                    writeEvent(out, "BOOKMARK", bookmark(type, c.currentRv()));
                }
                return;
            }
            List<Watches.Event> events = c.next(Math.min(deadline - now, Math.max(1, nextBookmark - now)));
            if (events == null) {
                return;
            }
            for (Watches.Event e : events) {
                if (e.kind() != type) {
                    continue;
                }
                boolean isNow = matches.test(e.object());
                switch (e.type()) {
                    case "MODIFIED" -> {
                        boolean was = matches.test(e.previous());
                        if (was && isNow) {
                            sendObject(out, "MODIFIED", type, e.object(), tr, headers, clk);
                        } else if (isNow) {
                            sendObject(out, "ADDED", type, e.object(), tr, headers, clk);
                        } else if (was) {
                            sendObject(out, "DELETED", type, e.object(), tr, headers, clk);
                        }
                    }
                    default -> {
                        if (isNow) {
                            sendObject(out, e.type(), type, e.object(), tr, headers, clk);
                        }
                    }
                }
            }
            if (bookmarks && tr == null && System.currentTimeMillis() >= nextBookmark) {
                writeEvent(out, "BOOKMARK", bookmark(type, c.currentRv()));
                nextBookmark = System.currentTimeMillis() + 60_000;
            }
        }
    }

    private void sendObject(OutputStream out, String eventType, ResourceType type, ObjectNode o, TableRequest tr,
                            boolean[] headers, ClientClock clk) throws IOException {
        JsonNode obj = clk.out(o);
        if (tr != null) {
            long clientNow = System.currentTimeMillis();
            if (clk.identity()) {
                clientNow = backend.read((kube, ec2, now) -> now);
            }
            obj = Tables.table(type, List.of(obj), Json.text(o, "metadata", "resourceVersion"), tr.includeObject(),
                    tr.apiVersion(), clientNow, headers[0]);
            headers[0] = false;
        }
        writeEvent(out, eventType, obj);
    }

    private static ObjectNode bookmark(ResourceType type, long rv) {
        ObjectNode b = Json.obj();
        b.put("kind", type.kind());
        b.put("apiVersion", type.groupVersion());
        b.putObject("metadata").put("resourceVersion", Long.toString(rv));
        return b;
    }

    private static void writeEvent(OutputStream out, String type, JsonNode object) throws IOException {
        ObjectNode e = Json.obj();
        e.put("type", type);
        e.set("object", object);
        out.write(bytes(e));
        out.write('\n');
        out.flush();
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
        for (String g : List.of("apps", "storage.k8s.io", "policy", "coordination.k8s.io")) {
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
