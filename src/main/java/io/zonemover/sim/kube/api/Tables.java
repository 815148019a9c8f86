package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server-side printing of the real API server (meta.k8s.io/v1 Table), for the kinds served: the columns
 * and cell values of kubernetes/pkg/printers/internalversion/printers.go. As there, every column is filled
 * (the server always prints "wide"); clients hide the columns of priority 1 unless asked for {@code -o wide}.
 * Objects given here are already in client time; ages are computed against the client's now.
 */
final class Tables {

    private Tables() {
    }

    private record Col(String name, String type, String format, int priority, String description) {
    }

    private static Col c(String name, String description) {
        return new Col(name, "string", "", 0, description);
    }

    private static Col wide(String name, String description) {
        return new Col(name, "string", "", 1, description);
    }

    private static final String NAME_DOC = "Name must be unique within a namespace. Is required when creating "
            + "resources, although some resources may allow a client to request the generation of an appropriate "
            + "name automatically. Name is primarily intended for creation idempotence and configuration "
            + "definition. Cannot be updated.";
    private static final String AGE_DOC = "CreationTimestamp is a timestamp representing the server time when "
            + "this object was created.";
    private static final Col NAME = new Col("Name", "string", "name", 0, NAME_DOC);
    private static final Col AGE = c("Age", AGE_DOC);

