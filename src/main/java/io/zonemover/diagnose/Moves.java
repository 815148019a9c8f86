package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;

import java.util.List;
import java.util.stream.Collectors;

/** The commands findings print, and the words shared by several detectors' messages. */
final class Moves {

    private Moves() {
    }

    /** {@code zonemover migrate NS/CLAIM --to ZONE}: runbooks and scripts rely on this exact form. */
    static String claimCommand(String namespace, String claim, String zone) {
        return "zonemover migrate " + namespace + "/" + claim + " --to " + zone;
    }

    /** {@code zonemover migrate --pod NS/POD --to ZONE}: moves every EBS claim of the pod together. */
    static String podCommand(String namespace, String pod, String zone) {
        return "zonemover migrate --pod " + namespace + "/" + pod + " --to " + zone;
    }

    /** The move of a pod's EBS claims: by its claim when it has one, else by the pod. */
    static String command(String namespace, String pod, List<Mount> ebsMounts, String zone) {
        return ebsMounts.size() == 1 || pod == null
                ? claimCommand(namespace, ebsMounts.get(0).claimName(), zone) : podCommand(namespace, pod, zone);
    }

    /** {@code zonemover jobs adopt NS/CLAIM}: any machine finishes or rolls back the move from its record. */
    static String adoptCommand(String namespace, String claim) {
        return "zonemover jobs adopt " + namespace + "/" + claim;
    }

    /** "vol-a (data-db-3) and vol-b (wal-db-3)". */
    static String volumesNamed(List<Mount> mounts) {
        List<String> names = mounts.stream()
                .map(m -> (m.volume().volumeId() != null ? m.volume().volumeId() : m.volume().name())
                        + " (" + m.claimName() + ")")
                .toList();
        return and(names);
    }

    /** Why a volume of another driver pins the pod, and so why no move is suggested. */
    static String pinnedBy(List<Mount> pinned) {
        Mount m = pinned.get(0);
        String driver = m.volume().driver() == null ? "not EBS" : "driver " + m.volume().driver();
        return "Its claim " + m.claimName() + " is bound to " + m.volume().name() + " (" + driver
                + "), pinned to " + m.volume().zone() + ", which zonemover cannot move (it moves EBS volumes only)"
                + (pinned.size() > 1 ? ", and so are " + and(pinned.subList(1, pinned.size()).stream()
                        .map(Mount::claimName).toList()) : "")
                + "; moving its EBS volumes alone would not let the pod run, so no move is suggested.";
    }

    static String and(List<String> items) {
        if (items.size() <= 1) {
            return String.join("", items);
        }
        return items.subList(0, items.size() - 1).stream().collect(Collectors.joining(", "))
                + " and " + items.get(items.size() - 1);
    }

    static String trimPeriod(String text) {
        String t = text;
        while (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
