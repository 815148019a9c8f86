package io.zonemover.cli;

import io.zonemover.cluster.Cluster;
import io.zonemover.cluster.ClusterReader;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.diagnose.SnapshotFacts;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.rescue.Decision;
import io.zonemover.rescue.Durations;
import io.zonemover.rescue.KubernetesEvents;
import io.zonemover.rescue.LeaderElector;
import io.zonemover.rescue.Mover;
import io.zonemover.rescue.RescueLog;
import io.zonemover.rescue.RescueProgress;
import io.zonemover.rescue.Rescuer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** `zonemover rescue`: moves the stuck pods of opted-in StatefulSets by itself, as the elected leader of its replicas. */
@Command(name = "rescue",
        description = {"Auto-rescue: moves the pods of StatefulSets that opted in, once the scheduler has failed to place them on their volumes' zone for longer than --grace. Meant to run in the cluster as a Deployment (two replicas: one leads, the other stands by).",
                "",
                "A StatefulSet opts in with the annotation zonemover.io/auto-rescue: \"true\". Every --interval the leader lists the Pending pods; a pod the scheduler reports with a volume node affinity conflict is looked at as `zonemover diagnose` does, and moved as `zonemover migrate --pod NS/POD --to auto --no-pre-snapshot` would (same job engine, same --db) once it has been stuck for --grace, measured from its PodScheduled=False condition (or its first FailedScheduling event) on the API server's clock. Longest stuck first, at most --max-concurrent moves in flight in the cluster (counting every claim that carries zonemover.io/migration, whoever started its move), and never while the StatefulSet's PodDisruptionBudget is not met by its other pods (as the eviction API treats a pod that is not Ready; without one, maxUnavailable 1). A stuck pod of a StatefulSet that did not opt in is left alone and logged once. A move that fails is rolled back as any move, and not tried again by this replica.",
                "",
                "Leader election: a coordination.k8s.io/v1 Lease (--lease-namespace/--lease-name), as client-go's leaderelection: 15 s lease, renewed every 5 s; a leader that cannot renew for 10 s stops starting moves. A replica that loses the Lease starts nothing more; a move it already started runs to its end there (the claims' lock and the job's ownership keep any other runner off it) and counts as in flight for the new leader. A replica that dies mid-move (kill -9, a lost node) leaves its move to the next leader: with a state the replicas share (--db jdbc:postgresql:..., as jobs/base runs them) the leader resumes every move a rescuer started whose job lease (--lease) has lapsed, as `zonemover jobs resume` would, within --max-concurrent; with a state per replica only a person can tell the other is gone, and `zonemover jobs adopt NS/CLAIM` finishes it. On SIGTERM it starts nothing more, waits for its moves in flight (give the pod a terminationGracePeriodSeconds long enough), and gives the Lease up.",
                "",
                "Logs one line per decision and per step of its moves on stdout (one JSON object per line with -o json). Every action, and every step of its moves, is also a Kubernetes Event (reportingComponent zonemover; reasons RescueStarted, RescueResumed, MoveStep, RescueCompleted, RescueFailed, RescueBlocked) on the claims and the StatefulSet: `kubectl describe pvc` shows it. Events are best-effort: one that cannot be posted never stops a move.",
                "",
                "Kubernetes permissions, beyond those of `zonemover migrate` and `zonemover diagnose` (cluster-wide list of pods, claims, PVs, nodes, StorageClasses, StatefulSets, events, and zonemover's ConfigMaps):",
                "  coordination.k8s.io leases in --lease-namespace: get, create, update",
                "  events (core v1): create, patch"},
        footerHeading = "%nExit codes:%n",
        footer = {"  --watch runs until stopped (SIGTERM or SIGINT; the JVM's status for the signal); it fails only on bad input.",
                "  0  --once: the scan ran and every move it started completed (or another replica leads)",
                "  1  --once: a move it started failed (state kept: `zonemover jobs resume ID`), or the cluster could not be read",
                "  2  bad input, nothing changed",
                "",
                "Examples:",
                "  kubectl annotate statefulset web zonemover.io/auto-rescue=true",
                "  zonemover rescue --watch",
                "  zonemover rescue --once --dry-run --grace 1m",
                "  zonemover rescue --watch --max-concurrent 2 --lease-namespace ops"})
