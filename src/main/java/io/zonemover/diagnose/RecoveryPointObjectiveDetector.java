package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;
import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Finding.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * With {@code diagnose --rpo DURATION}: finds the StatefulSet claims (EBS) whose newest completed snapshot is
 * older than the objective, or that have none, so that losing their zone would lose more than that. The
 * fix is a protective snapshot of the StatefulSet's pods. Says nothing when the recovery points could not be
 * read (the command warns), and nothing of the claims a zone outage covers (their volumes cannot be
 * snapshotted now; that finding gives their age).
 */
final class RecoveryPointObjectiveDetector implements Detector {

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        List<Finding> out = new ArrayList<>();
        if (facts.rpo() == null || !facts.recoveryPoints().known()) {
            return out;
        }
        long objective = facts.rpo().getSeconds();
        for (StatefulSet sts : facts.statefulSets()) {
            if (!facts.inScope(sts.namespace())) {
                continue;
            }
            for (Claimed c : claims(facts, sts)) {
                Mount m = c.mount();
                if (soFar.inOutage(sts.namespace(), m.claimName())) {
                    continue;
                }
                var point = facts.recoveryPoints().newest(m.volume().volumeId());
                Long age = point.map(RecoveryPoints.Point::ageSeconds).orElse(null);
                if (point.isPresent() && (age == null || age <= objective)) {
                    continue;
                }
                String zone = m.volume().zone() == null ? "its zone" : m.volume().zone();
                StringBuilder msg = new StringBuilder("Claim ").append(m.claimName()).append(" (")
                        .append(m.volume().volumeId()).append(", pod ").append(c.pod()).append(" of StatefulSet ")
                        .append(sts.name()).append(')');
                if (point.isEmpty()) {
                    msg.append(" has no completed snapshot: losing ").append(zone)
                            .append(" now would lose all its data.");
                } else {
                    msg.append(": its newest completed snapshot ").append(point.get().snapshotId()).append(" is ")
                            .append(RecoveryPoints.age(age)).append(" old, older than the ")
                            .append(RecoveryPoints.age(objective)).append(" objective: losing ").append(zone)
                            .append(" now would lose ").append(RecoveryPoints.age(age)).append(" of writes.");
                }
                msg.append(" Take a protective snapshot of the StatefulSet's pods (an EBS volume can be"
                        + " snapshotted while in use).");
                out.add(Finding.builder(Kind.RecoveryPointObjective)
                        .object(sts.namespace() + "/" + m.claimName()).namespace(sts.namespace()).pod(c.pod())
                        .claim(m.claimName()).pv(m.volume().name()).volumeId(m.volume().volumeId())
                        .volumeZone(m.volume().zone()).statefulSet(sts.name())
                        .message(msg.toString())
                        .command(snapshotCommand(sts))
                        .recoveryPoint(new Finding.RecoveryPoint(point.map(RecoveryPoints.Point::snapshotId)
                                .orElse(null), age, objective))
                        .build());
            }
        }
        return out;
    }

    /** A StatefulSet claim bound to an EBS volume, and the pod (ordinal) it belongs to. */
    record Claimed(String pod, Mount mount) {
    }

    /** Every claim its templates give its ordinals that is bound to an EBS volume, by ordinal then template. */
    static List<Claimed> claims(ClusterFacts facts, StatefulSet sts) {
        List<Claimed> out = new ArrayList<>();
        for (int i = sts.ordinalStart(); i < sts.ordinalStart() + sts.replicas(); i++) {
            for (String template : sts.claimTemplates()) {
                Mount m = facts.mount(sts.namespace(), sts.claimName(template, i));
                if (m.volume() != null && m.volume().ebs() && m.volume().volumeId() != null) {
                    out.add(new Claimed(sts.podName(i), m));
                }
            }
        }
        return out;
    }

    /** The volume ids of every in-scope StatefulSet's EBS claims: what {@code --rpo} reads recovery points for. */
    static Set<String> volumeIds(ClusterFacts facts) {
        Set<String> ids = new TreeSet<>();
        for (StatefulSet sts : facts.statefulSets()) {
            if (facts.inScope(sts.namespace())) {
                claims(facts, sts).forEach(c -> ids.add(c.mount().volume().volumeId()));
            }
        }
        return ids;
    }

    /**
     * {@code zonemover snapshot -n NS -l k=v,...} from the StatefulSet's {@code matchLabels}, keys sorted;
     * {@code zonemover snapshot -n NS} when it has none.
     */
    static String snapshotCommand(StatefulSet sts) {
        Map<String, String> labels = new TreeMap<>(sts.selector());
        String command = "zonemover snapshot -n " + sts.namespace();
        if (labels.isEmpty()) {
            return command;
        }
        return command + " -l " + labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
