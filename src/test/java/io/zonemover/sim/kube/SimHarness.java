package io.zonemover.sim.kube;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.util.ClientBuilder;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.ec2.Ec2World;

import java.nio.file.Path;

/** A real world in a directory, served on loopback, with client-java pointed at it. The clock moves only when told. */
final class SimHarness implements AutoCloseable {

    static final long T0 = 1_750_000_000_000L;

    final WorldStore store;
    final SimServers servers;
    final ApiClient client;
    final CoreV1Api core;
    final AppsV1Api apps;
    final StorageV1Api storage;
    final PolicyV1Api policy;

    private SimHarness(WorldStore store) {
        this.store = store;
        this.servers = SimServers.start(store, 0, 0);
        this.client = new ClientBuilder().setBasePath(servers.kubeUri().toString()).build();
        this.client.setReadTimeout(20_000);
        this.core = new CoreV1Api(client);
        this.apps = new AppsV1Api(client);
        this.storage = new StorageV1Api(client);
        this.policy = new PolicyV1Api(client);
    }

    static SimHarness empty(Path dir) {
        World world = new World(Ec2World.empty("us-east-1"), KubeWorld.empty(T0), T0);
        return of(dir, world);
    }

    /** Time scale 0: the world's clock stands still unless {@link #advance} moves it. */
    static SimHarness of(Path dir, World world) {
        return new SimHarness(WorldStore.create(dir, world, 0.0, "test"));
    }

    void advance(long ms) {
        store.write(w -> {
            w.advanceTo(w.now() + ms);
            return null;
        });
    }

    <T> T world(java.util.function.Function<World, T> fn) {
        return store.read(fn);
    }

    @Override
    public void close() {
        servers.close();
    }
}
