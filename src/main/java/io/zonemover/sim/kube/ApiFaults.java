package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.ObjectStore;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Faults in the Kubernetes API itself, as a flaky or overloaded control plane shows them: a share of calls
 * answered 429, 500 or 503, a share of writes answered 409 Conflict, and a window in which the server
 * accepts connections and closes them unanswered. Immutable; persisted with the world.
 *
 * <p>Which call fails is decided by a hash of the call's number and {@link #seed}, never by a random
 * source, so a test that makes the same calls against the same world sees the same failures.
 *
 * @param errorRate            fraction (0..1) of API calls answered with one of {@code errorCodes}
 * @param errorCodes           the codes to answer with, among 429, 500 and 503
 * @param conflictRate         fraction (0..1) of writes (POST, PUT, PATCH, DELETE) answered 409 Conflict
 * @param unreachableUntilWall wall-clock epoch millis until which the server answers nothing (0: never)
 * @param unreachableUntil     world-clock epoch millis until which the server answers nothing (0: never)
 * @param seed                 picks which calls fail
 */
public record ApiFaults(double errorRate, List<Integer> errorCodes, double conflictRate, long unreachableUntilWall,
                        long unreachableUntil, long seed) {

    public static final Set<Integer> ERROR_CODES = Set.of(429, 500, 503);
    public static final ApiFaults NONE = new ApiFaults(0, List.of(429, 500, 503), 0, 0, 0, 1);

    public ApiFaults {
        if (!(errorRate >= 0 && errorRate <= 1) || !(conflictRate >= 0 && conflictRate <= 1)) {
            throw new IllegalArgumentException("API fault rates must be between 0 and 1");
        }
        errorCodes = List.copyOf(new TreeSet<>(errorCodes));
        if (errorCodes.isEmpty() || !ERROR_CODES.containsAll(errorCodes)) {
            throw new IllegalArgumentException("API error codes must be among 429, 500 and 503, got " + errorCodes);
        }
    }

    public ApiFaults withErrors(double rate, List<Integer> codes) {
        return new ApiFaults(rate, codes, conflictRate, unreachableUntilWall, unreachableUntil, seed);
    }

    public ApiFaults withConflicts(double rate) {
        return new ApiFaults(errorRate, errorCodes, rate, unreachableUntilWall, unreachableUntil, seed);
    }

    public ApiFaults unreachableUntilWall(long wallMillis) {
        return new ApiFaults(errorRate, errorCodes, conflictRate, wallMillis, unreachableUntil, seed);
    }

    public ApiFaults unreachableUntil(long worldMillis) {
        return new ApiFaults(errorRate, errorCodes, conflictRate, unreachableUntilWall, worldMillis, seed);
    }

    /** Whether any call can be affected at all: when not, the fault filter costs nothing. */
    public boolean any() {
        return errorRate > 0 || conflictRate > 0 || unreachableUntilWall > 0 || unreachableUntil > 0;
    }

    public boolean countsCalls() {
        return errorRate > 0 || conflictRate > 0;
    }

    public boolean unreachable(long worldNow, long wallNow) {
        return worldNow < unreachableUntil || wallNow < unreachableUntilWall;
    }

    /** The code to answer call number {@code call} with: one of the error codes, 409, or 0 to serve it. */
    int decide(long call, boolean write) {
        if (uniform(call, 1) < errorRate) {
            return errorCodes.get((int) (uniform(call, 2) * errorCodes.size()));
        }
        if (write && uniform(call, 3) < conflictRate) {
            return 409;
        }
        return 0;
    }

    /** A number in [0, 1) that depends only on the seed, the call and which question is asked. */
    private double uniform(long call, int question) {
        long h = ObjectStore.mix(seed ^ ObjectStore.mix(call * 4 + question));
        return (h >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (errorRate > 0) {
            sb.append("errors ").append(errorRate).append(' ').append(errorCodes).append("; ");
        }
        if (conflictRate > 0) {
            sb.append("conflicts ").append(conflictRate).append("; ");
        }
        if (unreachableUntilWall > 0) {
            sb.append("unreachable until ").append(java.time.Instant.ofEpochMilli(unreachableUntilWall)).append("; ");
        }
        if (unreachableUntil > 0) {
            sb.append("unreachable until world time ").append(java.time.Instant.ofEpochMilli(unreachableUntil))
                    .append("; ");
        }
        return sb.isEmpty() ? "none" : sb.substring(0, sb.length() - 2);
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("errorRate", errorRate);
        errorCodes.forEach(n.putArray("errorCodes")::add);
        n.put("conflictRate", conflictRate);
        n.put("unreachableUntilWall", unreachableUntilWall);
        n.put("unreachableUntil", unreachableUntil);
        n.put("seed", seed);
        return n;
    }

    static ApiFaults fromJson(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return NONE;
        }
        List<Integer> codes = new java.util.ArrayList<>();
        n.path("errorCodes").forEach(c -> codes.add(c.asInt()));
        return new ApiFaults(n.path("errorRate").asDouble(0), codes.isEmpty() ? NONE.errorCodes() : codes,
                n.path("conflictRate").asDouble(0), n.path("unreachableUntilWall").asLong(0),
                n.path("unreachableUntil").asLong(0), n.path("seed").asLong(1));
    }
}
