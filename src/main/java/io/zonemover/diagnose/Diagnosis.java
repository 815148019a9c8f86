package io.zonemover.diagnose;

import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.zonemover.cluster.ClusterSnapshot;
import io.zonemover.cluster.PvFacts;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Placement;
import io.zonemover.domain.SchedulerMessages;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Computes every finding from one snapshot. Pure: no API calls, so a 10,000-pod cluster costs one read
 * and a few passes over memory.
 *
 * <p>A volume-zone conflict is found two ways, and either is enough: the scheduler's own words (the
 * PodScheduled condition, or a FailedScheduling event matched by the pod's uid, in all three wordings of
 * {@link SchedulerMessages}), and a computation from the PV's zone and the nodes there (ready, not
 * cordoned, taints tolerated, affinity matched, room for the requests), so it is found even after the
 * events have expired.
 */
public final class Diagnosis {

    static final Set<String> EBS_PROVISIONERS = Set.of(PvFacts.EBS_CSI_DRIVER, PvFacts.IN_TREE_PROVISIONER);
    private static final Pattern PV_IN_ATTACH_MESSAGE = Pattern.compile("volume \"([^\"]+)\"");

    private final ClusterSnapshot snapshot;
    private final List<Placement.Node> nodes;
    private final Map<String, V1StatefulSet> statefulSets = new HashMap<>();
    private final Set<String> flaggedClaims = new HashSet<>();
    /** Moves already proposed, claim key -> target zone, so later findings count replicas where they will be. */
    private final Map<String, String> proposedMoves = new HashMap<>();

    private Diagnosis(ClusterSnapshot snapshot) {
        this.snapshot = snapshot;
        this.nodes = snapshot.placementNodes();
        for (V1StatefulSet sts : snapshot.statefulSets()) {
            statefulSets.put(ClusterSnapshot.key(sts.getMetadata().getNamespace(), sts.getMetadata().getName()), sts);
        }
    }

    /** All findings, most urgent first: stuck pods, attach failures, imbalance, then StorageClasses. */
    public static List<Finding> of(ClusterSnapshot snapshot) {
        Diagnosis d = new Diagnosis(snapshot);
        List<Finding> out = new ArrayList<>();
        out.addAll(d.volumeZoneConflicts());
        out.addAll(d.attachFailures());
        out.addAll(d.zoneImbalance());
        out.addAll(d.immediateBinding());
        return out;
    }

    public static String migrateCommand(String namespace, String claim, String zone) {
        return "zonemover migrate " + namespace + "/" + claim + " --to " + zone;
    }

    // ---- VolumeNodeAffinityConflict -------------------------------------------------------------

