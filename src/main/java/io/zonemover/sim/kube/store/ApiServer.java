package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.controller.Kubelet;

import java.util.Set;

/**
 * The API server's verbs over the object store: create, update (and the status subresource), patch and
 * delete, with their validation, defaulting ({@link Defaults}), resourceVersion preconditions, finalizers
 * and graceful pod deletion. The HTTP layer only parses and renders; every rule lives here, so controllers
 * and scenarios that call these verbs are held to the same rules as clients.
 */
public final class ApiServer {

    private final ObjectStore store;
    private final EventRecorder events;
    private String kubernetesVersion;

    public ApiServer(ObjectStore store, EventRecorder events, String kubernetesVersion) {
        this.store = store;
        this.events = events;
        this.kubernetesVersion = kubernetesVersion;
    }

    /** The emulated Kubernetes version, "1.32" style. */
    public String kubernetesVersion() {
        return kubernetesVersion;
    }

    public void setKubernetesVersion(String version) {
        this.kubernetesVersion = version;
    }

    public int minorVersion() {
        return Integer.parseInt(kubernetesVersion.split("\\.")[1]);
    }

    /**
     * The object is gone: out of the store, and out of what depended on it. A running pod's containers stop
     * writing to its volumes; a deleted event is forgotten by the recorder.
     */
    public void remove(ResourceType type, ObjectNode o, long now, Ec2Side ec2) {
        if (!store.remove(type, o)) {
            return;
        }
        if (type == ResourceType.PODS) {
            if ("Running".equals(Json.text(o, "status", "phase")) && ec2 != null) {
                for (String vol : Facts.podVolumeIds(store, o)) {
                    ec2.setWriting(vol, false, now);
                }
            }
        } else if (type == ResourceType.EVENTS) {
            events.forget(o);
        }
    }

    /**
     * A controller removed a finalizer from an object being deleted (an update, in the real API): the object
     * is gone when no finalizers are left, else stored with its new resourceVersion.
     */
    public void finishOrTouch(ResourceType type, ObjectNode o, long now, Ec2Side ec2) {
        if (Json.noFinalizers(o)) {
            remove(type, o, now, ec2);
        } else {
            store.touch(type, o);
        }
    }

