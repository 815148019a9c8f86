package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;
import io.zonemover.diagnose.Facts.Claim;
import io.zonemover.diagnose.Facts.MoveRecord;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.Tags;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds moves that were interrupted, from cluster evidence alone, so any machine sees them: each move's
 * ConfigMap {@code zonemover-<jobId>}, and claims annotated {@code zonemover.io/migration} whose move has no
 * ConfigMap. Says in plain words what state the workload is in, and gives the command that adopts the move.
 */
final class InterruptedMoveDetector implements Detector {

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        List<Finding> out = new ArrayList<>();
        Set<String> recorded = new HashSet<>();
        for (MoveRecord move : facts.moves()) {
            if (facts.inScope(move.namespace())) {
                recorded.add(ClusterFacts.key(move.namespace(), move.jobId()));
                out.add(fromRecord(facts, move));
            }
        }
        // Claims still locked by a move whose record is gone: one finding per move.
        Map<String, List<Claim>> orphans = new LinkedHashMap<>();
        facts.claims().stream()
                .filter(c -> c.migrationJob() != null && facts.inScope(c.namespace()))
                .filter(c -> !recorded.contains(ClusterFacts.key(c.namespace(), c.migrationJob())))
                .sorted(java.util.Comparator.comparing(Claim::namespace).thenComparing(Claim::migrationJob)
                        .thenComparing(Claim::name))
                .forEach(c -> orphans.computeIfAbsent(ClusterFacts.key(c.namespace(), c.migrationJob()),
                        k -> new ArrayList<>()).add(c));
        orphans.values().forEach(claims -> out.add(fromAnnotation(facts, claims)));
        return out;
    }

    private static Finding fromRecord(ClusterFacts facts, MoveRecord move) {
        String ns = move.namespace();
        List<String> claimNames = new ArrayList<>(move.claims());
        if (claimNames.isEmpty()) {
            facts.claims().stream().filter(c -> c.namespace().equals(ns) && move.jobId().equals(c.migrationJob()))
                    .map(Claim::name).sorted().forEach(claimNames::add);
        }
        Optional<Pod> pod = move.pod() == null ? Optional.empty() : facts.pod(ns, move.pod());
        if (claimNames.isEmpty() && pod.isPresent()) {
            claimNames.addAll(pod.get().claims());
        }
        String stsName = move.statefulSet() != null ? move.statefulSet() : pod.map(Pod::statefulSet).orElse(null);
        Boolean stsMissing = stsName == null ? null : facts.statefulSet(ns, stsName).isEmpty();
        List<Mount> mounts = claimNames.stream().map(c -> facts.mount(ns, c)).toList();

        StringBuilder msg = new StringBuilder(state(stsName, stsMissing, move.pod(), pod, facts));
        msg.append("move ").append(move.jobId()).append(" was interrupted ");
        if (move.step() == null) {
            msg.append("at a step its record does not say (").append(move.problem() == null
                    ? "no step in it" : move.problem()).append(')');
        } else if ("rollback".equals(move.step())) {
            msg.append("while rolling back");
        } else {
            msg.append("in step ").append(move.step());
        }
        msg.append('.');
        if (!claimNames.isEmpty()) {
            msg.append(" It was moving ").append(claimNames.size() == 1 ? "claim " : "claims ")
                    .append(Moves.and(claimNames));
            if (move.fromZone() != null && move.toZone() != null) {
                msg.append(" from ").append(move.fromZone()).append(" to ").append(move.toZone());
            }
            msg.append('.');
        }
        if (Boolean.TRUE.equals(move.pointOfNoReturn())) {
            msg.append(" It had passed its point of no return (the pod ran on the new volumes), so it can only be"
                    + " finished forward.");
        } else if (Boolean.FALSE.equals(move.pointOfNoReturn())) {
            msg.append(" It had not reached its point of no return: the original volumes are kept, so it can be"
                    + " finished or rolled back.");
        }
        appendMissingClaims(msg, mounts);
        if (move.updatedAt() != null) {
            msg.append(" Last recorded at ").append(move.updatedAt()).append('.');
        }
        msg.append(adoptAdvice(claimNames, move.pointOfNoReturn()));
        return finding(ns, move.pod(), stsName, mounts, move.pod() != null ? ns + "/" + move.pod() : ns + "/"
                + move.configMap(), msg.toString(), new Finding.Move(move.jobId(), move.step(), stsMissing,
                move.pointOfNoReturn(), move.fromZone(), move.toZone(), move.updatedAt()));
    }

    private static Finding fromAnnotation(ClusterFacts facts, List<Claim> claims) {
        String ns = claims.get(0).namespace();
        String jobId = claims.get(0).migrationJob();
        List<String> claimNames = claims.stream().map(Claim::name).toList();
        Optional<Pod> pod = claimNames.stream().flatMap(c -> facts.podsByClaim(ns, c).stream()).findFirst();
        String stsName = pod.map(Pod::statefulSet).orElseGet(() -> statefulSetOf(facts, ns, claimNames.get(0)));
        Boolean stsMissing = stsName == null ? null : facts.statefulSet(ns, stsName).isEmpty();
        String podName = pod.map(Pod::name).orElse(null);
        List<Mount> mounts = claimNames.stream().map(c -> facts.mount(ns, c)).toList();
        StringBuilder msg = new StringBuilder(state(stsName, stsMissing, podName, pod, facts));
        msg.append("move ").append(jobId).append(" was interrupted at a step the cluster no longer records: ")
                .append(Moves.and(claimNames)).append(claimNames.size() == 1 ? " carries " : " carry ")
                .append(Tags.MIGRATION_ANNOTATION).append('=').append(jobId).append(", but the move's ConfigMap ")
                .append(SnapshotFacts.MOVE_CONFIGMAP_PREFIX).append(jobId).append(" is gone.");
        appendMissingClaims(msg, mounts);
        msg.append(adoptAdvice(claimNames, null));
        return finding(ns, podName, stsName, mounts, podName != null ? ns + "/" + podName : ns + "/"
                + claimNames.get(0), msg.toString(), new Finding.Move(jobId, null, stsMissing, null, null, null, null));
    }

    /** "StatefulSet db is deleted and pod db-3 is stopped; " (the parts that are known). */
    private static String state(String stsName, Boolean stsMissing, String podName, Optional<Pod> pod,
                                ClusterFacts facts) {
        List<String> parts = new ArrayList<>();
        if (stsName != null) {
            parts.add("StatefulSet " + stsName + (Boolean.TRUE.equals(stsMissing) ? " is deleted" : " exists"));
        }
        if (podName != null) {
            if (pod.isEmpty()) {
                parts.add("pod " + podName + " is stopped");
            } else if (pod.get().nodeName() == null) {
                parts.add("pod " + podName + " is Pending");
            } else {
                String zone = facts.nodeZone(pod.get().nodeName());
                parts.add("pod " + podName + " is " + (pod.get().phase() == null ? "placed" : pod.get().phase())
                        + " on node " + pod.get().nodeName() + (zone == null ? "" : " in " + zone));
            }
        }
        if (parts.isEmpty()) {
            return "";
        }
        return String.join(" and ", parts) + "; ";
    }

    private static void appendMissingClaims(StringBuilder msg, List<Mount> mounts) {
        List<String> missing = mounts.stream().filter(m -> m.claim() == null).map(Mount::claimName).toList();
        if (!missing.isEmpty()) {
            msg.append(" Claim ").append(Moves.and(missing)).append(missing.size() == 1 ? " does" : " do")
                    .append(" not exist now (a move deletes and recreates its claims when it rebinds them).");
        }
    }

    private static String adoptAdvice(List<String> claims, Boolean pointOfNoReturn) {
        if (claims.isEmpty()) {
            return " The record names no claim; find the move with `zonemover jobs list` on the machine that ran it.";
        }
        return " Adopt it from any machine to " + (Boolean.TRUE.equals(pointOfNoReturn) ? "finish it"
                : "finish it or roll it back") + " (if a zonemover is still running this move, let it end instead).";
    }

    /** The StatefulSet whose volumeClaimTemplates name this claim ({@code <template>-<set>-<ordinal>}), if any. */
    private static String statefulSetOf(ClusterFacts facts, String ns, String claim) {
        for (StatefulSet sts : facts.statefulSets()) {
            if (!sts.namespace().equals(ns)) {
                continue;
            }
            for (String template : sts.claimTemplates()) {
                String prefix = template + "-" + sts.name() + "-";
                if (claim.startsWith(prefix) && claim.substring(prefix.length()).matches("\\d+")) {
                    return sts.name();
                }
            }
        }
        return null;
    }

    private static Finding finding(String ns, String pod, String sts, List<Mount> mounts, String object,
                                   String message, Finding.Move move) {
        return Finding.builder(Kind.InterruptedMove).object(object).namespace(ns).pod(pod).statefulSet(sts)
                .claims(PodVolumes.refs(mounts))
                .message(Character.toUpperCase(message.charAt(0)) + message.substring(1))
                .command(mounts.isEmpty() ? null : Moves.adoptCommand(ns, mounts.get(0).claimName()))
                .move(move).build();
    }
}