    List<Finding> volumeZoneConflicts() {
        List<Finding> out = new ArrayList<>();
        for (V1Pod pod : sortedPods()) {
            if (!snapshot.inScope(ns(pod)) || PvFacts.isTerminated(pod) || pod.getSpec() == null
                    || pod.getSpec().getNodeName() != null || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            String said = schedulerSaid(pod);
            Placement.PodNeeds needs = PvFacts.needs(pod.getSpec());
            for (String claimName : PvFacts.claimNames(pod)) {
                Optional<V1PersistentVolumeClaim> claim = snapshot.claim(ns(pod), claimName);
                Optional<V1PersistentVolume> pv = claim.flatMap(snapshot::pvOf);
                if (pv.isEmpty() || !PvFacts.isEbs(pv.get())) {
                    continue;
                }
                Optional<String> zone = PvFacts.zone(pv.get());
                if (zone.isEmpty()) {
                    continue;
                }
                Placement.ZoneFit there = Placement.zone(nodes, needs, zone.get());
                if (there.fits() && said == null) {
                    continue;
                }
                Map<String, Integer> replicas = replicasPerZone(pod, claimName);
                Optional<String> target = Placement.suggestZone(nodes, needs, zone.get(), replicas);
                String volumeId = PvFacts.volumeId(pv.get()).orElse(null);
                StringBuilder msg = new StringBuilder("Pending: its volume ").append(volumeId).append(" is in ")
                        .append(zone.get());
                if (!there.fits()) {
                    msg.append(", where no node can take the pod (").append(trimPeriod(there.summary())).append(')');
                } else {
                    msg.append("; the scheduler reports a volume zone conflict, but ").append(zone.get())
                            .append(" has room now (").append(trimPeriod(there.summary())).append("), so a retry may place it");
                }
                if (said != null) {
                    msg.append(". Scheduler: ").append(trimPeriod(said.strip()));
                }
                if (target.isPresent()) {
                    msg.append(". Move the volume to ").append(target.get()).append(", which has room.");
                } else {
                    msg.append(". No other zone has a node with room for this pod now; add capacity in ")
                            .append(zone.get()).append(" or elsewhere.");
                }
                String key = ClusterSnapshot.key(ns(pod), claimName);
                flaggedClaims.add(key);
                target.ifPresent(z -> proposedMoves.put(key, z));
                out.add(Finding.builder(Kind.VolumeNodeAffinityConflict)
                        .object(ns(pod) + "/" + name(pod)).namespace(ns(pod)).pod(name(pod)).claim(claimName)
                        .pv(pv.get().getMetadata().getName()).volumeId(volumeId).volumeZone(zone.get())
                        .suggestedZone(target.orElse(null)).statefulSet(ownerStatefulSet(pod))
                        .message(msg.toString())
                        .command(target.map(z -> migrateCommand(ns(pod), claimName, z)).orElse(null))
                        .build());
                break;
            }
        }
        return out;
    }

    /** The scheduler's latest volume-zone complaint about this very pod (condition, else uid-matched event). */
    private String schedulerSaid(V1Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (V1PodCondition c : pod.getStatus().getConditions()) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                        && SchedulerMessages.isVolumeZoneConflict(c.getMessage())) {
                    return c.getMessage();
                }
            }
        }
        return snapshot.eventsFor(pod.getMetadata().getUid()).stream()
                .filter(e -> "FailedScheduling".equals(e.getReason()))
                .filter(e -> SchedulerMessages.isVolumeZoneConflict(e.getMessage()))
                .max(Comparator.comparing(Diagnosis::when))
                .map(CoreV1Event::getMessage).orElse(null);
    }

    // ---- AttachFailure ------------------------------------------------------------------------

    List<Finding> attachFailures() {
        List<Finding> out = new ArrayList<>();
        for (V1Pod pod : sortedPods()) {
            if (!snapshot.inScope(ns(pod)) || PvFacts.isTerminated(pod) || pod.getSpec() == null) {
                continue;
            }
            Set<String> reported = new HashSet<>();
            Optional<CoreV1Event> attach = snapshot.eventsFor(pod.getMetadata().getUid()).stream()
                    .filter(e -> SchedulerMessages.isAttachFailureReason(e.getReason())
                            || SchedulerMessages.isMultiAttach(e.getMessage()))
                    .max(Comparator.comparing(Diagnosis::when));
            if (attach.isPresent()) {
                String message = attach.get().getMessage() == null ? "" : attach.get().getMessage().strip();
                String pvName = null;
                Matcher m = PV_IN_ATTACH_MESSAGE.matcher(message);
                if (m.find()) {
                    pvName = m.group(1);
                }
                String claimName = null;
                V1PersistentVolume pv = null;
                for (String c : PvFacts.claimNames(pod)) {
                    var bound = snapshot.claim(ns(pod), c).flatMap(snapshot::pvOf);
                    if (bound.isPresent() && (pvName == null || pvName.equals(bound.get().getMetadata().getName()))) {
                        claimName = c;
                        pv = bound.get();
                        break;
                    }
                }
                if (pv == null && pvName != null) {
                    pv = snapshot.pv(pvName).orElse(null);
                }
                boolean multi = SchedulerMessages.isMultiAttach(message);
                String advice = multi
                        ? " The volume is still attached to another node: wait for the old pod to terminate, or"
                                + " check `kubectl get volumeattachments` for one left behind by a lost node."
                        : " Check the EBS CSI controller logs and the node's attachment limit.";
                if (claimName != null) {
                    reported.add(claimName);
                }
                out.add(attachFinding(pod, claimName, pv, null, (multi ? "Multi-Attach: " : "FailedAttachVolume: ")
                        + message + "." + advice, null));
            }
            String nodeName = pod.getSpec().getNodeName();
            String nodeZone = snapshot.node(nodeName).map(PvFacts::nodeZone).orElse(null);
            if (nodeZone == null) {
                continue;
            }
            for (String c : PvFacts.claimNames(pod)) {
                if (reported.contains(c)) {
                    continue;
                }
                var pv = snapshot.claim(ns(pod), c).flatMap(snapshot::pvOf);
                if (pv.isEmpty() || !PvFacts.isEbs(pv.get())) {
                    continue;
                }
                String volumeZone = PvFacts.zone(pv.get()).orElse(null);
                if (volumeZone != null && !volumeZone.equals(nodeZone)) {
                    flaggedClaims.add(ClusterSnapshot.key(ns(pod), c));
                    out.add(attachFinding(pod, c, pv.get(), nodeZone, "Runs on node " + nodeName + " in " + nodeZone
                                    + " but its volume is in " + volumeZone
                                    + ": an EBS volume attaches only to instances in its own zone.",
                            migrateCommand(ns(pod), c, nodeZone)));
                }
            }
        }
        return out;
    }

    private Finding attachFinding(V1Pod pod, String claim, V1PersistentVolume pv, String suggested, String message,
                                  String command) {
        return Finding.builder(Kind.AttachFailure).object(ns(pod) + "/" + name(pod)).namespace(ns(pod))
                .pod(name(pod)).claim(claim).pv(pv == null ? null : pv.getMetadata().getName())
                .volumeId(pv == null ? null : PvFacts.volumeId(pv).orElse(null))
                .volumeZone(pv == null ? null : PvFacts.zone(pv).orElse(null))
                .suggestedZone(suggested).statefulSet(ownerStatefulSet(pod)).message(message).command(command).build();
    }

    // ---- ZoneImbalance ------------------------------------------------------------------------

    List<Finding> zoneImbalance() {
        Set<String> zones = new java.util.TreeSet<>();
        nodes.stream().filter(Placement.Node::ready).map(Placement.Node::zone)
                .filter(z -> z != null && !z.isEmpty()).forEach(zones::add);
        List<Finding> out = new ArrayList<>();
        if (zones.size() < 2) {
            return out;
        }
        List<V1StatefulSet> sets = new ArrayList<>(snapshot.statefulSets());
        sets.sort(Comparator.comparing((V1StatefulSet s) -> s.getMetadata().getNamespace())
                .thenComparing(s -> s.getMetadata().getName()));
        for (V1StatefulSet sts : sets) {
            String ns = sts.getMetadata().getNamespace();
            String name = sts.getMetadata().getName();
            int replicas = sts.getSpec() == null || sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
            if (!snapshot.inScope(ns) || replicas < 2 || templateName(sts) == null) {
                continue;
            }
            // zone -> replicas' claims there, counting proposed moves where they will land.
            Map<String, List<Replica>> byZone = new TreeMap<>();
            for (Replica r : replicas(sts)) {
                String zone = proposedMoves.getOrDefault(ClusterSnapshot.key(ns, r.claim()), r.zone());
                byZone.computeIfAbsent(zone, z -> new ArrayList<>()).add(r);
            }
            int allowed = (replicas + zones.size() - 1) / zones.size();
            Map<String, Integer> counts = new TreeMap<>();
            byZone.forEach((z, rs) -> counts.put(z, rs.size()));
            Placement.PodNeeds needs = PvFacts.needs(sts.getSpec().getTemplate() == null ? null
                    : sts.getSpec().getTemplate().getSpec());
            for (var entry : byZone.entrySet()) {
                String zone = entry.getKey();
                List<Replica> here = new ArrayList<>(entry.getValue());
                if (here.size() <= allowed) {
                    continue;
                }
                int crowd = here.size();
                here.removeIf(r -> flaggedClaims.contains(ClusterSnapshot.key(ns, r.claim())));
                here.sort(Comparator.comparingInt(Replica::ordinal).reversed());
                int surplus = Math.min(crowd - allowed, here.size());
                for (Replica r : here.subList(0, surplus)) {
                    Optional<String> target = Placement.suggestZone(nodes, needs, zone, counts)
                            .filter(t -> counts.getOrDefault(t, 0) + 1 < counts.get(zone));
                    String msg = "StatefulSet " + ns + "/" + name + " keeps " + crowd + " of " + replicas
                            + " volumes in " + zone + " (at most " + allowed + " per zone across " + zones.size()
                            + " zones with nodes): losing " + zone + " takes down " + crowd + " replicas.";
                    msg += target.map(t -> " Move " + r.claim() + " to " + t + ".")
                            .orElse(" No other zone has room for another replica now.");
                    target.ifPresent(t -> {
                        counts.merge(zone, -1, Integer::sum);
                        counts.merge(t, 1, Integer::sum);
                    });
                    out.add(Finding.builder(Kind.ZoneImbalance).object(ns + "/" + r.claim()).namespace(ns)
                            .pod(r.pod()).claim(r.claim()).pv(r.pv()).volumeId(r.volumeId()).volumeZone(zone)
                            .suggestedZone(target.orElse(null)).statefulSet(name).message(msg)
                            .command(target.map(t -> migrateCommand(ns, r.claim(), t)).orElse(null)).build());
                }
            }
        }
        return out;
    }

    private record Replica(int ordinal, String pod, String claim, String pv, String volumeId, String zone) {
    }

    /** The replicas whose first claim template is bound to an EBS PV with a known zone. */
    private List<Replica> replicas(V1StatefulSet sts) {
        String ns = sts.getMetadata().getNamespace();
        String name = sts.getMetadata().getName();
        int count = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        int start = sts.getSpec().getOrdinals() != null && sts.getSpec().getOrdinals().getStart() != null
                ? sts.getSpec().getOrdinals().getStart() : 0;
        List<Replica> out = new ArrayList<>();
        for (int i = start; i < start + count; i++) {
            String claimName = templateName(sts) + "-" + name + "-" + i;
            var pv = snapshot.claim(ns, claimName).flatMap(snapshot::pvOf);
            if (pv.isEmpty() || !PvFacts.isEbs(pv.get())) {
                continue;
            }
            String zone = PvFacts.zone(pv.get()).orElse(null);
            if (zone != null) {
                out.add(new Replica(i, name + "-" + i, claimName, pv.get().getMetadata().getName(),
                        PvFacts.volumeId(pv.get()).orElse(null), zone));
            }
        }
        return out;
    }

    private static String templateName(V1StatefulSet sts) {
        if (sts.getSpec() == null || sts.getSpec().getVolumeClaimTemplates() == null
                || sts.getSpec().getVolumeClaimTemplates().isEmpty()) {
            return null;
        }
        return sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
    }

    /**
     * Where the pod's StatefulSet siblings live, by their volumes' zones (where they will run), leaving
     * out the claim being moved.
     */
    private Map<String, Integer> replicasPerZone(V1Pod pod, String claimName) {
        Map<String, Integer> out = new LinkedHashMap<>();
        String stsName = ownerStatefulSet(pod);
        V1StatefulSet sts = stsName == null ? null : statefulSets.get(ClusterSnapshot.key(ns(pod), stsName));
        if (sts == null || templateName(sts) == null) {
            return out;
        }
        for (Replica r : replicas(sts)) {
            if (!r.claim().equals(claimName)) {
                out.merge(proposedMoves.getOrDefault(ClusterSnapshot.key(ns(pod), r.claim()), r.zone()), 1, Integer::sum);
            }
        }
        return out;
    }

    // ---- ImmediateBindingStorageClass ---------------------------------------------------------

    List<Finding> immediateBinding() {
        Set<String> zones = Placement.zones(nodes);
        List<Finding> out = new ArrayList<>();
        if (zones.size() < 2) {
            return out;
        }
        List<V1StorageClass> classes = new ArrayList<>(snapshot.storageClasses());
        classes.sort(Comparator.comparing(sc -> sc.getMetadata().getName()));
        for (V1StorageClass sc : classes) {
            String mode = sc.getVolumeBindingMode();
            if (!EBS_PROVISIONERS.contains(sc.getProvisioner()) || mode != null && !"Immediate".equals(mode)) {
                continue;
            }
            String name = sc.getMetadata().getName();
            long claims = snapshot.claims().stream()
                    .filter(c -> c.getSpec() != null && name.equals(c.getSpec().getStorageClassName())).count();
            out.add(Finding.builder(Kind.ImmediateBindingStorageClass).object("storageclass/" + name)
                    .storageClass(name)
                    .message("StorageClass " + name + " (" + sc.getProvisioner() + ") binds "
                            + (mode == null ? "Immediately (volumeBindingMode unset)" : "Immediately")
                            + ": each new volume's zone is chosen before its pod is scheduled, so pods get stuck"
                            + " with `volume node affinity conflict` in a cluster spanning " + zones.size()
                            + " zones (" + String.join(", ", zones) + "). Recreate it with WaitForFirstConsumer;"
                            + " its " + claims + " existing claim(s) keep their volumes.")
                    .command(StorageClassFix.command(name)).build());
        }
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private List<V1Pod> sortedPods() {
        List<V1Pod> pods = new ArrayList<>(snapshot.pods());
        pods.sort(Comparator.comparing(Diagnosis::ns).thenComparing(Diagnosis::name));
        return pods;
    }

    static String ownerStatefulSet(V1Pod pod) {
        if (pod.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (V1OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
            if ("StatefulSet".equals(ref.getKind())) {
                return ref.getName();
            }
        }
        return null;
    }

    private static OffsetDateTime when(CoreV1Event e) {
        OffsetDateTime t = e.getLastTimestamp();
        if (t == null && e.getSeries() != null) {
            t = e.getSeries().getLastObservedTime();
        }
        if (t == null) {
            t = e.getEventTime();
        }
        if (t == null) {
            t = e.getFirstTimestamp();
        }
        if (t == null && e.getMetadata() != null) {
            t = e.getMetadata().getCreationTimestamp();
        }
        return t == null ? OffsetDateTime.MIN : t;
    }

    private static String trimPeriod(String text) {
        String t = text;
        while (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static String ns(V1Pod pod) {
        return pod.getMetadata().getNamespace();
    }

    private static String name(V1Pod pod) {
        return pod.getMetadata().getName();
    }
}
