package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.SplitContext.ClaimKey;
import io.zonemover.jobs.SplitContext.PodKey;

import java.time.Duration;
import java.util.Optional;

import static io.zonemover.jobs.SplitContext.OLD_PV;
import static io.zonemover.jobs.SplitContext.ORDINAL;

/**
 * Split step 4: carries the pods into their zone sets one at a time, highest old ordinal first. For each:
 * its PVs to Retain (before anything can delete one of its claims); the original scaled down by one, so its
 * controller stops that very pod and no other; once the pod is gone, each claim re-bound to the claim name the
 * new pod will use ({@link RebindInPlace}) or copied into the new zone ({@link CopyToZone}); only then the zone
 * set scaled up by one, so its controller finds the claims made and never provisions an empty volume; and the
 * new pod waited for until Ready in its zone. The pods of the original not yet carried keep serving.
 */
final class CarryStep extends MigrationStep {

    static final ClaimKey CLAIM_MANIFEST = new ClaimKey("claimManifest");
    static final ClaimKey PV_MANIFEST = new ClaimKey("pvManifest");
    static final ClaimKey OLD_POLICY = new ClaimKey("oldReclaimPolicy");
    /** Set once the new claim is Bound: the PV it is bound to (the old one re-bound, or the copy's). */
    static final ClaimKey CARRIED_PV = new ClaimKey("carriedPv");
    /** When the pod was seen gone (epoch millis): its downtime counts from here. */
    static final PodKey STOPPED = new PodKey("stoppedAt");
    static final PodKey SCALED = new PodKey("zoneSetScaled");
    static final PodKey READY_AT = new PodKey("readyAt");
    private static final PodKey WAIT_STARTED = new PodKey("readyWaitStartedAt");
    private static final PodKey WAIT_EXECUTION = new PodKey("readyWaitExecution");

    private final RebindInPlace rebind;
    private final CopyToZone copy;

    CarryStep(MigrationServices services) {
        super(services);
        this.rebind = new RebindInPlace(services, this);
        this.copy = new CopyToZone(services, this);
    }

    @Override
    String name() {
        return "carry";
    }

    @Override
    Next next(MigrationContext ctx) {
        SplitContext s = new SplitContext(ctx);
        for (int p = 0; p < s.podCount(); p++) {
            if (!s.has(READY_AT, p)) {
                return carry(s, p);
            }
        }
        return Next.DONE;
    }

    private Next carry(SplitContext s, int p) {
        if (!s.has(STOPPED, p)) {
            return protect(s, p).orElseGet(() -> stop(s, p));
        }
        for (int c = 0; c < s.claimCount(p); c++) {
            if (s.has(CARRIED_PV, p, c)) {
                continue;
            }
            Optional<Next> pending = s.copied(p, c) ? copy.next(s, p, c) : rebind.next(s, p, c);
            if (pending.isPresent()) {
                return pending.get();
            }
            String pv = s.copied(p, c) ? CopyToZone.newPvName(s, p, c) : s.get(OLD_PV, p, c);
            s.put(CARRIED_PV, p, c, pv);
            audit(s.ctx, "carried", "claim " + s.newClaim(p, c) + " Bound to " + pv
                    + (s.copied(p, c) ? " (a copy in " + s.toZone(p) + ")" : " (the same volume, re-bound)"));
            return Next.CHECKPOINT;
        }
        return start(s, p);
    }

    /** Saves the pod's claims and PVs as they are, then sets each PV to Retain. */
    private Optional<Next> protect(SplitContext s, int p) {
        Cluster cluster = services.cluster();
        boolean saved = false;
        for (int c = 0; c < s.claimCount(p); c++) {
            if (!s.has(CLAIM_MANIFEST, p, c)) {
                ClaimRef ref = s.oldClaim(p, c);
                Cluster.Claim claim = cluster.claim(ref).orElseThrow(() ->
                        ZonemoverException.failed("claim " + ref + " disappeared before it was carried", null));
                Cluster.Pv pv = pv(cluster, s.get(OLD_PV, p, c));
                s.put(PV_MANIFEST, p, c, pv.manifest());
                s.put(OLD_POLICY, p, c, pv.reclaimPolicy());
                s.put(CLAIM_MANIFEST, p, c, claim.manifest());
                saved = true;
            }
        }
        if (saved) {
            return Optional.of(Next.CHECKPOINT);
        }
        for (int c = 0; c < s.claimCount(p); c++) {
            Cluster.Pv pv = pv(cluster, s.get(OLD_PV, p, c));
            if (!"Retain".equals(pv.reclaimPolicy())) {
                cluster.setReclaimPolicy(pv.name(), "Retain");
                audit(s.ctx, "retained", "PV " + pv.name() + " reclaim policy " + pv.reclaimPolicy() + " -> Retain");
                return Optional.of(Next.CHECKPOINT);
            }
        }
        return Optional.empty();
    }