final class RescueCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--watch", description = "Keep watching, every --interval, until stopped (as a Deployment).")
    boolean watch;

    @Option(names = "--once", description = "One scan, then exit once the moves it started have ended (tests, CronJobs).")
    boolean once;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    NamespaceScope scope;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Time between scans (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long a pod must have been stuck before it is moved (default: ${DEFAULT-VALUE}), on the API server's clock.")
    Duration grace;

    @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "1",
            description = "Moves in flight in the cluster at once, at most (default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--dry-run", description = "Report what it would move, and change nothing: no move, no Event, and no part in the leader election.")
    boolean dryRun;

    @Option(names = "--lease-namespace", paramLabel = "NS", defaultValue = "zonemover",
            description = "Namespace of the Lease the replicas elect a leader with (default: ${DEFAULT-VALUE}).")
    String leaseNamespace;

    @Option(names = "--lease-name", paramLabel = "NAME", defaultValue = "zonemover-rescue",
            description = "Name of that Lease (default: ${DEFAULT-VALUE}).")
    String leaseName;

    @Option(names = "--identity", paramLabel = "ID",
            description = "This replica's holderIdentity (default: $POD_NAME, else the host name, and a random suffix).")
    String identity;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "As for migrate: how long a moved pod may take to be Ready in its new zone (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Option(names = "--lease-duration", paramLabel = "DURATION", defaultValue = "15s", hidden = true,
            converter = DurationConverter.class)
    Duration leaseDuration;

    @Option(names = "--renew-deadline", paramLabel = "DURATION", defaultValue = "10s", hidden = true,
            converter = DurationConverter.class)
    Duration renewDeadline;

    @Option(names = "--retry-period", paramLabel = "DURATION", defaultValue = "5s", hidden = true,
            converter = DurationConverter.class)
    Duration retryPeriod;

    @Option(names = "--poll-interval", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class)
    Duration pollInterval;

    @Override
    public Integer call() throws Exception {
        if (watch == once) {
            throw ZonemoverException.badInput("say --watch (keep watching) or --once (one scan)");
        }
        if (maxConcurrent < 1) {
            throw ZonemoverException.badInput("--max-concurrent must be at least 1");
        }
        if (leaseDuration.toSeconds() < 1 || renewDeadline.compareTo(leaseDuration) >= 0
                || retryPeriod.compareTo(renewDeadline) >= 0) {
            throw ZonemoverException.badInput("the lease timings must be --retry-period < --renew-deadline < --lease-duration"
                    + " (at least 1s)");
        }
        String namespace = NamespaceScope.of(scope);
        Clock clock = Clock.systemUTC();
        var kube = connections().kube(); // a bad kubeconfig is refused before the state database is touched
        Cluster cluster = new KubeCluster(kube);
        RescueLog log = new Lines(out(), global().json());
        String id = identity != null ? identity : defaultIdentity();
        KubernetesEvents events = new KubernetesEvents(cluster, new RescueProgress(log, clock), id, clock);
        try (JobEngine engine = JobEngine.start(connections(), events, MigrateCommand.pollMillis(global(), pollInterval),
                maxConcurrent);
             LeaderElector elector = new LeaderElector(cluster, new LeaderElector.Settings(leaseNamespace, leaseName, id,
                     leaseDuration, renewDeadline, retryPeriod), new Listener(log, clock, leaseNamespace + "/" + leaseName, id))) {
            Rescuer rescuer = new Rescuer(cluster, () -> SnapshotFacts.of(new ClusterReader(kube).read(namespace)),
                    Mover.of(engine.migrations(), readyTimeout), dryRun ? () -> true : elector::leading, log, events,
                    new Rescuer.Settings(namespace, grace, maxConcurrent, dryRun), clock);
            say(log, clock, "start", (once ? "one scan of " : "watching ") + (namespace == null ? "all namespaces"
                    : "namespace " + namespace) + (once ? "" : " every " + Durations.text(interval)) + ": grace "
                    + Durations.text(grace) + ", at most " + maxConcurrent + " move(s) at once"
                    + (dryRun ? ", dry run" : "; Lease " + leaseNamespace + "/" + leaseName + " as " + id));
            try {
                return once ? once(rescuer, elector) : watch(rescuer, elector, log, clock);
            } finally {
                events.close();
            }
        }
    }

    private int once(Rescuer rescuer, LeaderElector elector) throws InterruptedException {
        if (!dryRun) {
            elector.round();
            if (!elector.leading()) {
                return 0; // another replica leads: the listener said who
            }
            elector.start(); // keeps the Lease renewed while the scan and its moves run
        }
        List<Decision> decisions = rescuer.scan();
        rescuer.finish(Duration.ofDays(365));
        boolean failed = rescuer.ended().stream().anyMatch(d -> d.kind() == Decision.Kind.FAILED);
        return failed ? 1 : 0;
    }

    private int watch(Rescuer rescuer, LeaderElector elector, RescueLog log, Clock clock) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "zonemover-rescue-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (!dryRun) {
                elector.start();
            }
            while (!stop.await(0, TimeUnit.MILLISECONDS)) {
                try {
                    rescuer.scan();
                } catch (RuntimeException e) {
                    say(log, clock, "error", "scan failed: " + GlobalOptions.firstLine(e.getMessage()) + "; next scan in "
                            + interval.toSeconds() + "s");
                }
                stop.await(interval.toMillis(), TimeUnit.MILLISECONDS);
            }
            say(log, clock, "stopping", rescuer.running() == 0 ? "stopped: no move in flight"
                    : "stopping: waiting for " + rescuer.running() + " move(s) in flight to end");
            rescuer.finish(Duration.ofDays(365));
            elector.close();
            return 0;
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook is what stopped us.
            }
        }
    }

    private static void say(RescueLog log, Clock clock, String event, String message) {
        log.line(new RescueLog.Line(clock.instant(), event, null, null, null, null, message));
    }

    /** $POD_NAME (set from the downward API), else the host name; and a random suffix, as client-go's callers add. */
    static String defaultIdentity() {
        return hostName() + "_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    }

    /** $POD_NAME, else $HOSTNAME, else the host's name: who reports zonemover's Events. */
    static String hostName() {
        String name = System.getenv("POD_NAME");
        if (name == null || name.isBlank()) {
            name = System.getenv("HOSTNAME");
        }
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                name = "zonemover";
            }
        }
        return name;
    }

    /** Leadership changes as log lines. */
    private record Listener(RescueLog log, Clock clock, String lease, String id) implements LeaderElector.Listener {
        @Override
        public void startedLeading() {
            say(log, clock, "leader", "leading: holds Lease " + lease + " as " + id);
        }

        @Override
        public void stoppedLeading(String why) {
            say(log, clock, "standby", "not leading any more (" + why + "): no new move starts here");
        }

        @Override
        public void otherLeader(String holder) {
            say(log, clock, "standby", "Lease " + lease + " is held by " + holder + ": standing by");
        }
    }

    /** One line per record on stdout: text columns, or a JSON object with -o json. */
    private record Lines(PrintWriter out, boolean json) implements RescueLog {
        @Override
        public void line(Line line) {
            String text;
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", line.at().toString());
                m.put("event", line.event());
                putIf(m, "pod", line.pod());
                putIf(m, "statefulSet", line.statefulSet());
                putIf(m, "jobId", line.jobId());
                putIf(m, "zone", line.zone());
                m.put("message", line.message());
                text = Json.writeLine(m);
            } else {
                StringBuilder b = new StringBuilder(line.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
                        .append("  ").append(String.format("%-13s", line.event()));
                if (line.pod() != null) {
                    b.append(line.pod()).append("  ");
                }
                if (line.jobId() != null) {
                    b.append(line.jobId()).append("  ");
                }
                text = b.append(line.message()).toString();
            }
            synchronized (out) {
                out.println(text);
                out.flush();
            }
        }

        private static void putIf(Map<String, Object> m, String key, String value) {
            if (value != null) {
                m.put(key, value);
            }
        }
    }
}
