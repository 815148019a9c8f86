package io.zonemover.sim.scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.World;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.ResourceType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds a world through the API's create paths, settling after each change as the endpoint does, so the
 * controllers place, bind, attach and start everything as they would for a client; the fluent builders it
 * hands out ({@link #statefulSet}, {@link #pod}) write the manifests.
 */
public final class WorldBuilder {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String REGION = "us-east-1";

    /** The shape of a PV an earlier provisioner left, which decides the zone key its nodeAffinity uses. */
    public enum PvShape {
        /** EBS CSI driver from v1.33.0: {@code topology.kubernetes.io/zone}. */
        CSI_GA,
        /** Older EBS CSI driver: {@code topology.ebs.csi.aws.com/zone}. */
        CSI_EBS_KEY,
        /** In-tree {@code awsElasticBlockStore}, zone in the beta failure-domain label. */
        IN_TREE
    }

    /** An EC2 instance type as a node reports it: capacity, allocatable (after kube/system reserved), pods. */
    public record NodeType(String instanceType, String cpu, String allocatableCpu, String memory,
                           String allocatableMemory, int maxPods) {
        public static final NodeType M5_LARGE = new NodeType("m5.large", "2", "1930m", "8Gi", "7284Mi", 29);
        public static final NodeType M5_XLARGE = new NodeType("m5.xlarge", "4", "3920m", "16Gi", "14884Mi", 58);
    }

    private final World world;
    private final KubeWorld kube;
    private final Ec2Side ec2;
    /** StorageClass name -> the EBS volume type its {@code type} parameter asks for. */
    private final Map<String, String> volumeTypes = new TreeMap<>();

    private WorldBuilder(long now) {
        Ec2World e = Ec2World.empty(REGION);
        kube = KubeWorld.empty(now);
        world = new World(e, kube, now);
        ec2 = Ec2Side.of(e);
    }

    /** An empty cluster and region at {@code now}; option {@code k8sVersion} picks the scheduler's wording. */
    public static WorldBuilder start(Map<String, String> options, long now) {
        WorldBuilder b = new WorldBuilder(now);
        if (options.containsKey("k8sVersion")) {
            b.kube.setKubernetesVersion(options.get("k8sVersion"));
        }
        return b;
    }

    /** The world built so far. */
    public World world() {
        return world;
    }

    KubeWorld kube() {
        return kube;
    }

    long now() {
        return world.now();
    }

    /** Creates an object as a client would, then lets the controllers react. */
    public ObjectNode create(ResourceType type, String ns, ObjectNode body) {
        ObjectNode o = kube.create(type, ns, body, world.now(), ec2);
        world.settle();
        return o;
    }

    /** Creates an object without letting the controllers react yet (for worlds too large to settle each time). */
    ObjectNode createQuietly(ResourceType type, String ns, ObjectNode body) {
        return kube.create(type, ns, body, world.now(), ec2);
    }

    /** Lets world time pass: the controllers do what they would in that time. */
    public WorldBuilder advance(long ms) {
        world.advanceTo(world.now() + ms);
        return this;
    }

    public WorldBuilder settle() {
        world.settle();
        return this;
    }

    // ------------------------------------------------------------------ storage classes

    /** The EKS default of old: in-tree gp2 with Immediate binding, whose volumes are placed before any pod. */
    public WorldBuilder inTreeImmediate(String name, boolean isDefault) {
        return storageClass(name, "kubernetes.io/aws-ebs", "Immediate", isDefault,
                Map.of("type", "gp2", "fsType", "ext4"));
    }

    /** The EBS CSI driver's gp3 with WaitForFirstConsumer, made the default class. */
    public WorldBuilder csiWaitForFirstConsumer(String name) {
        return storageClass(name, "ebs.csi.aws.com", "WaitForFirstConsumer", true,
                Map.of("type", "gp3", "csi.storage.k8s.io/fstype", "ext4"));
    }

    public WorldBuilder storageClass(String name, String provisioner, String mode, boolean isDefault,
                                     Map<String, String> params) {
        ObjectNode sc = JSON.createObjectNode();
        sc.put("apiVersion", "storage.k8s.io/v1");
        sc.put("kind", "StorageClass");
        ObjectNode m = sc.putObject("metadata");
        m.put("name", name);
        if (isDefault) {
            m.putObject("annotations").put("storageclass.kubernetes.io/is-default-class", "true");
        }
        sc.put("provisioner", provisioner);
        ObjectNode p = sc.putObject("parameters");
        new TreeMap<>(params).forEach(p::put);
        sc.put("reclaimPolicy", "Delete");
        sc.put("volumeBindingMode", mode);
        sc.put("allowVolumeExpansion", true);
        create(ResourceType.STORAGECLASSES, null, sc);
        volumeTypes.put(name, params.getOrDefault("type", "gp2"));
        return this;
    }

    /** The EBS volume type a StorageClass made this builder created provisions (EC2's default gp2 otherwise). */
    String volumeTypeOf(String storageClass) {
        return volumeTypes.getOrDefault(storageClass, "gp2");
    }

    // ------------------------------------------------------------------ nodes

    /** Nodes of one type in one zone, labelled as EKS managed node groups label them. */
    public WorldBuilder nodes(NodeType type, String zone, String... names) {
        for (String name : names) {
            node(name, zone, type);
        }
        return this;
    }

    private void node(String name, String zone, NodeType type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("apiVersion", "v1");
        n.put("kind", "Node");
        ObjectNode m = n.putObject("metadata");
        m.put("name", name);
        ObjectNode l = m.putObject("labels");
        l.put("kubernetes.io/arch", "amd64");
        l.put("node.kubernetes.io/instance-type", type.instanceType());
        l.put("beta.kubernetes.io/instance-type", type.instanceType());
        l.put("eks.amazonaws.com/nodegroup", "workers-" + zone.substring(zone.length() - 1));
        l.put("topology.kubernetes.io/zone", zone);
        l.put("topology.ebs.csi.aws.com/zone", zone);
        l.put("failure-domain.beta.kubernetes.io/zone", zone);
        l.put("topology.k8s.aws/zone-id", "use1-az" + (zone.charAt(zone.length() - 1) - 'a' + 1));
        ObjectNode st = n.putObject("status");
        String pods = Integer.toString(type.maxPods());
        st.putObject("capacity").put("cpu", type.cpu()).put("memory", type.memory()).put("pods", pods);
        st.putObject("allocatable").put("cpu", type.allocatableCpu()).put("memory", type.allocatableMemory())
                .put("pods", pods);
        create(ResourceType.NODES, null, n);
    }

    /** {@code kubectl cordon}: unschedulable, with the taint the node controller adds. */
    public WorldBuilder cordon(String nodeName) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode spec = patch.putObject("spec");
        spec.put("unschedulable", true);
        ObjectNode t = spec.putArray("taints").addObject();
        t.put("key", "node.kubernetes.io/unschedulable");
        t.put("effect", "NoSchedule");
        t.put("timeAdded", Instant.ofEpochMilli(world.now()).truncatedTo(ChronoUnit.SECONDS).toString());
        kube.patch(ResourceType.NODES, null, nodeName, "application/merge-patch+json", patch, false, world.now(),
                ec2);
        world.settle();
        return this;
    }

    // ------------------------------------------------------------------ workloads

    /** A StatefulSet to describe; {@link StatefulSetBuilder#create()} provisions its volumes and creates it. */
    public StatefulSetBuilder statefulSet(String ns, String name) {
        return new StatefulSetBuilder(this, ns, name);
    }

    /** A bare pod to describe; {@link PodBuilder#create()} creates it. */
    public PodBuilder pod(String ns, String name) {
        return new PodBuilder(this, ns, name);
    }

    /** A PodDisruptionBudget keeping {@code minAvailable} pods labelled app={@code app}. */
    public WorldBuilder pdb(String ns, String name, String app, int minAvailable) {
        return pdb(ns, name, app, Integer.toString(minAvailable), null);
    }

    /**
     * A PodDisruptionBudget for pods labelled app={@code app}, with exactly one of {@code minAvailable} and
     * {@code maxUnavailable}: an integer ("2") or a percentage ("34%"), written as an IntOrString is (a JSON
     * number or a string), so the budget reads back as {@code kubectl create pdb} would have made it.
     */
    public WorldBuilder pdb(String ns, String name, String app, String minAvailable, String maxUnavailable) {
        if ((minAvailable == null) == (maxUnavailable == null)) {
            throw new IllegalArgumentException("a PodDisruptionBudget has one of minAvailable, maxUnavailable");
        }
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "policy/v1");
        p.put("kind", "PodDisruptionBudget");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        String field = minAvailable != null ? "minAvailable" : "maxUnavailable";
        String value = minAvailable != null ? minAvailable : maxUnavailable;
        if (value.matches("\\d+")) {
            spec.put(field, Integer.parseInt(value));
        } else {
            spec.put(field, value);
        }
        spec.putObject("selector").putObject("matchLabels").put("app", app);
        create(ResourceType.PDBS, ns, p);
        return this;
    }

    /** The node a pod was scheduled to, or the empty string. */
    public String nodeOf(String ns, String pod) {
        return kube.find(ResourceType.PODS, ns, pod).path("spec").path("nodeName").asText();
    }

    /** Deletes a pod, as an eviction or {@code kubectl delete pod} would. */
    public WorldBuilder deletePod(String ns, String name) {
        kube.delete(ResourceType.PODS, ns, name, KubeWorld.DeleteOptions.DEFAULT, world.now(), ec2);
        world.settle();
        return this;
    }

    // ------------------------------------------------------------------ volumes

    /**
     * A PV (and its EBS volume) that an earlier provisioner made for a claim, reserved for it by a claimRef
     * without uid so that the claim binds to it when created. Returns the PV name.
     */
    public String staticPv(String ns, String claimName, String storageClass, int sizeGiB, String zone,
                           PvShape shape, String volumeType) {
        String pvName = "pvc-" + kubeUid();
        Map<String, String> tags = new TreeMap<>();
        // The tags the in-tree cloud provider and the EBS CSI driver put on volumes (REFERENCE.md B.7).
        if (shape == PvShape.IN_TREE) {
            tags.put("Name", "kubernetes-dynamic-" + pvName);
            tags.put("KubernetesCluster", "prod");
        } else {
            tags.put("CSIVolumeName", pvName);
            tags.put("ebs.csi.aws.com/cluster", "true");
        }
        tags.put("kubernetes.io/created-for/pvc/name", claimName);
        tags.put("kubernetes.io/created-for/pvc/namespace", ns);
        tags.put("kubernetes.io/created-for/pv/name", pvName);
        String vol = ec2.createVolume(zone, sizeGiB, volumeType, null, null, false, null, tags, world.now(), true);
        ObjectNode pv = JSON.createObjectNode();
        pv.put("apiVersion", "v1");
        pv.put("kind", "PersistentVolume");
        ObjectNode m = pv.putObject("metadata");
        m.put("name", pvName);
        ObjectNode ann = m.putObject("annotations");
        ObjectNode spec = pv.putObject("spec");
        spec.putArray("accessModes").add("ReadWriteOnce");
        spec.putObject("capacity").put("storage", sizeGiB + "Gi");
        spec.put("persistentVolumeReclaimPolicy", "Delete");
        spec.put("storageClassName", storageClass);
        spec.put("volumeMode", "Filesystem");
        ObjectNode ref = spec.putObject("claimRef");
        ref.put("kind", "PersistentVolumeClaim");
        ref.put("apiVersion", "v1");
        ref.put("namespace", ns);
        ref.put("name", claimName);
        String key;
        if (shape == PvShape.IN_TREE) {
            ann.put("pv.kubernetes.io/provisioned-by", "kubernetes.io/aws-ebs");
            ann.put("pv.kubernetes.io/migrated-to", "ebs.csi.aws.com");
            ObjectNode labels = m.putObject("labels");
            labels.put("failure-domain.beta.kubernetes.io/zone", zone);
            labels.put("failure-domain.beta.kubernetes.io/region", REGION);
            spec.putObject("awsElasticBlockStore").put("volumeID", "aws://" + zone + "/" + vol)
                    .put("fsType", "ext4");
            key = "failure-domain.beta.kubernetes.io/zone";
        } else {
            ann.put("pv.kubernetes.io/provisioned-by", "ebs.csi.aws.com");
            ann.put("volume.kubernetes.io/provisioner-deletion-secret-name", "");
            ann.put("volume.kubernetes.io/provisioner-deletion-secret-namespace", "");
            m.putArray("finalizers").add("external-provisioner.volume.kubernetes.io/finalizer");
            ObjectNode csi = spec.putObject("csi");
            csi.put("driver", "ebs.csi.aws.com");
            csi.put("volumeHandle", vol);
            csi.put("fsType", "ext4");
            csi.putObject("volumeAttributes").put("storage.kubernetes.io/csiProvisionerIdentity",
                    "1700000000000-8081-ebs.csi.aws.com");
            key = shape == PvShape.CSI_GA ? "topology.kubernetes.io/zone" : "topology.ebs.csi.aws.com/zone";
        }
        ObjectNode expr = spec.putObject("nodeAffinity").putObject("required").putArray("nodeSelectorTerms")
                .addObject().putArray("matchExpressions").addObject();
        expr.put("key", key);
        expr.put("operator", "In");
        expr.putArray("values").add(zone);
        kube.create(ResourceType.PVS, null, pv, world.now(), ec2);
        return pvName;
    }

    /** A claim pre-bound to {@code pvName} (as the PV binder would leave it), created without settling. */
    void boundClaim(String ns, String name, String storageClass, String size, String pvName, String app) {
        ObjectNode c = JSON.createObjectNode();
        c.put("apiVersion", "v1");
        c.put("kind", "PersistentVolumeClaim");
        c.putObject("metadata").put("name", name);
        ObjectNode spec = c.putObject("spec");
        spec.putArray("accessModes").add("ReadWriteOnce");
        spec.put("storageClassName", storageClass);
        spec.putObject("resources").putObject("requests").put("storage", size);
        spec.put("volumeName", pvName);
        c.with("metadata").putObject("labels").put("app", app);
        createQuietly(ResourceType.PVCS, ns, c);
    }

    private String kubeUid() {
        // A deterministic uid-shaped name, as dynamically provisioned PVs have.
        return UUID.nameUUIDFromBytes(("pv-" + kube.resourceVersion() + "-" + world.now())
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