    /** Scales the original down to the pod's ordinal, so its controller stops it; done once it is gone. */
    private Next stop(SplitContext s, int p) {
        Cluster cluster = services.cluster();
        int ordinal = Integer.parseInt(s.get(ORDINAL, p));
        Optional<Cluster.StatefulSet> original = cluster.statefulSet(s.namespace(), s.statefulSet());
        if (original.isPresent() && !original.get().deleting() && original.get().replicas() > ordinal) {
            cluster.scaleStatefulSet(s.namespace(), s.statefulSet(), ordinal);
            audit(s.ctx, "scaled", "StatefulSet " + s.namespace() + "/" + s.statefulSet() + " scaled to " + ordinal
                    + ": its controller stops pod " + s.oldPod(p));
            return Next.WAIT;
        }
        Optional<Cluster.Pod> pod = cluster.pod(s.namespace(), s.oldPod(p));
        if (pod.isPresent()) {
            report("waiting for pod " + s.oldPod(p) + " to stop (" + MigrationPlanner.describe(pod.get()) + ")");
            return Next.WAIT;
        }
        s.put(STOPPED, p, System.currentTimeMillis());
        audit(s.ctx, "stopped", "pod " + s.oldPod(p) + " is gone; carrying its volumes into " + s.newPod(p));
        return Next.CHECKPOINT;
    }

    /** Grows the zone set to include the pod's new ordinal, then waits for that pod to be Ready in its zone. */
    private Next start(SplitContext s, int p) {
        Cluster cluster = services.cluster();
        String set = s.newSet(p);
        int replicas = Integer.parseInt(s.get(SplitContext.NEW_ORDINAL, p)) + 1;
        if (!s.has(SCALED, p)) {
            Cluster.StatefulSet sts = cluster.statefulSet(s.namespace(), set).orElseThrow(() ->
                    ZonemoverException.failed("StatefulSet " + s.namespace() + "/" + set + " is gone", null));
            if (sts.replicas() < replicas) {
                cluster.scaleStatefulSet(s.namespace(), set, replicas);
                audit(s.ctx, "scaled", "StatefulSet " + s.namespace() + "/" + set + " scaled to " + replicas
                        + ": its controller starts " + s.newPod(p) + " on the carried claims");
            }
            s.put(SCALED, p, "true");
            return Next.CHECKPOINT;
        }
        // The ready timeout counts from when this run began waiting, as the move's restart does.
        if (!String.valueOf(s.ctx.executionId()).equals(s.get(WAIT_EXECUTION, p))) {
            s.put(WAIT_STARTED, p, System.currentTimeMillis());
            s.put(WAIT_EXECUTION, p, s.ctx.executionId());
            return Next.CHECKPOINT;
        }
        Optional<Cluster.Pod> pod = cluster.pod(s.namespace(), s.newPod(p));
        if (pod.isPresent() && pod.get().ready()) {
            if (!s.toZone(p).equals(pod.get().zone())) {
                throw ZonemoverException.failed("pod " + s.newPod(p) + " is Ready in " + pod.get().zone() + ", not in "
                        + s.toZone(p), null);
            }
            s.put(READY_AT, p, System.currentTimeMillis());
            audit(s.ctx, "ready", "pod " + s.newPod(p) + " is Ready on " + pod.get().nodeName() + " in " + s.toZone(p)
                    + " (was " + s.oldPod(p) + ", down " + (System.currentTimeMillis()
                    - Long.parseLong(s.get(STOPPED, p))) / 1000 + " s)");
            return Next.CHECKPOINT;
        }
        Duration timeout = Duration.ofSeconds(Long.parseLong(s.ctx.param(MigrationJob.PARAM_READY_TIMEOUT)));
        String state = pod.map(MigrationPlanner::describe).orElse("not created yet");
        if (System.currentTimeMillis() - Long.parseLong(s.get(WAIT_STARTED, p)) > timeout.toMillis()) {
            throw new StepFailure("pod " + s.newPod(p) + " was not Ready in " + s.toZone(p) + " within "
                    + timeout.toSeconds() + " s (" + state + "); its volumes are carried and kept. Fix it, then "
                    + "`zonemover jobs resume " + s.jobId() + "`", null);
        }
        report("pod " + s.newPod(p) + ": " + state);
        return Next.WAIT;
    }

    private static Cluster.Pv pv(Cluster cluster, String name) {
        return cluster.pv(name).orElseThrow(() -> ZonemoverException.failed("PV " + name + " disappeared", null));
    }
}
