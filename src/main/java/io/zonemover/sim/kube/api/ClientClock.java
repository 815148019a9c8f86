package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.zonemover.sim.kube.store.Json;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Maps the world's clock onto the clients' wall clock, for the timestamps the API shows.
 *
 * <p>The world's clock is scaled ({@code --time-scale}, 60 by default): it runs X times faster than the wall
 * clock, and it starts where the scenario builder left it (past the wall instant the world was made at, since
 * the builder lets pods start and volumes attach). Timestamps the world writes are therefore minutes to days in
 * a client's future, and kubectl prints {@code <invalid>} ages. The world's model must keep its own clock (its
 * durations are the modelled ones), so the endpoint translates at its edge instead: a world instant T is shown
 * as the wall instant at which the world reaches T, {@code anchorWall + (T - anchorWorld) / scale}, where the
 * anchor is one (world now, wall now) pair observed when the endpoint starts. This is stable (an object's
 * creationTimestamp does not drift between requests), invertible (a Lease renewTime a client writes reads back
 * unchanged), and agrees with the client's own clock: an object created "now" is 0s old, and ages are wall
 * ages, the time a user actually waited. Timestamps a client sends are mapped back the same way. With a scale
 * of 0 (a world whose clock moves only when a test says so) there is no wall relation and times pass through.
 */
final class ClientClock {

    /** Fields whose values are metav1.Time or MicroTime in the kinds served. */
    private static final Set<String> TIME_FIELDS = Set.of("creationTimestamp", "deletionTimestamp", "time",
            "lastTransitionTime", "lastProbeTime", "lastHeartbeatTime", "lastUpdateTime", "startTime", "startedAt",
            "finishedAt", "firstTimestamp", "lastTimestamp", "eventTime", "lastObservedTime", "timeAdded",
            "acquireTime", "renewTime", "attachedAt", "detachedAt", "lastScaleTime", "completionTime");
    /** Free-form maps whose values are the user's, never translated. */
    private static final Set<String> OPAQUE = Set.of("labels", "annotations", "data", "binaryData",
            "stringData", "fieldsV1", "parameters", "volumeAttributes", "attachmentMetadata");

    static final ClientClock IDENTITY = new ClientClock(0, 0, 0);

    private final long anchorWorld;
    private final long anchorWall;
    private final double scale;

    ClientClock(long anchorWorld, long anchorWall, double scale) {
        this.anchorWorld = anchorWorld;
        this.anchorWall = anchorWall;
        this.scale = scale;
    }

    boolean identity() {
        return scale <= 0;
    }

    /** The wall instant (epoch ms) at which the world reaches {@code world}. */
    long toClient(long world) {
        return identity() ? world : anchorWall + Math.round((world - anchorWorld) / scale);
    }

    long toWorld(long client) {
        return identity() ? client : anchorWorld + Math.round((client - anchorWall) * scale);
    }

    /** A deep copy of {@code n} with its timestamps in client time (n itself when there is nothing to do). */
    JsonNode out(JsonNode n) {
        if (identity() || n == null) {
            return n;
        }
        JsonNode copy = n.deepCopy();
        walk(copy, true);
        return copy;
    }

    /** Translates, in place, the timestamps of a body a client sent into world time. */
    JsonNode in(JsonNode n) {
        if (!identity() && n != null) {
            walk(n, false);
        }
        return n;
    }

    private void walk(JsonNode n, boolean out) {
        if (n instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (OPAQUE.contains(e.getKey())) {
                    continue;
                }
                if (v.isTextual() && TIME_FIELDS.contains(e.getKey())) {
                    String t = translate(v.asText(), out);
                    if (t != null) {
                        e.setValue(TextNode.valueOf(t));
                    }
                } else if (v.isContainerNode()) {
                    walk(v, out);
                }
            }
        } else if (n instanceof ArrayNode a) {
            for (JsonNode x : a) {
                walk(x, out);
            }
        }
    }

    private String translate(String s, boolean out) {
        Instant t;
        try {
            t = Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
        long ms = t.toEpochMilli();
        long mapped = out ? toClient(ms) : toWorld(ms);
        boolean micro = s.contains(".");
        if (micro) {
            return Json.microTime(mapped);
        }
        if (out) {
            // Round, so that a time a client wrote (whole seconds) reads back exactly as written.
            return Instant.ofEpochMilli(Math.round(mapped / 1000.0) * 1000).toString();
        }
        return Instant.ofEpochMilli(mapped).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** Seconds between a timestamp (client time) and the client's now, as kubectl's ages are computed. */
    static String age(String timestamp, long clientNow) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return humanDuration(clientNow - Instant.parse(timestamp).toEpochMilli());
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    /** apimachinery's duration.HumanDuration. */
    static String humanDuration(long ms) {
        long seconds = ms / 1000;
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
