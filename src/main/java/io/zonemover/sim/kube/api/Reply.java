package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.ResourceType;

import java.io.IOException;
import java.util.List;

/**
 * One HTTP answer of the Kubernetes endpoint (status code and JSON body), and the bodies every handler shares:
 * lists and the Status objects that carry errors.
 *
 * <p>Errors are Status objects with the real codes and reasons because clients branch on them: client-java
 * turns {@code reason} into exception types and kubectl prints {@code message} as the real server words it.
 */
record Reply(int code, byte[] body) {

    /** Returned by a route that answered (or is answering) the exchange itself, as a watch does. */
    static final Reply STREAMING = new Reply(-1, new byte[0]);

    static Reply ok(JsonNode body) {
        return new Reply(200, bytes(body));
    }

    static byte[] bytes(JsonNode n) {
        try {
            return Json.MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode listBody(ResourceType type, List<ObjectNode> items, long rv) {
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

    static KubeApiException notFoundPath() {
        return new KubeApiException(404, "NotFound", "the server could not find the requested resource");
    }

    static KubeApiException methodNotAllowed() {
        return new KubeApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                + "requested resource");
    }

    static void requireName(String name) {
        if (name == null) {
            throw methodNotAllowed();
        }
    }
}
