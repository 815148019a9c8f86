package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.api.ApiRequest.TableRequest;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.Patches;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.zonemover.sim.kube.api.ApiRequest.isTrue;
import static io.zonemover.sim.kube.api.Reply.bytes;
import static io.zonemover.sim.kube.api.Reply.listBody;
import static io.zonemover.sim.kube.api.Reply.methodNotAllowed;
import static io.zonemover.sim.kube.api.Reply.ok;
import static io.zonemover.sim.kube.api.Reply.requireName;

/**
 * The API verbs on a resource or a collection: get, list, create, replace, patch (merge, strategic merge, JSON
 * patch and server-side apply), delete and deletecollection, on the object or its {@code status} subresource.
 *
 * <p>The verbs themselves (validation, defaulting, resourceVersions) are the store's ({@link KubeWorld}); this
 * class is only what the HTTP protocol adds around them: the body's media type, fieldValidation, the field
 * manager recorded in managedFields, Table answers, and the client-time view of timestamps ({@link ClientClock}).
 */
final class ResourceVerbs {

    /** Clients whose typed delete methods expect the object back (client-java v27); others get a Status. */
    private static final Set<ResourceType> DELETE_RETURNS_OBJECT = Set.of(ResourceType.PODS, ResourceType.PVCS,
            ResourceType.PVS, ResourceType.STORAGECLASSES, ResourceType.VOLUMEATTACHMENTS);

    private final EndpointWorld world;

    ResourceVerbs(EndpointWorld world) {
        this.world = world;
    }

    /** One verb on the object or collection {@code r} names (not a watch, which {@link WatchStream} serves). */
    Reply handle(ApiRequest r) {
        ResourceType type = r.type();
        String ns = r.namespace();
        String name = r.name();
        Map<String, String> q = r.q();
        ClientClock clk = world.clock();
        switch (r.method()) {
            case "GET": {
                TableRequest tr = TableRequest.of(r.accept(), q);
                if (name == null) {
                    world.watches().touch();
                    return world.read((kube, ec2, now) -> {
                        List<ObjectNode> items = new ArrayList<>();
                        for (ObjectNode o : kube.list(type, ns, q.get("labelSelector"), q.get("fieldSelector"))) {
                            items.add((ObjectNode) clk.out(o));
                        }
                        String rv = Long.toString(kube.resourceVersion());
                        if (tr != null) {
                            return ok(Tables.table(type, items, rv, tr.includeObject(), tr.apiVersion(),
                                    world.clientNow(now), true));
                        }
                        return ok(listBody(type, items, kube.resourceVersion()));
                    });
                }
                return world.read((kube, ec2, now) -> {
                    ObjectNode o = kube.find(type, ns, name);
                    if (o == null) {
                        throw KubeApiException.notFound(type, name);
                    }
                    JsonNode out = clk.out(o);
                    if (tr != null) {
                        return ok(Tables.table(type, List.of(out), Json.text(o, "metadata", "resourceVersion"),
                                tr.includeObject(), tr.apiVersion(), world.clientNow(now), true));
                    }
                    return ok(out);
                });
            }
            case "POST": {
                if (name != null) {
                    throw methodNotAllowed();
                }
                JsonNode body = clk.in(r.json());
                validateFields(r, body);
                String manager = fieldManager(q, userAgentManager(r));
                return world.write(r, (kube, ec2, now) -> {
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
                return world.write(r, (kube, ec2, now) -> {
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
                    return world.write(r, (kube, ec2, now) -> {
                        Apply.Result res = Apply.apply(kube, type, ns, name, body, manager, force, st, now, ec2);
                        return new Reply(res.created() ? 201 : 200, bytes(clk.out(res.object())));
                    });
                }
                String manager = fieldManager(q, userAgentManager(r));
                return world.write(r, (kube, ec2, now) -> {
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
                    return world.write(r, (kube, ec2, now) -> {
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
                return world.write(r, (kube, ec2, now) -> {
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
                throw methodNotAllowed();
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
    private static void validateFields(ApiRequest r, JsonNode body) {
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
    static String userAgentManager(ApiRequest r) {
        String ua = r.userAgent();
        if (ua == null || ua.isEmpty()) {
            return "unknown";
        }
        String first = ua.split("/")[0].trim();
        return first.isEmpty() ? "unknown" : first;
    }

    static String fieldManager(Map<String, String> q, String dflt) {
        String m = q.get("fieldManager");
        return m == null || m.isEmpty() ? dflt : m;
    }

    static KubeWorld.DeleteOptions deleteOptions(JsonNode body, Map<String, String> q) {
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
}
