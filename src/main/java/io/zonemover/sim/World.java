package io.zonemover.sim;

import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.KubeWorld;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole simulated world at one instant: the EC2 side, the Kubernetes side, and the world clock.
 *
 * <p>Time is discrete-event: {@link #advanceTo(long)} steps through every due event in order, so the
 * state at time T is the same whichever process computes it and however often it looked in between.
 * Both halves must keep that property: their behaviour depends only on their state and the clock.
 */
public final class World {

    /** Guards against a controller that keeps scheduling events at the current instant forever. */
    private static final int MAX_STEPS_PER_ADVANCE = 100_000;

    private final Ec2World ec2;
    private final KubeWorld kube;
    private long clockMillis;

    public World(Ec2World ec2, KubeWorld kube, long clockMillis) {
        this.ec2 = ec2;
        this.kube = kube;
        this.clockMillis = clockMillis;
    }

    public Ec2World ec2() {
        return ec2;
    }

    public KubeWorld kube() {
        return kube;
    }

    /** The world's time, in epoch milliseconds. */
    public long now() {
        return clockMillis;
    }

    /** Runs every event due up to {@code target} (world epoch millis), in time order. Never goes back. */
    public void advanceTo(long target) {
        for (int steps = 0; steps < MAX_STEPS_PER_ADVANCE; steps++) {
            long next = Math.min(ec2.nextEventAt(), kube.nextEventAt());
            if (next > target) {
                break;
            }
            clockMillis = Math.max(clockMillis, next);
            step();
        }
        clockMillis = Math.max(clockMillis, target);
        step();
    }

    /** Lets both halves react to a change made at the current instant (an API call), to a fixpoint. */
    public void settle() {
        step();
    }

    private void step() {
        ec2.advanceTo(clockMillis);
        kube.reconcile(clockMillis, ec2);
        ec2.advanceTo(clockMillis);
    }

    /**
     * Takes a zone down (an outage) or brings it back, now: the EC2 half stops or starts its instances and
     * impairs or restores its volumes; the cluster sees it through the kubelets of its nodes.
     */
    public void setZoneDown(String zone, boolean down) {
        ec2.setZoneDown(zone, down, clockMillis);
        kube.outsideChanged();
        settle();
    }

    /**
     * The ground truth that {@code sim show --json} prints (DESIGN.md fixes its shape), plus {@code history}
     * (where each pod ran, when) and {@code disruption} (per StatefulSet, its pods unavailable over time: the
     * shape is in {@code io.zonemover.sim.kube.Disruptions}).
     */
    public Map<String, Object> show() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> kubeView = kube.show(clockMillis, ec2);
        Map<String, Object> ec2View = ec2.show(clockMillis);
        for (String key : new String[] {"zones", "nodes", "pods", "pvcs", "pvs", "statefulsets"}) {
            out.put(key, kubeView.get(key));
        }
        out.put("volumes", ec2View.get("volumes"));
        out.put("snapshots", ec2View.get("snapshots"));
        out.put("events", kubeView.get("events"));
        kubeView.forEach(out::putIfAbsent);
        ec2View.forEach(out::putIfAbsent);
        out.put("time", java.time.Instant.ofEpochMilli(clockMillis).toString());
        out.put("disruption", kube.disruption());
        // The longest list last (a test of `sim show` holds it there).
        out.put("history", kube.history());
        return out;
    }
}
