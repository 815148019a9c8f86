package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Selectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.zonemover.sim.kube.api.Reply.bytes;
import static io.zonemover.sim.kube.api.Reply.methodNotAllowed;
import static io.zonemover.sim.kube.api.Reply.ok;
import static io.zonemover.sim.kube.api.Reply.requireName;
import static io.zonemover.sim.kube.api.ResourceVerbs.deleteOptions;
import static io.zonemover.sim.kube.api.ResourceVerbs.fieldManager;
import static io.zonemover.sim.kube.api.ResourceVerbs.patchDocument;
import static io.zonemover.sim.kube.api.ResourceVerbs.userAgentManager;

/**
 * The subresources that are not the object itself: a pod's {@code eviction} (kubectl drain) and a
 * StatefulSet's {@code scale} (kubectl scale).
 *
 * <p>Each has its own kind on the wire (policy/v1 Eviction, autoscaling/v1 Scale) and its own rules, so they
 * are kept apart from the verbs on the object, which know only the object's kind.
 */
final class Subresources {

    private final EndpointWorld world;

    Subresources(EndpointWorld world) {
        this.world = world;
    }

    /**
     * POST pods/NAME/eviction (policy/v1 Eviction), as {@code kubectl drain} uses it: refused with 429 while a
     * PodDisruptionBudget that selects a ready pod allows no disruption, else the pod is deleted with the
     * eviction's deleteOptions. The disruption budget controller then counts the pod as gone.
     */
    Reply eviction(ApiRequest r) {
        if (!r.method().equals("POST")) {
            throw methodNotAllowed();
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
        return world.write(r, (kube, ec2, now) -> {
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
    Reply scale(ApiRequest r) {
        ClientClock clk = world.clock();
        ResourceType type = r.type();
        String ns = r.namespace();
        String name = r.name();
        requireName(name);
        switch (r.method()) {
            case "GET":
                return world.read((kube, ec2, now) -> ok(clk.out(scaleOf(find(kube, type, ns, name)))));
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
                return world.write(r, (kube, ec2, now) -> {
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
                throw methodNotAllowed();
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
}
