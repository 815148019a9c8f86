package io.zonemover.testing;

import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Both fakes over one world, built fluently:
 * <pre>
 * FakeWorld world = FakeWorld.zones("us-east-1b", "us-east-1c", "us-east-1d")
 *         .statefulSet("default", "web").pods(2).claims("www", "data").zone(i -> "us-east-1b").add();
 * </pre>
 * {@link #settle()} is one step of time: EC2 moves on by one tick and the cluster's controllers run until
 * nothing changes.
 */
public final class FakeWorld {

    private final FakeBlockStore ec2;
    private final FakeCluster cluster;
    private final List<String> zones;

    private FakeWorld(String... zones) {
        this.zones = List.of(zones);
        this.ec2 = new FakeBlockStore(zones);
        this.cluster = new FakeCluster(ec2);
    }

    /** A world with these zones and one roomy, Ready node in each (named after its zone's last letter). */
    public static FakeWorld zones(String... zones) {
        FakeWorld world = new FakeWorld(zones);
        for (String zone : zones) {
            world.cluster.addNode(node("node-" + zone.charAt(zone.length() - 1), zone, 4000, 500));
        }
        return world;
    }

    /** A world with these zones and no nodes: add them with {@code cluster().addNode(node(...))}. */
    public static FakeWorld withoutNodes(String... zones) {
        return new FakeWorld(zones);
    }

    public static Placement.Node node(String name, String zone, long allocatableMilli, long requestedMilli) {
        return new Placement.Node(name, zone, true, true, List.of(), Map.of("topology.kubernetes.io/zone", zone),
                allocatableMilli, 8L << 30, requestedMilli, 1L << 30);
    }

    public FakeCluster cluster() {
        return cluster;
    }

    public FakeBlockStore ec2() {
        return ec2;
    }

    /** One step of time. */
    public void settle() {
        ec2.tick();
        cluster.settle();
    }

    /** The whole world, for comparing end states. */
    public String fingerprint() {
        return cluster.fingerprint() + ec2.fingerprint();
    }

    public StatefulSetBuilder statefulSet(String namespace, String name) {
        return new StatefulSetBuilder(namespace, name);
    }

    /** A StatefulSet with N pods, each with K claims from templates, each claim Bound to an EBS volume. */
    public final class StatefulSetBuilder {
        private final String namespace;
        private final String name;
        private int pods = 1;
        private List<String> templates = List.of("www");
        private IntFunction<String> zone = i -> zones.get(0);
        private String reclaimPolicy = "Delete";
        private int sizeGiB = 20;
        private String type = "gp3";
        private boolean running = true;

        private StatefulSetBuilder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        public StatefulSetBuilder pods(int n) {
            this.pods = n;
            return this;
        }

        /** The volumeClaimTemplates: every pod gets one claim of each. */
        public StatefulSetBuilder claims(String... templates) {
            this.templates = List.of(templates);
            return this;
        }

        /** Where pod {@code ordinal}'s volumes are (and so the pod). */
        public StatefulSetBuilder zone(IntFunction<String> zone) {
            this.zone = zone;
            return this;
        }

        public StatefulSetBuilder reclaimPolicy(String policy) {
            this.reclaimPolicy = policy;
            return this;
        }

        public StatefulSetBuilder volumes(int sizeGiB, String type) {
            this.sizeGiB = sizeGiB;
            this.type = type;
            return this;
        }

        /** Pods not created: the StatefulSet's controller makes them at the next settle. */
        public StatefulSetBuilder notRunning() {
            this.running = false;
            return this;
        }

        public FakeWorld add() {
            FakeCluster.StsObj sts = cluster.addStatefulSet(namespace, name);
            sts.replicas = pods;
            sts.templates = templates;
            sts.updateRevision = sts.revision();
            sts.observedGeneration = sts.generation;
            for (int ordinal = 0; ordinal < pods; ordinal++) {
                String z = zone.apply(ordinal);
                List<String> claimNames = new ArrayList<>();
                for (String template : templates) {
                    String claimName = template + "-" + name + "-" + ordinal;
                    claimNames.add(claimName);
                    FakeBlockStore.Volume volume = ec2.addVolume(z, sizeGiB, type, Map.of("team", "storage",
                            "kubernetes.io/created-for/pvc/name", claimName));
                    String pvName = "pvc-" + claimName;
                    FakeCluster.PvObj pv = cluster.addPv(pvName);
                    pv.volumeId = volume.id;
                    pv.zone = z;
                    pv.reclaimPolicy = reclaimPolicy;
                    pv.capacity = sizeGiB + "Gi";
                    FakeCluster.ClaimObj claim = cluster.addClaim(namespace, claimName);
                    claim.volumeName = pvName;
                    claim.phase = "Bound";
                    claim.storage = sizeGiB + "Gi";
                    pv.claimNamespace = namespace;
                    pv.claimName = claimName;
                    pv.claimUid = claim.uid;
                    pv.phase = "Bound";
                }
                if (running) {
                    String podName = name + "-" + ordinal;
                    FakeCluster.PodObj pod = cluster.addPod(namespace, podName);
                    pod.owner = name;
                    pod.revision = sts.updateRevision;
                    pod.claims = List.copyOf(claimNames);
                    String node = cluster.nodes().stream().filter(n -> n.zone().equals(z)).findFirst()
                            .map(Placement.Node::name).orElse(null);
                    pod.nodeName = node;
                    pod.zone = z;
                    for (String claimName : claimNames) {
                        FakeCluster.PvObj pv = cluster.pvState("pvc-" + claimName);
                        cluster.attach(pv.name);
                        ec2.attach(pv.volumeId, "i-" + node);
                    }
                }
            }
            return FakeWorld.this;
        }
    }
}
