package io.zonemover.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many requests a world's two endpoints received: EC2 per Action (with how many were answered
 * RequestLimitExceeded, and how many another error), Kubernetes per verb and resource ("list pods", "patch
 * persistentvolumes"). The shape {@code sim show --json} prints under {@code apiCalls}.
 */
public final class ApiCalls {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Long> ec2 = new TreeMap<>();
    private final Map<String, Long> kube = new TreeMap<>();
    private long ec2Throttled;
    private long ec2Errors;

    /** One EC2 request; {@code errorCode} is null when it was answered 200. */
    public void ec2(String action, String errorCode) {
        ec2.merge(action, 1L, Long::sum);
        if ("RequestLimitExceeded".equals(errorCode)) {
            ec2Throttled++;
        } else if (errorCode != null) {
            ec2Errors++;
        }
    }

    /** One Kubernetes request, named by verb and resource ("get pods", "update statefulsets/status"). */
    public void kube(String verbAndResource) {
        kube.merge(verbAndResource, 1L, Long::sum);
    }

    public boolean isEmpty() {
        return ec2.isEmpty() && kube.isEmpty();
    }

    /** EC2 requests received, all actions together (throttled and failed ones included). */
    public long ec2Total() {
        return ec2.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Kubernetes requests received, all verbs together. */
    public long kubeTotal() {
        return kube.values().stream().mapToLong(Long::longValue).sum();
    }

    public long ec2(String action) {
        return ec2.getOrDefault(action, 0L);
    }

    public long ec2Throttled() {
        return ec2Throttled;
    }

    public long ec2Errors() {
        return ec2Errors;
    }

    /** {"ec2": {action: n}, "ec2Throttled": n, "ec2Errors": n, "kube": {"verb resource": n}}. */
    public Map<String, Object> show() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ec2", new TreeMap<>(ec2));
        out.put("ec2Throttled", ec2Throttled);
        out.put("ec2Errors", ec2Errors);
        out.put("kube", new TreeMap<>(kube));
        return out;
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(show());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ApiCalls fromJson(String json) {
        ApiCalls calls = new ApiCalls();
        try {
            Shape shape = JSON.readValue(json, new TypeReference<Shape>() { });
            calls.ec2.putAll(shape.ec2 == null ? Map.of() : shape.ec2);
            calls.kube.putAll(shape.kube == null ? Map.of() : shape.kube);
            calls.ec2Throttled = shape.ec2Throttled;
            calls.ec2Errors = shape.ec2Errors;
            return calls;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON form, for Jackson. */
    private static final class Shape {
        public Map<String, Long> ec2;
        public long ec2Throttled;
        public long ec2Errors;
        public Map<String, Long> kube;
    }
}
