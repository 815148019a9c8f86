package io.zonemover.cli;

import io.zonemover.cluster.ClusterReader;
import io.zonemover.aws.Ec2BlockStore;
import io.zonemover.cluster.ClusterSnapshot;
import io.zonemover.diagnose.Diagnosis;
import io.zonemover.diagnose.Finding;
import io.zonemover.diagnose.RecoveryPoints;
import io.zonemover.diagnose.SnapshotFacts;
import io.zonemover.domain.Placement;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `zonemover diagnose`: one read of the cluster (and of EC2 only when needed), findings, exit 1 when any. */
@Command(name = "diagnose",
        description = {"Finds what keeps EBS-backed pods from running across zones, and prints the command that fixes each:",
                "  InterruptedMove               a move that stopped part-way (its StatefulSet may be deleted)",
                "  ZoneOutage                    every node of a zone is NotReady: its pods, their volumes' newest",
                "                                completed snapshots and their age, and the command that rescues each",
                "  VolumeNodeAffinityConflict    a Pending pod whose volumes' zone has no node that can take it",
                "  SplitPodVolumes               a pod whose volumes are in different zones",
                "  AttachFailure                 FailedAttachVolume / Multi-Attach, or a pod on a node in another zone",
                "  ZoneImbalance                 a StatefulSet whose volumes crowd one zone",
                "  RecoveryPointObjective        with --rpo: a StatefulSet claim whose newest completed snapshot is",
                "                                older than that, or that has none",
                "  ImmediateBindingStorageClass  an EBS StorageClass that picks zones before pods are scheduled",
                "Read only: it lists each kind once and changes nothing. EC2 is read (snapshots of the volumes",
                "concerned) only when a zone is down or --rpo is given.",
                "Looks at all namespaces unless -n is given (unlike kubectl: in an incident you want everything)."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  nothing found", "  1  findings (or the cluster could not be read, or --rpo could not be checked)",
                "  2  bad input",
                "", "Examples:", "  zonemover diagnose", "  zonemover diagnose -n default -o json",
                "  zonemover diagnose --rpo 1h"})
final class DiagnoseCommand extends BaseCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    NamespaceScope scope;

    @Option(names = "--rpo", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Recovery point objective (e.g. 1h): report every StatefulSet EBS claim whose newest"
                    + " completed snapshot is older than this, or that has none (reads its snapshots from EC2).")
    Duration rpo;

    @Override
    public Integer call() throws Exception {
        String namespace = NamespaceScope.of(scope);
        ClusterReader reader = new ClusterReader(connections().kube());
        StartupTrace.mark("kube client");
        ClusterSnapshot snapshot = reader.read(namespace);
        StartupTrace.mark("cluster read");
        // The EC2 client is built only if a finding needs the volumes' snapshots: a cold diagnose stays fast.
        Diagnosis.Report report = Diagnosis.of(SnapshotFacts.of(snapshot), rpo,
                () -> new Ec2BlockStore(connections().ec2()));
        List<Finding> findings = report.findings();
        StartupTrace.mark("diagnosed");
        snapshot.notes().forEach(note -> err().println("warning: " + note));
        report.warnings().forEach(w -> err().println("warning: " + w));
        if (global().json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("findings", findings.stream().map(Finding::toJson).toList());
            out().println(Json.write(doc));
        } else {
            printTable(snapshot, findings, out());
        }
        StartupTrace.mark("printed");
        return findings.isEmpty() && !(rpo != null && report.recoveryPointsUnknown()) ? 0 : 1;
    }

    static void printTable(ClusterSnapshot snapshot, List<Finding> findings, PrintWriter out) {
        String where = snapshot.namespace() == null ? "all namespaces" : "namespace " + snapshot.namespace();
        String counted = snapshot.pods().stream().filter(p -> snapshot.inScope(p.getMetadata().getNamespace())).count()
                + " pods, " + snapshot.claims().size() + " claims, " + snapshot.nodes().size() + " nodes in "
                + Placement.zones(snapshot.placementNodes()).size() + " zones";
        if (findings.isEmpty()) {
            out.println("No problems found in " + where + " (" + counted + ").");
            return;
        }
        List<Finding> interrupted = findings.stream().filter(f -> f.kind() == Finding.Kind.InterruptedMove).toList();
        if (!interrupted.isEmpty()) {
            out.println("!! " + interrupted.size() + " interrupted move(s): a workload is part-way through a move."
                    + " Adopt these first:");
            Table moves = Table.of("JOB", "OBJECT", "STEP", "STATEFULSET", "ADOPT WITH");
            for (Finding f : interrupted) {
                String sts = f.statefulSet() == null ? null
                        : f.statefulSet() + (Boolean.TRUE.equals(f.move().statefulSetMissing()) ? " (deleted)" : "");
                moves.row(f.move().jobId(), f.object(), f.move().step(), sts, f.command());
            }
            moves.print(out);
            out.println();
        }
        Table table = Table.of("KIND", "OBJECT", "ZONE", "SUGGESTED");
        for (Finding f : findings) {
            table.row(f.kind().name(), f.object(), f.volumeZone(), f.suggestedZone());
        }
        table.print(out);
        out.println();
        int i = 1;
        for (Finding f : findings) {
            out.println(i++ + ". " + f.object() + " (" + f.kind().name() + ")");
            out.println("   " + f.message());
            if (f.outage() != null && !f.outage().pods().isEmpty()) {
                printOutagePods(f.outage(), out);
            } else {
                out.println("   fix: " + (f.command() == null ? "no single command; see above" : f.command()));
            }
        }
        out.println();
        out.println(findings.size() + " finding(s) in " + where + " (" + counted + ").");
    }

    /** Each pod caught in a zone outage: its claims' recovery points, and the command that rescues it. */
    private static void printOutagePods(Finding.Outage outage, PrintWriter out) {
        for (Finding.OutagePod p : outage.pods()) {
            out.println("   - " + p.namespace() + "/" + p.pod());
            for (Finding.ClaimPoint c : p.claims()) {
                String point = c.recoveryPointSnapshotId() != null
                        ? c.recoveryPointSnapshotId() + (c.recoveryPointAgeSeconds() == null ? ""
                                : ", " + RecoveryPoints.age(c.recoveryPointAgeSeconds()) + " old")
                        : outage.recoveryPointsKnown() ? "no completed snapshot" : "recovery point unknown";
                out.println("       " + c.claim() + " " + c.volumeId() + ": " + point);
            }
            out.println("     rescue (loses writes since): " + (p.command() == null ? "none; see above" : p.command()));
        }
    }
}
