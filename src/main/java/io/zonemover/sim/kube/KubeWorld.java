package io.zonemover.sim.kube;

import io.zonemover.sim.ec2.Ec2World;

import java.util.Map;

/**
 * The Kubernetes half of the simulated world: the object store and the controllers.
 * PLACEHOLDER: the Kubernetes simulation replaces this body; the public methods below are the contract.
 */
public final class KubeWorld {

    public static KubeWorld fromJson(String json) {
        throw new UnsupportedOperationException("not built yet");
    }

    public String toJson() {
        throw new UnsupportedOperationException("not built yet");
    }

    public long nextEventAt() {
        return Long.MAX_VALUE;
    }

    public void reconcile(long now, Ec2World ec2) {
    }

    public Map<String, Object> show(long now, Ec2World ec2) {
        throw new UnsupportedOperationException("not built yet");
    }
}
