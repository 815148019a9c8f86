package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;
import io.zonemover.diagnose.Facts.Event;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Facts.Volume;
import io.zonemover.diagnose.Finding.Kind;
import io.zonemover.domain.SchedulerMessages;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds volumes that cannot attach: the attach-detach controller's FailedAttachVolume and Multi-Attach
 * events, and pods placed on a node in another zone than their EBS volumes (which can never attach).
 */
final class AttachFailureDetector implements Detector {

    private static final Pattern PV_IN_ATTACH_MESSAGE = Pattern.compile("volume \"([^\"]+)\"");

    @Override
    public List<Finding> detect(ClusterFacts facts, Findings soFar) {
        List<Finding> out = new ArrayList<>();
        for (Pod pod : facts.pods()) {
            if (!facts.inScope(pod.namespace()) || pod.terminated() || !pod.hasSpec()) {
                continue;
            }
            List<Mount> mounts = facts.mounts(pod);
            Set<String> reported = new HashSet<>();
            Optional<Event> attach = facts.eventsFor(pod.uid()).stream()
                    .filter(e -> SchedulerMessages.isAttachFailureReason(e.reason())
                            || SchedulerMessages.isMultiAttach(e.message()))
                    .max(Comparator.comparing(Event::when));
            if (attach.isPresent()) {
                String message = attach.get().message() == null ? "" : attach.get().message().strip();
                String pvName = null;
                Matcher m = PV_IN_ATTACH_MESSAGE.matcher(message);
                if (m.find()) {
                    pvName = m.group(1);
                }
                String claimName = null;
                Volume pv = null;
                for (Mount mount : mounts) {
                    if (mount.volume() != null && (pvName == null || pvName.equals(mount.volume().name()))) {
                        claimName = mount.claimName();
                        pv = mount.volume();
                        break;
                    }
                }
                if (pv == null && pvName != null) {
                    pv = facts.volume(pvName).orElse(null);
                }
                boolean multi = SchedulerMessages.isMultiAttach(message);
                String advice = multi
                        ? " The volume is still attached to another node: wait for the old pod to terminate, or"
                                + " check `kubectl get volumeattachments` for one left behind by a lost node."
                        : " Check the EBS CSI controller logs and the node's attachment limit.";
                if (claimName != null) {
                    reported.add(claimName);
                }
                out.add(finding(pod, claimName, pv, null, (multi ? "Multi-Attach: " : "FailedAttachVolume: ")
                        + message + "." + advice, null).build());
            }
            String nodeZone = facts.nodeZone(pod.nodeName());
            if (nodeZone != null) {
                wrongZone(pod, nodeZone, new PodVolumes(pod.namespace(), mounts), reported, soFar).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The pod runs in {@code nodeZone}, some of its EBS volumes are elsewhere: move them to it. */
    private static Optional<Finding> wrongZone(Pod pod, String nodeZone, PodVolumes volumes, Set<String> reported,
                                               Findings soFar) {
        List<Mount> away = volumes.ebs().stream()
                .filter(m -> !reported.contains(m.claimName()) && !m.volume().zone().equals(nodeZone))
                .toList();
        if (away.isEmpty() || volumes.underMove(soFar) || volumes.inOutage(soFar)) {
            return Optional.empty();
        }
        List<Mount> pinned = volumes.pinned();
        StringBuilder msg = new StringBuilder("Runs on node ").append(pod.nodeName()).append(" in ").append(nodeZone);
        if (away.size() == 1) {
            msg.append(" but its volume is in ").append(away.get(0).volume().zone());
        } else {
            msg.append(" but its volumes ").append(Moves.volumesNamed(away)).append(" are in ")
                    .append(Moves.and(away.stream().map(m -> m.volume().zone()).distinct().toList()));
        }
        msg.append(": an EBS volume attaches only to instances in its own zone.");
        if (!pinned.isEmpty()) {
            msg.append(' ').append(Moves.pinnedBy(pinned));
        }
        Mount first = away.get(0);
        Finding.Builder b = finding(pod, first.claimName(), first.volume(), pinned.isEmpty() ? nodeZone : null,
                msg.toString(),
                pinned.isEmpty() ? Moves.command(pod.namespace(), pod.name(), volumes.ebs(), nodeZone) : null);
        if (away.size() > 1) {
            b.claims(PodVolumes.refs(away));
        }
        return Optional.of(b.build());
    }

    private static Finding.Builder finding(Pod pod, String claim, Volume pv, String suggested, String message,
                                           String command) {
        return Finding.builder(Kind.AttachFailure).object(pod.key()).namespace(pod.namespace())
                .pod(pod.name()).claim(claim).pv(pv == null ? null : pv.name())
                .volumeId(pv == null ? null : pv.volumeId())
                .volumeZone(pv == null ? null : pv.zone())
                .suggestedZone(suggested).statefulSet(pod.statefulSet()).message(message).command(command);
    }
}
