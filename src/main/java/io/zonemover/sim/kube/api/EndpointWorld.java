package io.zonemover.sim.kube.api;

import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.api.KubeEndpoint.Access;
import io.zonemover.sim.kube.api.KubeEndpoint.Backend;

import java.util.Map;

/**
 * The world as the endpoint's handlers reach it: reads, writes that the watch feed sees, {@code dryRun=All}
 * writes on a copy, and the clients' clock.
 *
 * <p>One instance per endpoint, shared by its handlers, because the watch feed and the clock anchor are state
 * that every verb must agree on: a write through any handler must reach every open watch, and every object
 * must be shown in the same client time.
 */
final class EndpointWorld {

    private final Backend backend;
    private final Watches watches;
    private volatile ClientClock clock;

    EndpointWorld(Backend backend) {
        this.backend = backend;
        this.watches = new Watches(backend);
    }

    Watches watches() {
        return watches;
    }

    /** A read of the world, advanced to now first. */
    <T> T read(Access<T> fn) {
        return backend.read(fn);
    }

    /** The mapping of world time to client time, anchored at the first request (see {@link ClientClock}). */
    ClientClock clock() {
        ClientClock c = clock;
        if (c == null) {
            synchronized (this) {
                if (clock == null) {
                    double scale = backend.timeScale();
                    clock = scale <= 0 ? ClientClock.IDENTITY : backend.read((kube, ec2, now) ->
                            new ClientClock(now, System.currentTimeMillis(), scale));
                }
                c = clock;
            }
        }
        return c;
    }

    /** A change to the world; the watch feed looks at the result before controllers move on. */
    <T> T write(ApiRequest r, Access<T> fn) {
        if (r.dryRun()) {
            // dryRun=All: the whole request, on a copy of the cluster that is then dropped; EC2 is only read.
            return backend.read((kube, ec2, now) -> fn.apply(KubeWorld.fromJson(kube.toJson()), dryRun(ec2), now));
        }
        return backend.write((kube, ec2, now) -> {
            T result = fn.apply(kube, ec2, now);
            watches.observe(kube);
            return result;
        });
    }

    /** The client's "now": the world's now in client time. */
    long clientNow(long worldNow) {
        return clock().toClient(worldNow);
    }

    /** EC2 as a dry run sees it: reads pass through, changes do nothing. */
    private static Ec2Side dryRun(Ec2Side real) {
        return new Ec2Side() {
            @Override
            public void registerInstance(String instanceId, String zone) {
            }

            @Override
            public String createVolume(String zone, int sizeGiB, String volumeType, Integer iops, Integer throughput,
                                       boolean encrypted, String kmsKeyId, Map<String, String> tags, long now,
                                       boolean available) {
                return "vol-00000000000000000";
            }

            @Override
            public io.zonemover.sim.ec2.Ec2World.VolumeView volume(String volumeId) {
                return real.volume(volumeId);
            }

            @Override
            public String attach(String volumeId, String instanceId, long now) {
                return null;
            }

            @Override
            public boolean isAttached(String volumeId, String instanceId) {
                return real.isAttached(volumeId, instanceId);
            }

            @Override
            public void detach(String volumeId, String instanceId, long now) {
            }

            @Override
            public boolean deleteVolume(String volumeId, long now) {
                return true;
            }

            @Override
            public void setWriting(String volumeId, boolean writing, long now) {
            }
        };
    }

}
