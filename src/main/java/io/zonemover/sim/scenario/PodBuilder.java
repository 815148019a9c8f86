package io.zonemover.sim.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.ResourceType;

/** A bare pod (no controller) as a scenario describes it: one container, its requests, optionally its node. */
public final class PodBuilder {

    private final WorldBuilder world;
    private final String ns;
    private final String name;
    private String app;
    private String image = "busybox:1.36";
    private String cpu = "100m";
    private String memory = "128Mi";
    private String node;

    PodBuilder(WorldBuilder world, String ns, String name) {
        this.world = world;
        this.ns = ns;
        this.name = name;
        this.app = name;
    }

    /** The app label, which also names the container (default: the pod's name). */
    public PodBuilder app(String app) {
        this.app = app;
        return this;
    }

    public PodBuilder container(String image, String cpu, String memory) {
        this.image = image;
        this.cpu = cpu;
        this.memory = memory;
        return this;
    }

    /** Pins the pod to a node through a nodeSelector on the node's hostname label. */
    public PodBuilder onNode(String nodeName) {
        this.node = nodeName;
        return this;
    }

    public ObjectNode create() {
        ObjectNode p = WorldBuilder.JSON.createObjectNode();
        p.put("apiVersion", "v1");
        p.put("kind", "Pod");
        p.putObject("metadata").put("name", name).putObject("labels").put("app", app);
        ObjectNode spec = p.putObject("spec");
        ObjectNode c = spec.putArray("containers").addObject();
        c.put("name", app);
        c.put("image", image);
        ObjectNode req = c.putObject("resources").putObject("requests");
        req.put("cpu", cpu);
        req.put("memory", memory);
        if (node != null) {
            spec.putObject("nodeSelector").put("kubernetes.io/hostname", node);
        }
        return world.create(ResourceType.PODS, ns, p);
    }
}
