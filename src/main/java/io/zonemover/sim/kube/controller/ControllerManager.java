package io.zonemover.sim.kube.controller;

import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.ObjectStore;

import java.util.List;

/**
 * Runs the controllers (kube-controller-manager, the scheduler and the kubelets in one) in a fixed order,
 * pass after pass, until a pass changes nothing. The order is the registration order in {@link #standard};
 * adding a controller is one class and one line there.
 */
public final class ControllerManager {

    /** A controller loop that never settles is a bug; stop rather than spin. */
    private static final int MAX_PASSES = 50;

    private final List<Controller> controllers;
    /** State seen at the end of the last run; when nothing moved since, a run is a no-op. */
    private long lastRv = -1;
    private long lastGen = -1;
    private boolean waitingOnEc2;

    private ControllerManager(List<Controller> controllers) {
        this.controllers = List.copyOf(controllers);
    }

    /** Every controller the simulated cluster has, in the order they run. */
    public static ControllerManager standard() {
        return of(
                // First, so that the scheduler never sees a cordon without its taint or an uncordon with it.
                new NodeLifecycleController(),
                new TaintEvictionController(),
                new PodGarbageCollector(),
                new GarbageCollector(),
                new StatefulSetController(),
                new PvcProtectionController(),
                new PvProtectionController(),
                new PersistentVolumeBinder(),
                new Scheduler(),
                new AttachDetachController(),
                new Kubelet(),
                new StatefulSetStatusController(),
                new DisruptionController());
    }

    /** Only the given controllers, in the given order: for tests that look at one or two alone. */
    public static ControllerManager of(Controller... controllers) {
        return new ControllerManager(List.of(controllers));
    }

    public void reconcile(KubeWorld world, long now, Ec2Side ec2) {
        ObjectStore store = world.store();
        if (lastRv == store.resourceVersion() && lastGen == store.clusterGen() && !waitingOnEc2
                && now < store.nextEventAt()) {
            return;
        }
        ControllerContext ctx = new ControllerContext(world, now, ec2);
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            ctx.startPass();
            long before = store.resourceVersion();
            int timersBefore = store.timersFingerprint();
            for (Controller c : controllers) {
                c.reconcile(ctx);
            }
            if (store.resourceVersion() == before && store.timersFingerprint() == timersBefore) {
                break;
            }
        }
        waitingOnEc2 = ctx.isWaitingOnEc2();
        lastRv = store.resourceVersion();
        lastGen = store.clusterGen();
    }
}