    private static List<Col> columns(ResourceType t) {
        if (t == ResourceType.PODS) {
            return List.of(NAME, c("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                    c("Status", "The aggregate status of the containers in this pod."),
                    c("Restarts", "The number of times the containers in this pod have been restarted and when the "
                            + "last container in this pod has restarted."), AGE,
                    wide("IP", "podIP address allocated to the pod."),
                    wide("Node", "NodeName indicates in which node this pod is scheduled."),
                    wide("Nominated Node", "nominatedNodeName is set when this pod preempts other pods on the node."),
                    wide("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness."));
        } else if (t == ResourceType.NODES) {
            return List.of(NAME, c("Status", "The status of the node"), c("Roles", "The roles of the node"), AGE,
                    c("Version", "Kubelet Version reported by the node."),
                    wide("Internal-IP", "List of addresses reachable to the node."),
                    wide("External-IP", "List of addresses reachable to the node."),
                    wide("OS-Image", "OS Image reported by the node from /etc/os-release."),
                    wide("Kernel-Version", "Kernel Version reported by the node from 'uname -r'."),
                    wide("Container-Runtime", "ContainerRuntime Version reported by the node through runtime "
                            + "remote API."));
        } else if (t == ResourceType.PVCS) {
            return List.of(NAME, c("Status", "phase represents the current phase of PersistentVolumeClaim."),
                    c("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
                    c("Capacity", "capacity represents the actual resources of the underlying volume."),
                    c("Access Modes", "accessModes contains the actual access modes the volume backing the PVC "
                            + "has."), c("StorageClass", "StorageClass of the pvc"),
                    c("VolumeAttributesClass", "VolumeAttributesClass of the pvc"), AGE,
                    wide("VolumeMode", "volumeMode defines what type of volume is required by the claim."));
        } else if (t == ResourceType.PVS) {
            return List.of(NAME, c("Capacity", "capacity is the description of the persistent volume's resources "
                            + "and capacity."), c("Access Modes", "accessModes contains all ways the volume can be "
                            + "mounted."), c("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to "
                            + "a persistent volume when released from its claim."),
                    c("Status", "phase indicates if a volume is available, bound to a claim, or released by a "
                            + "claim."), c("Claim", "claimRef is part of a bi-directional binding between "
                            + "PersistentVolume and PersistentVolumeClaim."), c("StorageClass", "StorageClass of the "
                            + "pv"), c("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
                    c("Reason", "reason is a brief CamelCase string that describes any failure and is meant for "
                            + "machine parsing and tidy display in the CLI."), AGE,
                    wide("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted "
                            + "filesystem or to remain in raw block state."));
        } else if (t == ResourceType.STATEFULSETS) {
            return List.of(NAME, c("Ready", "Number of the pod with ready state"), AGE,
                    wide("Containers", "Names of each container in the template."),
                    wide("Images", "Images referenced by each container in the template."));
        } else if (t == ResourceType.EVENTS) {
            return List.of(c("Last Seen", "The time at which the most recent occurrence of this event was "
                            + "recorded."), c("Type", "Type of this event (Normal, Warning), new types could be "
                            + "added in the future"), c("Reason", "This should be a short, machine understandable "
                            + "string that gives the reason for the transition into the object's current status."),
                    c("Object", "The object that this event is about."),
                    wide("Subobject", "If referring to a piece of an object instead of an entire object, this "
                            + "string should contain a valid JSON/Go field access statement."),
                    wide("Source", "The component reporting this event."),
                    c("Message", "A human-readable description of the status of this operation."),
                    wide("First Seen", "The time at which the event was first recorded."),
                    wide("Count", "The number of times this event has occurred."),
                    new Col("Name", "string", "name", 1, NAME_DOC));
        } else if (t == ResourceType.STORAGECLASSES) {
            return List.of(NAME, c("Provisioner", "provisioner indicates the type of the provisioner."),
                    c("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
                            + "PersistentVolumes of this storage class."),
                    c("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be "
                            + "provisioned and bound."),
                    c("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume "
                            + "expand."), AGE);
        } else if (t == ResourceType.VOLUMEATTACHMENTS) {
            return List.of(NAME, c("Attacher", "attacher indicates the name of the volume driver that MUST handle "
                            + "this request."), c("PV", "persistentVolumeName represents the name of the persistent "
                            + "volume to attach."), c("Node", "nodeName represents the node that the volume should "
                            + "be attached to."), new Col("Attached", "boolean", "", 0, "attached indicates the "
                            + "volume is successfully attached."), AGE);
        } else if (t == ResourceType.NAMESPACES) {
            return List.of(NAME, c("Status", "The status of the namespace"), AGE);
        } else if (t == ResourceType.PDBS) {
            return List.of(NAME, c("Min Available", "The minimum number of pods that must be available."),
                    c("Max Unavailable", "The maximum number of pods that may be unavailable."),
                    new Col("Allowed Disruptions", "integer", "", 0, "Calculated number of pods that may be "
                            + "disrupted at this time."), AGE);
        } else if (t == ResourceType.CONFIGMAPS) {
            return List.of(NAME, c("Data", "Data contains the configuration data."), AGE);
        } else if (t == ResourceType.LEASES) {
            return List.of(NAME, c("Holder", "holderIdentity contains the identity of the holder of a current "
                    + "lease."), AGE);
        }
        return List.of(NAME, AGE);
    }

    /**
     * A Table of {@code objects} (client time). {@code includeObject}: None, Metadata (the default) or Object.
     * {@code headers}: false leaves out the column definitions (watch events after the first).
     */
    static ObjectNode table(ResourceType type, List<? extends JsonNode> objects, String resourceVersion,
                            String includeObject, String apiVersion, long clientNow, boolean headers) {
        ObjectNode t = Json.obj();
        t.put("kind", "Table");
        t.put("apiVersion", apiVersion);
        ObjectNode meta = t.putObject("metadata");
        if (resourceVersion != null) {
            meta.put("resourceVersion", resourceVersion);
        }
        ArrayNode cols = t.putArray("columnDefinitions");
        if (headers) {
            for (Col col : columns(type)) {
                ObjectNode d = cols.addObject();
                d.put("name", col.name());
                d.put("type", col.type());
                d.put("format", col.format());
                d.put("description", col.description());
                d.put("priority", col.priority());
            }
        }
        ArrayNode rows = t.putArray("rows");
        for (JsonNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            cells(type, o, clientNow).forEach(cells::addPOJO);
            String mode = includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject;
            if (mode.equals("Object")) {
                row.set("object", o);
            } else if (mode.equals("Metadata")) {
                ObjectNode pom = row.putObject("object");
                pom.put("kind", "PartialObjectMetadata");
                pom.put("apiVersion", "meta.k8s.io/v1");
                pom.set("metadata", o.path("metadata").deepCopy());
            }
        }
        return t;
    }

    private static List<Object> cells(ResourceType t, JsonNode o, long now) {
        List<Object> c = new ArrayList<>();
        String name = Json.name(o);
        String age = ClientClock.age(Json.text(o, "metadata", "creationTimestamp"), now);
        if (t == ResourceType.PODS) {
            podCells(o, now, c);
        } else if (t == ResourceType.NODES) {
            List<String> status = new ArrayList<>();
            String ready = null;
            for (JsonNode cond : o.path("status").path("conditions")) {
                if ("Ready".equals(cond.path("type").asText())) {
                    ready = "True".equals(cond.path("status").asText()) ? "Ready" : "NotReady";
                }
            }
            status.add(ready == null ? "Unknown" : ready);
            if (o.path("spec").path("unschedulable").asBoolean(false)) {
                status.add("SchedulingDisabled");
            }
            List<String> roles = new ArrayList<>();
            for (Map.Entry<String, String> l : Json.labels(o).entrySet()) {
                if (l.getKey().startsWith("node-role.kubernetes.io/")) {
                    roles.add(l.getKey().substring("node-role.kubernetes.io/".length()));
                } else if (l.getKey().equals("kubernetes.io/role") && l.getValue() != null) {
                    roles.add(l.getValue());
                }
            }
            JsonNode info = o.path("status").path("nodeInfo");
            c.add(name);
            c.add(String.join(",", status));
            c.add(roles.isEmpty() ? "<none>" : String.join(",", roles.stream().sorted().toList()));
            c.add(age);
            c.add(info.path("kubeletVersion").asText(""));
            c.add(address(o, "InternalIP"));
            c.add(address(o, "ExternalIP"));
            c.add(orUnknown(info.path("osImage").asText("")));
            c.add(orUnknown(info.path("kernelVersion").asText("")));
            c.add(orUnknown(info.path("containerRuntimeVersion").asText("")));
        } else if (t == ResourceType.PVCS) {
            String phase = Json.deleting(o) ? "Terminating" : o.path("status").path("phase").asText("");
            String volume = o.path("spec").path("volumeName").asText("");
            String capacity = "";
            String modes = "";
            if (!volume.isEmpty()) {
                modes = accessModes(o.path("status").path("accessModes"));
                capacity = o.path("status").path("capacity").path("storage").asText("");
            }
            c.add(name);
            c.add(phase);
            c.add(volume);
            c.add(capacity);
            c.add(modes);
            c.add(storageClass(o));
            c.add(o.path("status").path("currentVolumeAttributesClassName").asText("<unset>"));
            c.add(age);
            c.add(o.path("spec").path("volumeMode").asText("<unset>"));
        } else if (t == ResourceType.PVS) {
            String claim = "";
            JsonNode ref = o.path("spec").path("claimRef");
            if (ref.isObject()) {
                claim = ref.path("namespace").asText("") + "/" + ref.path("name").asText("");
            }
            c.add(name);
            c.add(o.path("spec").path("capacity").path("storage").asText(""));
            c.add(accessModes(o.path("spec").path("accessModes")));
            c.add(o.path("spec").path("persistentVolumeReclaimPolicy").asText(""));
            c.add(Json.deleting(o) ? "Terminating" : o.path("status").path("phase").asText(""));
            c.add(claim);
            c.add(storageClass(o));
            c.add(o.path("spec").path("volumeAttributesClassName").asText("<unset>"));
            c.add(o.path("status").path("reason").asText(""));
            c.add(age);
            c.add(o.path("spec").path("volumeMode").asText("<unset>"));
        } else if (t == ResourceType.STATEFULSETS) {
            c.add(name);
            c.add(o.path("status").path("readyReplicas").asLong(0) + "/" + o.path("spec").path("replicas").asLong(1));
            c.add(age);
            List<String> names = new ArrayList<>();
            List<String> images = new ArrayList<>();
            for (JsonNode ct : o.path("spec").path("template").path("spec").path("containers")) {
                names.add(ct.path("name").asText(""));
                images.add(ct.path("image").asText(""));
            }
            c.add(String.join(",", names));
            c.add(String.join(",", images));
        } else if (t == ResourceType.EVENTS) {
            String first = o.hasNonNull("firstTimestamp") ? ClientClock.age(o.path("firstTimestamp").asText(), now)
                    : ClientClock.age(Json.text(o, "eventTime"), now);
            String last = o.hasNonNull("lastTimestamp") ? ClientClock.age(o.path("lastTimestamp").asText(), now)
                    : first;
            long count = o.path("count").asLong(0);
            if (o.path("series").isObject()) {
                last = ClientClock.age(Json.text(o, "series", "lastObservedTime"), now);
                count = o.path("series").path("count").asLong(count);
            } else if (count == 0) {
                count = 1;
            }
            JsonNode io = o.path("involvedObject");
            String kind = io.path("kind").asText("").toLowerCase();
            String target = io.path("name").asText("").isEmpty() ? kind : kind + "/" + io.path("name").asText();
            String component = o.path("source").path("component").asText("");
            if (component.isEmpty()) {
                component = o.path("reportingComponent").asText("");
            }
            String host = o.path("source").path("host").asText("");
            if (host.isEmpty()) {
                host = o.path("reportingInstance").asText("");
            }
            c.add(last);
            c.add(o.path("type").asText(""));
            c.add(o.path("reason").asText(""));
            c.add(target);
            c.add(io.path("fieldPath").asText(""));
            c.add(component.isEmpty() ? "" : host.isEmpty() ? component : component + ", " + host);
            c.add(o.path("message").asText("").trim());
            c.add(first);
            c.add(count);
            c.add(name);
        } else if (t == ResourceType.STORAGECLASSES) {
            Map<String, String> ann = Json.stringMap(Json.at(o, "metadata", "annotations"));
            boolean isDefault = "true".equals(ann.get("storageclass.kubernetes.io/is-default-class"))
                    || "true".equals(ann.get("storageclass.beta.kubernetes.io/is-default-class"));
            c.add(isDefault ? name + " (default)" : name);
            c.add(o.path("provisioner").asText(""));
            c.add(o.path("reclaimPolicy").asText("Delete"));
            c.add(o.path("volumeBindingMode").asText("Immediate"));
            c.add(String.valueOf(o.path("allowVolumeExpansion").asBoolean(false)));
            c.add(age);
        } else if (t == ResourceType.VOLUMEATTACHMENTS) {
            c.add(name);
            c.add(o.path("spec").path("attacher").asText(""));
            c.add(o.path("spec").path("source").path("persistentVolumeName").asText(""));
            c.add(o.path("spec").path("nodeName").asText(""));
            c.add(o.path("status").path("attached").asBoolean(false));
            c.add(age);
        } else if (t == ResourceType.NAMESPACES) {
            c.add(name);
            c.add(o.path("status").path("phase").asText(""));
            c.add(age);
        } else if (t == ResourceType.PDBS) {
            c.add(name);
            c.add(o.path("spec").has("minAvailable") ? o.path("spec").path("minAvailable").asText() : "N/A");
            c.add(o.path("spec").has("maxUnavailable") ? o.path("spec").path("maxUnavailable").asText() : "N/A");
            c.add(o.path("status").path("disruptionsAllowed").asLong(0));
            c.add(age);
        } else if (t == ResourceType.CONFIGMAPS) {
            c.add(name);
            c.add(o.path("data").size() + o.path("binaryData").size());
            c.add(age);
        } else if (t == ResourceType.LEASES) {
            c.add(name);
            c.add(o.path("spec").path("holderIdentity").asText(""));
            c.add(age);
        } else {
            c.add(name);
            c.add(age);
        }
        return c;
    }

    private static void podCells(JsonNode pod, long now, List<Object> c) {
        JsonNode status = pod.path("status");
        String phase = status.path("phase").asText("");
        String reason = status.path("reason").asText("").isEmpty() ? phase : status.path("reason").asText();
        for (JsonNode cond : status.path("conditions")) {
            if ("PodScheduled".equals(cond.path("type").asText())
                    && "SchedulingGated".equals(cond.path("reason").asText())) {
                reason = "SchedulingGated";
            }
        }
        int total = pod.path("spec").path("containers").size();
        int ready = 0;
        long restarts = 0;
        String lastRestart = null;
        boolean hasRunning = false;
        JsonNode statuses = status.path("containerStatuses");
        for (int i = statuses.size() - 1; i >= 0; i--) {
            JsonNode cs = statuses.get(i);
            restarts += cs.path("restartCount").asLong(0);
            String finished = Json.text(cs, "lastState", "terminated", "finishedAt");
            if (finished != null && (lastRestart == null || finished.compareTo(lastRestart) > 0)) {
                lastRestart = finished;
            }
            JsonNode st = cs.path("state");
            if (!st.path("waiting").path("reason").asText("").isEmpty()) {
                reason = st.path("waiting").path("reason").asText();
            } else if (!st.path("terminated").path("reason").asText("").isEmpty()) {
                reason = st.path("terminated").path("reason").asText();
            } else if (st.has("terminated")) {
                long signal = st.path("terminated").path("signal").asLong(0);
                reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + st.path("terminated").path("exitCode")
                        .asLong(0);
            } else if (cs.path("ready").asBoolean(false) && st.has("running")) {
                hasRunning = true;
                ready++;
            }
        }
        if (reason.equals("Completed") && hasRunning) {
            reason = Facts.podReady(pod) ? "Running" : "NotReady";
        }
        boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
        if (Json.deleting(pod) && "NodeLost".equals(status.path("reason").asText())) {
            reason = "Unknown";
        } else if (Json.deleting(pod) && !terminal) {
            reason = "Terminating";
        }
        String restartsStr = Long.toString(restarts);
        if (restarts != 0 && lastRestart != null) {
            restartsStr = restarts + " (" + ClientClock.age(lastRestart, now) + " ago)";
        }
        c.add(Json.name(pod));
        c.add(ready + "/" + total);
        c.add(reason);
        c.add(restartsStr);
        c.add(ClientClock.age(Json.text(pod, "metadata", "creationTimestamp"), now));
        String ip = status.path("podIPs").path(0).path("ip").asText("");
        if (ip.isEmpty()) {
            ip = status.path("podIP").asText("");
        }
        String node = pod.path("spec").path("nodeName").asText("");
        String nominated = status.path("nominatedNodeName").asText("");
        String gates = "<none>";
        JsonNode rg = pod.path("spec").path("readinessGates");
        if (rg.size() > 0) {
            int trueCount = 0;
            for (JsonNode g : rg) {
                for (JsonNode cond : status.path("conditions")) {
                    if (cond.path("type").asText().equals(g.path("conditionType").asText())) {
                        if ("True".equals(cond.path("status").asText())) {
                            trueCount++;
                        }
                        break;
                    }
                }
            }
            gates = trueCount + "/" + rg.size();
        }
        c.add(ip.isEmpty() ? "<none>" : ip);
        c.add(node.isEmpty() ? "<none>" : node);
        c.add(nominated.isEmpty() ? "<none>" : nominated);
        c.add(gates);
    }

    private static String address(JsonNode node, String type) {
        for (JsonNode a : node.path("status").path("addresses")) {
            if (type.equals(a.path("type").asText())) {
                return a.path("address").asText();
            }
        }
        return "<none>";
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "<unknown>" : s;
    }

    /** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order. */
    static String accessModes(JsonNode modes) {
        List<String> present = new ArrayList<>();
        for (JsonNode m : modes) {
            present.add(m.asText());
        }
        List<String> out = new ArrayList<>();
        if (present.contains("ReadWriteOnce")) {
            out.add("RWO");
        }
        if (present.contains("ReadOnlyMany")) {
            out.add("ROX");
        }
        if (present.contains("ReadWriteMany")) {
            out.add("RWX");
        }
        if (present.contains("ReadWriteOncePod")) {
            out.add("RWOP");
        }
        return String.join(",", out);
    }

    private static String storageClass(JsonNode o) {
        String beta = Json.text(o, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class");
        if (beta != null) {
            return beta;
        }
        return o.path("spec").path("storageClassName").asText("");
    }
}
