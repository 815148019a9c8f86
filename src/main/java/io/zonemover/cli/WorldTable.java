package io.zonemover.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** The human view of `sim show`: the same facts as --json, as tables. */
final class WorldTable {

    private WorldTable() {
    }

    static void print(Map<String, Object> view, PrintWriter out) {
        out.println("World time: " + view.get("time"));
        section(out, "NODES", view, "nodes", new String[] {"NAME", "ZONE", "READY", "SCHEDULABLE"},
                new String[] {"name", "zone", "ready", "schedulable"});
        section(out, "PODS", view, "pods", new String[] {"NAMESPACE", "NAME", "PHASE", "READY", "NODE", "ZONE"},
                new String[] {"namespace", "name", "phase", "ready", "node", "zone"});
        section(out, "CLAIMS", view, "pvcs", new String[] {"NAMESPACE", "NAME", "PHASE", "VOLUME"},
                new String[] {"namespace", "name", "phase", "volumeName"});
        section(out, "PERSISTENT VOLUMES", view, "pvs",
                new String[] {"NAME", "VOLUME ID", "ZONE", "CLAIM", "RECLAIM", "PHASE"},
                new String[] {"name", "volumeId", "zone", "claim", "reclaimPolicy", "phase"});
        section(out, "STATEFULSETS", view, "statefulsets", new String[] {"NAMESPACE", "NAME", "REPLICAS", "READY"},
                new String[] {"namespace", "name", "replicas", "readyReplicas"});
        section(out, "EBS VOLUMES", view, "volumes",
                new String[] {"ID", "ZONE", "STATE", "SIZE", "TYPE", "FROM SNAPSHOT", "FINGERPRINT", "WRITES"},
                new String[] {"id", "zone", "state", "sizeGiB", "type", "snapshotId", "fingerprint", "writes"});
        section(out, "SNAPSHOTS", view, "snapshots",
                new String[] {"ID", "VOLUME", "STATE", "PROGRESS", "FINGERPRINT", "WRITES"},
                new String[] {"id", "volumeId", "state", "progress", "fingerprint", "writes"});
        section(out, "EVENTS", view, "events", new String[] {"NAMESPACE", "OBJECT", "REASON", "MESSAGE"},
                new String[] {"namespace", "object", "reason", "message"});
    }

    private static void section(PrintWriter out, String title, Map<String, Object> view, String key,
                                String[] headers, String[] fields) {
        List<?> items = SimCommand.list(view, key);
        out.println();
        out.println(title + " (" + items.size() + ")");
        if (items.isEmpty()) {
            return;
        }
        Table table = Table.of(headers);
        for (Object item : items) {
            Map<?, ?> map = (Map<?, ?>) item;
            Object[] cells = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                cells[i] = map.get(fields[i]);
            }
            table.row(cells);
        }
        table.print(out);
    }
}
