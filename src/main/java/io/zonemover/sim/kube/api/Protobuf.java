package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.Runtime;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.KubeApiException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}), which kubectl's
 * typed clients send (e.g. {@code kubectl create poddisruptionbudget}, the evictions of {@code kubectl drain}):
 * the "k8s\0" envelope (runtime.Unknown) around a message of client-java-proto's generated classes, turned into
 * the JSON the store keeps. The types whose JSON is not their protobuf structure (Time, MicroTime, Quantity,
 * IntOrString, RawExtension, FieldsV1) and the structs that JSON inlines are converted as apimachinery does.
 * Answers are always JSON, which every client accepts.
 */
final class Protobuf {

    private Protobuf() {
    }

    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    /** Fields that Go embeds with json:",inline": their fields appear in the parent's JSON. */
    private static final Set<String> INLINE = Set.of("volumeSource", "persistentVolumeSource",
            "ephemeralContainerCommon");

    static JsonNode decode(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw KubeApiException.badRequest("the body of the request is not a Kubernetes protobuf message");
        }
        try {
            Runtime.Unknown unknown = Runtime.Unknown.parseFrom(ByteString.copyFrom(body, MAGIC.length,
                    body.length - MAGIC.length));
            String apiVersion = unknown.getTypeMeta().getApiVersion();
            String kind = unknown.getTypeMeta().getKind();
            Class<?> outer = Class.forName("io.kubernetes.client.proto." + outerClass(apiVersion, kind));
            Class<?> messageClass = Class.forName(outer.getName() + "$" + kind);
            Message m = (Message) messageClass.getMethod("parseFrom", ByteString.class).invoke(null,
                    unknown.getRaw());
            ObjectNode out = Json.obj();
            out.put("apiVersion", apiVersion);
            out.put("kind", kind);
            out.setAll(message(m));
            return out;
        } catch (InvalidProtocolBufferException | ReflectiveOperationException e) {
            throw KubeApiException.badRequest("the body of the request could not be decoded as protobuf: " + e);
        }
    }

    /** "v1" -> V1, "apps/v1" -> V1Apps, "storage.k8s.io/v1" -> V1Storage, "meta.k8s.io/v1" -> Meta. */
    private static String outerClass(String apiVersion, String kind) {
        if (apiVersion.startsWith("meta.k8s.io/") || kind.equals("DeleteOptions")) {
            return "Meta";
        }
        int slash = apiVersion.indexOf('/');
        if (slash < 0) {
            return capitalize(apiVersion);
        }
        String group = apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        String g = group.split("\\.")[0];
        return capitalize(version) + capitalize(g);
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static ObjectNode message(Message m) {
        ObjectNode o = Json.obj();
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            String name = f.getName();
            if (f.isMapField()) {
                ObjectNode map = o.putObject(name);
                for (Object entry : (List<?>) e.getValue()) {
                    Message me = (Message) entry;
                    FieldDescriptor kf = me.getDescriptorForType().findFieldByName("key");
                    FieldDescriptor vf = me.getDescriptorForType().findFieldByName("value");
                    map.set(String.valueOf(me.getField(kf)), value(vf, me.getField(vf)));
                }
            } else if (f.isRepeated()) {
                ArrayNode arr = o.putArray(name);
                for (Object v : (List<?>) e.getValue()) {
                    arr.add(value(f, v));
                }
            } else if (INLINE.contains(name) && e.getValue() instanceof Message inner) {
                o.setAll(message(inner));
            } else {
                o.set(name, value(f, e.getValue()));
            }
        }
        return o;
    }

    private static JsonNode value(FieldDescriptor f, Object v) {
        switch (f.getJavaType()) {
            case MESSAGE:
                return special((Message) v);
            case BYTE_STRING:
                return Json.F.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case BOOLEAN:
                return Json.F.booleanNode((Boolean) v);
            case INT:
                return Json.F.numberNode((Integer) v);
            case LONG:
                return Json.F.numberNode((Long) v);
            case FLOAT:
                return Json.F.numberNode((Float) v);
            case DOUBLE:
                return Json.F.numberNode((Double) v);
            case ENUM:
                return Json.F.textNode(v.toString());
            default:
                return Json.F.textNode(String.valueOf(v));
        }
    }

    /** A message, with apimachinery's custom JSON for the types that have one. */
    private static JsonNode special(Message m) {
        String type = m.getDescriptorForType().getFullName();
        switch (type) {
            case "k8s.io.apimachinery.pkg.apis.meta.v1.Time": {
                long seconds = (Long) field(m, "seconds", 0L);
                return Json.F.textNode(Instant.ofEpochSecond(seconds).toString());
            }
            case "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": {
                long seconds = (Long) field(m, "seconds", 0L);
                int nanos = (Integer) field(m, "nanos", 0);
                return Json.F.textNode(Json.microTime(seconds * 1000 + nanos / 1_000_000));
            }
            case "k8s.io.apimachinery.pkg.api.resource.Quantity":
                return Json.F.textNode(String.valueOf(field(m, "string", "")));
            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString": {
                long t = ((Number) field(m, "type", 0L)).longValue();
                return t == 1 ? Json.F.textNode(String.valueOf(field(m, "strVal", "")))
                        : Json.F.numberNode((Integer) field(m, "intVal", 0));
            }
            case "k8s.io.apimachinery.pkg.runtime.RawExtension":
                return raw((ByteString) field(m, "raw", ByteString.EMPTY));
            case "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1":
                return raw((ByteString) field(m, "Raw", ByteString.EMPTY));
            default:
                return message(m);
        }
    }

    private static Object field(Message m, String name, Object dflt) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        return f == null || !m.hasField(f) ? dflt : m.getField(f);
    }

    private static JsonNode raw(ByteString b) {
        if (b.isEmpty()) {
            return Json.obj();
        }
        try {
            return Json.MAPPER.readTree(b.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Json.F.textNode(b.toString(StandardCharsets.UTF_8));
        }
    }
}
