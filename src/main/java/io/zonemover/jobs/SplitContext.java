package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import io.zonemover.fleet.SplitPlanner;
import io.zonemover.jobs.MigrationContext.Key;

import java.util.List;

/**
 * The split job's checkpoint, over the job's {@link MigrationContext}: the original StatefulSet, and per pod
 * (in carry order, highest old ordinal first) where it goes and its claims, each with what the carry made.
 * Preflight writes the plan part; the names of the new set, pod and claims are derived from it, never stored.
 */
final class SplitContext {

    /** A fact about one pod of the original, stored as {@code pods.<index>.<name>}. */
    record PodKey(String name) {
        Key at(int pod) {
            return new Key("pods." + pod + "." + name);
        }
    }

    /** A fact about one claim of one pod, stored as {@code pods.<index>.claims.<index>.<name>}. */
    record ClaimKey(String name) {
        Key at(int pod, int claim) {
            return new Key("pods." + pod + ".claims." + claim + "." + name);
        }
    }

    static final Key POD_COUNT = new Key("podCount");
    static final Key ORIGINAL_MANIFEST = new Key("originalManifest");

    static final PodKey POD = new PodKey("pod");
    static final PodKey ORDINAL = new PodKey("ordinal");
    static final PodKey TO_ZONE = new PodKey("toZone");
    static final PodKey NEW_ORDINAL = new PodKey("newOrdinal");
    static final PodKey CLAIM_COUNT = new PodKey("claimCount");

    static final ClaimKey CLAIM = new ClaimKey("claim");
    static final ClaimKey TEMPLATE = new ClaimKey("template");
    static final ClaimKey OLD_PV = new ClaimKey("oldPv");
    static final ClaimKey OLD_VOLUME = new ClaimKey("oldVolumeId");
    static final ClaimKey ZONE = new ClaimKey("zone");

    final MigrationContext ctx;

    SplitContext(MigrationContext ctx) {
        this.ctx = ctx;
    }

    String jobId() {
        return ctx.jobId();
    }

    String namespace() {
        String ref = ctx.param(SplitJob.PARAM_STATEFUL_SET);
        return ref.substring(0, ref.indexOf('/'));
    }

    /** The original StatefulSet's name. */
    String statefulSet() {
        String ref = ctx.param(SplitJob.PARAM_STATEFUL_SET);
        return ref.substring(ref.indexOf('/') + 1);
    }

    /** The zones of the new StatefulSets. */
    List<String> zones() {
        return SplitMoves.parse(ctx.param(SplitJob.PARAM_MOVES)).stream().map(SplitMoves.Move::zone).distinct()
                .sorted().toList();
    }

    int podCount() {
        return (int) ctx.getLong(POD_COUNT, 0);
    }

    int claimCount(int pod) {
        return Integer.parseInt(get(CLAIM_COUNT, pod));
    }

    boolean has(Key key) {
        return ctx.has(key);
    }

    String get(Key key) {
        return ctx.get(key);
    }

    void put(Key key, Object value) {
        ctx.put(key, value);
    }

    boolean has(PodKey key, int pod) {
        return ctx.has(key.at(pod));
    }

    String get(PodKey key, int pod) {
        return ctx.get(key.at(pod));
    }

    void put(PodKey key, int pod, Object value) {
        ctx.put(key.at(pod), value);
    }

    boolean has(ClaimKey key, int pod, int claim) {
        return ctx.has(key.at(pod, claim));
    }

    String get(ClaimKey key, int pod, int claim) {
        return ctx.get(key.at(pod, claim));
    }

    long getLong(ClaimKey key, int pod, int claim, long fallback) {
        return ctx.getLong(key.at(pod, claim), fallback);
    }

    void put(ClaimKey key, int pod, int claim, Object value) {
        ctx.put(key.at(pod, claim), value);
    }

    void remove(ClaimKey key, int pod, int claim) {
        ctx.remove(key.at(pod, claim));
    }

    // ---- derived names ----

    String toZone(int pod) {
        return get(TO_ZONE, pod);
    }

    /** The StatefulSet the pod joins: NAME-<zone>. */
    String newSet(int pod) {
        return SplitPlanner.zoneSetName(statefulSet(), toZone(pod));
    }

    String oldPod(int pod) {
        return get(POD, pod);
    }

    String newPod(int pod) {
        return newSet(pod) + "-" + get(NEW_ORDINAL, pod);
    }

    ClaimRef oldClaim(int pod, int claim) {
        return new ClaimRef(namespace(), get(CLAIM, pod, claim));
    }

    /** The claim the new pod uses: TEMPLATE-NAME-<zone>-<new ordinal>. */
    ClaimRef newClaim(int pod, int claim) {
        return new ClaimRef(namespace(), get(TEMPLATE, pod, claim) + "-" + newPod(pod));
    }

    /** True when the claim's volume is in another zone than the pod's new one: it is copied, not re-bound. */
    boolean copied(int pod, int claim) {
        return !toZone(pod).equals(get(ZONE, pod, claim));
    }
}