    /** POST: validates, fills in server-set fields and defaults, stores. Returns the stored object. */
    public ObjectNode create(ResourceType type, String namespace, JsonNode body, long now, Ec2Side ec2) {
        if (body == null || !body.isObject()) {
            throw KubeApiException.badRequest("the body of the request must be a JSON object");
        }
        ObjectNode in = (ObjectNode) body.deepCopy();
        ObjectNode meta = Json.meta(in);
        String name = Json.text(meta, "name");
        if (name == null || name.isEmpty()) {
            String gen = Json.text(meta, "generateName");
            if (gen == null || gen.isEmpty()) {
                throw KubeApiException.invalid(type, "",
                        "metadata.name: Required value: name or generateName is required");
            }
            name = gen + store.newSuffix(5);
        }
        if (type.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (namespace == null) {
                namespace = bodyNs == null ? "default" : bodyNs;
            }
            if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
                throw KubeApiException.badRequest(
                        "the namespace of the provided object does not match the namespace sent on the request");
            }
        } else {
            namespace = null;
        }
        if (store.find(type, namespace, name) != null) {
            throw KubeApiException.alreadyExists(type, name);
        }
        validate(type, in, name);
        ObjectNode o = Json.obj();
        o.put("apiVersion", type.groupVersion());
        o.put("kind", type.kind());
        in.remove("apiVersion");
        in.remove("kind");
        o.setAll(in);
        meta = Json.meta(o);
        meta.put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        meta.put("uid", store.newUid());
        meta.put("creationTimestamp", Json.time(now));
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.remove("managedFields");
        meta.remove("selfLink");
        if (type == ResourceType.STATEFULSETS || type == ResourceType.PDBS) {
            meta.put("generation", 1);
        } else {
            meta.remove("generation");
        }
        store.ensureNamespace(namespace, now);
        Defaults.onCreate(store, kubernetesVersion, type, o, now, ec2);
        store.put(type, o);
        return o;
    }

    private void validate(ResourceType type, ObjectNode o, String name) {
        if (type == ResourceType.PVCS) {
            JsonNode modes = Json.at(o, "spec", "accessModes");
            if (modes == null || modes.isEmpty()) {
                throw KubeApiException.invalid(type, name,
                        "spec.accessModes: Required value: at least 1 access mode is required");
            }
            if (Json.at(o, "spec", "resources", "requests", "storage") == null) {
                throw KubeApiException.invalid(type, name, "spec.resources[storage]: Required value");
            }
        } else if (type == ResourceType.PODS) {
            JsonNode cs = Json.at(o, "spec", "containers");
            if (cs == null || cs.isEmpty()) {
                throw KubeApiException.invalid(type, name, "spec.containers: Required value");
            }
        } else if (type == ResourceType.PVS) {
            if (Json.at(o, "spec", "capacity", "storage") == null) {
                throw KubeApiException.invalid(type, name, "spec.capacity: Required value");
            }
        } else if (type == ResourceType.STATEFULSETS) {
            if (Json.at(o, "spec", "selector") == null) {
                throw KubeApiException.invalid(type, name, "spec.selector: Required value");
            }
            if (Json.at(o, "spec", "template") == null) {
                throw KubeApiException.invalid(type, name, "spec.template: Required value");
            }
        }
    }

    /** PUT (or PUT of /status when {@code status}). */
    public ObjectNode update(ResourceType type, String namespace, String name, JsonNode body, boolean status,
                             long now, Ec2Side ec2) {
        ObjectNode cur = store.find(type, namespace, name);
        if (cur == null) {
            throw KubeApiException.notFound(type, name);
        }
        if (body == null || !body.isObject()) {
            throw KubeApiException.badRequest("the body of the request must be a JSON object");
        }
        ObjectNode in = (ObjectNode) body.deepCopy();
        String bodyName = Json.text(in, "metadata", "name");
        if (bodyName != null && !bodyName.equals(name)) {
            throw KubeApiException.badRequest("the name of the object (" + bodyName
                    + ") does not match the name on the URL (" + name + ")");
        }
        String bodyRv = Json.text(in, "metadata", "resourceVersion");
        if (bodyRv != null && !bodyRv.isEmpty() && !bodyRv.equals(Json.text(cur, "metadata", "resourceVersion"))) {
            throw KubeApiException.conflict(type, name);
        }
        ObjectNode next;
        if (status) {
            next = cur.deepCopy();
            if (in.has("status")) {
                next.set("status", in.get("status"));
            }
        } else {
            next = Json.obj();
            next.put("apiVersion", type.groupVersion());
            next.put("kind", type.kind());
            in.remove("apiVersion");
            in.remove("kind");
            next.setAll(in);
            ObjectNode m = Json.meta(next);
            ObjectNode cm = Json.meta(cur);
            for (String f : new String[] {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                    "deletionGracePeriodSeconds", "generation"}) {
                if (cm.has(f)) {
                    m.set(f, cm.get(f));
                } else {
                    m.remove(f);
                }
            }
            m.remove("managedFields");
            if (type.hasStatus()) {
                if (cur.has("status")) {
                    next.set("status", cur.get("status").deepCopy());
                } else {
                    next.remove("status");
                }
            }
            if (cm.has("generation") && !java.util.Objects.equals(cur.get("spec"), next.get("spec"))) {
                m.put("generation", cm.path("generation").asLong() + 1);
            }
            Defaults.onUpdate(store, type, cur, next);
        }
        if (Json.deleting(next) && Json.noFinalizers(next)) {
            Json.meta(next).put("resourceVersion", Json.text(cur, "metadata", "resourceVersion"));
            remove(type, cur, now, ec2);
            return next;
        }
        store.put(type, next);
        return next;
    }

    /** PATCH with one of the JSON patch content types. */
    public ObjectNode patch(ResourceType type, String namespace, String name, String contentType, JsonNode patch,
                            boolean status, long now, Ec2Side ec2) {
        ObjectNode cur = store.find(type, namespace, name);
        if (cur == null) {
            throw KubeApiException.notFound(type, name);
        }
        String ct = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
        JsonNode patched = switch (ct) {
            case "application/merge-patch+json", "application/strategic-merge-patch+json" -> {
                if (!patch.isObject()) {
                    throw KubeApiException.badRequest("a merge patch must be a JSON object");
                }
                yield Patches.mergePatch(cur, patch);
            }
            case "application/json-patch+json" -> Patches.jsonPatch(cur, patch, type, name);
            default -> throw new KubeApiException(415, "UnsupportedMediaType", "the body of the request was in an "
                    + "unknown format - accepted media types include: application/json-patch+json, "
                    + "application/merge-patch+json, application/strategic-merge-patch+json"
                    + " (server-side apply is not supported by the zonemover simulator)");
        };
        return update(type, namespace, name, patched, status, now, ec2);
    }

    public KubeWorld.DeleteResult delete(ResourceType type, String namespace, String name, KubeWorld.DeleteOptions opts,
                                         long now, Ec2Side ec2) {
        ObjectNode cur = store.find(type, namespace, name);
        if (cur == null) {
            throw KubeApiException.notFound(type, name);
        }
        if (opts.preconditionUid() != null && !opts.preconditionUid().equals(Json.uid(cur))) {
            throw new KubeApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualified() + " \""
                    + name + "\": Precondition failed: UID in precondition: " + opts.preconditionUid()
                    + ", UID in object meta: " + Json.uid(cur), name, type.group(), type.plural());
        }
        if (opts.preconditionResourceVersion() != null
                && !opts.preconditionResourceVersion().equals(Json.text(cur, "metadata", "resourceVersion"))) {
            throw new KubeApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualified() + " \""
                    + name + "\": Precondition failed: ResourceVersion in precondition: "
                    + opts.preconditionResourceVersion() + ", ResourceVersion in object meta: "
                    + Json.text(cur, "metadata", "resourceVersion"), name, type.group(), type.plural());
        }
        if (type == ResourceType.PODS) {
            return deletePod(cur, opts.gracePeriodSeconds(), now, ec2);
        }
        String policy = opts.propagationPolicy();
        if (Json.deleting(cur)) {
            return new KubeWorld.DeleteResult(cur, false);
        }
        if ("Orphan".equals(policy)) {
            Json.addFinalizer(cur, "orphan");
        } else if ("Foreground".equals(policy)) {
            Json.addFinalizer(cur, "foregroundDeletion");
        } else if (policy != null && !policy.equals("Background")) {
            throw KubeApiException.invalid(type, name, "propagationPolicy: Unsupported value: \"" + policy
                    + "\": supported values: \"Orphan\", \"Foreground\", \"Background\"");
        }
        if (Json.noFinalizers(cur)) {
            remove(type, cur, now, ec2);
            return new KubeWorld.DeleteResult(cur, true);
        }
        Json.meta(cur).put("deletionTimestamp", Json.time(now));
        Json.meta(cur).put("deletionGracePeriodSeconds", 0);
        store.touch(type, cur);
        return new KubeWorld.DeleteResult(cur, false);
    }

    /**
     * Deletes a pod as the API server and kubelet do: an unscheduled pod (or grace 0) goes at once; a scheduled
     * one gets a deletionTimestamp now+grace and is removed when the kubelet has stopped its containers.
     */
    public KubeWorld.DeleteResult deletePod(ObjectNode pod, Long graceSeconds, long now, Ec2Side ec2) {
        long grace = graceSeconds != null ? graceSeconds
                : pod.path("spec").path("terminationGracePeriodSeconds").asLong(30);
        String node = Json.text(pod, "spec", "nodeName");
        String k = ObjectStore.key(ResourceType.PODS, Json.namespace(pod), Json.name(pod));
        boolean terminal = Set.of("Succeeded", "Failed").contains(Json.text(pod, "status", "phase"));
        if (node == null || grace <= 0 || terminal) {
            if (Json.noFinalizers(pod)) {
                remove(ResourceType.PODS, pod, now, ec2);
                if (!Json.deleting(pod)) {
                    Json.meta(pod).put("deletionTimestamp", Json.time(now));
                    Json.meta(pod).put("deletionGracePeriodSeconds", 0);
                }
                return new KubeWorld.DeleteResult(pod, true);
            }
        }
        if (Json.deleting(pod)) {
            return new KubeWorld.DeleteResult(pod, false);
        }
        Json.meta(pod).put("deletionTimestamp", Json.time(now + grace * 1000));
        Json.meta(pod).put("deletionGracePeriodSeconds", grace);
        store.setTimer("stop:" + k, now + Math.min(grace * 1000, Kubelet.CONTAINER_STOP_MS));
        store.touch(ResourceType.PODS, pod);
        return new KubeWorld.DeleteResult(pod, false);
    }

}
