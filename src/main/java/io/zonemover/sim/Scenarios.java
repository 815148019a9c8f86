package io.zonemover.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeFaults;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The worlds a simulation can start from. Each is built through the same create paths the API uses, so
 * the controllers place, bind, attach and start everything; then the world is advanced until it is steady
 * (pods Running and writing). Only {@code large} builds its objects directly (pre-scheduled pods and
 * pre-bound claims) so that it takes seconds, and still lets the controllers attach and start them.
 *
 * <p>Layouts:
 * <ul>
 *   <li>{@code stuck-pod}: nodes ip-10-0-11-21/ip-10-0-11-84 (us-east-1b), ip-10-0-12-37/ip-10-0-12-152
 *   (us-east-1c), ip-10-0-13-60/ip-10-0-13-199 (us-east-1d), all .ec2.internal, 2 vCPU each (1930m
 *   allocatable). StorageClass gp2 (kubernetes.io/aws-ebs, Immediate, Delete, default). StatefulSet
 *   default/web, 4 replicas (500m / 512Mi each), claims www-web-N of 20Gi whose volumes were provisioned
 *   in 1b, 1c, 1d and 1b. web-3's node ip-10-0-11-84 was cordoned and drained, and a 1200m batch pod
 *   (batch/nightly-report) fills ip-10-0-11-21 next to web-0, so web-3 is Pending: its volume (in-tree
 *   awsElasticBlockStore PV, aws://us-east-1b/vol-...) is in 1b where no node has room; 1c and 1d have
 *   room. Other PVs are CSI, with nodeAffinity on topology.kubernetes.io/zone (web-0, web-2) and
 *   topology.ebs.csi.aws.com/zone (web-1). Option k8sVersion (default 1.32) selects the scheduler's
 *   wording.</li>
 *   <li>{@code unbalanced}: 8 nodes (4 in us-east-1b, 2 in 1c, 2 in 1d); StorageClass gp3 (ebs.csi.aws.com,
 *   WaitForFirstConsumer, default); StatefulSets shop/orders, shop/catalog, shop/sessions of 3 replicas
 *   with claims data-*; 7 of the 9 volumes (orders and catalog entirely, sessions-0) are in us-east-1b. All Running.</li>
 *   <li>{@code healthy}: 6 nodes, 2 per zone over us-east-1b/c/d; StorageClass gp3 (WaitForFirstConsumer);
 *   StatefulSet default/web with 3 replicas, one per zone. All Running.</li>
 *   <li>{@code large}: options pods (10000), claims (5000), nodes (300), zones (3). Namespaces team-00..19,
 *   StatefulSets db-NNN (10 replicas, one claim each) and app-NNN (10 replicas, no claims) spread over the
 *   nodes; StorageClass gp3 (WaitForFirstConsumer, default) and gp2-immediate (Immediate, in-tree); plus
 *   StatefulSet legacy/legacy-db (Parallel, 3 replicas) whose gp2-immediate volumes are in us-east-1a,
 *   a zone with no nodes: 3 stuck pods.</li>
 * </ul>
 */
public final class Scenarios {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("stuck-pod", "unbalanced", "healthy", "large");
    static final String REGION = "us-east-1";

    private Scenarios() {
    }

    public static List<String> names() {
        return NAMES;
    }

    public static World create(String name, Map<String, String> options, long now) {
        Map<String, String> opts = options == null ? Map.of() : options;
        Builder b = new Builder(now);
        if (opts.containsKey("k8sVersion")) {
            b.kube.setKubernetesVersion(opts.get("k8sVersion"));
        }
        switch (name) {
            case "stuck-pod" -> stuckPod(b);
            case "unbalanced" -> unbalanced(b);
            case "healthy" -> healthy(b);
            case "large" -> large(b, intOpt(opts, "pods", 10000), intOpt(opts, "claims", 5000),
                    intOpt(opts, "nodes", 300), intOpt(opts, "zones", 3));
            default -> throw new IllegalArgumentException("unknown scenario " + name + "; known: "
                    + String.join(", ", NAMES));
        }
        return b.world;
    }

    private static int intOpt(Map<String, String> opts, String key, int def) {
        String v = opts.get(key);
        if (v == null) {
            return def;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < 0) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scenario option " + key + " must be a non-negative integer, not "
                    + v);
        }
    }

    // ------------------------------------------------------------------ stuck-pod

    private static void stuckPod(Builder b) {
        b.storageClass("gp2", "kubernetes.io/aws-ebs", "Immediate", true, Map.of("type", "gp2", "fsType", "ext4"));
        String[][] nodes = {
                {"ip-10-0-11-21.ec2.internal", "us-east-1b"}, {"ip-10-0-11-84.ec2.internal", "us-east-1b"},
                {"ip-10-0-12-37.ec2.internal", "us-east-1c"}, {"ip-10-0-12-152.ec2.internal", "us-east-1c"},
                {"ip-10-0-13-60.ec2.internal", "us-east-1d"}, {"ip-10-0-13-199.ec2.internal", "us-east-1d"}};
        for (String[] n : nodes) {
            b.node(n[0], n[1], "m5.large", "2", "1930m", "8Gi", "7284Mi", 29);
        }
        // The claims' volumes, from the StatefulSet's history: provisioned over time by the in-tree plugin and,
        // after the CSI migration, by two versions of the EBS CSI driver (the zone key changed in v1.33.0).
        b.staticPv("default", "www-web-0", "gp2", 20, "us-east-1b", PvShape.CSI_GA, "gp2");
        b.staticPv("default", "www-web-1", "gp2", 20, "us-east-1c", PvShape.CSI_EBS_KEY, "gp2");
        b.staticPv("default", "www-web-2", "gp2", 20, "us-east-1d", PvShape.CSI_GA, "gp2");
        b.staticPv("default", "www-web-3", "gp2", 20, "us-east-1b", PvShape.IN_TREE, "gp2");
        b.create(ResourceType.STATEFULSETS, "default", statefulSet("web", "nginx", 4, "500m", "512Mi",
                "www", "gp2", "20Gi", 10, "registry.k8s.io/nginx-slim:0.27", "OrderedReady"));
        b.create(ResourceType.PDBS, "default", pdb("web", "nginx", 2));
        b.advance(3 * 60_000);
        // A batch pod takes most of the 1b node next to web-0 ...
        ObjectNode filler = pod("nightly-report", "report", "busybox:1.36", "1200m", "1Gi");
        filler.with("spec").putObject("nodeSelector").put("kubernetes.io/hostname", "ip-10-0-11-21.ec2.internal");
        b.create(ResourceType.PODS, "batch", filler);
        b.advance(30_000);
        // ... and web-3's node is drained for replacement: cordon, then evict web-3.
        String web3Node = b.kube.find(ResourceType.PODS, "default", "web-3").path("spec").path("nodeName").asText();
        b.cordon(web3Node);
        b.deletePod("default", "web-3");
        b.advance(5 * 60_000);
    }

    // ------------------------------------------------------------------ unbalanced

    private static void unbalanced(Builder b) {
        b.storageClass("gp3", "ebs.csi.aws.com", "WaitForFirstConsumer", true,
                Map.of("type", "gp3", "csi.storage.k8s.io/fstype", "ext4"));
        String[][] nodes = {
                {"ip-10-0-11-5.ec2.internal", "us-east-1b"}, {"ip-10-0-11-17.ec2.internal", "us-east-1b"},
                {"ip-10-0-11-40.ec2.internal", "us-east-1b"}, {"ip-10-0-11-66.ec2.internal", "us-east-1b"},
                {"ip-10-0-12-9.ec2.internal", "us-east-1c"}, {"ip-10-0-12-88.ec2.internal", "us-east-1c"},
                {"ip-10-0-13-14.ec2.internal", "us-east-1d"}, {"ip-10-0-13-120.ec2.internal", "us-east-1d"}};
        for (String[] n : nodes) {
            b.node(n[0], n[1], "m5.xlarge", "4", "3920m", "16Gi", "14884Mi", 58);
        }
        String[][] layout = {
                {"orders", "us-east-1b", "us-east-1b", "us-east-1b"},
                {"catalog", "us-east-1b", "us-east-1b", "us-east-1b"},
                {"sessions", "us-east-1b", "us-east-1c", "us-east-1d"}};
        for (String[] sts : layout) {
            for (int i = 0; i < 3; i++) {
                b.staticPv("shop", "data-" + sts[0] + "-" + i, "gp3", 10, sts[i + 1],
                        i % 2 == 0 ? PvShape.CSI_GA : PvShape.CSI_EBS_KEY, "gp3");
            }
            b.create(ResourceType.STATEFULSETS, "shop", statefulSet(sts[0], sts[0], 3, "250m", "256Mi", "data",
                    "gp3", "10Gi", 30, "postgres:16", "OrderedReady"));
        }
        b.advance(3 * 60_000);
    }

    // ------------------------------------------------------------------ healthy

    private static void healthy(Builder b) {
        b.storageClass("gp3", "ebs.csi.aws.com", "WaitForFirstConsumer", true,
                Map.of("type", "gp3", "csi.storage.k8s.io/fstype", "ext4"));
        String[][] nodes = {
                {"ip-10-0-11-21.ec2.internal", "us-east-1b"}, {"ip-10-0-11-84.ec2.internal", "us-east-1b"},
                {"ip-10-0-12-37.ec2.internal", "us-east-1c"}, {"ip-10-0-12-152.ec2.internal", "us-east-1c"},
                {"ip-10-0-13-60.ec2.internal", "us-east-1d"}, {"ip-10-0-13-199.ec2.internal", "us-east-1d"}};
        for (String[] n : nodes) {
            b.node(n[0], n[1], "m5.large", "2", "1930m", "8Gi", "7284Mi", 29);
        }
        b.create(ResourceType.STATEFULSETS, "default", statefulSet("web", "nginx", 3, "500m", "512Mi", "www", "gp3",
                "20Gi", 10, "registry.k8s.io/nginx-slim:0.27", "OrderedReady"));
        b.advance(3 * 60_000);
    }

    // ------------------------------------------------------------------ large

    private static void large(Builder b, int pods, int claims, int nodeCount, int zoneCount) {
        List<String> allZones = List.of("us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f");
        if (zoneCount < 1 || zoneCount > allZones.size()) {
            throw new IllegalArgumentException("scenario option zones must be 1.." + allZones.size());
        }
        if (nodeCount < 1) {
            throw new IllegalArgumentException("scenario option nodes must be at least 1");
        }
        claims = Math.min(claims, pods);
        b.storageClass("gp3", "ebs.csi.aws.com", "WaitForFirstConsumer", true,
                Map.of("type", "gp3", "csi.storage.k8s.io/fstype", "ext4"));
        b.storageClass("gp2-immediate", "kubernetes.io/aws-ebs", "Immediate", false,
                Map.of("type", "gp2", "fsType", "ext4"));
        List<String> nodeNames = new ArrayList<>();
        List<String> nodeZones = new ArrayList<>();
        int podsPerNode = (pods + nodeCount - 1) / nodeCount;
        int maxPods = Math.max(110, podsPerNode + 10);
        for (int i = 0; i < nodeCount; i++) {
            String zone = allZones.get(i % zoneCount);
            String name = "ip-10-" + (i % zoneCount + 1) + "-" + (i / 250) + "-" + (i % 250 + 1) + ".ec2.internal";
            b.node(name, zone, "m5.4xlarge", "16", "15890m", "64Gi", "61398Mi", maxPods);
            nodeNames.add(name);
            nodeZones.add(zone);
        }
        int podIndex = 0;
        int stsIndex = 0;
        int withClaims = claims;
        while (podIndex < pods) {
            boolean db = podIndex < withClaims;
            int remaining = db ? withClaims - podIndex : pods - podIndex;
            int replicas = Math.min(10, remaining);
            String ns = String.format("team-%02d", stsIndex % 20);
            String stsName = (db ? "db-" : "app-") + String.format("%03d", stsIndex);
            ObjectNode sts = db
                    ? statefulSet(stsName, stsName, replicas, "100m", "128Mi", "data", "gp3", "10Gi", 30,
                    "postgres:16", "Parallel")
                    : statefulSet(stsName, stsName, replicas, "100m", "128Mi", null, null, null, 30, "nginx:1.27",
                    "Parallel");
            ObjectNode created = b.kube.create(ResourceType.STATEFULSETS, ns, sts, b.world.now(), b.ec2);
            for (int i = 0; i < replicas; i++, podIndex++) {
                int node = podIndex % nodeCount;
                String podName = stsName + "-" + i;
                ObjectNode pod = b.stsPod(created, i);
                pod.with("spec").put("nodeName", nodeNames.get(node));
                if (db) {
                    String claimName = "data-" + podName;
                    String pvName = b.staticPv(ns, claimName, "gp3", 10, nodeZones.get(node),
                            podIndex % 3 == 0 ? PvShape.CSI_EBS_KEY : PvShape.CSI_GA, "gp3");
                    ObjectNode claim = claim(claimName, "gp3", "10Gi");
                    claim.with("spec").put("volumeName", pvName);
                    claim.with("metadata").putObject("labels").put("app", stsName);
                    b.kube.create(ResourceType.PVCS, ns, claim, b.world.now(), b.ec2);
                }
                b.kube.create(ResourceType.PODS, ns, pod, b.world.now(), b.ec2);
            }
            stsIndex++;
        }
        // Findings: three pods whose Immediate-bound volumes sit in a zone with no nodes left.
        for (int i = 0; i < 3; i++) {
            b.staticPv("legacy", "data-legacy-db-" + i, "gp2-immediate", 50, "us-east-1a", PvShape.IN_TREE,
                    "gp2");
        }
        b.kube.create(ResourceType.STATEFULSETS, "legacy", statefulSet("legacy-db", "legacy-db", 3, "500m", "1Gi",
                "data", "gp2-immediate", "50Gi", 30, "mysql:8.4", "Parallel"), b.world.now(), b.ec2);
        b.world.settle();
        b.advance(60_000);
    }

    // ------------------------------------------------------------------ manifests

    enum PvShape { CSI_GA, CSI_EBS_KEY, IN_TREE }

    static ObjectNode statefulSet(String name, String app, int replicas, String cpu, String memory, String template,
                                  String storageClass, String size, int grace, String image, String policy) {
        ObjectNode s = JSON.createObjectNode();
        s.put("apiVersion", "apps/v1");
        s.put("kind", "StatefulSet");
        s.putObject("metadata").put("name", name).putObject("labels").put("app", app);
        ObjectNode spec = s.putObject("spec");
        spec.put("replicas", replicas);
        spec.put("serviceName", app);
        spec.put("podManagementPolicy", policy);
        spec.putObject("selector").putObject("matchLabels").put("app", app);
        ObjectNode tpl = spec.putObject("template");
        tpl.putObject("metadata").putObject("labels").put("app", app);
        ObjectNode ps = tpl.putObject("spec");
        ps.put("terminationGracePeriodSeconds", grace);
        ObjectNode c = ps.putArray("containers").addObject();
        c.put("name", app.replaceAll("-\\d+$", "").replaceAll("[^a-z0-9-]", ""));
        c.put("image", image);
        c.putArray("ports").addObject().put("containerPort", 80).put("name", "web");
        ObjectNode req = c.putObject("resources").putObject("requests");
        req.put("cpu", cpu);
        req.put("memory", memory);
        if (template != null) {
            c.putArray("volumeMounts").addObject().put("name", template).put("mountPath", "/data");
            ObjectNode vct = spec.putArray("volumeClaimTemplates").addObject();
            vct.putObject("metadata").put("name", template);
            ObjectNode vs = vct.putObject("spec");
            vs.putArray("accessModes").add("ReadWriteOnce");
            vs.put("storageClassName", storageClass);
            vs.putObject("resources").putObject("requests").put("storage", size);
        }
        return s;
    }

    static ObjectNode pod(String name, String app, String image, String cpu, String memory) {
        ObjectNode p = JSON.createObjectNode();
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
        return p;
    }

    static ObjectNode claim(String name, String storageClass, String size) {
        ObjectNode c = JSON.createObjectNode();
        c.put("apiVersion", "v1");
        c.put("kind", "PersistentVolumeClaim");
        c.putObject("metadata").put("name", name);
        ObjectNode spec = c.putObject("spec");
        spec.putArray("accessModes").add("ReadWriteOnce");
        spec.put("storageClassName", storageClass);
        spec.putObject("resources").putObject("requests").put("storage", size);
        return c;
    }

    static ObjectNode pdb(String name, String app, int minAvailable) {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "policy/v1");
        p.put("kind", "PodDisruptionBudget");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        spec.put("minAvailable", minAvailable);
        spec.putObject("selector").putObject("matchLabels").put("app", app);
        return p;
    }

    // ------------------------------------------------------------------ builder

    /** Builds a world through the API's create paths, settling after each change as the endpoint does. */
    static final class Builder {
        final World world;
        final KubeWorld kube;
        final Ec2Side ec2;

        Builder(long now) {
            Ec2World e = Ec2World.empty(REGION);
            kube = KubeWorld.empty(now);
            world = new World(e, kube, now);
            ec2 = Ec2Side.of(e);
        }

        ObjectNode create(ResourceType type, String ns, ObjectNode body) {
            ObjectNode o = kube.create(type, ns, body, world.now(), ec2);
            world.settle();
            return o;
        }

        void advance(long ms) {
            world.advanceTo(world.now() + ms);
        }

        void storageClass(String name, String provisioner, String mode, boolean isDefault, Map<String, String> params) {
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
        }

        void node(String name, String zone, String instanceType, String cpu, String allocCpu, String mem,
                  String allocMem, int maxPods) {
            ObjectNode n = JSON.createObjectNode();
            n.put("apiVersion", "v1");
            n.put("kind", "Node");
            ObjectNode m = n.putObject("metadata");
            m.put("name", name);
            ObjectNode l = m.putObject("labels");
            l.put("kubernetes.io/arch", "amd64");
            l.put("node.kubernetes.io/instance-type", instanceType);
            l.put("beta.kubernetes.io/instance-type", instanceType);
            l.put("eks.amazonaws.com/nodegroup", "workers-" + zone.substring(zone.length() - 1));
            l.put("topology.kubernetes.io/zone", zone);
            l.put("topology.ebs.csi.aws.com/zone", zone);
            l.put("failure-domain.beta.kubernetes.io/zone", zone);
            l.put("topology.k8s.aws/zone-id", "use1-az" + (zone.charAt(zone.length() - 1) - 'a' + 1));
            ObjectNode st = n.putObject("status");
            st.putObject("capacity").put("cpu", cpu).put("memory", mem).put("pods", Integer.toString(maxPods));
            st.putObject("allocatable").put("cpu", allocCpu).put("memory", allocMem)
                    .put("pods", Integer.toString(maxPods));
            create(ResourceType.NODES, null, n);
        }

        void cordon(String nodeName) {
            ObjectNode patch = JSON.createObjectNode();
            ObjectNode spec = patch.putObject("spec");
            spec.put("unschedulable", true);
            ObjectNode t = spec.putArray("taints").addObject();
            t.put("key", "node.kubernetes.io/unschedulable");
            t.put("effect", "NoSchedule");
            t.put("timeAdded", java.time.Instant.ofEpochMilli(world.now()).truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS).toString());
            kube.patch(ResourceType.NODES, null, nodeName, "application/merge-patch+json", patch, false, world.now(),
                    ec2);
            world.settle();
        }

        void deletePod(String ns, String name) {
            kube.delete(ResourceType.PODS, ns, name, KubeWorld.DeleteOptions.DEFAULT, world.now(), ec2);
            world.settle();
        }

        /** A pod as the StatefulSet controller would create it (for pre-placed worlds). */
        ObjectNode stsPod(ObjectNode sts, int ordinal) {
            String name = sts.path("metadata").path("name").asText();
            ObjectNode tpl = (ObjectNode) sts.path("spec").path("template");
            ObjectNode p = JSON.createObjectNode();
            p.put("apiVersion", "v1");
            p.put("kind", "Pod");
            ObjectNode m = p.putObject("metadata");
            m.put("name", name + "-" + ordinal);
            ObjectNode labels = m.putObject("labels");
            labels.setAll((ObjectNode) tpl.path("metadata").path("labels").deepCopy());
            labels.put("statefulset.kubernetes.io/pod-name", name + "-" + ordinal);
            labels.put("apps.kubernetes.io/pod-index", Integer.toString(ordinal));
            ObjectNode ref = m.putArray("ownerReferences").addObject();
            ref.put("apiVersion", "apps/v1");
            ref.put("kind", "StatefulSet");
            ref.put("name", name);
            ref.put("uid", sts.path("metadata").path("uid").asText());
            ref.put("controller", true);
            ref.put("blockOwnerDeletion", true);
            ObjectNode spec = tpl.path("spec").deepCopy();
            spec.put("hostname", name + "-" + ordinal);
            spec.put("subdomain", sts.path("spec").path("serviceName").asText());
            com.fasterxml.jackson.databind.JsonNode vcts = sts.path("spec").path("volumeClaimTemplates");
            if (vcts.isArray()) {
                ArrayNode vols = spec.putArray("volumes");
                for (var t : vcts) {
                    String tn = t.path("metadata").path("name").asText();
                    vols.addObject().put("name", tn).putObject("persistentVolumeClaim")
                            .put("claimName", tn + "-" + name + "-" + ordinal);
                }
            }
            p.set("spec", spec);
            return p;
        }

        /**
         * A PV (and its EBS volume) that an earlier provisioner made for a claim, reserved for it by a claimRef
         * without uid so that the claim binds to it when created. Returns the PV name.
         */
        String staticPv(String ns, String claimName, String storageClass, int sizeGiB, String zone, PvShape shape,
                        String volumeType) {
            String pvName = "pvc-" + kubeUid();
            Map<String, String> tags = new TreeMap<>();
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

        private String kubeUid() {
            // A deterministic uid-shaped name, as dynamically provisioned PVs have.
            return java.util.UUID.nameUUIDFromBytes(("pv-" + kube.resourceVersion() + "-" + world.now())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        }
    }

    /** Faults for tests and demos: a pod that never becomes Ready, a zone without capacity. */
    public static void setKubeFaults(World world, KubeFaults faults) {
        world.kube().setFaults(faults);
        world.settle();
    }
}
