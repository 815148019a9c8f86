package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeFaults;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.ApiServer;
import io.zonemover.sim.kube.store.EventRecorder;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

/**
 * What a controller may use during one run of the controller loop: the store, the API verbs, the event
 * recorder, the EC2 side, the faults in force and the world's time. Controllers write only through these,
 * as real ones write only through the API server.
 */
final class ControllerContext {

    private final KubeWorld world;
    private final long now;
    private final Ec2Side ec2;
    /** Some controller waits on the EC2 side (an attach or detach to complete, a volume to delete). */
    private boolean waitingOnEc2;

    ControllerContext(KubeWorld world, long now, Ec2Side ec2) {
        this.world = world;
        this.now = now;
        this.ec2 = ec2;
    }

    long now() {
        return now;
    }

    Ec2Side ec2() {
        return ec2;
    }

    ObjectStore store() {
        return world.store();
    }

    ApiServer api() {
        return world.api();
    }

    EventRecorder events() {
        return world.events();
    }

    KubeFaults faults() {
        return world.faults();
    }

    /** True once after the faults changed, so the kubelet re-checks readiness of every running pod. */
    boolean takeFaultsChanged() {
        return world.takeFaultsChanged();
    }

    /**
     * False while the node's EC2 instance is not running (its zone is down): its kubelet neither acts nor posts
     * status. A node without a known instance counts as up.
     */
    boolean kubeletUp(JsonNode node) {
        String id = io.zonemover.sim.kube.store.Facts.instanceId(node);
        String state = id == null || ec2 == null ? null : ec2.instanceState(id);
        return state == null || "running".equals(state);
    }

    /** Tells the loop that the world is not settled until the EC2 side has moved on. */
    void waitingOnEc2() {
        waitingOnEc2 = true;
    }

    boolean isWaitingOnEc2() {
        return waitingOnEc2;
    }

    void startPass() {
        waitingOnEc2 = false;
    }

    /** Records an event at the current time: what every controller does to say what it did. */
    void record(ResourceType involvedType, JsonNode involved, String type, String reason, String message,
                String component) {
        world.events().record(now, involvedType, involved, type, reason, message, component);
    }
}
