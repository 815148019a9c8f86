package io.zonemover.diagnose;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One problem found, with the objects concerned and the command that fixes it. Field names are the
 * {@code diagnose -o json} contract (DESIGN.md): add fields, never rename them.
 *
 * @param kind          VolumeNodeAffinityConflict, AttachFailure, ImmediateBindingStorageClass, ZoneImbalance
 * @param object        what the finding is about, for the table ({@code default/web-3}, {@code storageclass/gp2})
 * @param namespace     namespace of the pod or claim; null for cluster-scoped objects
 * @param suggestedZone where to move the volume, when a move is the fix
 * @param command       the exact command that fixes it, or null when there is none to give
 */
public record Finding(Kind kind, String object, String namespace, String pod, String claim, String pv,
                      String volumeId, String volumeZone, String suggestedZone, String storageClass,
                      String statefulSet, String message, String command) {

    public enum Kind {
        VolumeNodeAffinityConflict, AttachFailure, ImmediateBindingStorageClass, ZoneImbalance
    }

    /** The JSON object, keys in a stable order, absent values as null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.name());
        m.put("namespace", namespace);
        m.put("pod", pod);
        m.put("claim", claim);
        m.put("pv", pv);
        m.put("volumeId", volumeId);
        m.put("volumeZone", volumeZone);
        m.put("suggestedZone", suggestedZone);
        m.put("storageClass", storageClass);
        m.put("statefulSet", statefulSet);
        m.put("message", message);
        m.put("command", command);
        return m;
    }

    static Builder builder(Kind kind) {
        return new Builder(kind);
    }

    static final class Builder {
        private final Kind kind;
        private String object;
        private String namespace;
        private String pod;
        private String claim;
        private String pv;
        private String volumeId;
        private String volumeZone;
        private String suggestedZone;
        private String storageClass;
        private String statefulSet;
        private String message;
        private String command;

        private Builder(Kind kind) {
            this.kind = kind;
        }

        Builder object(String v) { object = v; return this; }
        Builder namespace(String v) { namespace = v; return this; }
        Builder pod(String v) { pod = v; return this; }
        Builder claim(String v) { claim = v; return this; }
        Builder pv(String v) { pv = v; return this; }
        Builder volumeId(String v) { volumeId = v; return this; }
        Builder volumeZone(String v) { volumeZone = v; return this; }
        Builder suggestedZone(String v) { suggestedZone = v; return this; }
        Builder storageClass(String v) { storageClass = v; return this; }
        Builder statefulSet(String v) { statefulSet = v; return this; }
        Builder message(String v) { message = v; return this; }
        Builder command(String v) { command = v; return this; }

        Finding build() {
            return new Finding(kind, object, namespace, pod, claim, pv, volumeId, volumeZone, suggestedZone,
                    storageClass, statefulSet, message, command);
        }
    }
}
