package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;
import io.zonemover.sim.kube.store.ResourceType;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request on a resource, as the routing found it, and the decoding of what the client sent: the query,
 * the body (JSON, YAML or protobuf by its media type), dryRun and the Accept header's Table request.
 *
 * <p>The body is decoded only when a handler asks for it, so that a request the server refuses for another
 * reason (a bad path, a wrong method) is refused for that reason, as the real server does.
 */
record ApiRequest(String method, ResourceType type, String namespace, String name, String sub,
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

    static boolean isTrue(String v) {
        return "true".equals(v) || "1".equals(v);
    }

    /** The query string, decoded; a parameter given twice keeps its last value. */
    static Map<String, String> query(String raw) {
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

    static JsonNode parse(byte[] b) {
        try {
            return Json.MAPPER.readTree(b);
        } catch (IOException e) {
            throw KubeApiException.badRequest("the body of the request could not be decoded: " + e.getMessage());
        }
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
}
