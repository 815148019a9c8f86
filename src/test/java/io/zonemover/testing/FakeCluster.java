package io.zonemover.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.Placement;
import io.zonemover.domain.PortError;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kubernetes as the cluster port sees it, in memory: claims, PVs, pods, StatefulSets, ConfigMaps and
 * VolumeAttachments as plain maps. Every write bumps a resourceVersion, so {@link #lockClaim} is a real
 * read-then-compare-and-set that a concurrent writer can make fail (and {@link #beforeCompareAndSet} lets a
 * test step in between the read and the write). {@link #settle()} runs the few controllers a move meets: the
 * garbage collector (orphan deletion), termination of pods (detaching their volumes), pvc-protection, the PV
 * binder, and the StatefulSet controller with a scheduler and kubelet folded in (a missing pod comes back
 * Running and Ready in the zone of its claims' PVs). Every port call goes through {@link #faults()}.
 */
public final class FakeCluster implements Cluster {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A claim, mutable so a test can put it in any state. */
    public static final class ClaimObj {
        public final String namespace;
        public final String name;
        public String uid;
        public String resourceVersion;
        public String phase = "Pending";
        public String volumeName;
        public String storageClass = "gp2";
        public List<String> accessModes = List.of("ReadWriteOnce");
        public String storage = "20Gi";
        public final Map<String, String> annotations = new LinkedHashMap<>();
        public boolean deleting;

        ClaimObj(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        ClaimRef ref() {
            return new ClaimRef(namespace, name);
        }
    }

    public static final class PvObj {
        public final String name;
        public String volumeId;
        public String zone;
        public boolean ebs = true;
        public boolean csi = true;
        public String driver = "ebs.csi.aws.com";
        public String reclaimPolicy = "Delete";
        public String phase = "Available";
        public String claimNamespace;
        public String claimName;
        public String claimUid;
        public String storageClass = "gp2";
        public String capacity = "20Gi";
        public List<String> accessModes = List.of("ReadWriteOnce");
        public final Map<String, String> labels = new LinkedHashMap<>();
        public boolean deleting;

        PvObj(String name) {
            this.name = name;
        }
    }

    public static final class PodObj {
        public final String namespace;
        public final String name;
        public String uid;
        public String phase = "Running";
        public boolean ready = true;
        public boolean started = true;
        public String nodeName;
        public String zone;
        public String owner;
        public boolean deleting;
        public String unschedulable;
        /** When the scheduler first failed to place it (on {@link #serverTime}'s clock), with {@link #unschedulable}. */
        public java.time.Instant unschedulableSince;
        public String revision;
        public List<String> claims = List.of();

        PodObj(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }
    }

    public static final class StsObj {
        public final String namespace;
        public final String name;
        public String uid;
        public int replicas;
        public List<String> templates = List.of();
        public List<String> shared = List.of();
        public String updateStrategy = "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}";
        public String image = "nginx:1.27";
        public long milliCpu = 500;
        public long generation = 1;
        public long observedGeneration;
        public String updateRevision;
        public boolean deleting;
        public final Map<String, String> labels = new LinkedHashMap<>();
        public final Map<String, String> annotations = new LinkedHashMap<>();
        /** A split-per-zone copy's zone: its pods are scheduled only there. */
        public String zone;

        StsObj(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        String revision() {
            return name + "-" + Integer.toHexString(Objects.hash(image, templates, shared, milliCpu) & 0xfffffff);
        }
    }

    private final Faults faults = new Faults("Kubernetes");
    private final FakeBlockStore ec2;
    private final Map<String, ClaimObj> claims = new TreeMap<>();
    private final Map<String, PvObj> pvs = new TreeMap<>();
    private final Map<String, PodObj> pods = new TreeMap<>();
    private final Map<String, StsObj> statefulSets = new TreeMap<>();
    private final Map<String, Map<String, String>> configMaps = new TreeMap<>();
    private final Map<String, Map<String, String>> configMapLabels = new TreeMap<>();
    private final Set<String> attachments = new TreeSet<>();
    private final Map<String, io.zonemover.domain.DisruptionBudget> budgets = new TreeMap<>();
    private final Map<String, List<String>> warnings = new TreeMap<>();
    private final List<Placement.Node> nodes = new ArrayList<>();
    private final Set<String> fullZones = new HashSet<>();
    private final Set<String> podsThatNeverStart = new HashSet<>();
    private volatile Runnable beforeCompareAndSet = () -> { };
    private long resourceVersion = 100;
    private int nextUid = 1;

    public FakeCluster(FakeBlockStore ec2) {
        this.ec2 = ec2;
    }

    public Faults faults() {
        return faults;
    }

    // ---- test controls (not port calls: not logged, never fail) ----

    public synchronized FakeCluster addNode(Placement.Node node) {
        nodes.add(node);
        return this;
    }

    public synchronized List<Placement.Node> nodes() {
        return nodes;
    }

    /** The scheduler finds no room in this zone: pods whose volumes are there stay Pending. */
    public synchronized FakeCluster zoneFull(String zone, boolean full) {
        if (full) {
            fullZones.add(zone);
        } else {
            fullZones.remove(zone);
        }
        return this;
    }

    /** This pod, when created in this zone, is scheduled but its containers never start (ContainerCreating). */
    public synchronized FakeCluster podNeverStartsIn(String name, String zone) {
        podsThatNeverStart.add(name + "@" + zone);
        return this;
    }

    /** Runs between the read and the write of {@link #lockClaim}/{@link #unlockClaim}, on the caller's thread. */
    public FakeCluster beforeCompareAndSet(Runnable hook) {
        this.beforeCompareAndSet = hook;
        return this;
    }

    public synchronized ClaimObj addClaim(String namespace, String name) {
        ClaimObj c = new ClaimObj(namespace, name);
        c.uid = uid();
        c.resourceVersion = rv();
        claims.put(key(namespace, name), c);
        return c;
    }

    public synchronized PvObj addPv(String name) {
        PvObj pv = new PvObj(name);
        pvs.put(name, pv);
        return pv;
    }

    public synchronized PodObj addPod(String namespace, String name) {
        PodObj p = new PodObj(namespace, name);
        p.uid = uid();
        pods.put(key(namespace, name), p);
        return p;
    }

    public synchronized StsObj addStatefulSet(String namespace, String name) {
        StsObj s = new StsObj(namespace, name);
        s.uid = uid();
        statefulSets.put(key(namespace, name), s);
        return s;
    }

    public synchronized void addWarning(ClaimRef ref, String warning) {
        warnings.computeIfAbsent(ref.toString(), k -> new ArrayList<>()).add(warning);
    }

    public synchronized void attach(String pvName) {
        attachments.add(pvName);
    }

    public synchronized ClaimObj claimState(String namespace, String name) {
        return claims.get(key(namespace, name));
    }

    public synchronized PvObj pvState(String name) {
        return pvs.get(name);
    }

    public synchronized PodObj podState(String namespace, String name) {
        return pods.get(key(namespace, name));
    }

    public synchronized StsObj statefulSetState(String namespace, String name) {
        return statefulSets.get(key(namespace, name));
    }

    public synchronized Set<String> configMapNames() {
        return Set.copyOf(configMaps.keySet());
    }

    public synchronized List<String> pvNames() {
        return List.copyOf(pvs.keySet());
    }

    /** Every object that matters to a move, one line each, without uids, resourceVersions or times. */
    public synchronized String fingerprint() {
        StringBuilder out = new StringBuilder();
        claims.values().forEach(c -> out.append("claim ").append(c.namespace).append('/').append(c.name).append(' ')
                .append(c.phase).append(" volume=").append(c.volumeName).append(' ').append(new TreeMap<>(c.annotations))
                .append(c.deleting ? " deleting" : "").append('\n'));
        pvs.values().forEach(p -> out.append("pv ").append(p.name).append(' ').append(p.volumeId).append(' ')
                .append(p.zone).append(' ').append(p.reclaimPolicy).append(' ').append(p.phase).append(" claim=")
                .append(p.claimNamespace).append('/').append(p.claimName).append(p.deleting ? " deleting" : "")
                .append('\n'));
        pods.values().forEach(p -> out.append("pod ").append(p.namespace).append('/').append(p.name).append(' ')
                .append(p.phase).append(p.ready ? " ready " : " not-ready ").append(p.nodeName).append(' ')
                .append(p.zone).append(" owner=").append(p.owner).append(" rev=").append(p.revision)
                .append(p.deleting ? " deleting" : "").append('\n'));
        statefulSets.values().forEach(s -> out.append("sts ").append(s.namespace).append('/').append(s.name)
                .append(' ').append(s.replicas).append(' ').append(s.updateStrategy).append(s.deleting ? " deleting" : "")
                .append('\n'));
        configMaps.forEach((k, v) -> out.append("configmap ").append(k).append(' ').append(new TreeSet<>(v.keySet()))
                .append('\n'));
        attachments.forEach(a -> out.append("attachment ").append(a).append('\n'));
        return out.toString();
    }

    // ---- the controllers ----

    /** Runs the controllers until nothing changes. */
    public synchronized void settle() {
        for (int round = 0; round < 20 && reconcile(); round++) {
            // again
        }
    }

    private boolean reconcile() {
        boolean changed = false;
        for (StsObj s : List.copyOf(statefulSets.values())) {
            if (s.deleting) {
                statefulSets.remove(key(s.namespace, s.name));
                pods.values().stream().filter(p -> s.name.equals(p.owner) && p.namespace.equals(s.namespace))
                        .forEach(p -> p.owner = null);
                changed = true;
            }
        }
        for (PodObj p : List.copyOf(pods.values())) {
            if (p.deleting) {
                pods.remove(key(p.namespace, p.name));
                for (String claim : p.claims) {
                    ClaimObj c = claims.get(key(p.namespace, claim));
                    PvObj pv = c == null || c.volumeName == null ? null : pvs.get(c.volumeName);
                    if (pv != null && attachments.remove(pv.name)) {
                        ec2.detach(pv.volumeId);
                    }
                }
                changed = true;
            }
        }
        for (ClaimObj c : List.copyOf(claims.values())) {
            boolean inUse = pods.values().stream().anyMatch(p -> p.namespace.equals(c.namespace)
                    && p.claims.contains(c.name));
            if (c.deleting && !inUse) {
                claims.remove(key(c.namespace, c.name));
                PvObj pv = c.volumeName == null ? null : pvs.get(c.volumeName);
                if (pv != null && c.uid.equals(pv.claimUid)) {
                    if ("Delete".equals(pv.reclaimPolicy)) {
                        pvs.remove(pv.name);
                        ec2.deleteVolume(pv.volumeId);
                    } else {
                        pv.phase = "Released";
                    }
                }
                changed = true;
            }
        }
        for (PvObj pv : List.copyOf(pvs.values())) {
            boolean bound = pv.claimUid != null && claims.values().stream().anyMatch(c -> pv.claimUid.equals(c.uid));
            if (pv.deleting && !bound) {
                pvs.remove(pv.name);
                attachments.remove(pv.name);
                changed = true;
            } else if (pv.claimName == null && !"Available".equals(pv.phase)) {
                pv.phase = "Available";
                changed = true;
            }
        }
        for (ClaimObj c : claims.values()) {
            if (!"Pending".equals(c.phase) || c.volumeName == null || c.deleting) {
                continue;
            }
            PvObj pv = pvs.get(c.volumeName);
            if (pv == null || pv.deleting) {
                continue;
            }
            boolean free = pv.claimName == null;
            boolean forThis = c.namespace.equals(pv.claimNamespace) && c.name.equals(pv.claimName)
                    && (pv.claimUid == null || pv.claimUid.equals(c.uid));
            if (free || forThis) {
                pv.claimNamespace = c.namespace;
                pv.claimName = c.name;
                pv.claimUid = c.uid;
                pv.phase = "Bound";
                c.phase = "Bound";
                c.resourceVersion = rv();
                changed = true;
            } else {
                String warning = "FailedBinding: volume \"" + pv.name + "\" already bound to a different claim.";
                List<String> list = warnings.computeIfAbsent(key(c.namespace, c.name), k -> new ArrayList<>());
                if (!list.contains(warning)) {
                    list.add(warning);
                }
            }
        }
        for (StsObj s : statefulSets.values()) {
            if (s.observedGeneration < s.generation || s.updateRevision == null) {
                s.observedGeneration = s.generation;
                s.updateRevision = s.revision();
                changed = true;
            }
            for (int ordinal = 0; ordinal < s.replicas; ordinal++) {
                String podName = s.name + "-" + ordinal;
                PodObj pod = pods.get(key(s.namespace, podName));
                if (pod != null && pod.owner == null && !pod.deleting) {
                    pod.owner = s.name;
                    changed = true;
                } else if (pod == null) {
                    createPod(s, ordinal);
                    changed = true;
                }
            }
            for (PodObj p : pods.values()) {
                if (s.name.equals(p.owner) && p.namespace.equals(s.namespace) && !p.deleting
                        && ordinalOf(p.name, s.name) >= s.replicas) {
                    p.deleting = true;
                    changed = true;
                }
            }
        }
        for (PodObj p : pods.values()) {
            if ("Pending".equals(p.phase) && p.nodeName == null && !p.deleting) {
                changed |= schedule(p);
            }
        }
        return changed;
    }

    private static int ordinalOf(String pod, String set) {
        String rest = pod.startsWith(set + "-") ? pod.substring(set.length() + 1) : "";
        return rest.matches("\\d+") ? Integer.parseInt(rest) : -1;
    }

    private void createPod(StsObj s, int ordinal) {
        PodObj p = new PodObj(s.namespace, s.name + "-" + ordinal);
        p.uid = uid();
        p.owner = s.name;
        p.revision = s.updateRevision;
        List<String> names = new ArrayList<>();
        for (String template : s.templates) {
            String claim = template + "-" + s.name + "-" + ordinal;
            names.add(claim);
            if (!claims.containsKey(key(s.namespace, claim))) {
                ClaimObj c = new ClaimObj(s.namespace, claim);
                c.uid = uid();
                c.resourceVersion = rv();
                claims.put(key(s.namespace, claim), c);
            }
        }
        names.addAll(s.shared);
        p.claims = List.copyOf(names);
        p.phase = "Pending";
        p.ready = false;
        p.started = false;
        pods.put(key(p.namespace, p.name), p);
        schedule(p);
    }

    /** The scheduler, the attacher and the kubelet in one: true when the pod moved on. */
    private boolean schedule(PodObj p) {
        Set<String> zones = new TreeSet<>();
        List<PvObj> volumes = new ArrayList<>();
        for (String claim : p.claims) {
            ClaimObj c = claims.get(key(p.namespace, claim));
            PvObj pv = c == null || !"Bound".equals(c.phase) ? null : pvs.get(c.volumeName);
            if (pv == null) {
                return unschedulable(p, "0/" + nodes.size() + " nodes are available: pod has unbound immediate "
                        + "PersistentVolumeClaims.");
            }
            volumes.add(pv);
            if (pv.zone != null) {
                zones.add(pv.zone);
            }
        }
        StsObj owner = p.owner == null ? null : statefulSets.get(key(p.namespace, p.owner));
        String required = owner == null ? null : owner.zone;
        Optional<Placement.Node> node = nodes.stream()
                .filter(n -> n.ready() && n.schedulable() && !fullZones.contains(n.zone()))
                .filter(n -> required == null || required.equals(n.zone()))
                .filter(n -> zones.isEmpty() || zones.size() == 1 && zones.contains(n.zone()))
                .findFirst();
        if (node.isEmpty()) {
            return unschedulable(p, "0/" + nodes.size() + " nodes are available: " + nodes.size()
                    + " node(s) had volume node affinity conflict.");
        }
        p.nodeName = node.get().name();
        p.zone = node.get().zone();
        p.unschedulable = null;
        for (PvObj pv : volumes) {
            attachments.add(pv.name);
            ec2.attach(pv.volumeId, "i-" + p.nodeName);
        }
        if (!podsThatNeverStart.contains(p.name + "@" + p.zone)) {
            p.phase = "Running";
            p.ready = true;
            p.started = true;
        }
        return true;
    }

    private static boolean unschedulable(PodObj p, String message) {
        boolean changed = !message.equals(p.unschedulable);
        p.unschedulable = message;
        return changed;
    }

    // ---- the port: reads ----

    @Override
    public Optional<Claim> claim(ClaimRef ref) {
        return faults.call("claim", () -> readClaim(ref), ref);
    }

    private synchronized Optional<Claim> readClaim(ClaimRef ref) {
        return Optional.ofNullable(claims.get(key(ref.namespace(), ref.name()))).map(this::view);
    }

    private Claim view(ClaimObj c) {
        return new Claim(c.ref(), c.uid, c.resourceVersion, c.phase, c.volumeName, c.storageClass,
                List.copyOf(c.accessModes), Map.copyOf(c.annotations), c.deleting, claimManifest(c));
    }

    @Override
    public Optional<Pv> pv(String name) {
        return faults.call("pv", () -> {
            synchronized (this) {
                return Optional.ofNullable(pvs.get(name)).map(this::pvView);
            }
        }, name);
    }

    @Override
    public List<Pv> pvs() {
        return faults.call("pvs", () -> {
            synchronized (this) {
                return pvs.values().stream().map(this::pvView).toList();
            }
        });
    }

    private Pv pvView(PvObj p) {
        return new Pv(p.name, p.volumeId, p.zone, p.ebs, p.csi, p.driver, p.reclaimPolicy, p.phase, p.claimNamespace,
                p.claimName, p.claimUid, p.storageClass, p.capacity, List.copyOf(p.accessModes), "Filesystem", "ext4",
                List.of(), p.deleting, pvManifest(p));
    }

    private Pod view(PodObj p) {
        return new Pod(p.namespace, p.name, p.uid, p.phase, p.ready, p.started, p.nodeName, p.zone, p.owner,
                p.deleting, p.unschedulable, p.revision, p.started ? "2026-01-01T00:00:00Z" : null, List.copyOf(p.claims));
    }

    @Override
    public Optional<Pod> pod(String namespace, String name) {
        return faults.call("pod", () -> {
            synchronized (this) {
                return Optional.ofNullable(pods.get(key(namespace, name))).map(this::view);
            }
        }, namespace, name);
    }

    @Override
    public List<Pod> podsOf(String namespace, String statefulSetName) {
        return faults.call("podsOf", () -> {
            synchronized (this) {
                return pods.values().stream().filter(p -> p.namespace.equals(namespace))
                        .filter(p -> statefulSetName.equals(p.owner) || p.owner == null
                                && p.name.matches(java.util.regex.Pattern.quote(statefulSetName) + "-\\d+"))
                        .map(this::view).toList();
            }
        }, namespace, statefulSetName);
    }

    @Override
    public Optional<StatefulSet> statefulSetOwning(ClaimRef ref) {
        return faults.call("statefulSetOwning", () -> {
            synchronized (this) {
                for (StsObj s : statefulSets.values()) {
                    for (String template : s.templates) {
                        String prefix = template + "-" + s.name + "-";
                        if (s.namespace.equals(ref.namespace()) && ref.name().startsWith(prefix)
                                && ref.name().substring(prefix.length()).matches("\\d+")) {
                            return Optional.of(view(s));
                        }
                    }
                }
                return Optional.<StatefulSet>empty();
            }
        }, ref);
    }

    @Override
    public Optional<StatefulSet> statefulSet(String namespace, String name) {
        return faults.call("statefulSet", () -> {
            synchronized (this) {
                return Optional.ofNullable(statefulSets.get(key(namespace, name))).map(this::view);
            }
        }, namespace, name);
    }

    @Override
    public List<StatefulSet> statefulSets(String namespace, String labelSelector) {
        io.zonemover.domain.LabelSelector selector = io.zonemover.domain.LabelSelector.parse(labelSelector);
        return faults.call("statefulSets", () -> {
            synchronized (this) {
                return statefulSets.values().stream()
                        .filter(s -> namespace == null || s.namespace.equals(namespace))
                        .filter(s -> selector.matches(s.labels))
                        .map(this::view).toList();
            }
        }, namespace, labelSelector);
    }

    private StatefulSet view(StsObj s) {
        int ready = (int) pods.values().stream().filter(p -> s.name.equals(p.owner) && p.ready).count();
        return new StatefulSet(s.namespace, s.name, s.uid, s.replicas, ready, s.deleting, List.copyOf(s.templates),
                List.copyOf(s.shared), s.updateStrategy, s.updateRevision, s.generation, s.observedGeneration,
                stsManifest(s), Map.copyOf(s.annotations));
    }

    @Override
    public List<Placement.Node> placementNodes() {
        return faults.call("placementNodes", () -> {
            synchronized (this) {
                return List.copyOf(nodes);
            }
        });
    }

    @Override
    public Placement.PodNeeds podNeeds(StatefulSet statefulSet) {
        return faults.call("podNeeds", () -> {
            synchronized (this) {
                StsObj s = statefulSets.get(key(statefulSet.namespace(), statefulSet.name()));
                return Placement.PodNeeds.of(s == null ? 500 : s.milliCpu, 512L << 20);
            }
        }, statefulSet.name());
    }

    @Override
    public Map<String, Integer> podsPerZone(StatefulSet statefulSet) {
        return faults.call("podsPerZone", () -> {
            synchronized (this) {
                Map<String, Integer> counts = new TreeMap<>();
                pods.values().stream().filter(p -> statefulSet.name().equals(p.owner) && p.zone != null)
                        .forEach(p -> counts.merge(p.zone, 1, Integer::sum));
                return counts;
            }
        }, statefulSet.name());
    }

    @Override
    public Optional<io.zonemover.domain.DisruptionBudget> disruptionBudget(StatefulSet statefulSet) {
        return faults.call("disruptionBudget", () -> {
            synchronized (this) {
                return Optional.ofNullable(budgets.get(key(statefulSet.namespace(), statefulSet.name())));
            }
        }, statefulSet.name());
    }

    /** A PodDisruptionBudget selecting the pods of that StatefulSet. */
    public synchronized void setBudget(String namespace, String statefulSet, io.zonemover.domain.DisruptionBudget budget) {
        budgets.put(key(namespace, statefulSet), budget);
    }

    @Override
    public boolean attachedInCluster(List<String> pvNames) {
        return faults.call("attachedInCluster", () -> {
            synchronized (this) {
                return pvNames.stream().anyMatch(attachments::contains);
            }
        }, List.copyOf(pvNames));
    }

    @Override
    public List<String> claimWarnings(ClaimRef ref) {
        return faults.call("claimWarnings", () -> {
            synchronized (this) {
                return List.copyOf(warnings.getOrDefault(ref.toString(), List.of()));
            }
        }, ref);
    }

    // ---- the port: writes ----

    @Override
    public Optional<String> lockClaim(ClaimRef ref, String annotation, String jobId) {
        return faults.call("lockClaim", () -> compareAndSet(ref, annotation, null, jobId), ref, jobId);
    }

    @Override
    public void unlockClaim(ClaimRef ref, String annotation, String jobId) {
        faults.run("unlockClaim", () -> compareAndSet(ref, annotation, jobId, null), ref, jobId);
    }

    /** As KubeCluster does it: read, decide, write carrying the resourceVersion read; on a conflict, again. */
    private Optional<String> compareAndSet(ClaimRef ref, String annotation, String expected, String value) {
        for (int attempt = 0; attempt < 10; attempt++) {
            String readVersion;
            String current;
            synchronized (this) {
                ClaimObj c = claims.get(key(ref.namespace(), ref.name()));
                if (c == null) {
                    return Optional.empty();
                }
                readVersion = c.resourceVersion;
                current = c.annotations.get(annotation);
            }
            if (Objects.equals(current, value)) {
                return Optional.empty();
            }
            if (!Objects.equals(current, expected)) {
                return Optional.of(current);
            }
            beforeCompareAndSet.run();
            synchronized (this) {
                ClaimObj c = claims.get(key(ref.namespace(), ref.name()));
                if (c != null && c.resourceVersion.equals(readVersion)) {
                    if (value == null) {
                        c.annotations.remove(annotation);
                    } else {
                        c.annotations.put(annotation, value);
                    }
                    c.resourceVersion = rv();
                    return Optional.empty();
                }
            }
        }
        throw new PortError(PortError.Kind.CONFLICT, "Kubernetes", "HTTP 409", "claim " + ref + " kept changing", null);
    }

    @Override
    public void setReclaimPolicy(String pvName, String policy) {
        faults.run("setReclaimPolicy", () -> {
            synchronized (this) {
                pvOrThrow(pvName).reclaimPolicy = policy;
                rv();
            }
        }, pvName, policy);
    }

    @Override
    public void deleteStatefulSetOrphan(String namespace, String name) {
        faults.run("deleteStatefulSetOrphan", () -> {
            synchronized (this) {
                StsObj s = statefulSets.get(key(namespace, name));
                if (s != null) {
                    s.deleting = true;
                    rv();
                }
            }
        }, namespace, name);
    }

    @Override
    public void createStatefulSet(String manifest, String updateStrategy) {
        faults.run("createStatefulSet", () -> {
            synchronized (this) {
                JsonNode root = parse(manifest);
                String namespace = root.path("metadata").path("namespace").asText();
                String name = root.path("metadata").path("name").asText();
                if (statefulSets.containsKey(key(namespace, name))) {
                    return;
                }
                StsObj s = new StsObj(namespace, name);
                s.uid = uid();
                JsonNode spec = root.path("spec");
                s.replicas = spec.path("replicas").asInt(1);
                List<String> templates = new ArrayList<>();
                spec.path("volumeClaimTemplates").forEach(t -> templates.add(t.path("metadata").path("name").asText()));
                s.templates = templates;
                List<String> shared = new ArrayList<>();
                spec.path("template").path("spec").path("volumes").forEach(v -> {
                    if (v.has("persistentVolumeClaim")) {
                        shared.add(v.path("persistentVolumeClaim").path("claimName").asText());
                    }
                });
                s.shared = shared;
                JsonNode container = spec.path("template").path("spec").path("containers").path(0);
                s.image = container.path("image").asText();
                s.milliCpu = Long.parseLong(container.path("resources").path("requests").path("cpu").asText("500m")
                        .replace("m", ""));
                s.updateStrategy = updateStrategy != null ? updateStrategy : spec.path("updateStrategy").toString();
                statefulSets.put(key(namespace, name), s);
                rv();
            }
        }, manifest.length(), updateStrategy);
    }

    @Override
    public void setUpdateStrategy(String namespace, String name, String updateStrategy) {
        faults.run("setUpdateStrategy", () -> updateSpec(namespace, name, s -> s.updateStrategy = updateStrategy),
                namespace, name, updateStrategy);
    }

    /** A change to a StatefulSet's spec: a new generation, which its controller then observes. */
    private synchronized void updateSpec(String namespace, String name, java.util.function.Consumer<StsObj> change) {
        StsObj s = statefulSets.get(key(namespace, name));
        if (s == null) {
            throw notFound("StatefulSet " + namespace + "/" + name);
        }
        change.accept(s);
        s.generation++;
        rv();
    }

    @Override
    public void deletePod(String namespace, String name) {
        faults.run("deletePod", () -> {
            synchronized (this) {
                PodObj p = pods.get(key(namespace, name));
                if (p != null) {
                    p.deleting = true;
                    rv();
                }
            }
        }, namespace, name);
    }

    @Override
    public void deleteClaim(ClaimRef ref) {
        faults.run("deleteClaim", () -> {
            synchronized (this) {
                ClaimObj c = claims.get(key(ref.namespace(), ref.name()));
                if (c != null) {
                    c.deleting = true;
                    c.resourceVersion = rv();
                }
            }
        }, ref);
    }

    @Override
    public void createStaticPv(StaticPv spec) {
        faults.run("createStaticPv", () -> {
            synchronized (this) {
                if (pvs.containsKey(spec.name())) {
                    return;
                }
                JsonNode old = parse(spec.savedPvManifest());
                PvObj pv = new PvObj(spec.name());
                pv.volumeId = spec.volumeId();
                pv.zone = spec.zone();
                pv.reclaimPolicy = "Retain";
                pv.claimNamespace = spec.claim().namespace();
                pv.claimName = spec.claim().name();
                pv.storageClass = old.path("spec").path("storageClassName").asText(null);
                pv.capacity = old.path("spec").path("capacity").path("storage").asText(null);
                List<String> modes = new ArrayList<>();
                old.path("spec").path("accessModes").forEach(m -> modes.add(m.asText()));
                pv.accessModes = modes;
                old.path("metadata").path("labels").fields().forEachRemaining(e -> pv.labels.put(e.getKey(),
                        e.getValue().asText()));
                pv.labels.putAll(spec.extraLabels());
                pv.phase = "Available";
                pvs.put(pv.name, pv);
                rv();
            }
        }, spec.name(), spec.volumeId(), spec.zone());
    }

    @Override
    public void deletePv(String name) {
        faults.run("deletePv", () -> {
            synchronized (this) {
                PvObj pv = pvs.get(name);
                if (pv != null) {
                    pv.deleting = true;
                    rv();
                }
            }
        }, name);
    }

    @Override
    public void clearClaimRef(String pvName) {
        faults.run("clearClaimRef", () -> {
            synchronized (this) {
                PvObj pv = pvOrThrow(pvName);
                pv.claimNamespace = null;
                pv.claimName = null;
                pv.claimUid = null;
                rv();
            }
        }, pvName);
    }

    @Override
    public void createClaimBoundTo(String savedClaimManifest, String pvName) {
        faults.run("createClaimBoundTo", () -> createClaim(parse(savedClaimManifest), pvName), pvName);
    }

    private synchronized void createClaim(JsonNode root, String pvName) {
        String namespace = root.path("metadata").path("namespace").asText();
        String name = root.path("metadata").path("name").asText();
        if (claims.containsKey(key(namespace, name))) {
            return;
        }
        ClaimObj c = new ClaimObj(namespace, name);
        c.uid = uid();
        c.resourceVersion = rv();
        c.volumeName = pvName;
        c.storageClass = root.path("spec").path("storageClassName").asText(null);
        List<String> modes = new ArrayList<>();
        root.path("spec").path("accessModes").forEach(m -> modes.add(m.asText()));
        c.accessModes = modes;
        c.storage = root.path("spec").path("resources").path("requests").path("storage").asText(null);
        root.path("metadata").path("annotations").fields().forEachRemaining(e -> {
            if (!e.getKey().startsWith("pv.kubernetes.io/")) {
                c.annotations.put(e.getKey(), e.getValue().asText());
            }
        });
        claims.put(key(namespace, name), c);
    }

    @Override
    public Optional<Map<String, String>> configMap(String namespace, String name) {
        return faults.call("configMap", () -> {
            synchronized (this) {
                return Optional.ofNullable(configMaps.get(key(namespace, name))).map(Map::copyOf);
            }
        }, namespace, name);
    }

    @Override
    public void saveConfigMap(String namespace, String name, Map<String, String> labels, Map<String, String> data) {
        faults.run("saveConfigMap", () -> {
            synchronized (this) {
                configMaps.put(key(namespace, name), new LinkedHashMap<>(data));
                configMapLabels.put(key(namespace, name), new LinkedHashMap<>(labels));
                rv();
            }
        }, namespace, name);
    }

    @Override
    public void deleteConfigMap(String namespace, String name) {
        faults.run("deleteConfigMap", () -> {
            synchronized (this) {
                configMaps.remove(key(namespace, name));
                configMapLabels.remove(key(namespace, name));
                rv();
            }
        }, namespace, name);
    }

    // ---- the port: split-per-zone ----

    @Override
    public void scaleStatefulSet(String namespace, String name, int replicas) {
        faults.run("scaleStatefulSet", () -> updateSpec(namespace, name, s -> s.replicas = replicas),
                namespace, name, replicas);
    }

    @Override
    public void createZoneStatefulSet(String savedManifest, String zone, Map<String, String> labels) {
        faults.run("createZoneStatefulSet", () -> {
            synchronized (this) {
                JsonNode root = parse(savedManifest);
                String namespace = root.path("metadata").path("namespace").asText();
                String name = root.path("metadata").path("name").asText() + "-" + zone;
                if (statefulSets.containsKey(key(namespace, name))) {
                    return;
                }
                StsObj s = new StsObj(namespace, name);
                s.uid = uid();
                s.zone = zone;
                s.replicas = 0;
                List<String> templates = new ArrayList<>();
                root.path("spec").path("volumeClaimTemplates").forEach(t ->
                        templates.add(t.path("metadata").path("name").asText()));
                s.templates = templates;
                JsonNode container = root.path("spec").path("template").path("spec").path("containers").path(0);
                s.image = container.path("image").asText();
                s.labels.putAll(labels);
                s.labels.put("zonemover.io/zone", zone);
                statefulSets.put(key(namespace, name), s);
                rv();
            }
        }, zone);
    }

    @Override
    public void reservePv(String pvName, ClaimRef claim) {
        faults.run("reservePv", () -> {
            synchronized (this) {
                PvObj pv = pvOrThrow(pvName);
                pv.claimNamespace = claim.namespace();
                pv.claimName = claim.name();
                pv.claimUid = null;
                pv.phase = "Available";
                rv();
            }
        }, pvName, claim);
    }

    @Override
    public void createClaimAs(String savedClaimManifest, ClaimRef claim, String pvName) {
        ObjectNode renamed = (ObjectNode) parse(savedClaimManifest);
        ((ObjectNode) renamed.path("metadata")).put("name", claim.name()).put("namespace", claim.namespace());
        faults.run("createClaimAs", () -> createClaim(renamed, pvName), claim, pvName);
    }

    // ---- manifests, as a server would serve them ----

    private static String claimManifest(ClaimObj c) {
        ObjectNode root = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
        ObjectNode meta = root.putObject("metadata").put("name", c.name).put("namespace", c.namespace)
                .put("uid", c.uid).put("resourceVersion", c.resourceVersion);
        ObjectNode annotations = meta.putObject("annotations");
        c.annotations.forEach(annotations::put);
        ObjectNode spec = root.putObject("spec").put("storageClassName", c.storageClass).put("volumeName", c.volumeName);
        ArrayNode modes = spec.putArray("accessModes");
        c.accessModes.forEach(modes::add);
        spec.putObject("resources").putObject("requests").put("storage", c.storage);
        root.putObject("status").put("phase", c.phase);
        return root.toString();
    }

    private static String pvManifest(PvObj p) {
        ObjectNode root = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolume");
        ObjectNode labels = root.putObject("metadata").put("name", p.name).putObject("labels");
        p.labels.forEach(labels::put);
        ObjectNode spec = root.putObject("spec").put("storageClassName", p.storageClass)
                .put("persistentVolumeReclaimPolicy", p.reclaimPolicy);
        spec.putObject("capacity").put("storage", p.capacity);
        ArrayNode modes = spec.putArray("accessModes");
        p.accessModes.forEach(modes::add);
        if (p.csi) {
            spec.putObject("csi").put("driver", p.driver).put("volumeHandle", p.volumeId).put("fsType", "ext4");
        }
        if (p.claimName != null) {
            spec.putObject("claimRef").put("namespace", p.claimNamespace).put("name", p.claimName)
                    .put("uid", p.claimUid);
        }
        root.putObject("status").put("phase", p.phase);
        return root.toString();
    }

    private static String stsManifest(StsObj s) {
        ObjectNode root = JSON.createObjectNode().put("apiVersion", "apps/v1").put("kind", "StatefulSet");
        ObjectNode meta = root.putObject("metadata").put("name", s.name).put("namespace", s.namespace)
                .put("uid", s.uid).put("generation", s.generation);
        if (!s.labels.isEmpty()) {
            ObjectNode labels = meta.putObject("labels");
            s.labels.forEach(labels::put);
        }
        ObjectNode spec = root.putObject("spec").put("replicas", s.replicas).put("serviceName", s.name);
        spec.set("updateStrategy", parse(s.updateStrategy));
        ObjectNode podSpec = spec.putObject("template").putObject("spec");
        ObjectNode container = podSpec.putArray("containers").addObject().put("name", "main").put("image", s.image);
        container.putObject("resources").putObject("requests").put("cpu", s.milliCpu + "m");
        ArrayNode volumes = podSpec.putArray("volumes");
        s.shared.forEach(claim -> volumes.addObject().put("name", claim).putObject("persistentVolumeClaim")
                .put("claimName", claim));
        ArrayNode templates = spec.putArray("volumeClaimTemplates");
        s.templates.forEach(t -> templates.addObject().putObject("metadata").put("name", t));
        return root.toString();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new PortError(PortError.Kind.REJECTED, "Kubernetes", "HTTP 400", "not JSON: " + json, e);
        }
    }

    // ---- helpers ----

    private PvObj pvOrThrow(String name) {
        PvObj pv = pvs.get(name);
        if (pv == null) {
            throw notFound("PV " + name);
        }
        return pv;
    }

    private static PortError notFound(String what) {
        return new PortError(PortError.Kind.NOT_FOUND, "Kubernetes", "HTTP 404", what + " not found", null);
    }

    private String rv() {
        return String.valueOf(++resourceVersion);
    }

    private String uid() {
        return "uid-" + nextUid++;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    // ---- rescue --watch: unscheduled pods, leases, events ----

    /** The API server's clock as {@link #unscheduledPods} reports it; null: this machine's. */
    public volatile java.time.Instant serverTime;
    private final Map<String, Lease> leases = new TreeMap<>();
    private final List<RecordedEvent> events = new ArrayList<>();

    /** An Event as the fake stored it, with how often it was counted. */
    public record RecordedEvent(String name, ObjectEvent event, int count, java.time.Instant first,
                                java.time.Instant last) {
    }

    /** Every Event recorded, oldest first. */
    public synchronized List<RecordedEvent> events() {
        return List.copyOf(events);
    }

    public synchronized Optional<Lease> leaseState(String namespace, String name) {
        return Optional.ofNullable(leases.get(key(namespace, name)));
    }

    @Override
    public Unscheduled unscheduledPods(String namespace) {
        return faults.call("unscheduledPods", () -> {
            synchronized (this) {
                List<UnscheduledPod> out = pods.values().stream()
                        .filter(p -> namespace == null || p.namespace.equals(namespace))
                        .filter(p -> "Pending".equals(p.phase) && p.nodeName == null && !p.deleting
                                && p.unschedulable != null)
                        .map(p -> new UnscheduledPod(p.namespace, p.name, p.uid, p.owner, p.unschedulable,
                                p.unschedulableSince))
                        .toList();
                return new Unscheduled(serverTime != null ? serverTime : java.time.Instant.now(), out);
            }
        }, namespace);
    }

    @Override
    public Optional<Lease> lease(String namespace, String name) {
        return faults.call("lease", () -> leaseState(namespace, name), namespace, name);
    }

    @Override
    public Lease createLease(Lease lease) {
        return faults.call("createLease", () -> {
            synchronized (this) {
                if (leases.containsKey(key(lease.namespace(), lease.name()))) {
                    throw new PortError(PortError.Kind.CONFLICT, "Kubernetes", "AlreadyExists",
                            "Lease " + lease.name() + " already exists", null);
                }
                Lease stored = lease.withResourceVersion(rv());
                leases.put(key(lease.namespace(), lease.name()), stored);
                return stored;
            }
        }, lease.holderIdentity());
    }

    @Override
    public Lease updateLease(Lease lease) {
        return faults.call("updateLease", () -> {
            synchronized (this) {
                Lease current = leases.get(key(lease.namespace(), lease.name()));
                if (current == null) {
                    throw notFound("Lease " + lease.name());
                }
                if (!Objects.equals(current.resourceVersion(), lease.resourceVersion())) {
                    throw new PortError(PortError.Kind.CONFLICT, "Kubernetes", "HTTP 409",
                            "Lease " + lease.name() + ": the object has been modified", null);
                }
                Lease stored = lease.withResourceVersion(rv());
                leases.put(key(lease.namespace(), lease.name()), stored);
                return stored;
            }
        }, lease.holderIdentity());
    }

    @Override
    public String createEvent(ObjectEvent event, java.time.Instant at) {
        return faults.call("createEvent", () -> {
            synchronized (this) {
                String name = event.name() + "." + Long.toHexString(at.toEpochMilli()) + "." + events.size();
                events.add(new RecordedEvent(name, event, 1, at, at));
                return name;
            }
        }, event.kind(), event.name(), event.reason());
    }

    @Override
    public boolean repeatEvent(String namespace, String name, int count, java.time.Instant at) {
        return faults.call("repeatEvent", () -> {
            synchronized (this) {
                for (int i = 0; i < events.size(); i++) {
                    RecordedEvent e = events.get(i);
                    if (e.name().equals(name) && e.event().namespace().equals(namespace)) {
                        events.set(i, new RecordedEvent(name, e.event(), count, e.first(), at));
                        return true;
                    }
                }
                return false;
            }
        }, namespace, name, count);
    }

    // ---- nodes for the zone-outage rescue: plain, no faults ----

    /** node name -> what node() answers; tests fill it. */
    public final Map<String, Node> nodeFacts = new java.util.HashMap<>();

    @Override
    public synchronized java.util.Optional<Node> node(String name) {
        return java.util.Optional.ofNullable(nodeFacts.get(name));
    }

    @Override
    public synchronized void taintNode(String name, String key, String value, String effect) {
        Node node = nodeFacts.get(name);
        if (node != null) {
            List<String> taints = new java.util.ArrayList<>(node.taints());
            taints.add(key + "=" + value + ":" + effect);
            nodeFacts.put(name, new Node(node.name(), node.zone(), node.ready(), node.instanceId(), taints));
        }
    }
}
